"""The keys of the two insight screens: the till's (screens/insight.py) and HQ's
(screens/hq_insight.py). Each screen lists its own keys; how they are bound, which keys both
have (help, sort by units or revenue) and how the help dialog lists them is written here once.

A key is (keys, action, word on the key bar, key as written, what the help says). The key bar
lists the keys in the order they are bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.screen import Screen

from kassa_tui.core.i18n import _

Key = tuple[str, str, str, str, str]


def help_key() -> Key:
    """F1: the help dialog."""
    return ("f1,ctrl+g", "help", _("Help"), "F1", _("Help: all keys"))


def sort_keys() -> list[Key]:
    """F6 and F7: the products by units or by revenue (again: worst first)."""
    return [
        ("f6", "sort('units')", _("Units"), "F6", _("Sort by units (again: worst first)")),
        ("f7", "sort('revenue')", _("Revenue"), "F7", _("Sort by revenue (again: worst first)")),
    ]


def bind_keys(screen: Screen[Any], keys: list[Key]) -> None:
    """Bind `keys` in their order (ahead of the focused widget's, except Enter) and the arrows
    that move over the products (not on the key bar)."""
    for key, action, words, shown, _does in keys:
        screen._bindings.bind(key, action, words, key_display=shown, priority=key != "enter")
    screen._bindings.bind("up", "cursor(-1)", show=False, priority=True)
    screen._bindings.bind("down", "cursor(1)", show=False, priority=True)
    screen.refresh_bindings()


def key_help_rows(
    keys: list[Key], search: str, more: Sequence[tuple[str, str]] = ()
) -> list[tuple[str, str, str]]:
    """The help dialog's rows: every key, then typing (`search`: what it searches), the arrows,
    and the screen's `more` (key as written, what it does)."""
    rows = [(shown, does, "") for _key, _action, _words, shown, does in keys]
    rows.append((_("Letters"), search, ""))
    rows.append(("Up/Down", _("Move over the products"), ""))
    rows.extend((shown, does, "") for shown, does in more)
    return rows
