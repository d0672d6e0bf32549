"""An amount of cash for the drawer (the float, a pay-in, a pay-out), with a reason where the
law asks for one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidAmount, parse_amount
from screens import styles
from screens.host import guarded


class AmountDialog(ModalScreen[tuple[int, str] | None]):
    """An amount, and a reason where the law asks for one (pay-ins and pay-outs)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, with_reason: bool) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.with_reason = with_reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=self.title_text, classes="dialog-title")
            yield Input(
                placeholder=_("Amount, e.g. 1500"), id="amount", max_length=12, restrict=r"[0-9,.]*"
            )
            if self.with_reason:
                yield Input(placeholder=_("Reason"), id="reason", max_length=60)
            yield Static(markup=False, content="", classes="message", id="amount-message")
            hint = (
                _("Amount, Enter, reason, Enter · Esc: cancel")
                if self.with_reason
                else _("Amount, Enter · Esc: cancel")
            )
            yield Static(markup=False, content=hint, classes="dialog-help")

    def show_error(self, message: str) -> None:
        self.query_one("#amount-message", Static).update(message)

    @on(Input.Submitted)
    @guarded
    def submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "amount" and self.with_reason:
            self.query_one("#reason", Input).focus()
            return
        text = self.query_one("#amount", Input).value
        try:
            amount = parse_amount(text)
        except InvalidAmount:
            raise Refused(_("{text} is not an amount.").format(text=text or "?")) from None
        reason = self.query_one("#reason", Input).value.strip() if self.with_reason else ""
        if self.with_reason and not reason:
            raise Refused(_("Give a reason."))
        self.dismiss((amount, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
