"""The dialogs no other snapshot file shows, at 80×24 in a full terminal and on the Pi's Linux
console (console=True, as TERM=linux gives): paying, gift cards, parked sales, a price look-up,
the age question, the void's reasons and the campaign list.

Each is reached by the keys a person presses: the routes are the console-glyph test's, so the
two tests walk the same way and a route that stops leading to its dialog fails both.
"""

from __future__ import annotations

from typing import Any

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from tests.app.test_console_glyphs import ROUTES

SHOWN = (
    "payment",
    "gift card payment",
    "gift card balance",
    "parked sales",
    "price look-up",
    "age check",
    "void reason",
    "campaigns",
)


@pytest.mark.parametrize("console", [False, True], ids=["full", "console"])
@pytest.mark.parametrize("where", SHOWN)
def test_dialog_at_80x24(snap_compare: Any, till: Till, where: str, console: bool) -> None:
    app = KassaApp(till, MemoryPrinter(), console=console)
    route, in_front = ROUTES[where]

    async def before(pilot: Any) -> None:
        await route(pilot, till)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == in_front  # the keys led where they should

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
