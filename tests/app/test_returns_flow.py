"""A return started by scanning the receipt's barcode, approved by a shift lead."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.returns import ReturnDialog
from screens.widgets.entry import EntryLine

ROMME, EPLER = "7020164760728", "7045811781536"


async def scan(pilot: Any, code: str) -> None:
    pilot.app.screen.query_one("#entry", EntryLine).value = code
    await pilot.press("enter")


async def test_return_by_receipt_barcode(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
        await pilot.pause()
        await scan(pilot, ROMME)
        await scan(pilot, EPLER)
        await pilot.press("f11", "enter")  # card: 64,80
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert b"{BR1" in printer.jobs[0]  # the receipt's own barcode: R and its number

        await scan(pilot, "R1")  # the customer is back with the receipt
        await pilot.pause()
        assert isinstance(app.screen, ReturnDialog)
        await pilot.press("down", "f6")  # the apples
        app.screen.query_one("#return-reason", Input).value = "Råtne"
        await pilot.press("enter")
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")  # the shift lead
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = str(app.screen.query_one("#sale-message", Static).render())
        assert "Return receipt 2: 39,90 refunded" in message
    returned = till.db.execute_sql(
        "SELECT kind, total_ore, original_sale_id FROM sale WHERE receipt_nr = 2"
    ).fetchone()
    assert returned == ("return", -3990, 1)
    assert any(b"Returkvittering" in job for job in printer.jobs)
