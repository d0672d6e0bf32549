"""The payment dialog: cash with change and øreavrunding, card on a standalone terminal, split.

Every payment is committed by the sale service before the dialog shows it. Esc goes back to the
basket; payments already taken stay on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.selling import pant
from kassa_tui.selling.payment_methods import other_methods
from kassa_tui.selling.sales import Completed
from screens import styles
from screens.dialogs.reason import ReasonDialog
from screens.host import guarded, host

METHODS = ("cash", "card")


def method_name(method: str, names: dict[str, str] | None = None) -> str:
    """Cash and card in the screen's language; Vipps and the others by their [[payment]] name."""
    if method in ("cash", "card") or names is None:
        return _("Cash") if method == "cash" else _("Card")
    return names.get(method, method)


def paid_message(completed: Completed) -> str:
    """What the sale screen says once the sale is paid: the receipt, its total, the change."""
    total = format_kr(completed.total)
    parts = [_("Receipt {nr}: {total}.").format(nr=completed.receipt_nr, total=total)]
    if completed.cash and completed.total < 0:  # bottle-return slips
        parts.append(pant.paid_out_message(completed.total))
    elif completed.cash:
        parts.append(_("CHANGE {change}").format(change=format_kr(completed.change)))
    return "  ".join(parts)


class PaymentDialog(ModalScreen[Completed | None]):
    """Take payment for the open basket; dismisses with the completed sale, or None on Esc."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("f10,ctrl+k", "method('cash')", show=False, priority=True),
        Binding("f11,ctrl+b", "method('card')", show=False, priority=True),
    ]

    def __init__(self, method: str, amount_text: str = "") -> None:
        super().__init__(classes="dialog")
        self.method = method
        self.amount_text = amount_text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box payment-box"):
            yield Label(markup=False, content="", id="payment-title", classes="dialog-title")
            yield Static(markup=False, content="", id="payment-summary")
            yield Input(
                value=self.amount_text, id="payment-amount", max_length=12, restrict=r"[0-9,.]*"
            )
            yield Static(markup=False, content="", id="payment-message", classes="message")
            yield Static(markup=False, content="", id="payment-help", classes="dialog-help")

    def on_mount(self) -> None:
        self.refresh_summary()
        self.query_one("#payment-amount", Input).focus()

    def refresh_summary(self) -> None:
        till = host(self).till
        priced = till.baskets.current().priced
        names = {m.key: m.name for m in till.config.payment_methods}
        title = _("Cash payment") if self.method == "cash" else _("Card payment (terminal)")
        if self.method not in ("cash", "card"):
            title = _("{method} payment").format(method=method_name(self.method, names))
        self.query_one("#payment-title", Label).update(title)
        rows = [(_("Total"), format_kr(priced.total))]
        for payment in priced.payments:
            rows.append(
                (
                    _("Paid {method}").format(method=method_name(payment.method, names)),
                    format_kr(payment.amount_ore),
                )
            )
        if self.method == "cash":
            if priced.rounding_if_cash:
                rows.append((_("Cash rounding"), format_kr(priced.rounding_if_cash)))
            if priced.cash_due < 0:  # bottle-return slips: the pant is paid out
                rows.append((_("Pant to pay out"), format_kr(-priced.cash_due)))
            else:
                rows.append((_("To pay in cash"), format_kr(priced.cash_due)))
        else:
            rows.append((_("To pay"), format_kr(priced.remaining)))
        width = max(len(label) for label, _amount in rows) + 14
        self.query_one("#payment-summary", Static).update(
            "\n".join(f"{label:<{width - 12}}{amount:>12}" for label, amount in rows)
        )
        amount_input = self.query_one("#payment-amount", Input)
        if self.method == "cash":
            amount_input.placeholder = _("Tendered (empty = exact {amount})").format(
                amount=format_kr(priced.cash_due)
            )
            help_text = _("Enter: take cash · F11: card instead · Esc: back to the basket")
            if priced.cash_due < 0:
                amount_input.placeholder = _("Empty: pay out {amount} in cash").format(
                    amount=format_kr(-priced.cash_due)
                )
        else:
            amount_input.placeholder = _("Amount (empty = {amount})").format(
                amount=format_kr(priced.remaining)
            )
            help_text = _("Enter when the terminal has APPROVED the amount · F10: cash · Esc: back")
            if self.method != "card":
                help_text = _("Enter when {method} has APPROVED the amount · F10: cash · Esc: back")
                help_text = help_text.format(method=method_name(self.method, names))
        self.query_one("#payment-help", Static).update(help_text)

    def show_error(self, message: str) -> None:
        self.query_one("#payment-message", Static).update(message)

    def action_method(self, method: str) -> None:
        self.method = method
        self.show_error("")
        self.refresh_summary()

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        app = host(self)
        if app.person is None:
            raise Refused(_("Sign in first."))
        sales = app.till.sales
        if self.method == "cash":
            result = sales.pay_cash(app.person, event.value)
        else:
            result = sales.pay_card(app.person, event.value, self.method)
        if result.completed is not None:
            self.dismiss(result.completed)
            return
        event.input.value = ""
        self.show_error(_("Paid. {left} left.").format(left=format_kr(result.remaining)))
        self.refresh_summary()

    def action_cancel(self) -> None:
        self.dismiss(None)


def choose_other_method(screen: Screen[Any], then: Callable[[str], None]) -> None:
    """Shift+F11: Vipps and the shop's other [[payment]] methods, one digit each; `then` gets
    the chosen method's key (nothing happens on Esc)."""
    methods = other_methods(host(screen).till.config)
    if not methods:
        raise Refused(_("No payment methods besides cash and card are set up in kassa.toml."))
    names = tuple(m.name for m in methods)

    def chosen(name: str | None) -> None:
        if name is not None:
            then(methods[names.index(name)].key)

    screen.app.push_screen(ReasonDialog(_("Pay with"), names), chosen)
