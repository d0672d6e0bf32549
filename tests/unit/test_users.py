"""PINs, sign-in and approvals: slow salted hashes, every failure journaled."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from time import perf_counter
from typing import Any

import pytest

from kassa_tui.composition import Till, open_till
from kassa_tui.config import Config
from kassa_tui.core.errors import Refused, Stopped
from kassa_tui.people import users
from kassa_tui.people.person import Person
from kassa_tui.people.users import check_pin_format, hash_pin, pin_matches

from .conftest import SteeredTime, count, journal_events


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


def technician(till: Till) -> Person:
    return till.users.verify("9", "9999", purpose="test")


def test_adding_a_user_with_a_bad_pin_adds_nobody(till: Till) -> None:
    before = count(till.db, "user")
    tech = technician(till)
    with pytest.raises(Refused):
        till.users.add(20, "Ola", "cashier", "123", by=tech)
    with pytest.raises(Refused, match="Unknown role"):
        till.users.add(20, "Ola", "manager", "1234", by=tech)
    with pytest.raises(Refused, match="taken"):
        till.users.add(1, "Ola", "cashier", "1234", by=tech)
    assert count(till.db, "user") == before


@pytest.fixture
def empty_till(config: Config) -> Iterator[Till]:
    opened = open_till(config)
    yield opened
    opened.db.close()


def test_only_the_first_user_comes_without_a_technician(empty_till: Till) -> None:
    people = empty_till.users
    first = people.add(9, "Tina Tekniker", "technician", "4711")  # kassa init --technician
    with pytest.raises(Refused, match="needs a technician's number and PIN"):
        people.add(10, "Ola", "technician", "1234")
    with pytest.raises(Refused, match="needs a technician's number and PIN"):
        people.add_first([(10, "Ola", "technician", "1234")])
    assert people.list() == [first]
    cashier = people.add(1, "Kari", "cashier", "1111", by=first)
    with pytest.raises(Refused, match="may not do user administration"):
        people.add(2, "Per", "technician", "2222", by=cashier)
    assert [p.number for p in people.list()] == [1, 9]


def test_the_demo_users_come_into_an_empty_database_only(empty_till: Till) -> None:
    added = empty_till.users.add_first(
        [(1, "Kari", "cashier", "1111"), (9, "T", "technician", "9999")]
    )
    assert empty_till.users.list() == added
    with pytest.raises(Refused, match="needs a technician's number and PIN"):
        empty_till.users.add_first([(2, "Per", "shift_lead", "2222")])
    assert empty_till.users.list() == added


def scrypt_costs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The scrypt cost (n) of every hash computed from now on."""
    costs: list[int] = []
    real = hashlib.scrypt

    def counted(password: bytes, **kwargs: Any) -> bytes:
        costs.append(kwargs["n"])
        return real(password, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return costs


@pytest.mark.parametrize(
    "number", ["1", "77", "", "x", "3"], ids=["known", "unknown", "empty", "letter", "disabled"]
)
def test_every_check_costs_one_scrypt_of_todays_cost(
    till: Till, monkeypatch: pytest.MonkeyPatch, number: str
) -> None:
    till.users.add(3, "Per", "cashier", "3333", by=technician(till))
    till.users.set_active(technician(till), 3, False)
    costs = scrypt_costs(monkeypatch)
    with pytest.raises(Refused, match="Wrong user number or PIN"):
        till.users.sign_in(number, "0000")
    assert costs == [users.SCRYPT_N]


def test_an_unknown_user_takes_as_long_as_a_real_one(
    till: Till, monkeypatch: pytest.MonkeyPatch, time: SteeredTime
) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**14)  # the real cost, for real timings
    till.users.set_pin(technician(till), 1, "1111")

    def fastest_of_three(number: str) -> float:
        times = []
        for _ in range(3):
            time.advance(till.users.wait_left())  # time the checks, not the waits
            started = perf_counter()
            with pytest.raises(Refused, match="Wrong user number or PIN"):
                till.users.sign_in(number, "0000")
            times.append(perf_counter() - started)
        return min(times)

    known, unknown = fastest_of_three("1"), fastest_of_three("77")
    assert unknown > known / 2, (known, unknown)


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
    till.users.add(3, "Per Kasserer", "cashier", "3333", by=technician(till))
    assert till.users.unlock(cashier, "1", "1111") == cashier
    assert till.users.unlock(cashier, "2", "2222").number == 2
    with pytest.raises(Refused, match="Kari Kasserer or a shift lead"):
        till.users.unlock(cashier, "3", "3333")
    assert journal_events(till)[-3:] == ["UNLOCK", "UNLOCK", "LOGINFAIL"]


# -- the PIN pepper: a secret outside the database ----------------------------------------


def test_a_peppered_hash_needs_its_pepper() -> None:
    pepper, other = b"p" * 32, b"q" * 32
    stored = hash_pin("1234", pepper)
    assert stored.startswith(f"scrypt-p${users.SCRYPT_N}$")
    assert pin_matches("1234", stored, pepper)
    assert not pin_matches("1235", stored, pepper)
    # A copy of the database without the pepper file: no PIN can be checked.
    assert not pin_matches("1234", stored)
    assert not pin_matches("1234", stored, other)
    # With the same salt, the unpeppered hash of the PIN is another digest.
    _scheme, n, r, p, salt, digest = stored.split("$")
    plain = hashlib.scrypt(b"1234", salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    assert base64.b64encode(plain).decode() != digest


def test_the_pepper_file_is_private_and_kept(till: Till, config: Config) -> None:
    path = config.pepper_file
    assert path.parent == config.signing.key_file.parent  # type: ignore[union-attr]
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(path.read_bytes()) == 32
    assert till.users.pepper == path.read_bytes()
    stored = till.db.execute_sql("SELECT pin_hash FROM user WHERE number = 2").fetchone()[0]
    assert stored.startswith("scrypt-p$")


def test_an_old_hash_still_signs_in_and_is_upgraded(till: Till) -> None:
    till.db.execute_sql("UPDATE user SET pin_hash = ? WHERE number = 1", (hash_pin("1111"),))
    assert till.users.sign_in("1", "1111").number == 1
    stored = till.db.execute_sql("SELECT pin_hash FROM user WHERE number = 1").fetchone()[0]
    assert stored.startswith("scrypt-p$")
    assert pin_matches("1111", stored, till.users.pepper)
    assert till.users.sign_in("1", "1111").number == 1


def test_a_missing_pepper_with_peppered_hashes_refuses_to_start(till: Till, config: Config) -> None:
    till.db.close()
    config.pepper_file.unlink()
    with pytest.raises(Stopped, match=f"PIN pepper {config.pepper_file} is missing"):
        open_till(config)
    assert not config.pepper_file.exists()  # never silently replaced


def test_a_missing_pepper_without_peppered_hashes_is_made(config: Config) -> None:
    first = open_till(config)
    first.users.add_first([(1, "Ola", "cashier", "1111")])
    first.db.execute_sql("UPDATE user SET pin_hash = ?", (hash_pin("1111"),))  # unpeppered
    first.db.close()
    config.pepper_file.unlink()
    again = open_till(config)
    assert config.pepper_file.stat().st_mode & 0o777 == 0o600
    assert again.users.sign_in("1", "1111").number == 1
    again.db.close()


def test_a_short_lead_pin_is_refused(till: Till) -> None:
    till.users.min_pin_length_lead = 6
    tech = technician(till)
    with pytest.raises(Refused, match="at least 6 digits"):
        till.users.add(20, "Kari", "shift_lead", "12345", by=tech)
    with pytest.raises(Refused, match="at least 6 digits"):
        till.users.set_pin(tech, 2, "22222")
    assert till.users.verify("2", "2222", purpose="test").number == 2
    till.users.add(21, "Per", "cashier", "1234", by=tech)  # a cashier's 4 digits still do
    assert till.users.add(20, "Kari", "shift_lead", "123456", by=tech).number == 20


def test_a_promotion_needs_a_long_enough_new_pin(till: Till) -> None:
    till.users.min_pin_length_lead = 6
    tech = technician(till)
    with pytest.raises(Refused, match="Promoting Kari Kasserer needs a new PIN of at least 6"):
        till.users.set_role(tech, 1, "shift_lead")
    with pytest.raises(Refused, match="at least 6 digits"):
        till.users.set_role(tech, 1, "shift_lead", "1234")
    assert till.users.verify("1", "1111", purpose="test").role == "cashier"
    till.users.set_role(tech, 1, "shift_lead", "123456")
    assert till.users.verify("1", "123456", purpose="test").role == "shift_lead"
