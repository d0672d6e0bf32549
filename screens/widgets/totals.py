"""The basket's totals: the sum, the VAT by rate, the discount, what is paid and the cash due."""

from __future__ import annotations

from textual.widgets import Static

from kassa_tui.catalog.pricing import Priced
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr, format_rate


class Totals(Static):
    """One label and amount a line, the amounts in a right-aligned column."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, content="", id=id)

    def show(self, priced: Priced) -> None:
        rows = [(_("Total"), format_kr(priced.total))]
        for vat in priced.vat_lines:
            rows.append((_("VAT {rate}").format(rate=format_rate(vat.rate_bp)), format_kr(vat.vat)))
        if priced.discount:
            rows.append((_("Discount"), format_kr(-priced.discount)))
        if priced.payments:
            rows.append((_("Paid"), format_kr(priced.paid)))
        if priced.lines:
            rows.append((_("Cash to pay"), format_kr(priced.cash_due)))
        # As wide as the longest label and amount: a total is never cut, in any language.
        labels = max(16, *(len(label) for label, _amount in rows))
        amounts = max(12, *(len(amount) + 1 for _label, amount in rows))
        self.update("\n".join(f"{label:<{labels}}{amount:>{amounts}}" for label, amount in rows))
