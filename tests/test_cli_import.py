"""`kassa import products|stock` and `kassa export products`, as a technician runs them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.people import users
from kassa_tui.store.register_lock import RegisterLock
from tests.shop import demo_till

ROMME = "7020164760728"
PILSNER = "7061222375317"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def shop(tmp_path: Path) -> Till:
    """The demo shop, in English, with its kassa.toml at tmp_path / 'kassa.toml'."""
    return demo_till(tmp_path, language='"en"')


TECHNICIAN = "9\n9999\n"  # the demo technician's number and PIN, read from stdin


def kassa(folder: Path, *args: str, input: str = TECHNICIAN) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(folder / "kassa.toml"), *args], input=input)
    return result.exit_code, result.output


def journal_length(till: Till) -> int:
    return int(till.db.execute_sql("SELECT COUNT(*) FROM journal").fetchone()[0])


def ugly_file(folder: Path) -> Path:
    """A supplier's price list as Excel saves it: cp1252, ';', a title line, CRLF."""
    path = folder / "prisliste.csv"
    text = (
        "Prisliste fra grossisten\r\n"  # 1
        "Varenr;EAN;Varenavn;Varegruppe;MVA %;Utpris\r\n"  # 2
        f"2025;{ROMME};Rømme 18 % 3 dl;20;15 %;26,90\r\n"  # 3: a price change
        "\r\n"  # 4
        "70001;;Blåbærsyltetøy 400 g;20;15 %;39,90\r\n"  # 5: new
        "70002;;Tyttebær;20;24 %;39,90\r\n"  # 6: no such VAT rate
        f"1001;{PILSNER};Epler;10;15 %;39,90\r\n"  # 7: the beer's barcode on apples
    )
    path.write_bytes(text.encode("cp1252"))
    return path


def test_a_dry_run_reports_and_writes_nothing(shop: Till, tmp_path: Path) -> None:
    path = ugly_file(tmp_path)
    shop.db.close()  # everything checkpointed into the database file
    database = tmp_path / "var" / "kassa.db"
    before = database.read_bytes()
    code, out = kassa(tmp_path, "import", "products", str(path), "--dry-run")
    assert code == 0, out
    assert "encoding cp1252, delimiter ';', header on line 2" in out
    assert "Rows: new 1, changed 1, unchanged 0, rejected 2" in out
    assert "line 6: unknown VAT rate '24 %'" in out
    assert f"line 7: barcode {PILSNER} belongs to another product (PLU 6501 Ringnes" in out
    assert "line 3: changed PLU 2025 Rømme 18 % 3 dl: price 24,90 → 26,90" in out
    assert "line 5: new     PLU 70001 Blåbærsyltetøy 400 g: 39,90" in out
    assert "Dry run: nothing was written." in out
    shop.db.close()
    assert database.read_bytes() == before


def test_an_import_writes_once_and_a_second_run_changes_nothing(shop: Till, tmp_path: Path) -> None:
    path = ugly_file(tmp_path)
    journal = journal_length(shop)
    code, out = kassa(tmp_path, "import", "products", str(path))
    assert code == 0, out
    assert "Imported: 1 new, 1 changed (2 rejected rows skipped)." in out
    assert shop.catalog.by_barcode(ROMME).price_ore == 2690
    assert journal_length(shop) == journal + 3  # the price change, the new item, the summary
    code, out = kassa(tmp_path, "import", "products", str(path))
    assert code == 0 and "Rows: new 0, changed 0, unchanged 2, rejected 2" in out
    assert journal_length(shop) == journal + 4  # only the second summary
    assert kassa(tmp_path, "journal", "verify")[0] == 0


def test_export_then_import_changes_nothing(shop: Till, tmp_path: Path) -> None:
    target = tmp_path / "katalog.csv"
    code, out = kassa(tmp_path, "export", "products", "-o", str(target))
    assert code == 0 and "Wrote 611 products" in out
    text = target.read_text(encoding="utf-8")
    assert text.startswith("plu;ean;name;group;vat;price;unit;cost;reorder;group_saft;pant\n")
    assert f"2025;{ROMME};Rømme 18 % 3 dl;20;15;24,90;stk;;" in text
    code, out = kassa(tmp_path, "import", "products", str(target), "--dry-run")
    assert code == 0 and "Rows: new 0, changed 0, unchanged 611, rejected 0" in out
    code, stdout = kassa(tmp_path, "export", "products")
    assert code == 0 and stdout == text


def test_the_export_file_is_private_and_never_overwritten(shop: Till, tmp_path: Path) -> None:
    target = tmp_path / "katalog.csv"
    old = os.umask(0)
    try:
        code, out = kassa(tmp_path, "export", "products", "-o", str(target))
    finally:
        os.umask(old)
    assert code == 0, out
    assert target.stat().st_mode & 0o777 == 0o600
    target.write_text("the shop's own edits", encoding="utf-8")
    code, out = kassa(tmp_path, "export", "products", "-o", str(target))
    assert code == 1 and f"kassa: {target} already exists; not overwriting it" in out
    assert target.read_text(encoding="utf-8") == "the shop's own edits"
    assert [p.name for p in tmp_path.glob("*katalog*")] == ["katalog.csv"]


def test_map_and_explicit_delimiter_and_encoding(shop: Till, tmp_path: Path) -> None:
    path = tmp_path / "artikler.txt"
    path.write_bytes(b"Nr\tArtikkeltekst\tGr\tMva\tPris\n70010\tLefse\t30\t15\t19,90\n")
    code, out = kassa(
        tmp_path,
        "import",
        "products",
        str(path),
        "--map",
        "plu=Nr",
        "--map",
        "name=Artikkeltekst",
        "--map",
        "varegruppe=Gr",
        "--delimiter",
        "tab",
        "--encoding",
        "utf-8",
    )
    assert code == 0, out
    assert "Columns: plu=Nr, name=Artikkeltekst, group=Gr, vat=Mva, price=Pris" in out
    assert shop.catalog.by_plu("70010").name == "Lefse"


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (("import", "products", "missing.csv"), 1, "missing.csv: no such file"),
        (("import", "products", "missing.csv", "--map", "colour=Farge"), 2, "FIELD=HEADER"),
        (("import", "products", "missing.csv", "--map", "name"), 2, "FIELD=HEADER"),
        (("import", "products", "missing.csv", "--encoding", "klingon"), 2, "unknown encoding"),
        (("import", "products", "missing.csv", "--delimiter", "|"), 2, "--delimiter"),
        (("import", "stock", "missing.csv", "--dry-run"), 1, "no such file"),
    ],
)
def test_bad_files_and_bad_options_are_one_line(
    shop: Till, tmp_path: Path, args: tuple[str, ...], code: int, said: str
) -> None:
    got, out = kassa(tmp_path, *args)
    assert got == code and said in out and "Traceback" not in out
    if code == 1:
        assert out.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary\x00", "not a text file"),
        (b"foo;bar\n1;2\n", "no header line with known columns (found: foo, bar)"),
        (b"plu;price\n1;2\n", "no column for name, group, vat"),
    ],
)
def test_an_unreadable_file_exits_1_with_one_line(
    shop: Till, tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, out = kassa(tmp_path, "import", "products", str(path))
    assert code == 1 and said in out and out.count("\n") == 1


def test_stock_import_sets_levels_with_movements(shop: Till, tmp_path: Path) -> None:
    path = tmp_path / "lager.csv"
    path.write_text(f"plu;ean;beholdning\n1001;;30\n;{ROMME};12\n", encoding="utf-8")
    code, out = kassa(tmp_path, "import", "stock", str(path), "--dry-run")
    assert code == 0 and "Dry run: nothing was written." in out
    code, out = kassa(tmp_path, "import", "stock", str(path))
    assert code == 0 and "Imported:" in out
    levels = shop.db.execute_sql(
        "SELECT p.plu, s.on_hand_milli FROM product_stock s JOIN product p ON p.id = s.product_id"
        " WHERE p.plu IN ('1001', '2025') ORDER BY p.plu"
    ).fetchall()
    assert [tuple(row) for row in levels] == [("1001", 30000), ("2025", 12000)]
    code, out = kassa(tmp_path, "import", "stock", str(path))
    assert "Rows: to change 0, unchanged 2, rejected 0" in out


def test_a_running_till_is_named_before_a_real_import(shop: Till, tmp_path: Path) -> None:
    running = RegisterLock(tmp_path / "var" / "kassa.db", shop.config.register_id)
    running.acquire()
    try:
        code, out = kassa(tmp_path, "import", "products", str(ugly_file(tmp_path)))
    finally:
        running.release()
    assert code == 0 and "the till is running on KASSE-1" in out


def test_no_database_yet(tmp_path: Path) -> None:
    from tests.shop import write_config

    write_config(tmp_path, language='"en"')
    code, out = kassa(tmp_path, "export", "products")
    assert code == 2 and "run `kassa init` first" in out
