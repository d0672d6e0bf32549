"""`kassa export voucher --z N`, as the shop's accountant (or a cron job) runs it over SSH."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.people import users
from kassa_tui.selling.cash import NOTES_AND_COINS
from tests.shop import demo_till

ROMME = "7020164760728"  # 24,90 at 15 %
PILSNER = "7061222375317"  # 39,90 at 25 %


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def print_waiting(till: Till) -> None:
    from devices.printer import MemoryPrinter
    from devices.spooler import print_pending

    print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)


def pieces(amount: int) -> dict[int, int]:
    out: dict[int, int] = {}
    for value in NOTES_AND_COINS:
        out[value], amount = divmod(amount, value)
    return out


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A day closed with Z 1: float 500, 24,90 in cash (→ 25,00), 39,90 by card, 5 kr short."""
    till = demo_till(tmp_path, language='"en"')
    cashier = till.users.sign_in("1", "1111")
    lead = till.users.sign_in("2", "2222")
    till.cash.opening_float(lead, 50000)
    till.baskets.add(cashier, ROMME)
    assert till.sales.pay_cash(cashier, "").completed is not None
    print_waiting(till)
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    assert till.sales.pay_card(cashier, "").completed is not None
    print_waiting(till)
    till.cash.count(lead, pieces(50000 + 2500 - 500))
    assert till.reports.z_report(lead, not_counted=True).z_nr == 1
    till.db.close()
    return tmp_path / "kassa.toml"


TECHNICIAN = "9\n9999\n"  # the demo technician's number and PIN, read from stdin


def kassa(config: Path, *args: str, input: str = TECHNICIAN) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args], input=input)


def test_csv_goes_to_standard_output(shop: Path) -> None:
    result = kassa(shop, "export", "voucher", "--z", "1")
    assert result.exit_code == 0, result.output
    data = result.stdout_bytes
    assert data.startswith(b"voucher_id;voucher_date;z_number;register_id;line_no;line_type;")
    assert data.endswith(b"NOK\r\n") and data.count(b"\n") == data.count(b"\r\n")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";"))
    assert [(r["line_type"], r["account"], r["amount"], r["vat_code"]) for r in rows] == [
        ("sale", "3000", "-31.92", "3"),
        ("vat", "2700", "-7.98", "3"),
        ("sale", "3030", "-21.65", "31"),
        ("vat", "2701", "-3.25", "31"),
        ("payment", "1900", "20.00", "0"),
        ("cash_difference", "1909", "5.00", "0"),
        ("payment", "1579", "39.90", "0"),
        ("rounding", "7740", "-0.10", "0"),
    ]
    assert {(r["voucher_id"], r["voucher_date"]) for r in rows} == {
        ("KASSE-1-Z000001", "2026-11-27")
    }
    assert sum(int(r["amount"].replace(".", "")) for r in rows) == 0


def test_gbat10_to_a_file(shop: Path, tmp_path: Path) -> None:
    target = tmp_path / "z1.gbat10.txt"
    result = kassa(shop, "export", "voucher", "--z", "1", "--format", "gbat10", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"Wrote voucher KASSE-1-Z000001 (8 postings, 2026-11-27) to {target}" in result.output
    data = target.read_bytes()
    assert not (tmp_path / "z1.gbat10.txt.part").exists()
    lines = data.decode("utf-8").split("\r\n")
    assert lines[-1] == "" and len(lines) - 1 == 6  # no header; the VAT lines are Tripletex's
    rows = [line.split(";") for line in lines[:-1]]
    assert all(
        len(row) == 29 and row[:6] == ["GBAT10", "1", "20261127", "6", "11", "2026"] for row in rows
    )
    assert [(row[6], row[26], row[27]) for row in rows] == [
        ("3000", "T", "-39.90"),
        ("3030", "T", "-24.90"),
        ("1900", "T", "20.00"),
        ("1909", "T", "5.00"),
        ("1579", "T", "39.90"),
        ("7740", "T", "-0.10"),
    ]
    assert "Bankkort (til oppgjør)".encode() in data


def test_the_file_is_private_and_never_overwritten(shop: Path, tmp_path: Path) -> None:
    target = tmp_path / "z1.csv"
    old = os.umask(0)
    try:
        result = kassa(shop, "export", "voucher", "--z", "1", "-o", str(target))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert target.stat().st_mode & 0o777 == 0o600
    first = target.read_bytes()
    result = kassa(shop, "export", "voucher", "--z", "1", "--format", "gbat10", "-o", str(target))
    assert result.exit_code == 1
    assert f"kassa: {target} already exists; not overwriting it" in result.output
    assert target.read_bytes() == first
    assert [p.name for p in tmp_path.glob("*z1*")] == ["z1.csv"]


def test_gbat10_in_latin1_when_the_config_says_so(shop: Path) -> None:
    text = shop.read_text(encoding="utf-8")
    shop.write_text(text.replace('encoding = "utf-8"', 'encoding = "iso-8859-1"'), "utf-8")
    result = kassa(shop, "export", "voucher", "--z", "1", "--format", "gbat10")
    assert result.exit_code == 0, result.output
    assert b"Bankkort (til oppgj\xf8r)" in result.stdout_bytes


def test_a_z_that_does_not_exist(shop: Path) -> None:
    result = kassa(shop, "export", "voucher", "--z", "2")
    assert result.exit_code == 1
    assert "kassa: There is no Z report number 2." in result.output
    result = kassa(shop, "export", "voucher", "--z", "0")
    assert result.exit_code == 2  # click's usage error
    result = kassa(shop, "export", "voucher", "--z", "1", "--format", "xml")
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('card = "1579"', 'card = "157"', "accounting.accounts.card"),
        ("vat_code = 31\n", "", "accounting.vat.15.vat_code"),
        ('vat_account = "2700"\n', "", "accounting.vat.25.vat_account"),
    ],
)
def test_a_bad_accounting_setting_stops_with_its_key(
    shop: Path, old: str, new: str, key: str
) -> None:
    text = shop.read_text(encoding="utf-8")
    assert text.count(old) == 1
    shop.write_text(text.replace(old, new), encoding="utf-8")
    result = kassa(shop, "export", "voucher", "--z", "1")
    assert result.exit_code == 2
    assert result.output.startswith(f"kassa: {shop}: {key}:")
    assert result.stdout_bytes == b""


def test_an_amount_without_an_account_stops_with_the_key_to_set(shop: Path) -> None:
    text = shop.read_text(encoding="utf-8")
    shop.write_text(text.replace("[accounting.vat.15]", "[accounting.vat.16]"), encoding="utf-8")
    # vat.rates still names 15 %: refused at load, before anything is exported
    result = kassa(shop, "export", "voucher", "--z", "1")
    assert (result.exit_code, "accounting.vat.15: is missing" in result.output) == (2, True)
    shop.write_text(
        text.replace("[accounting.vat.15]", "[accounting.vat.16]").replace(
            "rates = [25, 15, 12, 0]", "rates = [25, 16, 12, 0]"
        ),
        encoding="utf-8",
    )
    # Z 1 has sales at 15 %, which the till no longer maps
    result = kassa(shop, "export", "voucher", "--z", "1")
    assert result.exit_code == 2
    assert f"kassa: {shop}: accounting.vat.15: is missing: Z 1 has sales at 15 %" in result.output
