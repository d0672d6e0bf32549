"""Cashiers and shift leads: PINs stored as slow salted hashes, sign-in and approvals.

The services check approvals themselves (a price override carries the shift lead's number and
PIN), so a screen cannot skip the rule by skipping a dialog.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from peewee import SqliteDatabase

from kassa_tui.core.clock import Instant, parse_utc
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.permissions import Permission, require
from kassa_tui.people.person import ROLES, SELLING_ROLES, Person
from kassa_tui.records.journal import Event, Journal

# scrypt cost: ~50 ms per check here, a few hundred on a Pi; slow enough to stop guessing.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
#: Wrong PINs in a row that lock a user for `[ui] lockout_minutes`.
MAX_FAILURES = 5
#: Journaled when a user is locked out, and again when the lock ends (lifted or run out).
USER_LOCKED = ("13999", "USERLOCKED")


def check_pin_format(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise Refused(_("A PIN is 4 to 8 digits."))


def hash_pin(pin: str) -> str:
    check_pin_format(pin)
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


@dataclass(frozen=True)
class _User:
    """A row of `user`."""

    number: int
    name: str
    role: str
    pin_hash: str
    active: bool

    @property
    def person(self) -> Person:
        return Person(self.number, self.name, self.role)


_USER_COLUMNS = "number, name, role, pin_hash, active"


class Users:
    def __init__(
        self, database: SqliteDatabase, journal: Journal, lockout_minutes: int = 15
    ) -> None:
        self.db = database
        self.journal = journal
        self.lockout_minutes = lockout_minutes

    def add(self, number: int, name: str, role: str, pin: str, by: Person | None = None) -> Person:
        """Add a user; with `by` (who adds), checked against the role matrix and journaled."""
        if by is not None:
            self._may_administer(by)
        if role not in ROLES:
            raise Refused(_("Unknown role."))
        if number <= 0:
            raise Refused(_("A user number is a positive whole number."))
        with self.db.atomic("IMMEDIATE"):
            if self._find(number) is not None:
                raise Refused(_("User number {number} is taken.").format(number=number))
            self.db.execute_sql(
                "INSERT INTO user (number, name, role, pin_hash, active) VALUES (?, ?, ?, ?, 1)",
                (number, name, role, hash_pin(pin)),
            )
            if by is not None:
                self.journal.write(
                    Event.MASTER_DATA, user=by.number, added_user=number, name=name, role=role
                )
        return Person(number, name, role)

    def verify(self, number_text: str, pin: str, purpose: str) -> Person:
        """Number and PIN of any active user (the CLI's check); a failure is journaled."""
        person = self._check(number_text, pin)
        if person is None:
            with self.db.atomic("IMMEDIATE"):
                self.journal.write(Event.LOGIN_FAILED, user=_safe_int(number_text), purpose=purpose)
            raise Refused(_("Wrong user number or PIN."))
        return person

    # -- administration (the technician's: Permission.USERS) --------------------------------

    def _may_administer(self, by: Person) -> None:
        require(self.db, self.journal, by, Permission.USERS)

    def _find(self, number: int) -> _User | None:
        row = self.db.execute_sql(
            f"SELECT {_USER_COLUMNS} FROM user WHERE number = ?", (number,)
        ).fetchone()
        return _row(row) if row else None

    def _user(self, number: int) -> _User:
        user = self._find(number)
        if user is None:
            raise Refused(_("There is no user {number}.").format(number=number))
        return user

    def _all(self) -> list[_User]:
        rows = self.db.execute_sql(f"SELECT {_USER_COLUMNS} FROM user ORDER BY number")
        return [_row(row) for row in rows.fetchall()]

    def _update(
        self, number: int, column: Literal["active", "pin_hash", "role"], value: str | int
    ) -> None:
        self.db.execute_sql(f"UPDATE user SET {column} = ? WHERE number = ?", (value, number))

    def _keep_a_technician(self, user: _User) -> None:
        """Refuse to disable or demote the last active technician: nobody could administer."""
        if user.role != "technician" or not user.active:
            return
        others = self.db.execute_sql(
            "SELECT COUNT(*) FROM user WHERE role = 'technician' AND active = 1 AND number != ?",
            (user.number,),
        ).fetchone()[0]
        if others == 0:
            raise Refused(_("{name} is the last active technician.").format(name=user.name))

    def _change(self, by: Person, number: int, **what: str | int | bool) -> None:
        self.journal.write(Event.MASTER_DATA, user=by.number, changed_user=number, details=what)

    def set_active(self, by: Person, number: int, active: bool) -> Person:
        self._may_administer(by)
        with self.db.atomic("IMMEDIATE"):
            user = self._user(number)
            if not active:
                self._keep_a_technician(user)
            if user.active != active:
                self._update(user.number, "active", int(active))
                self._change(by, number, active=active)
        return Person(user.number, user.name, user.role)

    def set_pin(self, by: Person, number: int, pin: str) -> Person:
        self._may_administer(by)
        pin_hash = hash_pin(pin)
        with self.db.atomic("IMMEDIATE"):
            user = self._user(number)
            self._update(user.number, "pin_hash", pin_hash)
            self._change(by, number, pin="changed")  # never the PIN itself
        return Person(user.number, user.name, user.role)

    def set_role(self, by: Person, number: int, role: str) -> Person:
        self._may_administer(by)
        if role not in ROLES:
            raise Refused(_("Unknown role."))
        with self.db.atomic("IMMEDIATE"):
            user = self._user(number)
            if role != "technician":
                self._keep_a_technician(user)
            if user.role != role:
                self._update(user.number, "role", role)
                self._change(by, number, role=role, old_role=user.role)
        return Person(user.number, user.name, role)

    def lift_lock(self, by: Person, number: int) -> Person:
        """End a lock-out (and the count of wrong PINs) before it runs out."""
        self._may_administer(by)
        with self.db.atomic("IMMEDIATE"):
            user = self._user(number)
            failures, until = self._lock_row(number)
            if until is not None:
                self.journal.write(USER_LOCKED, user=number, ended="unlocked", by=by.number)
            if failures or until is not None:
                self._set_lock(number, 0, None)
        return Person(user.number, user.name, user.role)

    def status(self) -> list[tuple[Person, bool, str | None]]:
        """Every user with whether active and, if locked out, until when (local time)."""
        return [(u.person, u.active, self.locked_until(u.number)) for u in self._all()]

    def _check(self, number_text: str, pin: str) -> Person | None:
        """The active user with this number and PIN, or None; counts wrong PINs per user.

        A locked user is refused (with the time the lock ends) whatever PIN is given.
        """
        number = _safe_int(number_text)
        if number is None:
            return None
        user = self._find(number)
        if user is None or not user.active:
            return None
        now = self.journal.clock.now()
        # scrypt takes tens of milliseconds on purpose: outside the write lock, so a sign-in at
        # the CLI or another till never holds up this till's scans.
        matches = pin.isdigit() and pin_matches(pin, user.pin_hash)
        with self.db.atomic("IMMEDIATE"):
            failures, until = self._lock_row(number)
            if until is not None and until > now.utc_text:
                self.journal.write(Event.LOGIN_FAILED, user=number, reason="locked")
                locked_until = _local_text(until)
            else:
                locked_until = None
                if until is not None:  # the lock ran out: journal its end, start counting anew
                    self.journal.write(USER_LOCKED, user=number, ended="expired")
                    self._set_lock(number, 0, None)
                    failures = 0
                if matches:
                    if failures:
                        self._set_lock(number, 0, None)
                    return Person(user.number, user.name, user.role)
                failures += 1
                if failures >= MAX_FAILURES:
                    end = Instant(now.utc + timedelta(minutes=self.lockout_minutes)).utc_text
                    self._set_lock(number, 0, end)
                    self.journal.write(
                        USER_LOCKED, user=number, failures=failures, locked_until=end
                    )
                else:
                    self._set_lock(number, failures, None)
        if locked_until is not None:
            raise Refused(
                _("User {number} is locked until {time} after too many wrong PINs.").format(
                    number=number, time=locked_until
                )
            )
        return None

    def _lock_row(self, number: int) -> tuple[int, str | None]:
        row = self.db.execute_sql(
            "SELECT failures, locked_until_utc FROM user_lock WHERE user_number = ?", (number,)
        ).fetchone()
        return (int(row[0]), row[1]) if row else (0, None)

    def _set_lock(self, number: int, failures: int, until: str | None) -> None:
        self.db.execute_sql(
            "INSERT INTO user_lock (user_number, failures, locked_until_utc) VALUES (?, ?, ?)"
            " ON CONFLICT (user_number) DO UPDATE SET failures = excluded.failures,"
            " locked_until_utc = excluded.locked_until_utc",
            (number, failures, until),
        )

    def locked_until(self, number: int) -> str | None:
        """Local date and time a user's lock ends, or None when the user is not locked."""
        until = self._lock_row(number)[1]
        if until is None or until <= self.journal.clock.now().utc_text:
            return None
        return _local_text(until)

    def sign_in(self, number_text: str, pin: str) -> Person:
        """Check number and PIN of someone who may sell; journals success and failure."""
        person = self._check(number_text, pin)
        with self.db.atomic("IMMEDIATE"):
            if person is None or person.role not in SELLING_ROLES:
                self.journal.write(Event.LOGIN_FAILED, user=_safe_int(number_text))
            else:
                self.journal.write(Event.LOGIN, user=person.number)
        if person is None:
            raise Refused(_("Wrong user number or PIN."))
        if person.role not in SELLING_ROLES:
            raise Refused(_("{name} is a technician and cannot sell.").format(name=person.name))
        return person

    def sign_out(self, person: Person) -> None:
        with self.db.atomic("IMMEDIATE"):
            self.journal.write(Event.LOGOUT, user=person.number)

    def lock(self, person: Person) -> None:
        """The till is locked with `person` signed in (idle, or Ctrl+L): journaled."""
        with self.db.atomic("IMMEDIATE"):
            self.journal.write(Event.LOCK, user=person.number)

    def unlock(self, locked_for: Person, number_text: str, pin: str) -> Person:
        """The same user or a shift lead may unlock a locked till."""
        person = self._check(number_text, pin)
        allowed = person is not None and (
            person.number == locked_for.number or person.is_shift_lead
        )
        with self.db.atomic("IMMEDIATE"):
            if not allowed or person is None:
                self.journal.write(Event.LOGIN_FAILED, user=_safe_int(number_text))
            else:
                self.journal.write(Event.UNLOCK, user=person.number, locked_for=locked_for.number)
        if not allowed or person is None:
            raise Refused(_("Only {name} or a shift lead can unlock.").format(name=locked_for.name))
        return person

    def approver(self, number_text: str, pin: str) -> Person:
        """A shift lead approving on the spot; refused (and journaled) otherwise."""
        person = self._check(number_text, pin)
        if person is None or not person.is_shift_lead:
            with self.db.atomic("IMMEDIATE"):
                self.journal.write(
                    Event.LOGIN_FAILED, user=_safe_int(number_text), purpose="approval"
                )
            raise Refused(_("Approval needs a shift lead's number and PIN."))
        return person

    def list(self) -> list[Person]:
        return [u.person for u in self._all()]


def _row(row: tuple[int, str, str, str, int]) -> _User:
    number, name, role, pin_hash, active = row
    return _User(number, name, role, pin_hash, bool(active))


def _local_text(utc_text: str) -> str:
    return parse_utc(utc_text).local.strftime("%Y-%m-%d %H:%M")


def _safe_int(text: str) -> int | None:
    text = text.strip()
    # ASCII only: "²".isdigit() is true but int("²") fails, and "١" would read as user 1.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
