"""The screen of a register signed out for good (`kassa register retire`): it says so, and
nothing else happens (no start, no sign-in journaled; kassa_tui.records.retirement)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from kassa_tui.core.i18n import _
from screens import styles
from screens.host import host


class RetiredScreen(Screen[None]):
    """Shown instead of sign-in on a retired register; Ctrl+Q quits."""

    CSS_PATH = styles.SIGNIN

    def __init__(self, text: str) -> None:
        super().__init__(id="signin-screen")
        self.text = text

    def compose(self) -> ComposeResult:
        config = host(self).till.config
        with Center(), Vertical(id="signin-box"):
            yield Label(markup=False, content=config.shop_name, id="signin-shop")
            yield Label(
                markup=False, content=_("Register {register}").format(register=config.register_id)
            )
            yield Static(markup=False, content=self.text, id="signin-message")
            yield Static(markup=False, content=_("^Q: quit"), classes="dialog-help")

    def help_rows(self) -> list[tuple[str, str, str]]:
        return [("^Q", _("Quit kassa"), "")]
