"""The Pi's Linux console (TERM=linux): its shifted F-keys read as the keys they are.

With the kernel's default keymap (and console-setup's), Shift+F1..Shift+F8 are the console's
F13..F20, sent as ``ESC [25~``, ``ESC [26~``, ``ESC [28~``, ``ESC [29~``, ``ESC [31~``,
``ESC [32~``, ``ESC [33~`` and ``ESC [34~`` (terminfo ``linux``: kf13..kf20). Textual reads
``ESC [ number ~`` as a kitty-protocol key first and knows no F-key for these numbers, so it
makes them the character with that code: Shift+F3 (``ESC [28~``) arrived as a stray control
character, Shift+F6 as a space, Shift+F8 as a quotation mark, and the sale screen's gift card,
eat-in, sale discount and void keys did nothing there. `install()` reads them as
``shift+f1``..``shift+f8`` instead, the names kassa's keys use (xterm and tmux send their own
sequences for these, which Textual already reads so).

Shift+F9..Shift+F12 (the console's F21..F24) send nothing at all with the default keymap, so
each sale key on one of them has a twin that works everywhere (Shift+F11 Vipps: Alt+V).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual._xterm_parser import XTermParser

#: What the Linux console sends for Shift+F1..Shift+F8, and the key it is.
LINUX_SHIFTED_F: dict[str, str] = {
    "\x1b[25~": "shift+f1",
    "\x1b[26~": "shift+f2",
    "\x1b[28~": "shift+f3",
    "\x1b[29~": "shift+f4",
    "\x1b[31~": "shift+f5",
    "\x1b[32~": "shift+f6",
    "\x1b[33~": "shift+f7",
    "\x1b[34~": "shift+f8",
}


def is_linux_console(term: str) -> bool:
    return term == "linux" or term.startswith("linux-")


def install() -> None:
    """Read the Linux console's shifted F-keys as such, from now on (once is enough)."""
    if getattr(XTermParser, "_kassa_linux_console", False):
        return
    original = XTermParser._parse_extended_key

    def parse(self: XTermParser, sequence: str) -> list[events.Key] | None:
        key = LINUX_SHIFTED_F.get(sequence)
        if key is not None:
            return [events.Key(key, None)]
        result: Any = original(self, sequence)
        return result  # type: ignore[no-any-return]

    XTermParser._parse_extended_key = parse  # type: ignore[method-assign,assignment]
    XTermParser._kassa_linux_console = True  # type: ignore[attr-defined]
