"""Why a discount is given: one of the shop's reasons, picked by its digit or the arrows."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from kassa_tui.core.i18n import _
from screens import styles


class ReasonDialog(ModalScreen[str | None]):
    """Pick why a discount is given (the reason is journaled and printed)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, reasons: tuple[str, ...]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=self.title_text, classes="dialog-title")
            yield OptionList(
                *[
                    Option(Text(f"{i}. {r}"), id=str(i - 1))
                    for i, r in enumerate(self.reasons, start=1)
                ]
            )
            yield Static(
                markup=False,
                content=_("Digit or arrows + Enter: choose · Esc: cancel"),
                classes="dialog-help",
            )

    def on_key(self, event: object) -> None:
        character = getattr(event, "character", None)
        if character and character.isdigit() and 1 <= int(character) <= len(self.reasons):
            self.dismiss(self.reasons[int(character) - 1])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
