"""Key events → barcodes: what a USB scanner, being a keyboard, types, decoded per layout.

A scanner sends key down/up events for each character and Enter at the end; the decoder turns
them into one code, whatever keyboard layout the scanner emulates (kassa.toml's
`scanner.layout`), and skips what no product code holds.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)

MAX_CODE_LENGTH = 64  # longer is a stuck key or a runaway scanner, never a product code

_DIGITS = "1234567890"
# Held modifiers: Shift picks the second character, AltGr (on "no") a third; while any other
# modifier is held a key gives no character, so Ctrl+J never becomes a "j" in a code.
_MODIFIERS = {"KEY_LEFTSHIFT": "shift", "KEY_RIGHTSHIFT": "shift", "KEY_RIGHTALT": "altgr"}
_MODIFIERS.update(
    (name, "other") for name in ("KEY_LEFTCTRL", "KEY_RIGHTCTRL", "KEY_LEFTALT", "KEY_LEFTMETA")
)
_ENTERS = frozenset({"KEY_ENTER", "KEY_KPENTER"})

# Key → the character it types, then the one with Shift (none where the layout has a dead key
# or nothing a barcode needs). Letters, the keypad and space are the same on both layouts.
_COMMON = {
    **{f"KEY_{c.upper()}": c + c.upper() for c in "abcdefghijklmnopqrstuvwxyz"},
    **{f"KEY_KP{c}": c + c for c in _DIGITS},
    **{f"KEY_KP{name}": c + c for name, c in (("MINUS", "-"), ("PLUS", "+"), ("SLASH", "/"))},
    "KEY_KPASTERISK": "**",
    "KEY_SPACE": "  ",
}
# fmt: off
_US = {  # what a US keyboard types: most scanners' default
    **_COMMON, **{f"KEY_{d}": d + s for d, s in zip(_DIGITS, "!@#$%^&*()", strict=True)},
    "KEY_MINUS": "-_", "KEY_EQUAL": "=+", "KEY_DOT": ".>", "KEY_COMMA": ",<", "KEY_SLASH": "/?",
    "KEY_SEMICOLON": ";:", "KEY_APOSTROPHE": "'\"", "KEY_LEFTBRACE": "[{", "KEY_RIGHTBRACE": "]}",
    "KEY_BACKSLASH": "\\|", "KEY_GRAVE": "`~", "KEY_KPDOT": "..",
}
_NO = {  # a scanner set to the Norwegian layout: the same keys type other characters
    **_COMMON, **{f"KEY_{d}": d + s for d, s in zip(_DIGITS, '!"#¤%&/()=', strict=True)},
    "KEY_MINUS": "+?", "KEY_EQUAL": "\\", "KEY_DOT": ".:", "KEY_COMMA": ",;", "KEY_SLASH": "-_",
    "KEY_BACKSLASH": "'*", "KEY_GRAVE": "|§", "KEY_102ND": "<>", "KEY_LEFTBRACE": "åÅ",
    "KEY_SEMICOLON": "øØ", "KEY_APOSTROPHE": "æÆ",
    "KEY_KPDOT": ",,",  # the Norwegian keypad's decimal key types a comma
}
_NO_ALTGR = {"KEY_2": "@", "KEY_4": "$", "KEY_7": "{", "KEY_8": "[", "KEY_9": "]", "KEY_0": "}"}
# fmt: on
LAYOUTS = {"us": (_US, {}), "no": (_NO, _NO_ALTGR)}

# Names that mark a device as a scanner when nothing is configured; specific brands first.


class KeyEvent(Protocol):
    type: int
    code: int
    value: int


class ScanDecoder:
    """Turns EV_KEY events into codes: characters per layout, Enter ends the code."""

    def __init__(self, layout: str = "us", extra: tuple[tuple[str, str], ...] = ()) -> None:
        from evdev import ecodes

        if layout not in LAYOUTS:
            raise ValueError(f"unknown scanner layout {layout!r}")
        table, altgr = LAYOUTS[layout]
        by_name: dict[str, int] = ecodes.ecodes

        def code(name: str) -> int:
            if name not in by_name:
                raise ValueError(f"unknown key name {name!r} in scanner.keys")
            return by_name[name]

        self.ev_key: int = ecodes.EV_KEY
        self.chars = {code(name): (chars[0], chars[1:]) for name, chars in table.items()}
        self.chars.update((code(name), (char, char)) for name, char in extra)
        self.altgr_chars = {code(name): char for name, char in altgr.items()}
        self.modifiers = {code(name): kind for name, kind in _MODIFIERS.items()}
        if not altgr:
            self.modifiers[code("KEY_RIGHTALT")] = "other"
        self.enter_keys = frozenset(code(name) for name in _ENTERS)
        self.ignored = 0  # key presses that gave no character (F-keys, Ctrl, Ctrl+key, …)
        self.dropped = 0  # codes thrown away for being longer than MAX_CODE_LENGTH
        self.reset()

    def reset(self) -> None:
        """Forget a half-read code and held modifiers (a scanner was plugged in again)."""
        self._buffer: list[str] = []
        self._overflow = False
        self._held: dict[int, str] = {}  # modifier key → its kind

    def feed(self, event: KeyEvent) -> str | None:
        """One event in; the finished code out when it was Enter, else None."""
        if event.type != self.ev_key:
            return None
        key, value = event.code, event.value
        kind = self.modifiers.get(key)
        if kind is not None:
            if value == 1:
                self._held[key] = kind
                self.ignored += 1 if kind == "other" else 0
            elif value == 0:
                self._held.pop(key, None)
            return None
        if value != 1:  # key-up, or autorepeat from a scanner that holds a key too long
            return None
        if key in self.enter_keys:
            return self._finish()
        char = self._char(key)
        if not char:
            self.ignored += 1
            return None
        if char in "\r\n":  # scanner.keys may name another terminator, e.g. KEY_TAB = "\n"
            return self._finish()
        if len(self._buffer) >= MAX_CODE_LENGTH:
            self._overflow = True
        else:
            self._buffer.append(char)
        return None

    def _char(self, key: int) -> str:
        held = set(self._held.values())
        if "other" in held:
            return ""
        if "altgr" in held:
            return self.altgr_chars.get(key, "")
        plain, shifted = self.chars.get(key, ("", ""))
        return shifted if "shift" in held else plain

    def _finish(self) -> str | None:
        code, overflow = "".join(self._buffer), self._overflow
        self._buffer, self._overflow = [], False
        if overflow:
            self.dropped += 1
            log.warning("dropped a scan longer than %d characters", MAX_CODE_LENGTH)
            return None
        return code or None
