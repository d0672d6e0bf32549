"""A shift lead's approval on the spot: number and PIN, while the cashier stays signed in.

The dialog shows what is being approved (the caller's summary: amount, lines, reason) and
checks the number and PIN before it closes: a wrong PIN says so and the shift lead types again;
a cashier typing her own number is told that she cannot approve herself. The service the
approval is for checks the number and PIN again (a screen cannot skip the rule), unless the
caller hands the dialog that very action (`act`), which then runs once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import N_, _
from screens import styles
from screens.host import guarded, host, show_message
from screens.widgets.pinfield import NumberAndPin

#: The caller's action, run with the approver's number and PIN; raises Refused to stay open.
Act = Callable[[str, str], None]


class ApprovalDialog(ModalScreen[tuple[str, str] | None]):
    """A shift lead's number and PIN, taken on the spot; the cashier stays signed in."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, reason: str, summary: Sequence[str] = (), *, act: Act | None = None) -> None:
        super().__init__(classes="dialog")
        self.reason = reason
        self.summary = tuple(summary)
        self.act = act

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Shift lead approval"), classes="dialog-title")
            yield Static(markup=False, content=self.reason, id="approval-reason")
            if self.summary:
                yield Static(markup=False, content="\n".join(self.summary), id="approval-summary")
            yield NumberAndPin(_("Shift lead number, then Enter"), id="approver-field")
            yield Static(markup=False, content="", classes="message", id="approval-message")
            yield Static(
                markup=False,
                content=_("Number, Enter, PIN, Enter: approve · Esc: cancel"),
                classes="dialog-help",
            )

    def show_error(self, message: str) -> None:
        show_message(self, "#approval-message", message, error=True)
        self.query_one("#approver-field", NumberAndPin).focus()

    def on_number_and_pin_entered(self, event: NumberAndPin.Entered) -> None:
        self.approve(event.number, event.pin)

    @guarded
    def approve(self, number: str, pin: str) -> None:
        """Close only on an approval that holds; otherwise say why and wait for another try."""
        signed_in = host(self).person
        if (
            signed_in is not None
            and not signed_in.is_shift_lead
            and number.strip().lstrip("0") == str(signed_in.number)
        ):
            raise Refused(
                _("You cannot approve your own request: a shift lead types their number and PIN.")
            )
        if self.act is not None:
            self.act(number, pin)
        else:
            host(self).till.users.approver(number, pin)
        self.dismiss((number, pin))

    def action_cancel(self) -> None:
        self.dismiss(None)
