"""A stretch of business days against the stretch before: the insight screens' sales figures.

Shared by the till's figures (kassa_tui.insight.figures, from its SQLite) and the head
office's (kassa_tui.hq.insight, from PostgreSQL): the same words, the same arithmetic, whoever
counted the rows. Money is integer øre.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """One stretch of business days: net revenue incl. VAT, receipts, returns, items."""

    first: str
    last: str
    revenue_ore: int
    receipts: int
    returns: int
    items: int
    history_ore: int = 0  # of revenue_ore: a till's imported history's (it has no receipts)

    @property
    def average_basket_ore(self) -> int:
        own = self.revenue_ore - self.history_ore
        return round(own / self.receipts) if self.receipts else 0

    @property
    def items_per_basket(self) -> float:
        return self.items / self.receipts if self.receipts else 0.0


@dataclass(frozen=True)
class Comparison:
    name: str  # today, week, month
    now: Period
    before: Period

    @property
    def change_pct(self) -> float | None:
        if not self.before.revenue_ore:
            return None
        return 100.0 * (self.now.revenue_ore - self.before.revenue_ore) / self.before.revenue_ore


@dataclass(frozen=True)
class Day:
    date: str
    revenue_ore: int
    average7_ore: int  # the mean of this day and the six before
    receipts: int = 0
