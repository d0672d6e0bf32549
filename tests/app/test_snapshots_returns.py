"""The return dialogs and the shift lead's approval as the cashier sees them: at the Pi's
80×24, and with the console theme (TERM=linux)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.widgets import Input

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.widgets.entry import EntryLine
from tests.app.test_returns_flow import screen_text
from tests.still import no_blinking as still

ROMME, EPLER = "7020164760728", "7045811781536"
Before = Callable[[Any], Awaitable[None]]


async def scan(pilot: Any, code: str) -> None:
    pilot.app.screen.query_one("#entry", EntryLine).value = code
    await pilot.press("enter")


async def return_chosen(pilot: Any) -> None:
    """A card sale of 2 rømme and apples; back with the receipt, one of the two rømme chosen."""
    await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
    await pilot.pause()
    await pilot.press("2", "*")
    await scan(pilot, ROMME)
    await scan(pilot, EPLER)
    await pilot.press("f11", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await scan(pilot, "R1")
    await pilot.pause()
    await pilot.press("1", "f6", "down", "f6")
    pilot.app.screen.query_one("#return-reason", Input).value = "Feil vare"
    await still(pilot)


async def approval_after_a_wrong_pin(pilot: Any) -> None:
    await return_chosen(pilot)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("2", "enter", "1", "2", "3", "4", "enter")
    await still(pilot)


async def without_receipt(pilot: Any) -> None:
    await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
    await pilot.pause()
    await pilot.press("ctrl+v")
    await pilot.pause()
    pilot.app.screen.query_one("#noreceipt-code", Input).value = f"2*{ROMME}"
    await pilot.press("enter")
    pilot.app.screen.query_one("#noreceipt-code", Input).value = EPLER
    await pilot.press("enter")
    await still(pilot)


SCENES: dict[str, Before] = {
    "return_dialog": return_chosen,
    "approval": approval_after_a_wrong_pin,
    "without_receipt": without_receipt,
}


@pytest.mark.parametrize("console", [False, True], ids=["theme", "console"])
@pytest.mark.parametrize("scene", list(SCENES))
def test_returns(snap_compare: Any, till: Till, scene: str, console: bool) -> None:
    app = KassaApp(till, MemoryPrinter(), console=console)
    assert snap_compare(app, terminal_size=(80, 24), run_before=SCENES[scene])


#: What the Pi's console font draws (see tests/app/test_console_glyphs.py): printable ASCII
#: and the printable half of ISO 8859-1; no box drawing, blocks, ellipsis or dashes.
CONSOLE_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) | frozenset(
    chr(c) for c in range(0xA0, 0x100)
)


@pytest.mark.parametrize("scene", list(SCENES))
async def test_returns_draw_only_console_glyphs(till: Till, scene: str) -> None:
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await SCENES[scene](pilot)
        text = screen_text(app)
    strange = {ch for ch in text if ch not in CONSOLE_SAFE and ch != "\n"}
    assert not strange, f"{scene}: {strange}\n{text}"
