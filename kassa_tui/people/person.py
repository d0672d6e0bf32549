"""Who is at the till: a signed-in user as every service sees it, and the roles there are."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("cashier", "shift_lead", "technician")
SELLING_ROLES = ("cashier", "shift_lead")


@dataclass(frozen=True)
class Person:
    number: int
    name: str
    role: str

    @property
    def is_shift_lead(self) -> bool:
        return self.role == "shift_lead"
