"""The [sale] section of kassa.toml: the counter's own rules (issue 14).

Voiding a whole sale before payment (annullering): which reasons a cashier picks from, and
above which total a shift lead must approve it. Beer hours: when beer (alcohol at most 4,7 %)
may be sold. The municipality sets them (alkoholloven § 3-7: at most 08–20 on weekdays, 08–18
on Saturdays and the day before a public holiday, never on Sundays and public holidays), so
the hours and extra days without beer sales are settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from kassa_tui.config.table import ConfigError, Table

DEFAULT_VOID_REASONS = ("Kunden ombestemte seg", "Feil registrering", "Kunden kunne ikke betale")
#: The highest `[sale] void_approval_above` (kr): a threshold above this is a typo.
MAX_VOID_APPROVAL_KR = 1_000_000
_HOURS = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")


@dataclass(frozen=True)
class BeerHours:
    """When beer may be sold, in minutes after local midnight (start, end); None: never."""

    weekdays: tuple[int, int] | None = (8 * 60, 20 * 60)
    #: Saturdays and the day before a public holiday (or an extra holiday).
    saturdays: tuple[int, int] | None = (8 * 60, 18 * 60)
    #: Norway's public holidays (python-holidays) are days without beer sales, like Sundays.
    public_holidays: bool = True
    #: The municipality's or shop's own days without beer sales.
    extra_holidays: tuple[date, ...] = ()


@dataclass(frozen=True)
class SaleRules:
    """`[sale]`: a void above `void_approval_above_ore` needs a shift lead (0: every void)."""

    void_approval_above_ore: int = 50_000
    void_reasons: tuple[str, ...] = DEFAULT_VOID_REASONS
    beer: BeerHours = field(default_factory=BeerHours)


def parse_sale_rules(table: Table) -> SaleRules:
    """Read and check `[sale]`; every bad value names its key."""
    above = table.get("void_approval_above", int, 500)
    if not 0 <= above <= MAX_VOID_APPROVAL_KR:
        raise ConfigError(
            table.key("void_approval_above"),
            f"must be between 0 and {MAX_VOID_APPROVAL_KR} (kr), not {above}",
        )
    reasons = table.get("void_reasons", list, list(DEFAULT_VOID_REASONS))
    if not reasons or not all(isinstance(r, str) and r.strip() for r in reasons):
        raise ConfigError(table.key("void_reasons"), "must be a non-empty list of text")
    beer = BeerHours(
        weekdays=_hours(table, "beer_weekdays", "08:00-20:00"),
        saturdays=_hours(table, "beer_saturdays", "08:00-18:00"),
        public_holidays=table.get("beer_public_holidays", bool, True),
        extra_holidays=_days(table, "beer_extra_holidays"),
    )
    table.done()
    return SaleRules(above * 100, tuple(r.strip() for r in reasons), beer)


def _hours(table: Table, key: str, default: str) -> tuple[int, int] | None:
    """'08:00-20:00' → (480, 1200); '' → None (no beer sales on those days)."""
    text = table.get(key, str, default).strip()
    if not text:
        return None
    found = _HOURS.fullmatch(text.replace(" ", ""))
    if found:
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60 and start < end <= 24 * 60:
            return start, end
    raise ConfigError(table.key(key), f"must be like '08:00-20:00' (or '' for none), not {text!r}")


def _days(table: Table, key: str) -> tuple[date, ...]:
    """['2026-06-23'] → dates; each must be a date written YYYY-MM-DD."""
    values = table.get(key, list, [])
    days = []
    for value in values:
        try:
            days.append(date.fromisoformat(value) if isinstance(value, str) else value)
        except ValueError:
            raise ConfigError(table.key(key), f"{value!r} is not a date (YYYY-MM-DD)") from None
        if not isinstance(days[-1], date):
            raise ConfigError(table.key(key), f"{value!r} is not a date (YYYY-MM-DD)")
    return tuple(days)
