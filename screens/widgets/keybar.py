"""The key bar: kassa's footer, listing the keys of the screen it sits on.

Use it instead of Textual's `Footer` on every kassa screen::

    def compose(self) -> ComposeResult:
        ...
        yield KeyBar()

That is all. It shows the screen's *shown* bindings (``show=True``; the focused widget's
first, then the screen's, then the App's), one entry per action, in the order they were bound:
bind the most important key first. A binding's ``description`` is the word shown, and its
``key_display``, when given (``"F10/^K"``), the key; otherwise the keys are written short
(``f10,ctrl+k`` → ``F10/^K``). The entries wrap onto a second line instead of being cut;
what does not fit on two lines is left off from the end (F1 lists every key). With the console
theme (``app.plain_console``) every key label and separator is plain ASCII. It is drawn again
whenever the screen's bindings change (focus moved, a key bound, ``refresh_bindings()``).

It also carries the training-mode banner: while the App has the CSS class ``-training`` (set
in one place, ``KassaApp.show_training``), a line above the keys says so in the warning
colour, on every screen that has a key bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from kassa_tui.core.i18n import _

#: Key names written the short way ('ctrl+k' → '^K'); others are capitalised ('f4' → 'F4').
KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "delete": "Del",
    "backspace": "Bksp",
    "space": "Space",
    "tab": "Tab",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "asterisk": "*",
}
#: The console font has no arrows: what stands for each glyph there.
ASCII_GLYPHS = {
    "↑": "Up",
    "↓": "Down",
    "←": "Left",
    "→": "Right",
    "⏎": "Enter",
    "·": "-",
    "…": "...",
    "×": "x",
    "–": "-",
    "—": "-",
}


def short_key(key: str) -> str:
    """One key as the bar writes it: 'ctrl+k' → '^K', 'shift+f6' → 'Shift+F6', 'f4' → 'F4'."""
    *modifiers, name = key.split("+")
    word = KEY_NAMES.get(name, name.upper() if len(name) <= 3 else name.capitalize())
    if "ctrl" in modifiers:
        word = "^" + word
    if "shift" in modifiers:
        word = "Shift+" + word
    if "alt" in modifiers:
        word = "Alt+" + word
    return word


def short_keys(keys: str) -> str:
    """'f10,ctrl+k' → 'F10/^K'."""
    return "/".join(short_key(key.strip()) for key in keys.split(",") if key.strip())


def plain(text: str) -> str:
    """`text` with the glyphs the Linux console cannot show replaced by ASCII."""
    for glyph, ascii_text in ASCII_GLYPHS.items():
        text = text.replace(glyph, ascii_text)
    return text


def bound_order(node: Widget) -> Callable[[Iterable[str]], int]:
    """Sort key for an action's keys: where one of them is first bound, and shown, on the way
    from the focused widget to the App; the order the screen lists its keys in.

    Not `active_bindings`' own order: a priority binding takes the place of the key's first
    binding there, which may be a hidden one of the focused Input's (Ctrl+E: end of line).
    """
    places: dict[str, int] = {}
    for _namespace, bindings in node.screen._modal_binding_chain:
        for key, binding in bindings:
            if binding.show:
                places.setdefault(key, len(places))
    return lambda keys: min((places.get(key, len(places)) for key in keys), default=len(places))


class KeyBar(Vertical, can_focus=False):
    """The active screen's keys at the bottom, wrapped onto a second line rather than cut,
    with the training banner above them while training mode is on."""

    # Unscoped: the banner's rule starts at the App, which carries `-training`.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: auto; width: 100%; }
    KeyBar > .keybar--training {
        display: none;
        width: 100%;
        background: $warning;
        color: $text;
        text-style: bold;
        text-align: center;
    }
    App.-training KeyBar > .keybar--training { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static(
            markup=False,
            content=_("TRAINING MODE - nothing sold here is real"),
            classes="keybar--training",
        )
        yield KeyList()

    def text(self) -> str:
        """The keys as shown, one line per line (for tests and the help)."""
        return self.query_one(KeyList).render().plain


class KeyList(Widget, can_focus=False):
    """The keys themselves: one entry per shown action, greedily in at most MAX_LINES lines."""

    DEFAULT_CSS = """
    KeyList {
        height: auto;
        width: 100%;
        max-height: 2;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyList > .keybar--key {
        text-style: bold;
        color: $footer-key-foreground;
        background: $footer-key-background;
    }
    KeyList > .keybar--disabled { color: $text-disabled; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key", "keybar--disabled"}
    #: Lines the bar may take; the entries that do not fit are left off from the end.
    MAX_LINES: ClassVar[int] = 2
    #: Space between two entries.
    GAP: ClassVar[str] = "  "
    #: The space when the usual one would leave entries off (the sale screen at 80 columns in
    #: Norwegian): the keys stand out by their colour, so one space still parts them.
    TIGHT_GAP: ClassVar[str] = " "

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh(layout=True)

    @property
    def ascii_only(self) -> bool:
        return bool(getattr(self.app, "plain_console", False))

    def entries(self) -> list[tuple[str, str, bool]]:
        """(key label, description, enabled) per shown action, in the order bound."""
        by_action: dict[tuple[int, str], list[tuple[Binding, bool]]] = {}
        for namespace, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault((id(namespace), binding.action), []).append((binding, enabled))
        result = []
        rank = bound_order(self)

        def place(found: list[tuple[Binding, bool]]) -> int:
            return rank(binding.key for binding, _enabled in found)

        for bindings in sorted(by_action.values(), key=place):
            first, enabled = bindings[0]
            label = first.key_display or "/".join(short_key(b.key) for b, _e in bindings)
            # Class-level BINDINGS carry N_() ids, translated here (never _(''): the header).
            words = _(first.description) if first.description else ""
            if self.ascii_only:
                label, words = plain(label), plain(words)
            result.append((label, words, enabled))
        return result

    def lines(self, width: int) -> list[list[tuple[str, str, bool]]]:
        """The entries laid out greedily in lines of `width` cells, at most MAX_LINES."""
        return self.arranged(width)[0]

    def arranged(self, width: int) -> tuple[list[list[tuple[str, str, bool]]], str]:
        """The lines and the gap between entries: the usual one, or the tight one when that
        shows more entries (no entry that fits with it is left off)."""
        entries = self.entries()
        lines = self.laid_out(entries, width, self.GAP)
        if sum(map(len, lines)) < len(entries):
            tight = self.laid_out(entries, width, self.TIGHT_GAP)
            if sum(map(len, tight)) > sum(map(len, lines)):
                return tight, self.TIGHT_GAP
        return lines, self.GAP

    def laid_out(
        self, entries: list[tuple[str, str, bool]], width: int, spacing: str
    ) -> list[list[tuple[str, str, bool]]]:
        lines: list[list[tuple[str, str, bool]]] = [[]]
        used = 0
        for entry in entries:
            size = len(entry[0]) + (1 + len(entry[1]) if entry[1] else 0)
            gap = len(spacing) if lines[-1] else 0
            if lines[-1] and used + gap + size > width:
                if len(lines) == self.MAX_LINES:
                    break  # the rest are less important than this one: none jumps the queue
                lines.append([])
                used, gap = 0, 0
            lines[-1].append(entry)
            used += gap + size
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        disabled_style = self.get_component_rich_style("keybar--disabled")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        lines, spacing = self.arranged(self.content_size.width)
        for number, line in enumerate(lines):
            if number:
                text.append("\n")
            for index, (label, words, enabled) in enumerate(line):
                if index:
                    text.append(spacing)
                text.append(label, key_style if enabled else disabled_style)
                if words:
                    text.append(" " + words, None if enabled else disabled_style)
        return text
