"""Consents given or withdrawn at any time without being forgotten (`kassa customers consent`):
kept with their version and time, journaled by member number only, and obeyed from then on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.club.members import CONSENT_VERSION, Club
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from tests.club.test_members import member_sale
from tests.unit.conftest import ROMME, TOOTHPASTE, SteeredTime, count, print_waiting


def club_of(till: Till) -> Club:
    return Club(till.db, till.journal, till.clock, till.config)


def sell(till: Till, cashier: Person, number: int, *codes: str) -> int:
    sale = member_sale(till, cashier, number, *codes)
    print_waiting(till)
    return sale


def linked(till: Till, sale_id: int) -> bool:
    return count(till.db, "member_sale", "sale_id = ?", sale_id) == 1


def test_withdrawing_offers_then_purchases_stops_new_offers_then_new_links(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    club = club_of(till)
    member = club.join(cashier, "41234567", consent_purchases=True, consent_offers=True)
    first = sell(till, cashier, member.number, ROMME, TOOTHPASTE)
    assert linked(till, first)
    assert count(till.db, "member_offer", "member_id = ?", member.number) == 1

    time.advance(3600)
    changed = club.consent(shift_lead, member.number, purchases=None, offers=False)
    assert changed.consent_purchases and not changed.consent_offers
    assert changed.consent_utc > member.consent_utc and changed.consent_version == CONSENT_VERSION
    row = [r for r in till.journal.rows() if r.basic_id == "MEMBERCONSENT"][-1]
    assert json.loads(row.text)["member"] == member.number
    assert json.loads(row.text)["offers"] == 0
    assert "41234567" not in row.text
    second = sell(till, cashier, member.number, ROMME)
    assert linked(till, second)  # purchases still kept
    assert count(till.db, "member_offer", "member_id = ?", member.number) == 1  # no new offer

    time.advance(3600)
    club.consent(shift_lead, member.number, purchases=False, offers=None)
    third = sell(till, cashier, member.number, ROMME)
    assert not linked(till, third)  # the sale after the withdrawal is not linked
    assert linked(till, first) and linked(till, second)  # earlier links stay (not forgotten)
    assert club.get(member.number).phone == "+4741234567"

    history = club.export(member.number)["consent_history"]
    assert [(c["purchases"], c["offers"]) for c in history] == [
        (True, True),
        (True, False),
        (False, False),
    ]
    assert all(c["version"] == CONSENT_VERSION for c in history)
    assert history[0]["utc"] < history[1]["utc"] < history[2]["utc"]


def test_bad_consent_changes_are_refused_and_change_nothing(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    club = club_of(till)
    member = club.join(cashier, "41234567", consent_purchases=False, consent_offers=False)
    journal_before = len(till.journal.rows())
    with pytest.raises(Refused):  # a cashier may not
        club.consent(cashier, member.number, purchases=True, offers=None)
    with pytest.raises(Refused):  # offers without purchases
        club.consent(shift_lead, member.number, purchases=None, offers=True)
    with pytest.raises(Refused):
        club.consent(shift_lead, 999, purchases=True, offers=None)
    club.forget(shift_lead, member.number)
    with pytest.raises(Refused):
        club.consent(shift_lead, member.number, purchases=True, offers=None)
    assert club.get(member.number).consent_purchases is False
    assert count(till.db, "member_consent", "member_id = ?", member.number) == 0  # forgotten
    events = [r.basic_id for r in till.journal.rows()[journal_before:]]
    assert "MEMBERCONSENT" not in events


def test_the_cli_changes_consents_and_the_export_shows_their_history(
    till: Till, tmp_path: Path
) -> None:
    source = till.config.source
    till.db.close()

    def run(*args: str, input: str = "", code: int = 0) -> str:
        result = CliRunner().invoke(main, ["--config", str(source), *args], input=input)
        assert result.exit_code == code, result.output
        return result.output

    out = run("customers", "consent", "1", "--offers", "no", input="2\n2222\n")
    assert "Member 1: purchases yes, offers no" in out
    out = run("customers", "consent", "1", "--purchases", "nei", input="2\n2222\n")
    assert "Member 1: purchases no, offers no" in out
    run("customers", "consent", "1", "--purchases", "maybe", code=2)
    run("customers", "consent", "1", code=2)
    run("customers", "consent", "1", "--purchases", "yes", input="1\n1111\n", code=1)
    text = run("customers", "export", "1", input="2\n2222\n")
    history = text.split("Consent history:")[1].split("Purchases:")[0].strip().splitlines()
    assert len(history) == 3
    assert "purchases yes, offers yes" in history[0]
    assert "purchases yes, offers no" in history[1]
    assert "purchases no, offers no" in history[2]
    assert b"90000001" not in till.config.log_file.read_bytes()


def test_a_cashier_may_withdraw_a_consent_at_the_counter_but_not_give_one(
    till: Till, cashier: Person
) -> None:
    club = club_of(till)
    member = club.join(cashier, "41234567", consent_purchases=True, consent_offers=True)
    club.consent(cashier, member.number, purchases=None, offers=False)  # as easy as giving
    assert club.get(member.number).consent_offers is False
    with pytest.raises(Refused):
        club.consent(cashier, member.number, purchases=None, offers=True)
    assert club.get(member.number).consent_offers is False
    assert [r.basic_id for r in till.journal.rows()][-1] == "DENIED"
