"""`kassa report signals`, as the owner runs it over SSH."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.dayclose.signals import SignalsReport
from kassa_tui.people import users
from tests.shop import demo_till
from tests.unit.conftest import print_waiting

ROMME = "7020164760728"  # 24,90 in the demo catalog
PILSNER = "7061222375317"  # 39,90


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, str]:
    """Kari sells twice; Ola sells once, returns a beer without a receipt and voids a sale."""
    till = demo_till(tmp_path, language='"en"')
    ola = till.users.add(
        3, "Ola Nordmann", "cashier", "3333", by=till.users.verify("9", "9999", "test")
    )
    kari = till.users.sign_in("1", "1111")
    for person in (kari, kari, ola):
        till.baskets.add(person, ROMME)
        assert till.sales.pay_cash(person, "").completed is not None
        print_waiting(till)
    till.returns.return_without_receipt(ola, [(PILSNER, 1000)], "Knust", "2", "2222")
    till.baskets.add(ola, ROMME)
    till.baskets.void_sale(ola, "Kunden ombestemte seg")
    day = till.clock.now().local_date
    till.db.close()
    return tmp_path / "kassa.toml", day


TECHNICIAN = "9\n9999\n"  # the demo technician's number and PIN, read from stdin


def kassa(config: Path, *args: str, input: str = TECHNICIAN) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], input=input)
    return result.exit_code, result.output


def test_report_signals_prints_a_ranked_table(shop: tuple[Path, str]) -> None:
    config, day = shop
    code, out = kassa(config, "report", "signals", "--from", day, "--to", day)
    assert code == 0, out
    lines = out.splitlines()
    ola = next(i for i, line in enumerate(lines) if "Ola Nordmann" in line)
    kari = next(i for i, line in enumerate(lines) if "Kari Kasserer" in line)
    assert ola < kari  # ranked by score
    assert "39,90" in lines[ola]  # the amount returned without a receipt
    head = lines[ola - 2].split()
    assert head[:4] == ["Score", "Nr", "Name", "Sales"] and "Voi" in head
    voided = head.index("Voi")  # 'RNR kr' is two words in the heading, as a name in a row
    assert lines[ola].split()[voided] == "1" and lines[kari].split()[voided] == "0"
    assert "Voi: sales voided before payment" in " ".join(out.split())


def test_report_signals_json_round_trips(shop: tuple[Path, str]) -> None:
    config, day = shop
    code, out = kassa(config, "report", "signals", "--from", day, "--to", day, "--json")
    assert code == 0, out
    found = SignalsReport.from_dict(json.loads(out))
    assert [c.user_number for c in found.cashiers] == [3, 1]
    assert found.cashier(3).figures["returns_no_receipt"].amount == 3990
    assert json.loads(found.to_json()) == json.loads(out)


def test_report_signals_refuses_a_bad_date(shop: tuple[Path, str]) -> None:
    config, _day = shop
    code, out = kassa(config, "report", "signals", "--from", "27.11.2026")
    assert code != 0 and "not a date" in out


def test_report_signals_fits_80_columns(shop: tuple[Path, str]) -> None:
    config, day = shop
    code, out = kassa(config, "report", "signals", "--from", day, "--to", day)
    assert code == 0, out
    wide = [line for line in out.splitlines() if len(line) > 80]
    assert wide == []
    assert "Nr Name" in out and "RNR kr" in out and "Trn: minutes in training mode" in out


def test_report_signals_for_the_shift_lead_not_a_cashier(shop: tuple[Path, str]) -> None:
    config, day = shop
    code, out = kassa(config, "report", "signals", "--from", day, input="2\n2222\n")
    assert code == 0, out  # the shift lead sees at the till (F8) what the CLI shows
    assert "Ola Nordmann" in out and "Kari Kasserer" in out
    code, out = kassa(config, "report", "signals", "--from", day, input="1\n1111\n")
    assert code == 1 and "Kari Kasserer may not do" in out
    assert "Ola Nordmann" not in out
