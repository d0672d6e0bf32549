"""A shift lead's approval on the spot: number and PIN, while the cashier stays signed in."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kassa_tui.core.i18n import _
from screens import styles
from screens.widgets.pinfield import NumberAndPin


class ApprovalDialog(ModalScreen[tuple[str, str] | None]):
    """A shift lead's number and PIN, taken on the spot; the cashier stays signed in."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, reason: str) -> None:
        super().__init__(classes="dialog")
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Shift lead approval"), classes="dialog-title")
            yield Static(markup=False, content=self.reason)
            yield NumberAndPin(_("Shift lead number, then Enter"), id="approver-field")
            yield Static(
                markup=False,
                content=_("Number, Enter, PIN, Enter: approve · Esc: cancel"),
                classes="dialog-help",
            )

    def on_number_and_pin_entered(self, event: NumberAndPin.Entered) -> None:
        self.dismiss((event.number, event.pin))

    def action_cancel(self) -> None:
        self.dismiss(None)
