"""The [gift_cards] section of kassa.toml: how long a card holds and how much one may hold.

A gift card sold at the till (and a credit note a return refunds to) gets its last day when it
is issued: the day it is issued plus `valid_days` (`credit_note_valid_days` for a credit note).
Redeeming checks that day, so a card issued under one setting keeps the day it was given.
`max_amount` (whole kroner) is the most one gift card may be sold for.
"""

from __future__ import annotations

from dataclasses import dataclass

from kassa_tui.config.table import ConfigError, Table

#: Three years: the general limitation period (foreldelsesloven § 2).
DEFAULT_VALID_DAYS = 3 * 365
MAX_VALID_DAYS = 10 * 366


@dataclass(frozen=True)
class GiftCardSettings:
    valid_days: int = DEFAULT_VALID_DAYS
    credit_note_valid_days: int = DEFAULT_VALID_DAYS
    max_amount_ore: int = 10_000_00  # 10 000 kr

    def days_for(self, kind: str) -> int:
        return self.credit_note_valid_days if kind == "credit" else self.valid_days


def parse_gift_cards(table: Table) -> GiftCardSettings:
    """`[gift_cards]`; every value checked, a wrong one named by its key."""
    days = {}
    for key in ("valid_days", "credit_note_valid_days"):
        value = table.get(key, int, DEFAULT_VALID_DAYS)
        if not 1 <= value <= MAX_VALID_DAYS:
            raise ConfigError(table.key(key), f"must be 1 to {MAX_VALID_DAYS} days, not {value}")
        days[key] = value
    max_amount = table.get("max_amount", int, 10_000)
    if not 1 <= max_amount <= 1_000_000:
        raise ConfigError(table.key("max_amount"), f"must be 1 to 1000000 kr, not {max_amount}")
    table.done()
    return GiftCardSettings(days["valid_days"], days["credit_note_valid_days"], max_amount * 100)
