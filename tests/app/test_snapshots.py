"""What the cashier sees, at the Pi's 80×24 and on a bigger terminal."""

from __future__ import annotations

from typing import Any

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.widgets.entry import EntryLine


def sale_in_progress(till: Till) -> KassaApp:
    app = KassaApp(till, MemoryPrinter())

    async def before(pilot: Any) -> None:
        await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
        for code in ("7020164760728", "7045811781536", "7080913613231"):
            entry = app.screen.query_one("#entry", EntryLine)
            entry.value = code
            await pilot.press("enter")
        await pilot.press("1", "0", "%", "f6", "1")
        await app.workers.wait_for_complete()

    app.snapshot_before = before  # type: ignore[attr-defined]
    return app


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_sale_screen(snap_compare: Any, till: Till, size: tuple[int, int]) -> None:
    app = sale_in_progress(till)
    assert snap_compare(app, terminal_size=size, run_before=app.snapshot_before)  # type: ignore[attr-defined]


def test_sign_in_screen(snap_compare: Any, till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())

    async def before(pilot: Any) -> None:
        await app.workers.wait_for_complete()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_sale_screen_in_norwegian(snap_compare: Any, till: Till) -> None:
    from kassa_tui.core import i18n

    i18n.set_language("nb")
    app = sale_in_progress(till)
    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=app.snapshot_before)  # type: ignore[attr-defined]
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_stock_lookup_screen(snap_compare: Any, till: Till, size: tuple[int, int]) -> None:
    app = KassaApp(till, MemoryPrinter())

    async def before(pilot: Any) -> None:
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await pilot.press("f2")
        search = app.screen.query_one("#stock-search")
        search.value = "romme"  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()

    assert snap_compare(app, terminal_size=size, run_before=before)


def test_day_close_screen(snap_compare: Any, till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())

    async def before(pilot: Any) -> None:
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await pilot.press("f12")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
