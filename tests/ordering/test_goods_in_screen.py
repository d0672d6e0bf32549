"""Goods received against a purchase order on the stock screen (80x24): the shift lead types the
order's number and F7, the outstanding lines come as ordered, a short line is changed, F10 books
it; the screen says what was short, the order stays open for the rest, what is on order drops."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.ordering.orders import Wanted, confirm, on_order, order
from kassa_tui.ordering.suppliers import find_supplier
from kassa_tui.people.person import Person
from screens.stock import StockScreen
from screens.stockwork import GoodsReceivedScreen
from tests.app.screen_text import screen_lines
from tests.shop import SteppingClock, demo_till

from .conftest import BULK, NOW, STEADY, steady_shop


def ordered_shop(tmp_path: Path) -> Till:
    till = steady_shop(demo_till(tmp_path, SteppingClock(NOW), language='"en"'))
    i18n.set_language("en")
    ids = till.ids  # type: ignore[attr-defined]
    confirm(
        till.db, till.journal, till.print_queue, till.config, till.clock,
        Person(2, "Siri", "shift_lead"), find_supplier(till.db, "TEST").id,
        [Wanted(ids[STEADY], 12), Wanted(ids[BULK], 24)],
    )  # fmt: skip
    return till


async def test_goods_in_knows_the_order(tmp_path: Path) -> None:
    till = ordered_shop(tmp_path)
    ids = till.ids  # type: ignore[attr-defined]
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "enter", *"2222", "enter")
        await pilot.pause()
        await pilot.press("f2", "f4")
        await pilot.pause()
        assert isinstance(app.screen, GoodsReceivedScreen)
        entry = app.screen.query_one("#work-entry", Input)
        entry.value = "1"
        await pilot.press("f7")
        await pilot.pause()
        lines = screen_lines(app)
        shown = "\n".join(lines)
        assert "Goods received: order 1 (TEST)" in shown, shown
        steady = next(line for line in lines if "Steady 1 l" in line)
        assert steady.split()[-1] == "12" and "Ordered" in shown  # outstanding, as ordered
        assert "F7" in shown and all(len(line) <= 80 for line in lines)
        # Only 10 of Steady came: the first line is selected (Steady, ordered first).
        entry.value = "10"
        await pilot.press("f8")
        entry.value = "Følgeseddel 9"
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
        shown = " ".join("\n".join(screen_lines(app)).split())
        assert "Order 1: 1 lines as ordered; Steady 1 l: ordered 12, received 10: 2 short" in (
            shown
        ), shown
    assert order(till.db, 1).status == "confirmed"
    assert on_order(till.db, [ids[STEADY], ids[BULK]]) == {ids[STEADY]: 2}
    assert till.db.execute_sql("SELECT reference FROM delivery").fetchall() == [("Følgeseddel 9",)]


async def test_a_closed_order_cannot_be_loaded(tmp_path: Path) -> None:
    till = ordered_shop(tmp_path)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "enter", *"2222", "enter")
        await pilot.pause()
        await pilot.press("f2", "f4")
        await pilot.pause()
        entry = app.screen.query_one("#work-entry", Input)
        entry.value = "7"
        await pilot.press("f7")
        await pilot.pause()
        assert "There is no purchase order 7." in "\n".join(screen_lines(app))
        entry.value = "1"
        await pilot.press("f7")
        entry.value = "f10 without a change"
        await pilot.press("f10")  # everything as ordered: the order closes
        await pilot.pause()
        shown = " ".join("\n".join(screen_lines(app)).split())
        assert "Order 1: 2 lines as ordered. Received in full: the order is closed." in shown
    assert order(till.db, 1).status == "closed"
