"""Snapshots that do not depend on the moment they are taken."""

from __future__ import annotations

from typing import Any


async def no_blinking(pilot: Any) -> None:
    """Every text field's cursor shown and still, on every screen of the stack: a cursor
    blinking on the screen under a dialog made snapshots depend on the moment they were
    taken (red in CI three times, each time in another file, the text the same)."""
    await pilot.app.workers.wait_for_complete()
    for screen in pilot.app.screen_stack:
        for field in screen.query("Input"):
            field.cursor_blink = False
    await pilot.pause()
