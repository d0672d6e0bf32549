"""The stock screens and their dialogs, the receipts and discount-reason menus and the printer
trouble dialogs: at the Pi's 80×24, in a full terminal and with the console theme (TERM=linux)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.records.printqueue import Job
from screens.dialogs.trouble import ReceiptStuckDialog, UncertainPrintDialog

ROMME = "7020164760728"
APPLES = "7045811781536"

Steps = Callable[[Any, Till], Awaitable[None]]


async def steady(pilot: Any) -> None:
    """No blinking cursor, no pending work: the same picture every run."""
    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.pause(0.2)
    await pilot.pause()


async def type_in(pilot: Any, text: str) -> None:
    pilot.app.focused.value = text
    await pilot.pause()


async def stock(pilot: Any, till: Till, text: str = "a") -> None:
    await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
    await pilot.press("f2")
    await type_in(pilot, text)
    await pilot.pause(0.2)


async def lookup(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("down", "down")


async def low_stock(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f3")


async def adjustment(pilot: Any, till: Till) -> None:
    await stock(pilot, till, "romme")
    await pilot.press("f5")
    await type_in(pilot, "+2")
    await pilot.press("enter", "2")  # Damaged only lowers stock: refused, said why


async def change_product(pilot: Any, till: Till) -> None:
    await stock(pilot, till, "romme")
    await pilot.press("f7")


async def goods_received(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f4")
    codes = till.db.execute_sql(
        "SELECT MIN(code) FROM barcode WHERE length(code) = 13 AND code LIKE '70%'"
        " GROUP BY product_id ORDER BY product_id LIMIT 25"
    ).fetchall()
    for (code,) in codes:
        await type_in(pilot, code)
        await pilot.press("enter")
    await type_in(pilot, "12,50")
    await pilot.press("f6")  # the cost price of the line just scanned


async def stocktake(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f6", "down", "down", "enter")  # 20 Meieri
    await pilot.pause()
    await type_in(pilot, "3*" + ROMME)
    await pilot.press("enter")


async def receipts_menu(pilot: Any, till: Till) -> None:
    await selling(pilot, till)
    await pilot.press("ctrl+e")


async def new_product(pilot: Any, till: Till) -> None:
    await stock(pilot, till, "romme")
    await pilot.press("f8")


async def what_to_count(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f6", "4")  # 4: the highlight goes to group 40


async def selling(pilot: Any, till: Till) -> None:
    await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
    await type_in(pilot, ROMME)
    await pilot.press("enter")


async def discount_reason(pilot: Any, till: Till) -> None:
    await selling(pilot, till)
    await pilot.press("1", "0", "%", "f6")


async def receipt_stuck(pilot: Any, till: Till) -> None:
    await selling(pilot, till)
    pilot.app.push_screen(ReceiptStuckDialog("The printer is out of paper."))


async def did_it_print(pilot: Any, till: Till) -> None:
    await selling(pilot, till)
    pilot.app.push_screen(UncertainPrintDialog(cast(Job, SimpleNamespace(receipt_nr=7))))


SCREENS: dict[str, Steps] = {
    "lookup": lookup,
    "low_stock": low_stock,
    "adjustment": adjustment,
    "change_product": change_product,
    "goods_received": goods_received,
    "stocktake": stocktake,
    "receipts_menu": receipts_menu,
    "new_product": new_product,
    "what_to_count": what_to_count,
    "discount_reason": discount_reason,
    "receipt_stuck": receipt_stuck,
    "did_it_print": did_it_print,
}


@pytest.mark.parametrize("console", [False, True], ids=["terminal", "console"])
@pytest.mark.parametrize("where", list(SCREENS))
def test_stock_screens_at_80x24(snap_compare: Any, till: Till, where: str, console: bool) -> None:
    app = KassaApp(till, MemoryPrinter(), console=console)

    async def before(pilot: Any) -> None:
        await SCREENS[where](pilot, till)
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_stock_lookup_at_60x20(snap_compare: Any, till: Till) -> None:
    """A small terminal: the details panel narrows, names give way, prices stay whole."""
    app = KassaApp(till, MemoryPrinter())

    async def before(pilot: Any) -> None:
        await lookup(pilot, till)
        await steady(pilot)

    assert snap_compare(app, terminal_size=(60, 20), run_before=before)
