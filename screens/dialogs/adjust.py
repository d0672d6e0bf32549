"""A stock adjustment: a change of one product's stock, with its reason (waste, damage, theft,
own use, a count correction)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidQuantity, parse_quantity
from kassa_tui.people.person import Person
from kassa_tui.stock.levels import REASONS, check_direction
from screens import styles
from screens.dialogs.numbered import NumberedOptions
from screens.formatting import stock_qty
from screens.host import guarded, host


class AdjustDialog(ModalScreen[str | None]):
    """Waste, damage, theft, own use or a count correction: a change of stock with a reason."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, person: Person, product: ProductInfo) -> None:
        super().__init__(classes="dialog")
        self.person = person
        self.product = product

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(
                markup=False,
                content=_("Stock adjustment: {name}").format(name=self.product.name),
                classes="dialog-title",
            )
            yield Input(
                placeholder=_("Change, e.g. -2 or 5"),
                id="adjust-qty",
                max_length=12,
                restrict=r"[-+0-9,.]*",
            )
            yield NumberedOptions(*REASONS.items(), id="adjust-reason")
            yield Static(markup=False, content="", classes="message", id="adjust-message")
            yield Static(
                markup=False,
                content=_(
                    "Type the change (-2 lowers stock), Enter, then the reason's digit"
                    " · Esc: cancel"
                ),
                classes="dialog-help",
            )

    @on(Input.Submitted, "#adjust-qty")
    def to_reasons(self) -> None:
        self.query_one("#adjust-reason", OptionList).focus()

    def show_error(self, message: str) -> None:
        self.query_one("#adjust-message", Static).update(message)

    @on(OptionList.OptionSelected, "#adjust-reason")
    @guarded
    def chosen(self, event: OptionList.OptionSelected) -> None:
        text = self.query_one("#adjust-qty", Input).value.strip()
        negative = text.startswith("-")
        try:
            qty = parse_quantity(text.lstrip("+-"))
        except InvalidQuantity:
            self.query_one("#adjust-qty", Input).focus()
            raise Refused(_("{text} is not a quantity.").format(text=text or "?")) from None
        delta = -qty if negative else qty
        reason = event.option.id or ""
        try:
            check_direction(reason, delta)
        except Refused:
            self.query_one("#adjust-qty", Input).focus()
            raise
        host(self).till.stock.adjust(self.person, self.product.id, delta, reason)
        self.dismiss(
            _("Stock of {name} changed by {qty}.").format(
                name=self.product.name, qty=stock_qty(delta, self.product.unit)
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
