"""The transfer screens (issue 15) at the Pi's 80×24, in a terminal and with the console theme
(TERM=linux): goods being sent to another shop, and goods from one being received."""

from __future__ import annotations

from typing import Any

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.stock.transfer_note import barcode_digits
from tests.app.test_snapshots_stock import steady, stock, type_in

ROMME = "7020164760728"
LETTMELK = "7034452355121"
TRANSFER = "5f0c6c1e-2b7a-4d36-9a51-0c8f2e7d4b10"


async def sending(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f10")
    await pilot.pause()
    await type_in(pilot, "BERGEN-2")
    await pilot.press("f7")
    for code in ("3*" + ROMME, LETTMELK):
        await type_in(pilot, code)
        await pilot.press("enter")


async def receiving(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f11")
    await pilot.pause()
    await type_in(pilot, barcode_digits(TRANSFER))
    await pilot.press("enter")
    await type_in(pilot, "BERGEN-2")
    await pilot.press("f7")
    await type_in(pilot, "2*" + ROMME)
    await pilot.press("enter")


SCREENS = {"sending": sending, "receiving": receiving}


@pytest.mark.parametrize("console", [False, True], ids=["terminal", "console"])
@pytest.mark.parametrize("where", list(SCREENS))
def test_transfer_screens_at_80x24(
    snap_compare: Any, till: Till, where: str, console: bool
) -> None:
    app = KassaApp(till, MemoryPrinter(), console=console)

    async def before(pilot: Any) -> None:
        await SCREENS[where](pilot, till)
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
