"""The help (F1): every key of the sale screen, what it does and what to type first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from kassa_tui.core.i18n import _
from screens import styles


class HelpDialog(ModalScreen[None]):
    """The whole key map of the sale screen (F1)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape,f1,enter", "close", _("Close"))]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog")
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Label(markup=False, content=_("Keys"), classes="dialog-title")
            table: DataTable[str] = DataTable(cursor_type="none", zebra_stripes=True)
            table.add_columns(_("Key"), _("Does"), _("Type first"))
            for row in self.rows:
                table.add_row(*row)
            yield table
            yield Static(markup=False, content=_("Esc: close"), classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
