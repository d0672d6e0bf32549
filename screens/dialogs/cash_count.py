"""The cash count: the drawer counted by Norwegian notes and coins, the total as you type."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.selling.cash import NOTES_AND_COINS
from screens import styles


class CashCountDialog(ModalScreen[dict[int, int] | None]):
    """Count the drawer by Norwegian notes and coins; the total shows as you type."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("f10,ctrl+k", "done", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box form-box", id="count-box"):
            yield Label(markup=False, content=_("Count the drawer"), classes="dialog-title")
            for value in NOTES_AND_COINS:
                yield Input(
                    placeholder=_("{value} kr: pieces").format(value=value // 100),
                    id=f"piece-{value}",
                    max_length=5,
                    restrict=r"\d*",
                )
            yield Static(markup=False, content="", id="count-total")
            yield Static(
                markup=False,
                content=_("Enter: next · F10: done · Esc: cancel"),
                classes="dialog-help",
            )

    def pieces(self) -> dict[int, int]:
        found: dict[int, int] = {}
        for value in NOTES_AND_COINS:
            text = self.query_one(f"#piece-{value}", Input).value
            if text:
                found[value] = int(text)
        return found

    @on(Input.Changed)
    def total(self) -> None:
        total = sum(value * n for value, n in self.pieces().items())
        self.query_one("#count-total", Static).update(
            _("Counted: {total}").format(total=format_kr(total))
        )

    @on(Input.Submitted)
    def next_field(self) -> None:
        self.focus_next()

    def action_done(self) -> None:
        self.dismiss(self.pieces())

    def action_cancel(self) -> None:
        self.dismiss(None)
