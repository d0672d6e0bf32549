"""Which part of the shop a stocktake counts: one product group, or everything."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from kassa_tui.core.i18n import _
from screens import styles


class ChooseSection(ModalScreen[str | None]):
    """Which part of the shop to count: a product group, or everything."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, groups: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("What do you count?"), classes="dialog-title")
            yield OptionList(
                Option(Text(_("The whole shop")), id="*"),
                *[Option(Text(f"{code}  {name}"), id=code) for code, name in self.groups],
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
