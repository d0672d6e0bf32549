"""A quantity far above the usual is asked about once before it is used (issue 13, 6): '123',
a forgotten Esc and '3*' once sold 1 233 items at the next scan. `ui.confirm_quantity_above`
sets where "far above" starts."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App

from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE, format_quantity
from screens.dialogs.confirm import ConfirmDialog


def confirm_quantity(
    app: App[object], limit: int, qty: int, then: Callable[[int | None], None]
) -> None:
    """`then(qty)` at once when `qty` (thousandths) is at most `limit` items or kg; otherwise
    after the cashier says yes, or `then(None)` after no."""
    if qty <= limit * QTY_ONE:
        then(qty)
        return
    shown = format_quantity(qty)

    def answered(yes: bool | None) -> None:
        then(qty if yes else None)

    question = _("{qty} is more than {limit}. Is the quantity right?").format(
        qty=shown, limit=format_quantity(limit * QTY_ONE)
    )
    app.push_screen(
        ConfirmDialog(_("Large quantity"), question, _("use {qty}").format(qty=shown)), answered
    )
