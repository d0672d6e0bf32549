"""The help (F1): every key of the screen underneath, what it does and what to type first.

The sale screen gives its own rows (`help_rows()`: what to type before each key); any other
screen's help is made from its bindings that have a description. The table wraps its columns
to the dialog's width instead of cutting them, and scrolls when it is longer than the screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from kassa_tui.core.i18n import _
from screens import styles
from screens.widgets.keybar import bound_order, plain, short_key

HelpRow = tuple[str, str, str]


def rows_from_bindings(screen: Screen[object]) -> list[HelpRow]:
    """(keys, what it does, '') for each action `screen` shows in its key bar, with every key
    bound to it (a screen may show one key of an action and bind its Ctrl twin hidden).

    Only shown actions: an input's own editing keys (Home, Ctrl+←) are not the screen's.
    """
    active = screen.active_bindings.values()
    words = {
        (id(namespace), binding.action): _(binding.description or binding.tooltip)
        for namespace, binding, _enabled, _tooltip in reversed(list(active))
        if binding.show and (binding.description or binding.tooltip)
    }
    keys: dict[tuple[int, str], list[str]] = {}
    bound_keys: dict[tuple[int, str], list[str]] = {}
    for namespace, binding, _enabled, _tooltip in active:
        if (id(namespace), binding.action) in words:
            keys.setdefault((id(namespace), binding.action), []).append(short_key(binding.key))
            bound_keys.setdefault((id(namespace), binding.action), []).append(binding.key)
    rank = bound_order(screen)
    return [
        ("/".join(sorted(keys[action], key=_not_an_f_key)), words[action], "")
        for action in sorted(keys, key=lambda action: rank(bound_keys[action]))
    ]


def _not_an_f_key(label: str) -> bool:
    """False for an F-key, which sorts it first ('F4/^E'), as the sale screen's help does."""
    return not (label.startswith("F") and label[1:2].isdigit())


def help_for(screen: Screen[object]) -> HelpDialog:
    """The help of `screen`: its own `help_rows()`, else its shown bindings; a dialog's key
    hints (its `.dialog-help` lines) come along, since most of its keys are not in a bar."""
    own = getattr(screen, "help_rows", None)
    rows = own() if callable(own) else rows_from_bindings(screen)
    hints = [
        hint.content
        for hint in screen.query(".dialog-help").results(Static)
        if isinstance(hint.content, str) and hint.content
    ]
    return HelpDialog(rows, "\n".join(hints))


class HelpDialog(ModalScreen[None]):
    """The keys of the screen underneath (F1); Esc, F1 or Enter closes it."""

    CSS_PATH = styles.DIALOGS
    # CSS, not DEFAULT_CSS: it must win over dialogs.tcss's width for every dialog box.
    CSS = """
    HelpDialog #help-box { width: 78; height: auto; max-height: 100%; }
    HelpDialog #help-scroll { height: auto; max-height: 70vh; scrollbar-size-vertical: 1; }
    HelpDialog #help-table { width: 100%; }
    """
    BINDINGS = [
        Binding("escape,f1,enter", "close", show=False),
        Binding("up", "scroll(-1)", show=False),
        Binding("down", "scroll(1)", show=False),
        Binding("pageup", "scroll(-10)", show=False),
        Binding("pagedown", "scroll(10)", show=False),
    ]

    def __init__(self, rows: Sequence[HelpRow], note: str = "") -> None:
        """`note`: lines shown above the table (a dialog's own key hints)."""
        super().__init__(classes="dialog")
        self.rows = list(rows)
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="help-box"):
            yield Label(markup=False, content=_("Keys"), classes="dialog-title")
            if self.note:
                yield Static(markup=False, content=self.text(self.note), id="help-note")
            if self.rows:
                with VerticalScroll(id="help-scroll", can_focus=False):
                    yield Static(self.table(), id="help-table")
            yield Static(
                markup=False,
                content=self.text(_("↑ ↓ PgUp PgDn: scroll · Esc: close")),
                classes="dialog-help",
            )

    def text(self, text: str) -> str:
        """`text` as the terminal can show it: plain ASCII glyphs on the Linux console."""
        return plain(text) if getattr(self.app, "plain_console", False) else text

    def table(self) -> Table:
        """Three columns that wrap to the width they get; a key is never broken."""
        table = Table(box=None, expand=True, pad_edge=False, show_edge=False, padding=(0, 1))
        table.add_column(self.text(_("Key")), no_wrap=True, style="bold")
        table.add_column(self.text(_("Does")), ratio=3)
        table.add_column(self.text(_("Type first")), ratio=2)
        for key, does, first in self.rows:
            table.add_row(self.text(key), self.text(does), self.text(first))
        return table

    def action_scroll(self, lines: int) -> None:
        for scroll in self.query("#help-scroll").results(VerticalScroll):
            scroll.scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
