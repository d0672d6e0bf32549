"""Why a discount is given: one of the shop's reasons, picked by its digit or the arrows."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static

from kassa_tui.core.i18n import N_, _
from screens import styles
from screens.dialogs.numbered import NumberedOptions


class ReasonDialog(ModalScreen[str | None]):
    """Pick why a discount is given (the reason is journaled and printed)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, reasons: tuple[str, ...]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=self.title_text, classes="dialog-title")
            yield NumberedOptions(*[(str(i), r) for i, r in enumerate(self.reasons)])
            yield Static(
                markup=False,
                content=_("Digit or arrows + Enter: choose · Esc: cancel"),
                classes="dialog-help",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[int(event.option.id or 0)])

    def on_key(self, event: events.Key) -> None:
        if self.query_one(NumberedOptions).pick(event):
            event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)
