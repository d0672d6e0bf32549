"""PINs, sign-in and approvals: slow salted hashes, every failure journaled."""

from __future__ import annotations

import json

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people import users
from kassa_tui.people.person import Person
from kassa_tui.people.users import check_pin_format, hash_pin, pin_matches

from .conftest import count, journal_events


def test_hash_and_match() -> None:
    stored = hash_pin("1234")
    assert pin_matches("1234", stored)
    assert not pin_matches("1235", stored)
    assert not pin_matches("12345", stored)
    assert "1234" not in stored
    assert stored.startswith(f"scrypt${users.SCRYPT_N}$")
    assert hash_pin("1234") != stored  # salted: the same PIN never hashes alike


@pytest.mark.parametrize("stored", ["", "plain1234", "md5$x$y$z$a$b", "scrypt$1$2$3"])
def test_unknown_hash_formats_never_match(stored: str) -> None:
    assert not pin_matches("1234", stored)


@pytest.mark.parametrize("pin", ["1234", "0000", "12345678"])
def test_pin_format_accepted(pin: str) -> None:
    check_pin_format(pin)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "abcd", "", "12 34", "١٢٣٤", "-123"])
def test_pin_format_refused(pin: str) -> None:
    with pytest.raises(Refused, match="4 to 8 digits"):
        check_pin_format(pin)
    with pytest.raises(Refused):
        hash_pin(pin)


def test_adding_a_user_with_a_bad_pin_adds_nobody(till: Till) -> None:
    before = count(till.db, "user")
    with pytest.raises(Refused):
        till.users.add(20, "Ola", "cashier", "123")
    with pytest.raises(Refused, match="Unknown role"):
        till.users.add(20, "Ola", "manager", "1234")
    with pytest.raises(Refused, match="taken"):
        till.users.add(1, "Ola", "cashier", "1234")
    assert count(till.db, "user") == before


def test_sign_in_is_journaled(till: Till) -> None:
    person = till.users.sign_in("1", "1111")
    assert person == Person(1, "Kari Kasserer", "cashier")
    row = till.journal.rows()[-1]
    assert (row.event_code, row.basic_id, row.user_number) == ("13003", "LOGIN", 1)
    assert till.users.sign_in(" 2 ", "2222").is_shift_lead


def test_wrong_pin_is_refused_and_journaled(till: Till) -> None:
    with pytest.raises(Refused, match="Wrong user number or PIN"):
        till.users.sign_in("1", "1112")
    row = till.journal.rows()[-1]
    assert (row.basic_id, row.user_number) == ("LOGINFAIL", 1)
    assert "LOGIN" not in journal_events(till)


@pytest.mark.parametrize(
    "number",
    ["", "x", "77", "0", "-1", "1.0", "²", "١", "99999999999999999999999", "1" * 10_000],
    ids=[
        "empty",
        "letter",
        "unknown",
        "zero",
        "negative",
        "decimal",
        "superscript",
        "arabic-indic",
        "huge",
        "very-long",
    ],
)
def test_unknown_or_odd_user_numbers_are_refused(till: Till, number: str) -> None:
    rows = count(till.db, "journal")
    with pytest.raises(Refused):
        till.users.sign_in(number, "1111")
    assert count(till.db, "journal") == rows + 1
    assert journal_events(till)[-1] == "LOGINFAIL"


def test_technician_cannot_sign_in_to_sell(till: Till) -> None:
    with pytest.raises(Refused):
        till.users.sign_in("9", "9999")
    row = till.journal.rows()[-1]
    assert (row.basic_id, row.user_number) == ("LOGINFAIL", 9)
    assert "LOGIN" not in journal_events(till)


def test_inactive_user_cannot_sign_in(till: Till) -> None:
    till.db.execute_sql("UPDATE user SET active = 0 WHERE number = 1")
    with pytest.raises(Refused):
        till.users.sign_in("1", "1111")


def test_approval_needs_a_shift_lead(till: Till) -> None:
    assert till.users.approver("2", "2222").number == 2
    for number, pin in (("1", "1111"), ("2", "1111"), ("9", "9999")):
        with pytest.raises(Refused, match="shift lead"):
            till.users.approver(number, pin)
        row = till.journal.rows()[-1]
        assert row.basic_id == "LOGINFAIL"
        assert json.loads(row.text) == {"purpose": "approval"}


def test_unlock_by_the_same_user_or_a_shift_lead(till: Till, cashier: Person) -> None:
    assert till.users.unlock(cashier, "1", "1111") == cashier
    assert till.users.unlock(cashier, "2", "2222").number == 2
    till.users.add(3, "Per Kasserer", "cashier", "3333")
    with pytest.raises(Refused, match="Kari Kasserer or a shift lead"):
        till.users.unlock(cashier, "3", "3333")
    assert journal_events(till)[-3:] == ["UNLOCK", "UNLOCK", "LOGINFAIL"]
