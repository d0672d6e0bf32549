"""A planned price made in the product form at 80x24 (stock screen, F7, "New price from"): the
product keeps its price until the minute on the till's clock, then the till sells at the new
one; a time already passed is refused on the form with nothing changed."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.stock.planned_prices import switch_due
from screens.dialogs.product_form import ProductForm
from tests.app.screen_text import screen_text
from tests.app.test_sale_flow import scan, sign_in, totals
from tests.shop import SteppingClock

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90; the till's clock: 27.11.2026 10:00 in Oslo


def planned(till: Till) -> list[tuple[int, str, str]]:
    rows = till.db.execute_sql("SELECT price_ore, valid_from_utc, state FROM planned_price")
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows.fetchall()]


async def test_a_new_price_from_a_time_switches_on_the_tills_clock(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one(Input).value = ROMME
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
        form = app.screen
        assert "New price from" in screen_text(app)
        form.query_one("#form-price", Input).value = "19,90"
        form.query_one("#form-from", Input).value = "2026-11-27 09:59"
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
        assert "'New price from' has passed" in screen_text(app)
        assert planned(till) == [] and till.catalog.by_barcode(ROMME).price_ore == 2490
        form.query_one("#form-from", Input).value = "2026-11-27 10:30"
        await pilot.press("f10")
        await pilot.pause()
        assert not isinstance(app.screen, ProductForm)
        assert "New price 19,90 from 2026-11-27 10:30." in screen_text(app)
        assert planned(till) == [(1990, "2026-11-27T09:30:00.000000Z", "planned")]
        assert till.catalog.by_barcode(ROMME).price_ore == 2490  # not yet
        await pilot.press("escape")
        await pilot.pause()
        await scan(pilot, ROMME)
        await pilot.pause()
        assert "24,90" in totals(app)
        clock = till.clock
        assert isinstance(clock, SteppingClock)
        clock.at += timedelta(minutes=31)  # 10:31
        switch_due(till.db, till.journal, till.clock)  # what the app's timer runs every 5 s
        await scan(pilot, ROMME)
        await pilot.pause()
        assert "44,80" in totals(app)  # the new line at 19,90 (the first one: at the tick)
        await pilot.press("f11")  # paying prices the basket in force: both at 19,90
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert till.catalog.by_barcode(ROMME).price_ore == 1990
    total = till.db.execute_sql("SELECT total_ore FROM sale").fetchone()[0]
    assert total == 3980 and b"39,80" in printer.jobs[0]
