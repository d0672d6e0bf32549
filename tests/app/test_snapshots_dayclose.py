"""The day close as the shift lead sees it: the X with its keys, the cash count, the Z's
confirmation and the Z taken, the fraud signals; at the Pi's 80×24, on a small 60×20 terminal
and with the console theme (TERM=linux)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from screens.widgets.entry import EntryLine
from tests.shop import SteppingClock, demo_till
from tests.still import no_blinking as still

ROMME = "7020164760728"
Before = Callable[[Any], Awaitable[None]]


class MillisecondClock(SteppingClock):
    """A millisecond per reading: rows stay ordered, and the X shows 10:00:00 however many
    readings the other rooms' features add before it (a picture of the day close, not of the
    number of clock readings)."""

    def _tick(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    till = demo_till(tmp_path, MillisecondClock(), language='"en"')
    i18n.set_language("en")
    yield till
    till.db.close()


async def day_close(pilot: Any) -> None:
    """The shift lead sells a rømme for cash, then opens the day close (F12)."""
    await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
    await pilot.pause()
    pilot.app.screen.query_one("#entry", EntryLine).value = ROMME
    await pilot.press("enter", "f10", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.press("f12")
    await still(pilot)


async def cash_count(pilot: Any) -> None:
    """F7 and the first figures typed: two 500 notes, a 20 and a 5 coin."""
    await day_close(pilot)
    await pilot.press("f7", "enter", "2", "enter", "enter", "enter", "enter", "1")
    await pilot.press("enter", "enter", "1")
    await still(pilot)


async def z_confirmation(pilot: Any) -> None:
    """Ctrl+Z, the drawer counted (C), F10: the confirmation of what the Z closes."""
    await day_close(pilot)
    await pilot.press("ctrl+z", "c", "enter", "2", "enter", "enter", "enter", "enter", "1")
    await pilot.press("enter", "enter", "1", "f10")
    await still(pilot)


async def z_taken(pilot: Any) -> None:
    """Z at the confirmation: the Z just taken stays on the screen."""
    await z_confirmation(pilot)
    await pilot.press("z")
    await still(pilot)


async def signals(pilot: Any) -> None:
    """F8: the cashiers side by side, one row per signal."""
    await day_close(pilot)
    await pilot.press("f8")
    await still(pilot)


SCENES: dict[str, Before] = {
    "day_close": day_close,
    "cash_count": cash_count,
    "z_confirmation": z_confirmation,
    "z_taken": z_taken,
    "signals": signals,
}


@pytest.mark.parametrize("console", [False, True], ids=["theme", "console"])
@pytest.mark.parametrize("scene", list(SCENES))
def test_day_close(snap_compare: Any, till: Till, scene: str, console: bool) -> None:
    app = KassaApp(till, MemoryPrinter(), console=console)
    assert snap_compare(app, terminal_size=(80, 24), run_before=SCENES[scene])


@pytest.mark.parametrize("scene", ["day_close", "cash_count"])
def test_day_close_on_a_small_terminal(snap_compare: Any, till: Till, scene: str) -> None:
    """60×20: the keys wrap and the count still shows its hint."""
    app = KassaApp(till, MemoryPrinter())
    assert snap_compare(app, terminal_size=(60, 20), run_before=SCENES[scene])


@pytest.mark.parametrize("scene", ["day_close", "cash_count", "z_confirmation"])
def test_day_close_in_norwegian(snap_compare: Any, till: Till, scene: str) -> None:
    """The till's own language: the longer Norwegian words still fit 80×24."""
    i18n.set_language("nb")
    try:
        app = KassaApp(till, MemoryPrinter())
        assert snap_compare(app, terminal_size=(80, 24), run_before=SCENES[scene])
    finally:
        i18n.set_language("en")
