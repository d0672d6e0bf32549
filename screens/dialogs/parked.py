"""The parked sales, to choose the one to resume."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from kassa_tui.core.i18n import N_, _, ngettext
from kassa_tui.core.money import format_kr
from kassa_tui.selling.basket import Parked
from screens import styles


class ParkedDialog(ModalScreen[str | None]):
    """Choose a parked sale to resume."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, parked: list[Parked]) -> None:
        super().__init__(classes="dialog")
        self.parked = parked

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Parked sales"), classes="dialog-title")
            yield OptionList(
                *[
                    Option(
                        Text(
                            ngettext(
                                "{time}  {lines} line  {total}  {name}",
                                "{time}  {lines} lines  {total}  {name}",
                                p.lines,
                            ).format(
                                time=p.parked_local,
                                lines=p.lines,
                                total=format_kr(p.total),
                                name=p.user_name,
                            )
                        ),
                        id=p.uuid,
                    )
                    for p in self.parked
                ]
            )
            yield Static(
                markup=False,
                content=_("Arrows + Enter: resume · Esc: cancel"),
                classes="dialog-help",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
