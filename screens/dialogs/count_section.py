"""Which part of the shop a stocktake counts: one product group, or everything."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from kassa_tui.core.i18n import _
from screens import styles


class ChooseSection(ModalScreen[str | None]):
    """Which part of the shop to count: a product group, or everything.

    As in every dialog with choices, typing picks: the digits of a group's code go to that
    group (Enter counts it), as the arrows do.
    """

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, groups: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.groups = groups
        self.typed = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("What do you count?"), classes="dialog-title")
            yield OptionList(
                Option(Text(_("The whole shop")), id="*"),
                *[Option(Text(f"{code}  {name}"), id=code) for code, name in self.groups],
            )
            yield Static(
                markup=False,
                content=_("Group number or arrows, Enter: count · Esc: cancel"),
                classes="dialog-help",
            )

    def on_key(self, event: events.Key) -> None:
        if not (event.character and event.character.isdigit()):
            return
        event.stop()
        codes = [code for code, _name in self.groups]
        self.typed += event.character
        if not any(code.startswith(self.typed) for code in codes):
            self.typed = event.character  # a new number starts
        match = next((n for n, code in enumerate(codes) if code.startswith(self.typed)), None)
        if match is None:
            self.typed = ""
            self.app.bell()
            return
        self.query_one(OptionList).highlighted = match + 1  # after "the whole shop"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
