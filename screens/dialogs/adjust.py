"""A stock adjustment: a change of one product's stock, with its reason (waste, damage, theft,
own use, a count correction).

The change and the reason are typed into one field that keeps the focus: "-2", Enter, then the
reason's digit. With a list to move the focus to, the digit typed right after Enter could still
land in the change (keys reach the widgets through separate queues); one field cannot race.
Every check that needs no PIN comes first: a cashier is asked for a shift lead's approval only
for a change that would be accepted.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidQuantity, parse_quantity
from kassa_tui.people.person import Person
from kassa_tui.stock.levels import REASONS, check_direction
from screens import styles
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.numbered import NumberedOptions
from screens.formatting import stock_qty
from screens.host import guarded, host


class ChangeAndReason(Input):
    """The change, Enter, then the reason: a digit picks it, arrows and Enter choose one."""

    class Entered(Message):
        """Enter after the change."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Reason(Message):
        """A reason's number, or None for the highlighted one (Enter)."""

        def __init__(self, number: int | None) -> None:
            super().__init__()
            self.number = number

    class Step(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    choosing = False  # after Enter: keys pick the reason

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self.choosing:
                self.post_message(self.Reason(None))
            else:
                self.choosing = True
                self.post_message(self.Entered(self.value))
            return
        if self.choosing:
            if event.character is not None and event.character.isdigit():
                event.stop()
                event.prevent_default()
                self.post_message(self.Reason(int(event.character)))
                return
            if event.key in ("up", "down"):
                event.stop()
                event.prevent_default()
                self.post_message(self.Step(-1 if event.key == "up" else 1))
                return
            if event.key != "escape":
                self.choosing = False  # typing again changes the change
        await super()._on_key(event)


class AdjustDialog(ModalScreen[str | None]):
    """Waste, damage, theft, own use or a count correction: a change of stock with a reason.

    `person` is the signed-in user when allowed to change stock; None asks a shift lead to
    approve once the change and the reason are known to hold.
    """

    CSS_PATH = styles.DIALOGS
    AUTO_FOCUS = "#adjust-qty"
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, person: Person | None, product: ProductInfo) -> None:
        super().__init__(classes="dialog")
        self.person = person
        self.product = product
        self.delta: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(
                markup=False,
                content=_("Stock adjustment: {name}").format(name=self.product.name),
                classes="dialog-title",
            )
            yield ChangeAndReason(
                placeholder=_("Change, e.g. -2 or 5"),
                id="adjust-qty",
                max_length=12,
                restrict=r"[-+0-9,.]*",
            )
            reasons = NumberedOptions(*REASONS.items(), id="adjust-reason")
            reasons.can_focus = False  # the field keeps the focus; its keys pick the reason
            yield reasons
            yield Static(markup=False, content="", classes="message", id="adjust-message")
            yield Static(
                markup=False,
                content=_(
                    "Type the change (-2 lowers stock), Enter, then the reason's digit"
                    " · Esc: cancel"
                ),
                classes="dialog-help",
            )

    def show_error(self, message: str) -> None:
        self.query_one("#adjust-message", Static).update(message)
        self.query_one(ChangeAndReason).choosing = False
        self.delta = None

    @on(ChangeAndReason.Entered)
    @guarded
    def change_entered(self, event: ChangeAndReason.Entered) -> None:
        text = event.text.strip()
        try:
            qty = parse_quantity(text.lstrip("+-"))
        except InvalidQuantity:
            raise Refused(_("{text} is not a quantity.").format(text=text or "?")) from None
        self.delta = -qty if text.startswith("-") else qty
        self.query_one("#adjust-message", Static).update("")
        # Only a count correction raises stock: offer it first for a rise.
        codes = list(REASONS)
        self.query_one("#adjust-reason", OptionList).highlighted = (
            codes.index("count") if self.delta > 0 else 0
        )

    @on(ChangeAndReason.Step)
    def step(self, event: ChangeAndReason.Step) -> None:
        reasons = self.query_one("#adjust-reason", OptionList)
        current = reasons.highlighted or 0
        reasons.highlighted = max(0, min(reasons.option_count - 1, current + event.step))

    @on(ChangeAndReason.Reason)
    def reason_typed(self, event: ChangeAndReason.Reason) -> None:
        reasons = self.query_one("#adjust-reason", OptionList)
        index = reasons.highlighted if event.number is None else event.number - 1
        if self.delta is None or index is None or not 0 <= index < reasons.option_count:
            self.app.bell()
            return
        self.chosen(list(REASONS)[index])

    @on(OptionList.OptionSelected, "#adjust-reason")
    def clicked(self, event: OptionList.OptionSelected) -> None:
        if self.delta is not None:
            self.chosen(event.option.id or "")

    @guarded
    def chosen(self, reason: str) -> None:
        delta = self.delta
        if delta is None:
            return
        check_direction(reason, delta)  # before anyone is asked for a PIN
        if self.person is not None:
            self.apply(self.person, reason, delta)
            return
        users = host(self).till.users

        def act(number: str, pin: str) -> None:
            # Runs in the approval dialog: a refusal keeps it open to try again.
            self.adjust(users.approver(number, pin), reason, delta)

        def approved(approval: tuple[str, str] | None) -> None:
            if approval is not None:
                self.dismiss(self.done(delta))

        self.app.push_screen(
            ApprovalDialog(
                _("Stock adjustment: {name}").format(name=self.product.name),
                [f"{stock_qty(delta, self.product.unit)}  {REASONS[reason]}"],
                act=act,
            ),
            approved,
        )

    def apply(self, person: Person, reason: str, delta: int) -> None:
        self.adjust(person, reason, delta)
        self.dismiss(self.done(delta))

    def adjust(self, person: Person, reason: str, delta: int) -> None:
        host(self).till.stock.adjust(person, self.product.id, delta, reason)

    def done(self, delta: int) -> str:
        return _("Stock of {name} changed by {qty}.").format(
            name=self.product.name, qty=stock_qty(delta, self.product.unit)
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
