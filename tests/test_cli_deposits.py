"""`kassa deposits list|add|set|assign`: deposit types (pant) kept by the shop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.people import users
from tests.shop import demo_till

SHIFT_LEAD = "2\n2222\n"
CASHIER = "1\n1111\n"
SOLO_15 = "7093910262616"  # Solo 1,5 l: pant B in the demo shop


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def shop(tmp_path: Path) -> Till:
    return demo_till(tmp_path, language='"en"')


def kassa(folder: Path, *args: str, input: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(folder / "kassa.toml"), *args], input=input)
    return result.exit_code, result.output


def master_data_rows(shop: Till) -> list[dict[str, object]]:
    rows = shop.db.execute_sql(
        "SELECT text FROM journal WHERE basic_id = 'MASTERDATA' ORDER BY seq"
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def test_list_shows_the_demo_types(shop: Till, tmp_path: Path) -> None:
    code, out = kassa(tmp_path, "deposits", "list")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[1].split()[:1] == ["A"] and "2,00" in lines[1] and "drink's" in lines[1]
    assert "3,00" in lines[2] and "3031" in lines[2]


def test_add_set_and_assign_are_journaled_and_sell(shop: Till, tmp_path: Path) -> None:
    code, out = kassa(
        tmp_path, "deposits", "add", "C", "Pant 1 kr", "1", "--vat", "25", input=SHIFT_LEAD
    )
    assert code == 0, out
    assert "Deposit type C added: 1,00, VAT 25 %, account 3031." in out
    code, out = kassa(tmp_path, "deposits", "set", "C", "--amount", "1,50", input=SHIFT_LEAD)
    assert code == 0, out
    code, out = kassa(tmp_path, "deposits", "assign", "C", SOLO_15, input=SHIFT_LEAD)
    assert code == 0 and "1 products now carry deposit type C." in out, out
    rows = master_data_rows(shop)
    assert [r.get("deposit_type") or r.get("deposit") for r in rows[-3:]] == ["C", "C", "C"]
    cashier = shop.users.sign_in("1", "1111")
    shop.baskets.add(cashier, SOLO_15)
    pant = shop.baskets.current().priced.lines[-1]
    assert (pant.line.name, pant.amount, pant.line.vat_bp) == ("Pant", 150, 2500)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "A", "Again", "2"), "already exists"),
        (("add", "D", "Minus", "--", "-2"), "is not an amount"),
        (("add", "D", "Odd VAT", "2", "--vat", "17"), "VAT must be"),
        (("add", "D", "Bad account", "2", "--account", "x"), "four digits"),
        (("set", "Z", "--amount", "2"), "no deposit type Z"),
        (("assign", "A", "7038010009990"), "Unknown code 7038010009990"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    shop: Till, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    before = shop.db.execute_sql("SELECT COUNT(*) FROM deposit_type").fetchone()[0]
    code, out = kassa(tmp_path, "deposits", *args, input=SHIFT_LEAD)
    assert code == 1 and message in out, out
    assert shop.db.execute_sql("SELECT COUNT(*) FROM deposit_type").fetchone()[0] == before
    assert master_data_rows(shop) == []


def test_a_cashier_may_not_change_deposit_types(shop: Till, tmp_path: Path) -> None:
    code, out = kassa(tmp_path, "deposits", "set", "A", "--amount", "5", input=CASHIER)
    assert code == 1, out
    assert (
        shop.db.execute_sql("SELECT amount_ore FROM deposit_type WHERE code = 'A'").fetchone()[0]
        == 200
    )


def test_the_import_pant_column_sets_and_removes_pant(shop: Till, tmp_path: Path) -> None:
    path = tmp_path / "drikke.csv"
    path.write_text(
        "plu;name;group;vat;price;pant\n"
        "70010;Eplemost 0,5 l;60;15;29,90;A\n"  # new, pant A
        "6002;Coca-Cola 1,5 l;60;15;39,90;-\n"  # no pant any more
        "6010;Solo 0,5 l;60;15;25,90;Q\n",  # no such deposit type: the row is rejected
        encoding="utf-8",
    )
    code, out = kassa(tmp_path, "import", "products", str(path), input="9\n9999\n")
    assert code == 0, out
    assert "line 4: unknown deposit type 'Q' (kassa deposits list)" in out
    pant = dict(
        shop.db.execute_sql(
            "SELECT p.plu, d.code FROM product p JOIN product_deposit pd ON pd.product_id = p.id"
            " JOIN deposit_type d ON d.id = pd.deposit_type_id WHERE p.plu IN (?, ?, ?)",
            ("70010", "6002", "6010"),
        ).fetchall()
    )
    assert pant == {"70010": "A", "6010": "A"}  # 6010 kept its pant: its row was rejected
    assert [r.get("deposit") for r in master_data_rows(shop) if r.get("action") == "import_pant"]
    assert sorted(
        r["deposit"] for r in master_data_rows(shop) if r.get("action") == "import_pant"
    ) == ["", "A"]
