"""Wrong PINs slow the register down (no user is ever locked out), and the technician's user
administration."""

from __future__ import annotations

import hashlib
import json

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.people.users import MAX_DELAY_SECONDS, Users, delay_after
from kassa_tui.records.journal import Journal
from tests.unit.conftest import SteeredTime, journal_events

WAIT = "Too many wrong PINs at this till: wait {} s before the next try."


def technician(till: Till) -> Person:
    return till.users.verify("9", "9999", purpose="test")


def wrong(till: Till, number: str = "1", wait: int = 0) -> None:
    """A wrong PIN, refused; the refusal names the wait it starts, if it starts one."""
    with pytest.raises(Refused, match="Wrong user number or PIN") as refused:
        till.users.sign_in(number, "0000")
    message = refused.value.message
    if wait:
        assert message.endswith(WAIT.format(wait)), message
    else:
        assert "Too many" not in message, message


def delays(till: Till) -> list[int]:
    return [json.loads(r.text)["seconds"] for r in till.journal.rows() if r.basic_id == "PINDELAY"]


def test_the_delay_grows_from_one_second_to_thirty() -> None:
    assert [delay_after(n) for n in range(1, 12)] == [0, 0, 1, 2, 4, 8, 16, 30, 30, 30, 30]
    assert delay_after(10**9) == MAX_DELAY_SECONDS  # no huge power of two


def test_wrong_pins_slow_the_register_and_lock_no_user(till: Till, time: SteeredTime) -> None:
    wrong(till)
    wrong(till)
    wrong(till, wait=1)  # the third in a row
    assert delays(till) == [1]
    rows = len(till.journal.rows())
    # While the register waits, no PIN is checked, not even the right one, and nothing is
    # journaled: the wait was, once.
    for number, pin in (("1", "1111"), ("2", "2222"), ("1", "0000")):
        with pytest.raises(Refused, match=r"wait 1 s before the next try"):
            till.users.sign_in(number, pin)
    with pytest.raises(Refused, match="wait 1 s"):
        till.users.approver("2", "2222")
    with pytest.raises(Refused, match="wait 1 s"):
        till.users.verify("9", "9999", purpose="test")
    assert len(till.journal.rows()) == rows
    for seconds in (2, 4, 8, 16, 30, 30):
        time.advance(till.users.wait_left())
        wrong(till, wait=seconds)
    assert delays(till) == [1, 2, 4, 8, 16, 30, 30]
    time.advance(29)
    with pytest.raises(Refused, match="wait 1 s"):
        till.users.sign_in("1", "1111")
    time.advance(1)
    # Every user is still usable once the wait is over: nobody was locked out.
    assert till.users.sign_in("1", "1111").number == 1
    assert journal_events(till).count("LOGINFAIL") == 9
    assert "USERLOCKED" not in journal_events(till)


def test_a_try_during_the_wait_costs_no_scrypt(till: Till, monkeypatch: pytest.MonkeyPatch) -> None:
    for wait in (0, 0, 1):
        wrong(till, wait=wait)

    def no_hashing(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a PIN was hashed while the register waits")

    monkeypatch.setattr(hashlib, "scrypt", no_hashing)
    with pytest.raises(Refused, match="wait 1 s"):
        till.users.sign_in("1", "1111")


def test_a_right_pin_ends_the_count_of_the_user_who_mistyped(till: Till, time: SteeredTime) -> None:
    for _ in range(2):
        wrong(till)
    till.users.sign_in("1", "1111")
    wrong(till)
    wrong(till)  # the count began anew: no wait yet
    wrong(till, wait=1)
    time.advance(1)
    till.users.sign_in("1", "1111")
    wrong(till)
    assert delays(till) == [1]


def test_a_cashier_cannot_clear_the_count_between_guesses_at_a_shift_leads_pin(
    till: Till, time: SteeredTime
) -> None:
    wrong(till, "2")
    wrong(till, "2")
    wrong(till, "2", wait=1)
    time.advance(1)
    assert till.users.sign_in("1", "1111").number == 1  # her own right PIN
    wrong(till, "2", wait=2)  # the count of guesses at number 2 goes on
    time.advance(2)
    wrong(till, "1", wait=4)  # a wrong PIN of her own mixes the run: still no reset
    time.advance(4)
    till.users.sign_in("1", "1111")
    wrong(till, "1", wait=8)


def test_a_quiet_spell_of_lockout_minutes_forgets_the_wrong_pins(
    till: Till, time: SteeredTime
) -> None:
    for wait in (0, 0, 1):
        wrong(till, "2", wait=wait)
    time.advance(till.users.lockout_minutes * 60 - 1)
    wrong(till, "2", wait=2)
    time.advance(till.users.lockout_minutes * 60)
    wrong(till, "2")
    wrong(till, "2")
    wrong(till, "2", wait=1)


def test_a_shift_lead_always_unlocks_the_till_under_attack(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    till.users.lock(cashier)
    for _ in range(20):  # someone at the idle till, trying a PIN as soon as one is heard
        time.advance(till.users.wait_left())
        with pytest.raises(Refused, match="Only Kari Kasserer or a shift lead"):
            till.users.unlock(cashier, "2", "0000")
    assert 0 < till.users.wait_left() <= MAX_DELAY_SECONDS
    time.advance(till.users.wait_left())
    assert till.users.unlock(cashier, "2", "2222").is_shift_lead
    assert journal_events(till)[-1] == "UNLOCK"


def test_the_wait_is_this_registers(till: Till) -> None:
    for wait in (0, 0, 1):
        wrong(till, wait=wait)
    other = Users(
        till.db,
        Journal(till.db, "KASSE-2", till.clock),
        till.users.lockout_minutes,
        till.users.pepper,
    )
    assert other.sign_in("1", "1111").number == 1
    with pytest.raises(Refused, match="wait 1 s"):
        till.users.sign_in("1", "1111")


def test_a_clock_put_back_does_not_hold_the_till(till: Till, time: SteeredTime) -> None:
    for wait in (0, 0, 1):
        wrong(till, wait=wait)
    time.advance(-3600)
    assert till.users.wait_left() == 0
    assert till.users.sign_in("1", "1111").number == 1


def test_changes_are_journaled_without_the_pin(till: Till) -> None:
    tech = technician(till)
    till.users.add(5, "Per", "cashier", "4321", by=tech)
    till.users.set_pin(tech, 5, "8765")
    till.users.set_role(tech, 5, "shift_lead")
    till.users.set_active(tech, 5, False)
    rows = [r for r in till.journal.rows() if r.basic_id in ("USERADD", "USERCHANGE")]
    assert [r.basic_id for r in rows] == ["USERADD", *["USERCHANGE"] * 3]
    assert all(r.event_code == "13999" for r in rows)  # not 13021: a user is not a price
    assert not any("8765" in r.text or "4321" in r.text for r in rows)
    with pytest.raises(Refused, match="Wrong"):
        till.users.sign_in("5", "8765")  # disabled
    till.users.set_active(tech, 5, True)
    assert till.users.sign_in("5", "8765").is_shift_lead


def test_the_last_technician_stays(till: Till) -> None:
    tech = technician(till)
    with pytest.raises(Refused, match="last active technician"):
        till.users.set_active(tech, 9, False)
    with pytest.raises(Refused, match="last active technician"):
        till.users.set_role(tech, 9, "cashier")
    till.users.add(8, "Ny Tekniker", "technician", "8888", by=tech)
    till.users.set_role(tech, 9, "cashier")
    assert [p.role for p in till.users.list() if p.number == 9] == ["cashier"]
