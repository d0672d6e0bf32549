"""How the stock screens take their keys: in the order typed, listed in the order bound.

Shared by the stock lookup (screens/stock.py) and the stock work screens
(screens/stockwork.py), whose keys all read or act next to one entry line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from textual.screen import Screen
from textual.widgets import Input


def bind_shown_first(screen: Screen[Any], keys: str, action: str, words: str, shown: str) -> None:
    """Bind `keys` to `action`; the key bar lists it by its first key only.

    The key bar keeps the order in which keys first appear among the active bindings, and the
    focused Input binds ctrl+e, ctrl+k … itself: a twin listed there would jump the queue.
    """
    first, *twins = keys.split(",")
    screen._bindings.bind(first, action, words, key_display=shown, priority=True)
    if twins:
        screen._bindings.bind(",".join(twins), action, words, show=False, priority=True)


F = TypeVar("F", bound=Callable[..., Any])


def in_order(action: F) -> F:
    """Run a screen's key after every key typed before it has reached the entry line.

    Textual gives each widget its own queue: a screen's key (F6) runs at once while the
    characters typed just before it may still wait in the entry line's queue, so with fast
    typing, or a burst of keys, "9,50 F6" set the cost from an empty line and the next line got
    9,50. Queued behind those characters the action reads what was typed, as typed.
    """

    @wraps(action)
    def queued(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        self.query_one(Input).call_later(action, self, *args, **kwargs)

    return queued  # type: ignore[return-value]
