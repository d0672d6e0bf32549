"""The customer club's register: joining with consent, export, forget, retention; and no
personal data in the journal, X/Z, SAF-T, the voucher or the log."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree  # type: ignore[import-untyped]

from kassa_tui.accounting.voucher import build_voucher, write_csv
from kassa_tui.cli import main
from kassa_tui.club.members import CONSENT_VERSION, Club, normalise_phone
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.selling import club_basket
from tests.unit.conftest import ROMME, TOOTHPASTE, SteeredTime, count, print_waiting

PHONE = "+4741234567"
XSD = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "saft"
    / "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"
)
DAY = date(2026, 11, 27)


def club_of(till: Till) -> Club:
    return Club(till.db, till.journal, till.clock, till.config)


def member_sale(till: Till, cashier: Person, number: int, *codes: str) -> int:
    club = club_of(till)
    till.baskets.add(cashier, codes[0])
    club_basket.identify(till.baskets, club, cashier, str(number))
    for code in codes[1:]:
        till.baskets.add(cashier, code)
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None
    return done.sale_id


def test_phone_numbers_are_normalised_or_refused() -> None:
    assert normalise_phone("412 34 567") == PHONE
    assert normalise_phone("+47 41234567") == PHONE
    assert normalise_phone("0047 412-34-567") == PHONE
    for bad in ("1234567", "012345678", "4123456", "41234567890", "+46 41234567", "abcdefgh"):
        with pytest.raises(Refused):
            normalise_phone(bad)


def test_joining_keeps_the_consents_and_journals_only_the_number(
    till: Till, cashier: Person
) -> None:
    club = club_of(till)
    member = club.join(cashier, "41234567", consent_purchases=True, consent_offers=False)
    assert member.phone == PHONE and member.consent_purchases and not member.consent_offers
    assert member.consent_version == CONSENT_VERSION
    row = [r for r in till.journal.rows() if r.basic_id == "MEMBERJOIN"][-1]
    assert json.loads(row.text)["member"] == member.number
    assert "41234567" not in row.text
    # Bad input: nothing changed.
    before = count(till.db, "member")
    with pytest.raises(Refused):
        club.join(cashier, "41234567", consent_purchases=True, consent_offers=True)  # taken
    with pytest.raises(Refused):
        club.join(cashier, "99887766", consent_purchases=False, consent_offers=True)
    with pytest.raises(Refused):
        club.join(
            cashier, "99887766", card="2800000000000", consent_purchases=True, consent_offers=False
        )  # not the club's card prefix
    assert count(till.db, "member") == before


def test_export_holds_everything_stored_and_only_consented_purchases_are_linked(
    till: Till, cashier: Person
) -> None:
    club = club_of(till)
    keeps = club.join(
        cashier, "41234567", card=club.new_card(), consent_purchases=True, consent_offers=True
    )
    only_prices = club.join(cashier, "91234567", consent_purchases=False, consent_offers=False)
    sale = member_sale(till, cashier, keeps.number, ROMME, TOOTHPASTE)
    member_sale(till, cashier, only_prices.number, ROMME)
    data = club.export(keeps.number)
    assert data["phone"] == PHONE and data["card"] == keeps.card
    assert data["consents"] == {
        "purchases": True,
        "offers": True,
        "version": CONSENT_VERSION,
        "given_utc": keeps.consent_utc,
    }
    assert [p["total_ore"] for p in data["purchases"]] == [2490 + 3990]
    assert [line["name"] for line in data["purchases"][0]["lines"]] == [
        "Rømme 18 % 3 dl",
        "Colgate Max Fresh 75 ml",
    ]
    assert (
        till.db.execute_sql(
            "SELECT member_id FROM member_sale WHERE sale_id = ?", (sale,)
        ).fetchone()[0]
        == keeps.number
    )
    assert club.export(only_prices.number)["purchases"] == []


def saft_transactions(path: Path) -> list[bytes]:
    tree = etree.parse(str(path))
    ns = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}
    return [etree.tostring(t) for t in tree.iterfind(".//s:cashtransaction", ns)]


def test_forgetting_leaves_the_fiscal_records_identical_and_no_phone_anywhere(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime, tmp_path: Path
) -> None:
    club = club_of(till)
    member = club.join(
        cashier,
        "41234567",
        card=club.new_card(),
        name="Ingrid Medlemsen",
        consent_purchases=True,
        consent_offers=True,
    )
    sale = member_sale(till, cashier, member.number, ROMME)
    x_jobs = print_waiting(till)
    till.reports.x_report(cashier, queue_print=True)
    x_jobs += print_waiting(till)
    time.advance(60)
    z = till.reports.z_report(shift_lead, not_counted=True)
    z_jobs = print_waiting(till)
    assert z.z_nr is not None
    time.advance(60)

    def fiscal() -> tuple[object, ...]:
        return tuple(
            till.db.execute_sql(sql, (sale,)).fetchall()
            for sql in (
                "SELECT * FROM sale WHERE id = ?",
                "SELECT * FROM sale_line WHERE sale_id = ? ORDER BY id",
                "SELECT * FROM payment WHERE sale_id = ? ORDER BY id",
            )
        )

    def voucher_bytes() -> bytes:
        out = io.BytesIO()
        assert z.z_nr is not None
        write_csv(build_voucher(till.reports.stored_z(z.z_nr), till.config.accounting), out)
        return out.getvalue()

    sale_before, journal_before = fiscal(), till.journal.rows()
    saft_before = export_saft(till.db, till.config, DAY, DAY, tmp_path / "a", clock=till.clock)
    voucher_before = voucher_bytes()
    with pytest.raises(Refused):
        club.forget(cashier, member.number)  # a cashier may not
    club.forget(shift_lead, member.number)
    assert fiscal() == sale_before
    assert till.journal.rows()[: len(journal_before)] == journal_before
    assert till.reports.stored_z(z.z_nr) == z
    assert voucher_bytes() == voucher_before
    saft_after = export_saft(till.db, till.config, DAY, DAY, tmp_path / "b", clock=till.clock)
    assert saft_transactions(saft_after) == saft_transactions(saft_before) != []
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.parse(str(saft_after))), schema.error_log
    # The person is gone; the number stays (never reused); the links went with the person.
    gone = club.export(member.number)
    assert (gone["phone"], gone["card"], gone["name"]) == (None, None, None)
    assert gone["forgotten_utc"] and gone["purchases"] == []
    assert not gone["consents"]["purchases"] and not gone["consents"]["offers"]
    with pytest.raises(Refused):
        club.find("41234567")
    # Nowhere, ever: the journal, SAF-T, X and Z on paper, the voucher.
    journal_text = "\n".join(r.text for r in till.journal.rows())
    places = {
        "journal": journal_text.encode(),
        "saft": saft_before.read_bytes() + saft_after.read_bytes(),
        "x": b"".join(x_jobs),
        "z": b"".join(z_jobs),
        "voucher": voucher_before,
    }
    for digits in ("41234567", "412 34 567", "Medlemsen"):
        leaks = [where for where, data in places.items() if digits.encode() in data]
        assert leaks == [], digits
    assert b"Kundeklubb" in b"".join(x_jobs)  # the member's receipt was printed with the number


def test_the_cli_joins_exports_forgets_and_logs_no_phone(till: Till, tmp_path: Path) -> None:
    source = till.config.source
    till.db.close()

    def run(*args: str, input: str = "") -> str:
        result = CliRunner().invoke(main, ["--config", str(source), *args], input=input)
        assert result.exit_code == 0, result.output
        return result.output

    out = run(
        "customers",
        "add",
        "--phone",
        "41234567",
        "--new-card",
        "--consent-purchases",
        input="1\n1111\n",
    )
    assert "Member 3 joined." in out  # after the demo's two
    bad = CliRunner().invoke(main, ["--config", str(source), "customers", "add", "--phone", "123"])
    assert bad.exit_code == 1 and "not a Norwegian phone number" in bad.output
    denied = CliRunner().invoke(
        main, ["--config", str(source), "customers", "forget", "3"], input="1\n1111\n"
    )
    assert denied.exit_code == 1
    exported = json.loads(run("customers", "export", "3", "--json", input="2\n2222\n"))
    assert exported["phone"] == PHONE
    assert "+4741234567" in run("customers", "list", input="2\n2222\n")
    run("customers", "forget", "3", input="2\n2222\n")
    assert "forgotten" in run("customers", "list", input="2\n2222\n")
    log = till.config.log_file
    assert log.exists()
    assert b"41234567" not in log.read_bytes()


def test_prune_forgets_members_without_a_purchase_for_the_retention(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    club = club_of(till)
    quiet = club.join(cashier, "41234567", consent_purchases=True, consent_offers=False)
    buyer = club.join(cashier, "91234567", consent_purchases=True, consent_offers=False)
    time.advance(23 * 30 * 86400)  # 23 months on: the buyer buys once
    member_sale(till, cashier, buyer.number, TOOTHPASTE)
    assert club.prune(shift_lead) == [1, 2]  # the demo's members, joined long before
    time.advance(2 * 30 * 86400)  # 25 months after joining: the quiet one goes
    assert club.due_for_retention() == [quiet.number]
    assert club.prune(shift_lead) == [quiet.number]
    assert club.get(quiet.number).forgotten and not club.get(buyer.number).forgotten
    reasons = [
        json.loads(r.text).get("reason")
        for r in till.journal.rows()
        if r.basic_id == "MEMBERFORGET"
    ]
    assert reasons == ["retention"] * 3
