"""The cash count: the drawer counted by Norwegian notes and coins, the sums as you type.

One row per note or coin: its value (a label that stays), the pieces typed, and what they come
to; under them the total counted, what the till expects and the difference. The first field has
the focus, so the count starts with the first digit typed.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.selling.cash import NOTES_AND_COINS
from screens import styles
from screens.widgets.keybar import plain


class CashCountDialog(ModalScreen[dict[int, int] | None]):
    """Count the drawer by Norwegian notes and coins; the sums show as you type.

    `expected_ore`: the cash the till expects in the drawer, for the difference as you type
    (None: the difference is not shown).
    """

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("f10,ctrl+k", "done", show=False, priority=True),
        Binding("down", "app.focus_next", show=False),
        Binding("up", "app.focus_previous", show=False),
    ]

    def __init__(self, expected_ore: int | None = None) -> None:
        super().__init__(classes="dialog")
        self.expected_ore = expected_ore

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="count-box"):
            yield Label(markup=False, content=_("Count the drawer"), classes="dialog-title")
            for value in NOTES_AND_COINS:
                with Horizontal(classes="count-row"):
                    yield Label(
                        markup=False,
                        content=_("{value} kr").format(value=value // 100),
                        classes="count-value",
                    )
                    yield Label(markup=False, content=self.shown("×"), classes="count-times")
                    yield Input(
                        id=f"piece-{value}",
                        max_length=5,
                        restrict=r"\d*",
                    )
                    yield Static(markup=False, content="", id=f"sum-{value}", classes="count-sum")
            yield Static(markup=False, content="", id="count-total")
            yield Static(markup=False, content="", id="count-difference")
            yield Static(
                markup=False,
                content=self.shown(_("Enter/↓: next · ↑: back · F10: done · Esc: cancel")),
                classes="dialog-help",
            )

    def shown(self, text: str) -> str:
        """`text` as the screen can draw it: ASCII on the Linux console (no arrows there)."""
        return plain(text) if getattr(self.app, "plain_console", False) else text

    def on_mount(self) -> None:
        self.query_one(f"#piece-{NOTES_AND_COINS[0]}", Input).focus()
        self.query_one("#count-difference", Static).display = self.expected_ore is not None
        self.total()

    def pieces(self) -> dict[int, int]:
        found: dict[int, int] = {}
        for value in NOTES_AND_COINS:
            text = self.query_one(f"#piece-{value}", Input).value
            if text:
                found[value] = int(text)
        return found

    @on(Input.Changed)
    def total(self) -> None:
        pieces = self.pieces()
        for value in NOTES_AND_COINS:
            n = pieces.get(value)
            self.query_one(f"#sum-{value}", Static).update(
                "" if n is None else format_kr(value * n)
            )
        total = sum(value * n for value, n in pieces.items())
        self.query_one("#count-total", Static).update(
            _("Counted: {total}").format(total=format_kr(total))
        )
        if self.expected_ore is not None:
            self.query_one("#count-difference", Static).update(
                self.shown(_("Expected: {expected} · difference: {diff}")).format(
                    expected=format_kr(self.expected_ore),
                    diff=format_kr(total - self.expected_ore),
                )
            )

    @on(Input.Submitted)
    def next_field(self) -> None:
        self.focus_next()

    def action_done(self) -> None:
        self.dismiss(self.pieces())

    def action_cancel(self) -> None:
        self.dismiss(None)
