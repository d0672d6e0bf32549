"""`kassa import sales FILE`: the old system's history, stored apart from kassa's own sales.

What the owner and the auditor check: the rows stored as history (and what the insight figures
read back per day), the import journaled once as IMPORT, every bad row named by its line with
nothing written, a dry run writing nothing, and kassa's own X, Z and SAF-T file exactly as they
were (24,90 of Rømme sold on 27 November), however much history was imported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from kassa_tui.cli import main
from kassa_tui.config import load
from kassa_tui.insight.history import history_units_by_day, parse_day
from kassa_tui.people import users
from kassa_tui.store.database import connect
from tests.insight.test_pairs import printed
from tests.shop import demo_till

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90 (PLU none)
EPLER_PLU = "1001"  # Epler Pink Lady 4 stk, 39,90
LEAD, TECH = "2\n2222\n", "9\n9999\n"
XSD = Path(__file__).resolve().parents[1] / "data" / "saft"
XSD = XSD / "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"
NS = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}

# The old system's export: cp1252, ';', decimal commas, Norwegian headers, a title line first,
# dates as 31.10.2026 with a time, or ISO; a return as a negative row.
GOOD = (
    "Salg fra gammel kasse\n"
    "Dato;Tid;Varekode;Antall;Beløp\n"
    "30.10.2026;10:15;7020164760728;2;49,80\n"
    "30.10.2026;17.02;7020164760728;1;24,90\n"
    "2026-10-31;;1001;3;119,70\n"
    "2026-10-31;12:00;1001;-1;-39,90\n"
    "\n"
    "01.11.2026;09:30;1001;1,000;39,90\n"
)
BAD = (
    "dato;varekode;antall;beløp\n"
    "2026-10-30;7020164760728;2;49,80\n"
    "2026-13-01;7020164760728;1;24,90\n"
    "2026-10-31;7038010009990;1;24,90\n"
    "2026-10-31;1001;0;0\n"
    "2026-10-31;1001;1;abc\n"
    "2026-11-27;1001;1;39,90\n"
)


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A demo shop that sold one Rømme (24,90, cash) on 27 November 2026: its kassa.toml."""
    till = demo_till(tmp_path, language='"en"')
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME)
    assert till.sales.pay_cash(cashier, "").completed is not None
    printed(till)
    till.db.close()
    return tmp_path / "kassa.toml"


def kassa(shop: Path, *args: str, input: str = LEAD) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(shop), *args], input=input)
    return result.exit_code, result.output


def write(tmp_path: Path, name: str, text: str, encoding: str = "cp1252") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def query(shop: Path, sql: str) -> list[tuple[object, ...]]:
    database = connect(load(shop).database)
    try:
        return [tuple(row) for row in database.execute_sql(sql).fetchall()]
    finally:
        database.close()


def imports_journaled(shop: Path) -> list[dict[str, object]]:
    rows = query(shop, "SELECT text FROM journal WHERE basic_id = 'IMPORT'")
    return [d for (text,) in rows if (d := json.loads(str(text))).get("what") == "sales_history"]


def test_a_good_file_is_stored_as_history_and_read_back_per_day(shop: Path, tmp_path: Path) -> None:
    code, out = kassa(shop, "import", "sales", str(write(tmp_path, "gammel.csv", GOOD)))
    assert code == 0, out
    assert "encoding cp1252, delimiter ';', header on line 2" in out
    assert "Good rows: 2026-10-30 to 2026-11-01, 2 products, 6 units, 194,40 kr" in out
    assert "Imported 5 rows of sales history (import 1)" in out
    assert query(
        shop,
        "SELECT line, local_date, local_time, code, qty_milli, amount_ore FROM sales_history"
        " ORDER BY id",
    ) == [
        (3, "2026-10-30", "10:15:00", ROMME, 2000, 4980),
        (4, "2026-10-30", "17:02:00", ROMME, 1000, 2490),
        (5, "2026-10-31", "", EPLER_PLU, 3000, 11970),
        (6, "2026-10-31", "12:00:00", EPLER_PLU, -1000, -3990),
        (8, "2026-11-01", "09:30:00", EPLER_PLU, 1000, 3990),
    ]
    [journaled] = imports_journaled(shop)
    assert journaled["file"] == "gammel.csv" and journaled["rows"] == 5
    assert journaled["amount_ore"] == 19440
    database = connect(load(shop).database)
    try:
        (romme,) = database.execute_sql(
            "SELECT product_id FROM barcode WHERE code = ?", (ROMME,)
        ).fetchone()
        (epler,) = database.execute_sql("SELECT id FROM product WHERE plu = '1001'").fetchone()
        by_day = history_units_by_day(database, "2026-10-01", "2026-11-30")
        assert by_day == sorted(
            [
                (romme, "2026-10-30", 3.0, 7470),
                (epler, "2026-10-31", 2.0, 7980),
                (epler, "2026-11-01", 1.0, 3990),
            ]
        )
        assert history_units_by_day(database, "2026-10-31", "2026-10-31", [romme]) == []
        with pytest.raises(Exception, match="append-only"):
            database.execute_sql("UPDATE sales_history SET qty_milli = 0")
        with pytest.raises(Exception, match="append-only"):
            database.execute_sql("DELETE FROM sales_history")
    finally:
        database.close()
    # the same file again: refused, nothing added
    code, out = kassa(shop, "import", "sales", str(tmp_path / "gammel.csv"))
    assert code == 1 and "imported before (import 1" in out
    assert query(shop, "SELECT COUNT(*) FROM sales_history") == [(5,)]


def test_bad_rows_are_named_by_line_and_nothing_is_written(shop: Path, tmp_path: Path) -> None:
    code, out = kassa(shop, "import", "sales", str(write(tmp_path, "bad.csv", BAD, "utf-8")))
    assert code == 1
    lines = [line.strip() for line in out.splitlines() if line.strip().startswith("line ")]
    assert lines == [
        "line 3: bad date '2026-13-01' (e.g. 2025-03-31 or 31.03.2025)",
        "line 4: no product with code 7038010009990",
        "line 5: bad quantity '0'",
        "line 6: bad amount 'abc'",
        "line 7: 2026-11-27 is not before 2026-11-27, the first day kassa sold itself",
    ]
    assert "5 bad rows: nothing was written" in out
    assert query(shop, "SELECT COUNT(*) FROM sales_history") == [(0,)]
    assert query(shop, "SELECT COUNT(*) FROM sales_history_import") == [(0,)]
    assert imports_journaled(shop) == []


def test_a_dry_run_writes_nothing(shop: Path, tmp_path: Path) -> None:
    code, out = kassa(shop, "import", "sales", str(write(tmp_path, "g.csv", GOOD)), "--dry-run")
    assert code == 0, out
    assert "Good rows: 2026-10-30 to 2026-11-01" in out and "Dry run: nothing was written." in out
    assert query(shop, "SELECT COUNT(*) FROM sales_history") == [(0,)]
    assert imports_journaled(shop) == []


def test_history_is_never_in_the_x_the_z_or_saft(shop: Path, tmp_path: Path) -> None:
    code, before = kassa(shop, "report", "x", "--json")
    assert code == 0, before
    code, out = kassa(shop, "import", "sales", str(write(tmp_path, "g.csv", GOOD)))
    assert code == 0, out
    code, after = kassa(shop, "report", "x", "--json")
    assert code == 0, after
    x_before, x_after = (json.loads(text[text.index("{") :]) for text in (before, after))
    # the import and the X are journaled; the X says when it was taken
    changing = {"last_journal_seq", "journal_head_hash", "report_date", "report_time"}
    assert {k: v for k, v in x_after.items() if k not in changing} == {
        k: v for k, v in x_before.items() if k not in changing
    }
    assert "2490" in after and "19440" not in after and "4980" not in after
    code, z = kassa(shop, "report", "z", "--not-counted", "--yes", "--json")
    assert code == 0, z
    z_text = z[z.index("{") :]
    assert "2490" in z_text and "19440" not in z_text and "4980" not in z_text
    code, out = kassa(
        shop, "export", "saft", "--from", "2026-10-01", "--to", "2026-11-27",
        "--out", str(tmp_path / "saft"), input=TECH,
    )  # fmt: skip
    assert code == 0, out
    doc = etree.parse(out.strip().splitlines()[-1])
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(doc)
    assert [e.text for e in doc.iterfind(".//s:cashtransaction/s:nr", NS)] == ["1"]
    amounts = [e.text for e in doc.iterfind(".//s:cashtransaction/s:transAmntIn", NS)]
    assert amounts == ["24.90"]


def test_dates_as_old_systems_write_them() -> None:
    assert parse_day("31.10.2026") == ("2026-10-31", "")
    assert parse_day("1.2.26 kl 9.05") == ("2026-02-01", "09:05:00")
    assert parse_day("2026-10-31T14:05:09") == ("2026-10-31", "14:05:09")
    assert parse_day("2026-10-31 14:05") == ("2026-10-31", "14:05:00")
    for bad in ("31.02.2026", "2026/10/31x", "tomorrow", "2026-10-31 25:00"):
        with pytest.raises(ValueError):
            parse_day(bad)


def test_an_xlsx_workbook_with_real_dates_and_numbers(shop: Path, tmp_path: Path) -> None:
    """The old system's export as Excel: date cells, numbers as numbers, a bad row named."""
    from datetime import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Salgsdato", "EAN", "Antall", "Beløp inkl. mva"])
    sheet.append([datetime(2026, 10, 30, 14, 5), ROMME, 2, 49.8])
    sheet.append([datetime(2026, 10, 31), ROMME, 1, 24.9])
    path = tmp_path / "historikk.xlsx"
    book.save(path)
    code, out = kassa(shop, "import", "sales", str(path))
    assert code == 0, out
    assert "an .xlsx workbook, header on row 1" in out
    assert query(
        shop, "SELECT line, local_date, local_time, qty_milli, amount_ore FROM sales_history"
    ) == [(2, "2026-10-30", "14:05:00", 2000, 4980), (3, "2026-10-31", "", 1000, 2490)]
    sheet.append([datetime(2026, 11, 1), "7038010009990", 1, 24.9])
    book.save(path)
    code, out = kassa(shop, "import", "sales", str(path))
    assert code == 1 and "line 4: no product with code 7038010009990" in out
    assert query(shop, "SELECT COUNT(*) FROM sales_history") == [(2,)]
