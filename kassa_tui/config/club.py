"""The [club] section of kassa.toml: the customer club's retention, member cards and offers.

`retention_months`: a member with no purchase for this long (and no purchase at all since
joining that long ago) is forgotten by `kassa customers prune` (a timer runs it nightly).
`card_prefix`: member cards' EAN-13 barcodes start with it (in the in-store GS1 range 20–29,
apart from the weight and price barcodes' prefixes and the gift cards' 29); scanning one on the
sale screen identifies the member. `offer_prefix`: the personal offers' barcodes.
`offer_percent` and `offer_valid_days`: the personal offer printed on a member's receipt.
"""

from __future__ import annotations

from dataclasses import dataclass

from kassa_tui.config.table import ConfigError, Table

#: GS1's in-store prefixes, less 29 (the gift cards' own, selling.gift_card_sales).
IN_STORE = tuple(f"2{d}" for d in range(9))


@dataclass(frozen=True)
class ClubSettings:
    retention_months: int = 24
    card_prefix: str = "270"
    offer_prefix: str = "271"
    offer_percent: int = 20
    offer_valid_days: int = 30


def parse_club(table: Table) -> ClubSettings:
    """`[club]`; every value checked, a wrong one named by its key."""
    months = table.get("retention_months", int, 24)
    if not 1 <= months <= 120:
        raise ConfigError(table.key("retention_months"), f"must be 1 to 120 months, not {months}")
    prefixes = {}
    for key, default in (("card_prefix", "270"), ("offer_prefix", "271")):
        prefix = table.get(key, str, default).strip()
        if not (prefix.isdigit() and 2 <= len(prefix) <= 6 and prefix[:2] in IN_STORE):
            raise ConfigError(
                table.key(key), f"must be 2 to 6 digits starting with 20 to 28, not {prefix!r}"
            )
        prefixes[key] = prefix
    card, offer = prefixes["card_prefix"], prefixes["offer_prefix"]
    if card.startswith(offer) or offer.startswith(card):
        raise ConfigError(table.key("offer_prefix"), "must not overlap card_prefix")
    percent = table.get("offer_percent", int, 20)
    if not 1 <= percent <= 90:
        raise ConfigError(table.key("offer_percent"), f"must be 1 to 90 %, not {percent}")
    days = table.get("offer_valid_days", int, 30)
    if not 1 <= days <= 366:
        raise ConfigError(table.key("offer_valid_days"), f"must be 1 to 366 days, not {days}")
    table.done()
    return ClubSettings(months, card, offer, percent, days)
