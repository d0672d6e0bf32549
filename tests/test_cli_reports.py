"""`kassa report x|z|list|show`, as a technician or shift lead runs them over SSH."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.people import users
from tests.shop import demo_till

ROMME = "7020164760728"  # 24,90 in the demo catalog
CASHIER, LEAD, TECH = "1\n1111\n", "2\n2222\n", "9\n9999\n"  # number and PIN, on stdin
Z = ("z", "--not-counted", "--yes")  # a script's Z of an uncounted drawer


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A demo shop with one cash sale of 24,90; returns its kassa.toml."""
    till = demo_till(tmp_path, language='"en"')
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME)
    assert till.sales.pay_cash(cashier, "").completed is not None
    till.db.close()
    return tmp_path / "kassa.toml"


def kassa(config: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], input=input)
    return result.exit_code, result.output


def journal_count(config: Path, basic_id: str) -> int:
    from kassa_tui.config import load
    from kassa_tui.store.database import connect

    database = connect(load(config).database)
    try:
        row = database.execute_sql("SELECT COUNT(*) FROM journal WHERE basic_id = ?", (basic_id,))
        return int(row.fetchone()[0])
    finally:
        database.close()


def test_report_x_prints_every_field_and_is_journaled(shop: Path) -> None:
    code, out = kassa(shop, "report", "x", input=CASHIER)
    assert code == 0, out
    # In the command's language (here English), as on the day close screen; paper: Bokmål.
    assert "X report" in out and "Cash sales" in out and "24,90" in out
    assert "No-sale drawer opens" in out and "Grand total" in out
    assert max(len(line) for line in out.splitlines()) <= 48
    code, out = kassa(shop, "report", "x", "--json", input=TECH)
    assert code == 0, out
    report = json.loads(out)
    assert (report["report_type"], report["z_nr"], report["total_cash_sale"]) == (
        "X report",
        None,
        2490,
    )
    assert journal_count(shop, "XREPORT") == 2
    assert x_report_users(shop) == [1, 9]  # who took them


def x_report_users(config: Path) -> list[int]:
    from kassa_tui.config import load
    from kassa_tui.store.database import connect

    database = connect(load(config).database)
    try:
        rows = database.execute_sql(
            "SELECT user_number FROM journal WHERE basic_id = 'XREPORT' ORDER BY seq"
        )
        return [int(row[0]) for row in rows.fetchall()]
    finally:
        database.close()


@pytest.mark.parametrize(
    "args", [["x"], ["x", "--print"], ["x", "--json"], ["list"], ["show", "1"]], ids=" ".join
)
def test_reports_reveal_nothing_without_a_pin(shop: Path, args: list[str]) -> None:
    assert kassa(shop, "report", *Z, input=LEAD)[0] == 0
    for login in ("", "1\n0000\n", "77\n1111\n"):
        code, out = kassa(shop, "report", *args, input=login)
        assert code == 1 and out.count("\n") == 1, out
        assert "Wrong user number or PIN" in out and "24,90" not in out
    assert journal_count(shop, "XREPORT") == 0
    assert journal_count(shop, "LOGINFAIL") == 3


@pytest.mark.parametrize("args", [["list"], ["show", "1"]], ids=" ".join)
def test_stored_z_reports_are_the_shift_leads_and_the_technicians(
    shop: Path, args: list[str]
) -> None:
    assert kassa(shop, "report", *Z, input=LEAD)[0] == 0
    code, out = kassa(shop, "report", *args, input=CASHIER)
    assert code == 1 and "Kari Kasserer may not do the Z report" in out
    assert journal_count(shop, "DENIED") == 1
    for login in (LEAD, TECH):
        code, out = kassa(shop, "report", *args, input=login)
        assert code == 0, out
        assert (
            ("Z report\n" in out) if args[0] == "show" else (out.splitlines()[1].split()[0] == "1")
        )
    if args[0] == "list":
        assert out.splitlines()[0].split() == ["Z", "nr", "Business", "day"]


def test_report_z_takes_a_shift_leads_pin_and_closes_the_day_once(shop: Path) -> None:
    code, out = kassa(shop, "report", *Z, input="2\n2222\n")
    assert code == 0, out
    assert "Z report\n" in out and "Z report 1 taken" in out and "24,90" in out
    assert re.search(r"Z report 1 taken for \d\d\.\d\d\.\d{4};", out), out  # as receipts write it
    assert journal_count(shop, "ZREPORT") == 1
    code, out = kassa(shop, "report", *Z, "--json", input="2\n2222\n")
    assert code == 1 and "is already taken (Z 1)" in out
    assert journal_count(shop, "ZREPORT") == 1
    code, out = kassa(shop, "report", "list", input=LEAD)
    assert code == 0 and out.splitlines()[1].split()[0] == "1"
    code, out = kassa(shop, "report", "show", "1", "--json", input=TECH)
    assert code == 0 and json.loads(out)["z_nr"] == 1
    code, out = kassa(shop, "report", "show", "2", input=LEAD)
    assert code == 1 and "no Z report number 2" in out
    code, out = kassa(shop, "report", "x", "--json", input=LEAD)
    assert json.loads(out)["total_cash_sale"] == 0  # the Z emptied the period
    assert json.loads(out)["grand_total_sales"] == 2490  # the grand total did not reset


@pytest.mark.parametrize("login", ["1\n1111\n", "2\n9999\n", ""])
def test_report_z_refuses_anyone_but_a_shift_lead(shop: Path, login: str) -> None:
    code, out = kassa(shop, "report", "z", input=login)
    assert code == 1 and "shift lead" in out
    assert journal_count(shop, "ZREPORT") == 0


def test_report_z_as_json(shop: Path) -> None:
    code, out = kassa(shop, "report", *Z, "--json", input="2\n2222\n")
    assert code == 0, out
    report = json.loads(out.splitlines()[-1])
    assert (report["report_type"], report["z_nr"], report["receipts"]) == ("Z report", 1, 1)


def test_report_z_refuses_an_uncounted_drawer_unless_told_not_counted(shop: Path) -> None:
    code, out = kassa(shop, "report", "z", "--yes", input=LEAD)
    assert code == 1 and "not been counted" in out and "--not-counted" in out, out
    assert journal_count(shop, "ZREPORT") == 0
    code, out = kassa(shop, "report", *Z, input=LEAD)
    assert code == 0, out
    assert "Cash counted" in out and "NOT COUNTED" in out  # on the Z shown
    code, out = kassa(shop, "report", "show", "1", "--json", input=LEAD)
    assert code == 0 and json.loads(out)["cash_not_counted"] is True  # in its content


def test_report_z_of_a_counted_drawer_needs_no_flag_and_shows_the_count(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"en"')
    lead = till.users.sign_in("2", "2222")
    till.cash.count(lead, {2000: 1})
    till.db.close()
    code, out = kassa(tmp_path / "kassa.toml", "report", "z", "--yes", "--json", input=LEAD)
    assert code == 0, out
    report = json.loads(out.splitlines()[-1])
    assert report["cash_count"]["counted_ore"] == 2000 and "cash_not_counted" not in report


def test_report_z_asks_on_a_terminal_and_needs_yes_elsewhere(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = kassa(shop, "report", "z", "--not-counted", input=LEAD)  # a script, no --yes
    assert code == 1 and "--yes" in out, out
    assert journal_count(shop, "ZREPORT") == 0
    monkeypatch.setattr("kassa_tui.cli.reports._on_terminal", lambda: True)
    code, out = kassa(shop, "report", "z", "--not-counted", input=LEAD + "n\n")
    assert code == 1 and "No Z report taken" in out, out
    assert "1 receipts" in out and "24,90" in out and "NOT COUNTED" in out  # what it closes
    assert journal_count(shop, "ZREPORT") == 0
    code, out = kassa(shop, "report", "z", "--not-counted", input=LEAD + "y\n")
    assert code == 0 and "Z report 1 taken" in out, out
    assert journal_count(shop, "ZREPORT") == 1


def test_reports_need_a_database(tmp_path: Path) -> None:
    from tests.shop import write_config

    config = write_config(tmp_path)
    code, out = kassa(config, "report", "x")
    assert code == 2 and "kassa init" in out
    assert not (tmp_path / "var" / "kassa.db").exists()
