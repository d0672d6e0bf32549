"""Paying with a gift card or a credit note: scan the card, see what it holds, Enter.

Shift+F11 and the method's digit open it. The card's code first (scanned or typed; Enter shows
its balance and last day), then the amount (empty: as much as the card holds, up to what is
left to pay). A card that pays only part leaves the rest for cash or card; the balance stays
on the card. Unknown, expired and used-up cards are refused here, nothing changed.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from kassa_tui.config import Config
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.selling.gift_cards import Card, GiftCards, kind_name
from kassa_tui.selling.sales import Completed
from screens import styles
from screens.host import guarded, host


def is_card_method(config: Config, method: str) -> bool:
    """Does this payment method redeem gift cards or credit notes?"""
    found = config.accounting.payment_method(method)
    return found is not None and found.card_kind is not None


def card_text(card: Card) -> str:
    return _("{kind} {code}: {balance} left, valid to {day}.").format(
        kind=kind_name(card.kind),
        code=card.code,
        balance=format_kr(card.balance_ore),
        day=card.expires,
    )


class GiftCardPayDialog(ModalScreen[Completed | str | None]):
    """Dismisses with the completed sale, a message when part is left to pay, or None (Esc)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, method: str, amount_text: str = "") -> None:
        super().__init__(classes="dialog")
        self.method = method
        self.amount_text = amount_text
        self.code = ""

    def compose(self) -> ComposeResult:
        config = host(self).till.config
        found = config.accounting.payment_method(self.method)
        name = found.name if found else self.method
        with Vertical(classes="dialog-box payment-box"):
            yield Label(
                markup=False,
                content=_("{method} payment").format(method=name),
                id="gift-title",
                classes="dialog-title",
            )
            yield Static(markup=False, content="", id="gift-summary")
            yield Input(placeholder=_("Scan the card"), id="gift-code", max_length=30)
            yield Input(
                value=self.amount_text, id="gift-amount", max_length=12, restrict=r"[0-9,.]*"
            )
            yield Static(markup=False, content="", id="gift-message", classes="message")
            yield Static(
                markup=False,
                content=_("Card, Enter · amount (empty: all), Enter · Esc: back"),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        priced = host(self).till.baskets.current().priced
        self.query_one("#gift-summary", Static).update(
            _("To pay: {amount}").format(amount=format_kr(priced.remaining))
        )
        self.query_one("#gift-amount", Input).display = False
        self.query_one("#gift-code", Input).focus()

    def next_card(self) -> None:
        amount = self.query_one("#gift-amount", Input)
        amount.display = False
        amount.value = ""
        code = self.query_one("#gift-code", Input)
        code.value = ""
        code.focus()

    def show_error(self, message: str) -> None:
        self.query_one("#gift-message", Static).update(message)

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        app = host(self)
        if app.person is None:
            raise Refused(_("Sign in first."))
        if event.input.id == "gift-code":
            till = app.till
            card = GiftCards(till.db, till.config.register_id).look_up(event.value)
            self.code = card.code
            self.show_error("")
            self.query_one("#gift-summary", Static).update(card_text(card))
            amount = self.query_one("#gift-amount", Input)
            amount.display = True
            amount.placeholder = _("Amount (empty = as much as the card holds)")
            amount.focus()
            return
        try:
            result, card = app.till.sales.pay_gift_card(
                app.person, self.method, self.code, event.value
            )
        except Refused:
            if event.value.strip():  # a wrong amount: type it again
                raise
            self.next_card()  # the card itself was refused: scan another
            raise
        if result.completed is not None:
            self.dismiss(result.completed)
            return
        self.dismiss(
            _("{card} {left} is left to pay.").format(
                card=card_text(card), left=format_kr(result.remaining)
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class GiftCardLookupDialog(ModalScreen[None]):
    """Shift+F5: what a gift card or credit note holds and until when; changes nothing."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "close", show=False)]

    def __init__(self, code: str = "") -> None:
        super().__init__(classes="dialog")
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box payment-box"):
            yield Label(
                markup=False,
                content=_("Gift card balance"),
                id="gift-title",
                classes="dialog-title",
            )
            yield Input(value=self.code, placeholder=_("Scan the card"), id="gift-code")
            yield Static(markup=False, content="", id="gift-message", classes="message")
            yield Static(
                markup=False,
                content=_("Card, Enter: its balance · Esc: back"),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one("#gift-code", Input).focus()
        if self.code:
            self.look_up(self.code)

    def show_error(self, message: str) -> None:
        self.query_one("#gift-message", Static).update(message)

    @guarded
    def look_up(self, code: str) -> None:
        till = host(self).till
        card = GiftCards(till.db, till.config.register_id).look_up(code)
        today = till.clock.now().local_date
        text = card_text(card)
        if card.expired_on(today):
            text += " " + _("It has expired.")
        self.show_error(text)
        self.query_one("#gift-code", Input).value = ""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.look_up(event.value)

    def action_close(self) -> None:
        self.dismiss(None)
