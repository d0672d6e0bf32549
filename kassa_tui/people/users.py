"""Cashiers and shift leads: PINs stored as slow salted hashes, sign-in and approvals.

The services check approvals themselves (a price override carries the shift lead's number and
PIN), so a screen cannot skip the rule by skipping a dialog.

Wrong PINs slow the register down instead of locking a user out (a lock-out would let anyone at
an idle till lock every shift lead and the only technician): after `FREE_TRIES` wrong PINs in a
row on this register, each further try waits 1, 2, 4 … up to `MAX_DELAY_SECONDS` seconds. A
right PIN ends the run of wrong ones when every one of them was typed with that user's number
(someone who mistyped their own PIN), so a cashier cannot clear the count between guesses at a
shift lead's PIN by signing in herself; `[ui] lockout_minutes` without a wrong PIN forgets the
run as well. Every user stays usable: a shift lead waits at most `MAX_DELAY_SECONDS` to unlock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from peewee import SqliteDatabase

from kassa_tui.core.clock import Instant, parse_utc
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.pepper import PEPPERED
from kassa_tui.people.permissions import Permission, require
from kassa_tui.people.person import ROLES, SELLING_ROLES, Person
from kassa_tui.records.journal import Event, Journal

# scrypt cost: ~50 ms per check here, a few hundred on a Pi; slow enough to stop guessing.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
#: Wrong PINs in a row on a register before each further try has to wait.
FREE_TRIES = 3
#: The longest wait between tries, in seconds.
MAX_DELAY_SECONDS = 30
#: Roles whose PIN must have at least `Users.min_pin_length_lead` digits.
LEAD_ROLES = ("shift_lead", "technician")
#: Journaled once for each wait a register imposes after wrong PINs.
PIN_DELAY = ("13999", "PINDELAY")


def check_pin_format(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise Refused(_("A PIN is 4 to 8 digits."))


def _secret(pin: str, pepper: bytes | None) -> bytes:
    """What scrypt hashes: the PIN itself (old `scrypt$` hashes), or HMAC-SHA256(pepper, PIN)
    (`scrypt-p$`), which nobody can compute without the pepper file."""
    if pepper is None:
        return pin.encode()
    return hmac.new(pepper, pin.encode(), hashlib.sha256).digest()


def hash_pin(pin: str, pepper: bytes | None = None) -> str:
    """A salted scrypt hash of `pin`; peppered (`scrypt-p$…`) when a pepper is given."""
    check_pin_format(pin)
    salt = os.urandom(16)
    digest = hashlib.scrypt(_secret(pin, pepper), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    b64 = base64.b64encode
    scheme = "scrypt" if pepper is None else PEPPERED
    return f"{scheme}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def pin_matches(pin: str, stored: str, pepper: bytes | None = None) -> bool:
    """Whether `pin` is the PIN of `stored`; a peppered hash never matches without its pepper."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme == "scrypt":
        secret = _secret(pin, None)
    elif scheme == PEPPERED and pepper is not None:
        secret = _secret(pin, pepper)
    else:
        return False
    candidate = hashlib.scrypt(secret, salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def needs_upgrade(stored: str, pepper: bytes | None) -> bool:
    """An old unpeppered hash, to be rewritten peppered at the user's next right PIN."""
    return pepper is not None and stored.startswith("scrypt$")


_DUMMY_SALT = base64.b64encode(os.urandom(16)).decode()
_DUMMY_DIGEST = base64.b64encode(os.urandom(64)).decode()


def dummy_hash() -> str:
    """A hash of no one's PIN at today's cost: an unknown user's PIN is checked against it, so
    the answer takes as long as for a real user and gives no user number away. Made without
    hashing (the digest is random), so the first check of a process is no slower either."""
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_DUMMY_SALT}${_DUMMY_DIGEST}"


def delay_after(failures: int) -> int:
    """Seconds the register waits after `failures` wrong PINs in a row: none before
    `FREE_TRIES`, then 1, 2, 4 … up to `MAX_DELAY_SECONDS`."""
    if failures < FREE_TRIES:
        return 0
    return min(1 << min(failures - FREE_TRIES, 8), MAX_DELAY_SECONDS)


@dataclass(frozen=True)
class _Run:
    """The wrong PINs in a row on one register (kept in a `setting` row)."""

    failures: int = 0
    only: int | None = None  # the user number every wrong PIN was typed with; None if mixed
    last_utc: str = ""  # the latest wrong PIN
    until_utc: str = ""  # no try before this moment

    def wait_left(self, now: Instant) -> int:
        """Whole seconds until the next try is heard (0: now)."""
        if not self.until_utc:
            return 0
        left = (parse_utc(self.until_utc).utc - now.utc).total_seconds()
        # More than the longest wait left means the clock went back: do not hold the till.
        return math.ceil(left) if 0 < left <= MAX_DELAY_SECONDS else 0


@dataclass(frozen=True)
class _Checked:
    person: Person | None  # the user whose number and PIN these are
    wait: int  # seconds the register now waits after this wrong PIN


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
        self,
        database: SqliteDatabase,
        journal: Journal,
        lockout_minutes: int = 15,
        pepper: bytes | None = None,
        min_pin_length_lead: int = 4,
    ) -> None:
        self.db = database
        self.journal = journal
        #: Minutes without a wrong PIN after which the register's run of wrong PINs is forgotten.
        self.lockout_minutes = lockout_minutes
        #: The secret from the pepper file mixed into new PIN hashes (None: unpeppered hashes).
        self.pepper = pepper
        #: The fewest digits a shift lead's or technician's PIN may have (`[ui]`).
        self.min_pin_length_lead = min_pin_length_lead

    def _hash(self, pin: str, role: str) -> str:
        """`pin` hashed for a user of `role`, refused if too short for a lead role."""
        check_pin_format(pin)
        if role in LEAD_ROLES and len(pin) < self.min_pin_length_lead:
            raise Refused(
                _("A shift lead's or technician's PIN has at least {digits} digits.").format(
                    digits=self.min_pin_length_lead
                )
            )
        return hash_pin(pin, self.pepper)

    def add(self, number: int, name: str, role: str, pin: str, by: Person | None = None) -> Person:
        """Add a user: `by` (who adds) is checked against the role matrix and journaled. Only
        the first user of an empty database (`kassa init --technician`) comes without `by`."""
        if by is not None:
            self._may_administer(by)
        self._check_new(number, role)
        pin_hash = self._hash(pin, role)
        with self.db.atomic("IMMEDIATE"):
            if by is None and self._any_user():
                raise Refused(_("Adding a user needs a technician's number and PIN."))
            self._insert(number, name, role, pin_hash)
            if by is not None:
                self.journal.write(
                    Event.USER_ADDED, user=by.number, added_user=number, name=name, role=role
                )
        return Person(number, name, role)

    def add_first(self, people: Iterable[tuple[int, str, str, str]]) -> list[Person]:
        """The first users (number, name, role, PIN) of an empty database, as `kassa init
        --demo` loads them; refused once the database has a user."""
        rows = []
        for number, name, role, pin in people:
            self._check_new(number, role)
            rows.append((number, name, role, self._hash(pin, role)))
        with self.db.atomic("IMMEDIATE"):
            if self._any_user():
                raise Refused(_("Adding a user needs a technician's number and PIN."))
            for number, name, role, pin_hash in rows:
                self._insert(number, name, role, pin_hash)
        return [Person(number, name, role) for number, name, role, _hash in rows]

    def _check_new(self, number: int, role: str) -> None:
        if role not in ROLES:
            raise Refused(_("Unknown role."))
        if number <= 0:
            raise Refused(_("A user number is a positive whole number."))

    def _any_user(self) -> bool:
        return self.db.execute_sql("SELECT 1 FROM user LIMIT 1").fetchone() is not None

    def _insert(self, number: int, name: str, role: str, pin_hash: str) -> None:
        """Inside the caller's transaction."""
        if self._find(number) is not None:
            raise Refused(_("User number {number} is taken.").format(number=number))
        self.db.execute_sql(
            "INSERT INTO user (number, name, role, pin_hash, active) VALUES (?, ?, ?, ?, 1)",
            (number, name, role, pin_hash),
        )

    def verify(self, number_text: str, pin: str, purpose: str) -> Person:
        """Number and PIN of any active user (the CLI's check); a failure is journaled."""
        checked = self._check(number_text, pin)
        if checked.person is None:
            with self.db.atomic("IMMEDIATE"):
                self.journal.write(Event.LOGIN_FAILED, user=_safe_int(number_text), purpose=purpose)
            raise _refusal(_("Wrong user number or PIN."), checked.wait)
        return checked.person

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
        self.journal.write(Event.USER_CHANGED, user=by.number, changed_user=number, details=what)

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
        role = self._user(number).role
        pin_hash = self._hash(pin, role)
        with self.db.atomic("IMMEDIATE"):
            user = self._user(number)
            if user.role != role:  # promoted meanwhile: check the length for the new role
                pin_hash = self._hash(pin, user.role)
            self._update(user.number, "pin_hash", pin_hash)
            self._change(by, number, pin="changed")  # never the PIN itself
        return Person(user.number, user.name, user.role)

    def set_role(self, by: Person, number: int, role: str, pin: str | None = None) -> Person:
        """Change a user's role. A PIN's length cannot be read from its hash, so promoting to
        shift lead or technician while `min_pin_length_lead` is above 4 needs a new `pin`."""
        self._may_administer(by)
        if role not in ROLES:
            raise Refused(_("Unknown role."))
        pin_hash = self._hash(pin, role) if pin is not None else None
        with self.db.atomic("IMMEDIATE"):
            user = self._user(number)
            if role != "technician":
                self._keep_a_technician(user)
            promoted = role in LEAD_ROLES and user.role not in LEAD_ROLES
            if promoted and pin_hash is None and self.min_pin_length_lead > 4:
                raise Refused(
                    _("Promoting {name} needs a new PIN of at least {digits} digits.").format(
                        name=user.name, digits=self.min_pin_length_lead
                    )
                )
            if user.role != role:
                self._update(user.number, "role", role)
                self._change(by, number, role=role, old_role=user.role)
            if pin_hash is not None:
                self._update(user.number, "pin_hash", pin_hash)
                self._change(by, number, pin="changed")  # never the PIN itself
        return Person(user.number, user.name, role)

    def status(self) -> list[tuple[Person, bool]]:
        """Every user with whether active."""
        return [(u.person, u.active) for u in self._all()]

    # -- checking a number and PIN, and the register's wait after wrong ones ----------------

    def _check(self, number_text: str, pin: str) -> _Checked:
        """The active user with this number and PIN (or None), and the register's new wait.

        While the register waits after wrong PINs, no PIN is checked: refused with the seconds
        left (journaled once, when the wait began). An unknown user's PIN is checked against a
        dummy hash, and a disabled user's against their own, so every answer takes as long.
        """
        now = self.journal.clock.now()
        _wait_refusal(self._run(now).wait_left(now))
        number = _safe_int(number_text)
        user = self._find(number) if number is not None else None
        # scrypt takes tens of milliseconds on purpose: outside the write lock, so a sign-in at
        # the CLI or another till never holds up this till's scans.
        stored = user.pin_hash if user is not None else dummy_hash()
        matches = pin_matches(pin, stored, self.pepper) and pin.isdigit()
        person = user.person if user is not None and user.active and matches else None
        upgraded = None
        if person is not None and needs_upgrade(stored, self.pepper):
            upgraded = hash_pin(pin, self.pepper)  # outside the lock, like the check
        with self.db.atomic("IMMEDIATE"):
            run = self._run(now)
            _wait_refusal(run.wait_left(now))  # another try began a wait meanwhile
            if person is not None:
                if upgraded is not None:
                    # The old unpeppered hash is rewritten peppered; not journaled (the PIN
                    # itself is unchanged), and only if nobody changed it meanwhile.
                    self.db.execute_sql(
                        "UPDATE user SET pin_hash = ? WHERE number = ? AND pin_hash = ?",
                        (upgraded, person.number, stored),
                    )
                if run.failures and run.only == person.number:
                    self._save_run(_Run())  # they mistyped their own PIN, and now have it
                return _Checked(person, 0)
            failures = run.failures + 1
            only = number if run.failures == 0 or run.only == number else None
            wait = delay_after(failures)
            until = Instant(now.utc + timedelta(seconds=wait)).utc_text if wait else ""
            self._save_run(_Run(failures, only, now.utc_text, until))
            if wait:
                self.journal.write(PIN_DELAY, failures=failures, seconds=wait, until=until)
        return _Checked(None, wait)

    @property
    def _run_key(self) -> str:
        return f"pin_delay:{self.journal.register_id}"

    def _run(self, now: Instant) -> _Run:
        """This register's run of wrong PINs; forgotten after `lockout_minutes` without one."""
        row = self.db.execute_sql(
            "SELECT value FROM setting WHERE key = ?", (self._run_key,)
        ).fetchone()
        if row is None:
            return _Run()
        try:
            run = _Run(**json.loads(row[0]))
        except (TypeError, ValueError):
            return _Run()
        quiet = timedelta(minutes=self.lockout_minutes)
        if run.last_utc and parse_utc(run.last_utc).utc + quiet <= now.utc:
            return _Run()
        return run

    def _save_run(self, run: _Run) -> None:
        """Inside the caller's transaction."""
        value = json.dumps(
            {
                "failures": run.failures,
                "only": run.only,
                "last_utc": run.last_utc,
                "until_utc": run.until_utc,
            }
        )
        self.db.execute_sql(
            "INSERT INTO setting (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (self._run_key, value),
        )

    def wait_left(self) -> int:
        """Seconds before this register hears the next PIN (0: now)."""
        now = self.journal.clock.now()
        return self._run(now).wait_left(now)

    def sign_in(self, number_text: str, pin: str) -> Person:
        """Check number and PIN of someone who may sell; journals success and failure."""
        checked = self._check(number_text, pin)
        person = checked.person
        with self.db.atomic("IMMEDIATE"):
            if person is None or person.role not in SELLING_ROLES:
                self.journal.write(Event.LOGIN_FAILED, user=_safe_int(number_text))
            else:
                self.journal.write(Event.LOGIN, user=person.number)
        if person is None:
            raise _refusal(_("Wrong user number or PIN."), checked.wait)
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
        checked = self._check(number_text, pin)
        person = checked.person
        allowed = person is not None and (
            person.number == locked_for.number or person.is_shift_lead
        )
        with self.db.atomic("IMMEDIATE"):
            if not allowed or person is None:
                self.journal.write(Event.LOGIN_FAILED, user=_safe_int(number_text))
            else:
                self.journal.write(Event.UNLOCK, user=person.number, locked_for=locked_for.number)
        if not allowed or person is None:
            raise _refusal(
                _("Only {name} or a shift lead can unlock.").format(name=locked_for.name),
                checked.wait,
            )
        return person

    def approver(self, number_text: str, pin: str) -> Person:
        """A shift lead approving on the spot; refused (and journaled) otherwise."""
        checked = self._check(number_text, pin)
        person = checked.person
        if person is None or not person.is_shift_lead:
            with self.db.atomic("IMMEDIATE"):
                self.journal.write(
                    Event.LOGIN_FAILED, user=_safe_int(number_text), purpose="approval"
                )
            if person is None:  # a wrong PIN says so: the shift lead may have mistyped
                raise _refusal(_("Wrong shift lead number or PIN."), checked.wait)
            raise _refusal(_("Approval needs a shift lead's number and PIN."), checked.wait)
        return person

    def list(self) -> list[Person]:
        return [u.person for u in self._all()]


def _wait_refusal(seconds: int) -> None:
    if seconds:
        raise Refused(_wait_text(seconds))


def _wait_text(seconds: int) -> str:
    return _("Too many wrong PINs at this till: wait {seconds} s before the next try.").format(
        seconds=seconds
    )


def _refusal(message: str, wait: int) -> Refused:
    """A wrong PIN's refusal, telling how long the register now waits, if it does."""
    return Refused(f"{message} {_wait_text(wait)}" if wait else message)


def _row(row: tuple[int, str, str, str, int]) -> _User:
    number, name, role, pin_hash, active = row
    return _User(number, name, role, pin_hash, bool(active))


def _safe_int(text: str) -> int | None:
    text = text.strip()
    # ASCII only: "²".isdigit() is true but int("²") fails, and "١" would read as user 1.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
