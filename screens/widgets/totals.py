"""The basket's totals: the sum, the VAT by rate, the discount, what is paid and the cash due."""

from __future__ import annotations

from textual.widgets import Static

from kassa_tui.catalog.pricing import Priced
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr, format_rate
from kassa_tui.selling.gift_card_sales import screen_vat_lines


class Totals(Static):
    """One label and amount a line, the amounts in a right-aligned column."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, content="", id=id)

    def show(self, priced: Priced) -> None:
        rows = [(_("Total"), format_kr(priced.total))]
        for vat in screen_vat_lines(priced):  # no VAT line for a gift card
            rows.append((_("VAT {rate}").format(rate=format_rate(vat.rate_bp)), format_kr(vat.vat)))
        if priced.discount:
            rows.append((_("Discount"), format_kr(-priced.discount)))
        rows.extend(campaign_rows(priced))
        if priced.payments:
            rows.append((_("Paid"), format_kr(priced.paid)))
        if priced.lines:
            rows.append((_("Cash to pay"), format_kr(priced.cash_due)))
        # As wide as the longest label and amount: a total is never cut, in any language.
        labels = max(16, *(len(label) for label, _amount in rows))
        amounts = max(12, *(len(amount) + 1 for _label, amount in rows))
        self.update("\n".join(f"{label:<{labels}}{amount:>{amounts}}" for label, amount in rows))


#: A campaign's name in the totals is cut here ("…"); more than MAX_CAMPAIGN_ROWS campaigns show
#: the first ones and one row for the rest, so the basket keeps its room at 80x24.
CAMPAIGN_NAME = 22
MAX_CAMPAIGN_ROWS = 3


def _short(name: str) -> str:
    return name if len(name) <= CAMPAIGN_NAME else name[: CAMPAIGN_NAME - 3] + "..."


def campaign_rows(priced: Priced) -> list[tuple[str, str]]:
    """Each campaign applied, by its name, with what it takes off (part of the discount)."""
    hits = list(priced.campaigns)
    shown = hits if len(hits) <= MAX_CAMPAIGN_ROWS else hits[: MAX_CAMPAIGN_ROWS - 1]
    rows = [("  " + _short(h.name), format_kr(-h.discount_ore)) for h in shown]
    rest = hits[len(shown) :]
    if rest:
        rows.append(
            (
                "  " + _("{n} more campaigns").format(n=len(rest)),
                format_kr(-sum(h.discount_ore for h in rest)),
            )
        )
    return rows
