"""`kassa export saft` and `kassa saft verify`, as a technician runs them over SSH."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from kassa_tui.cli import main
from kassa_tui.people import users
from tests.shop import demo_till

ROMME = "7020164760728"  # 24,90 in the demo catalog
PILSNER = "7061222375317"
XSD = (
    Path(__file__).resolve().parent
    / "data"
    / "saft"
    / "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"
)
NS = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A demo shop with a cash and a card sale on 27 November 2026; returns its kassa.toml."""
    till = demo_till(tmp_path, language='"en"')
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME)
    assert till.sales.pay_cash(cashier, "").completed is not None
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    assert till.sales.pay_card(cashier, "").completed is not None
    till.db.close()
    return tmp_path / "kassa.toml"


TECHNICIAN = "9\n9999\n"  # the demo technician's number and PIN, read from stdin


def kassa(*args: str, input: str = TECHNICIAN) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def export(shop: Path, out: Path) -> Path:
    code, output = kassa(
        "--config", str(shop), "export", "saft", "--from", "2026-11-27", "--to", "2026-11-27",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    path = Path(output.strip())
    assert path.parent == out and path.is_file()
    return path


def test_export_writes_a_valid_file_and_prints_its_path(shop: Path, tmp_path: Path) -> None:
    path = export(shop, tmp_path / "to-auditor")
    assert path.name.startswith("SAF-T Cash Register_999999999_") and path.name.endswith("_1_1.xml")
    doc = etree.parse(str(path))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(doc)
    assert [e.text for e in doc.iterfind(".//s:cashtransaction/s:nr", NS)] == ["1", "2"]


def test_the_export_needs_no_private_key(shop: Path, tmp_path: Path) -> None:
    """A technician's user cannot read the till's key; the export does not ask for it."""
    (shop.parent / "var" / "signing-key.pem").unlink()
    path = export(shop, tmp_path / "out")
    code, output = kassa(
        "saft",
        "verify",
        str(path),
        "--public-key",
        str(shop.parent / "var" / "signing-key.pub.pem"),
    )
    assert code == 0, output


def test_verify_passes_an_intact_file_and_names_a_tampered_transaction(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KASSA_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # the shop's kassa.toml (English) is ./kassa.toml
    path = export(shop, tmp_path / "out")
    public = str(shop.parent / "var" / "signing-key.pub.pem")
    code, output = kassa("saft", "verify", str(path), "--public-key", public)
    assert (code, output) == (0, f"{path.name}: every signature chain verifies\n")
    text = path.read_text(encoding="utf-8")
    assert text.count("<transAmntIn>24.90</transAmntIn>") == 1
    path.write_text(
        text.replace("<transAmntIn>24.90</transAmntIn>", "<transAmntIn>2.49</transAmntIn>")
    )
    code, output = kassa("saft", "verify", str(path), "--public-key", public)
    assert code == 1
    assert output.startswith("kassa: register KASSE-1: transaction nr 1 does not verify")
    assert "nr 2" not in output


def test_verify_refuses_a_key_that_is_not_a_public_key(shop: Path, tmp_path: Path) -> None:
    path = export(shop, tmp_path / "out")
    # --config: the shop's kassa.toml speaks English, ./kassa.toml may not.
    code, output = kassa(
        "--config", str(shop), "saft", "verify", str(path), "--public-key", str(shop)
    )
    assert code == 1 and "not a PEM public key" in output


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (("--from", "2026-11-28", "--to", "2026-11-27"), "--from is after --to"),
        (("--from", "27.11.2026", "--to", "2026-11-27"), "does not match the format"),
    ],
)
def test_export_refuses_bad_dates(
    shop: Path, tmp_path: Path, dates: tuple[str, ...], message: str
) -> None:
    code, output = kassa(
        "--config", str(shop), "export", "saft", *dates, "--out", str(tmp_path / "o")
    )
    assert code == 2 and message in output
    assert not (tmp_path / "o").exists()


def test_export_without_a_database_says_so(tmp_path: Path) -> None:
    from tests.shop import write_config

    config = write_config(tmp_path, language='"en"')
    code, output = kassa(
        "--config", str(config), "export", "saft", "--from", "2026-11-27", "--to", "2026-11-27"
    )
    assert code == 2 and "no database" in output and "kassa init" in output


def test_the_help_says_the_days_are_business_days(tmp_path: Path) -> None:
    from tests.shop import write_config

    config = write_config(tmp_path, language='"en"')
    code, out = kassa("--config", str(config), "export", "saft", "--help")
    assert code == 0
    assert "First business day" in out and "Last business day" in out
    assert "[day] cutoff_hour" in " ".join(out.split())
