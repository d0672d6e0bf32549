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

from kassa_tui.errors import Refused
from kassa_tui.i18n import _
from kassa_tui.journal import Event, Journal
from kassa_tui.store import User, db

ROLES = ("cashier", "shift_lead", "technician")
SELLING_ROLES = ("cashier", "shift_lead")
# scrypt cost: ~50 ms per check here, a few hundred on a Pi; slow enough to stop guessing.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class Person:
    number: int
    name: str
    role: str

    @property
    def is_shift_lead(self) -> bool:
        return self.role == "shift_lead"


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


class Users:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def add(self, number: int, name: str, role: str, pin: str) -> Person:
        if role not in ROLES:
            raise Refused(_("Unknown role."))
        if number <= 0:
            raise Refused(_("A user number is a positive whole number."))
        with db.atomic("IMMEDIATE"):
            if User.get_or_none(User.number == number):
                raise Refused(_("User number {number} is taken.").format(number=number))
            User.create(number=number, name=name, role=role, pin_hash=hash_pin(pin))
        return Person(number, name, role)

    def _check(self, number_text: str, pin: str) -> Person | None:
        number = _safe_int(number_text)
        if number is None:
            return None
        user = User.get_or_none((User.number == number) & (User.active == True))  # noqa: E712
        if user is None or not pin.isdigit() or not pin_matches(pin, user.pin_hash):
            return None
        return Person(user.number, user.name, user.role)

    def sign_in(self, number_text: str, pin: str) -> Person:
        """Check number and PIN of someone who may sell; journals success and failure."""
        person = self._check(number_text, pin)
        with db.atomic("IMMEDIATE"):
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
        with db.atomic("IMMEDIATE"):
            self.journal.write(Event.LOGOUT, user=person.number)

    def unlock(self, locked_for: Person, number_text: str, pin: str) -> Person:
        """The same user or a shift lead may unlock a locked till."""
        person = self._check(number_text, pin)
        allowed = person is not None and (
            person.number == locked_for.number or person.is_shift_lead
        )
        with db.atomic("IMMEDIATE"):
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
            with db.atomic("IMMEDIATE"):
                self.journal.write(
                    Event.LOGIN_FAILED, user=_safe_int(number_text), purpose="approval"
                )
            raise Refused(_("Approval needs a shift lead's number and PIN."))
        return person

    def list(self) -> list[Person]:
        return [Person(u.number, u.name, u.role) for u in User.select().order_by(User.number)]


def _safe_int(text: str) -> int | None:
    text = text.strip()
    # ASCII only: "²".isdigit() is true but int("²") fails, and "١" would read as user 1.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
