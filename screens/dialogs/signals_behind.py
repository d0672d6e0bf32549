"""The transactions behind a cashier's fraud signals, one key (Enter) from the signals screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kassa_tui.core.i18n import _
from screens import styles
from screens.widgets.keybar import plain


class Behind(ModalScreen[None]):
    """One cashier's figures and the transactions behind each (Esc or Enter closes)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape,enter", "close", show=False)]

    def __init__(self, text: str) -> None:
        super().__init__(classes="dialog")
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            with VerticalScroll():
                yield Static(markup=False, content=self.shown(self.text), id="signals-behind")
            yield Static(markup=False, content=_("Esc: close"), classes="dialog-help")

    def shown(self, text: str) -> str:
        """`text` as the screen can draw it: ASCII on the Linux console."""
        return plain(text) if getattr(self.app, "plain_console", False) else text

    def action_close(self) -> None:
        self.dismiss(None)
