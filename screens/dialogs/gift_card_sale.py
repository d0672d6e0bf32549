"""Selling a gift card: Shift+F5, 1, the card scanned (or Enter: kassa makes a code, printed on
the receipt as a barcode), the amount, Enter. A line «Gavekort» joins the basket; the card is
issued only when the sale is paid. Shift+F5, 2 shows what a card holds. A code typed (scanned)
before Shift+F5 goes to the choice made: 1 sells that card, 2 shows its balance.
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
from kassa_tui.core.i18n import N_, _
from kassa_tui.core.money import format_kr
from kassa_tui.selling import gift_card_sales
from kassa_tui.selling.gift_cards import normalise
from kassa_tui.selling.returns import ReturnDone
from screens import styles
from screens.dialogs.gift_card import GiftCardLookupDialog
from screens.dialogs.reason import ReasonDialog
from screens.host import guarded, host

SELL, LOOK_UP = N_("Sell a gift card"), N_("Gift card balance")


def choose_gift_card(
    screen: Screen[Any], then: Callable[[str | None], None], code: str = ""
) -> None:
    """Shift+F5: 1 sells a card, 2 looks one up; a code typed before the key goes to the one
    chosen (sold: the code filled in; looked up: its balance at once). `then` gets the message
    of a card added to the basket (None when nothing was added)."""
    names = (_(SELL), _(LOOK_UP))

    def chosen(name: str | None) -> None:
        if name == names[0]:
            screen.app.push_screen(GiftCardSellDialog(code), then)
        elif name == names[1]:
            screen.app.push_screen(GiftCardLookupDialog(code))

    title = _("Gift card {code}").format(code=code) if code else _("Gift card")
    screen.app.push_screen(ReasonDialog(title, names), chosen)


class GiftCardSellDialog(ModalScreen[str | None]):
    """Dismisses with what the sale screen says once the line is in the basket, or None."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, code: str = "") -> None:
        super().__init__(classes="dialog")
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box payment-box"):
            yield Label(markup=False, content=_(SELL), id="gift-title", classes="dialog-title")
            yield Static(markup=False, content="", id="gift-summary")
            yield Input(
                value=self.code,
                placeholder=_("Scan the card (Enter: kassa makes a code)"),
                id="gift-code",
                max_length=30,
            )
            yield Input(id="gift-amount", max_length=12, restrict=r"[0-9,.]*")
            yield Static(markup=False, content="", id="gift-message", classes="message")
            yield Static(
                markup=False,
                content=_("Card, Enter · amount, Enter · Esc: back"),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        most = host(self).till.config.gift_cards.max_amount_ore
        self.query_one("#gift-summary", Static).update(
            _("Not a sale and no VAT: at most {most}.").format(most=format_kr(most))
        )
        self.query_one("#gift-amount", Input).display = False
        self.query_one("#gift-code", Input).focus()

    def show_error(self, message: str) -> None:
        self.query_one("#gift-message", Static).update(message)

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        app = host(self)
        if app.person is None:
            raise Refused(_("Sign in first."))
        if event.input.id == "gift-code":
            self.code = event.value.strip()
            if self.code:
                self.code = normalise(self.code)
                card = _("Gift card {code}").format(code=self.code)
            else:
                card = _("Gift card with a code kassa makes")
            self.show_error("")
            self.query_one("#gift-summary", Static).update(card)
            amount = self.query_one("#gift-amount", Input)
            amount.display = True
            amount.placeholder = _("Amount")
            amount.focus()
            return
        till = app.till
        line = gift_card_sales.sell(
            till.baskets, app.person, self.code, event.value, training=till.sales.training
        )
        self.dismiss(
            _("Gift card {code} for {amount}: issued when the sale is paid.").format(
                code=line.code, amount=format_kr(line.unit_price_ore)
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- a return refunded to a new credit note (F7 in the return dialogs) -----------------------


def credit_note_method(screen: Screen[Any]) -> str:
    """The [[payment]] method credit notes are refunded by; refused when there is none."""
    method = gift_card_sales.credit_method(host(screen).till.config)
    if method is None:
        raise Refused(
            _("This till takes no credit notes: kassa.toml has no [[payment]] with 12010.")
        )
    return method


def credit_note_chosen(on: bool) -> str:
    """What the return dialog says after F7."""
    if on:
        return _("Refund to a new credit note (F7 again: as it was paid).")
    return _("Refund as it was paid.")


def credit_note_message(screen: Screen[Any], done: ReturnDone) -> str:
    """What the cashier is told once the return is written: the credit note printed."""
    till = host(screen).till
    card = gift_card_sales.credit_note_of(till.db, done.sale_id)
    if card is None:
        return ""
    return _("Return receipt {nr}: credit note {code} for {amount}, valid to {day}.").format(
        nr=done.receipt_nr,
        code=card.code,
        amount=format_kr(card.balance_ore),
        day=f"{card.expires[8:10]}.{card.expires[5:7]}.{card.expires[:4]}",
    )
