"""The stock lookup and the shift lead's stock work, driven by keys as in the shop."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.adjust import AdjustDialog
from screens.sale import SaleScreen
from screens.stock import StockScreen
from screens.stockwork import GoodsReceivedScreen, StocktakeScreen
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_text

ROMME = "7020164760728"  # Rømme 18 % 3 dl, group 20 (Meieri)


async def sign_in(pilot: Any, number: str = "1", pin: str = "1111") -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def search(pilot: Any, text: str) -> None:
    pilot.app.screen.query_one("#stock-search", Input).value = text
    await pilot.pause(0.2)  # past the debounce


def on_hand(till: Till, code: str = ROMME) -> int:
    product = till.catalog.by_barcode(code)
    return till.stock.details(product.id).on_hand_milli


def details(app: KassaApp) -> str:
    return str(app.screen.query_one("#stock-details", Static).render())


async def test_lookup_then_add_to_the_basket_and_back(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        app.screen.query_one("#entry", EntryLine).value = "7045811781536"
        await pilot.press("enter")  # apples in the basket first
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
        await search(pilot, "romme")
        assert "Rømme 18 % 3 dl" in details(app)
        assert "On hand" in details(app) and "Meieri" in details(app)
        await pilot.press("escape")  # one key back: the basket is as it was
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert len(till.baskets.current().priced.lines) == 1
        await pilot.press("f2")
        await search(pilot, "blabaer")
        assert "Blåbær" in details(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
    names = [p.line.name for p in till.baskets.current().priced.lines]
    assert names[0] == "Epler Pink Lady 4 stk" and "Blåbær" in names[1]


async def test_goods_received_by_a_shift_lead(till: Till) -> None:
    before = on_hand(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f4")
        await pilot.pause()
        assert isinstance(app.screen, GoodsReceivedScreen)
        entry = app.screen.query_one("#work-entry", Input)
        entry.value = "12*" + ROMME
        await pilot.press("enter")
        entry.value = ROMME
        await pilot.press("enter")  # repeat scans add up: 13
        entry.value = "9,50"
        await pilot.press("f6")  # cost price of the selected line
        entry.value = "Tine 4711"
        await pilot.press("f10")  # save, with the delivery note's number
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    assert on_hand(till) == before + 13000
    assert till.db.execute_sql("SELECT reference FROM delivery").fetchall() == [("Tine 4711",)]
    assert "DELIVERY" in [row.basic_id for row in till.journal.rows()]


async def test_a_cashier_gets_a_shift_lead_to_start_a_count_that_resumes(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)  # a cashier
        await pilot.press("f2", "f6")
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")  # the shift lead approves
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # whole shop, 10, then 20 Meieri
        await pilot.pause()
        assert isinstance(app.screen, StocktakeScreen)
        await pilot.press("escape")  # leave: the count stays open
        await pilot.pause()
        await pilot.press("f6")
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StocktakeScreen)  # resumed: no section question
    count = till.stocktakes.open_count()
    assert count is not None and count.group_code == "20"


async def test_stocktake_variance_is_posted_in_one_go(till: Till) -> None:
    lead = till.users.approver("2", "2222")
    till.stocktakes.start_count(lead, "20")
    book = on_hand(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f6")
        await pilot.pause()
        assert isinstance(app.screen, StocktakeScreen)
        entry = app.screen.query_one("#work-entry", Input)
        entry.value = "3*" + ROMME
        await pilot.press("enter")
        entry.value = ROMME
        await pilot.press("enter")
        table = app.screen.query_one("#work-table", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        romme = next(row for row in rows if row[0] == "Rømme 18 % 3 dl")
        assert romme[2].strip() == "4"  # 3 + 1 counted
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    assert on_hand(till) == 4000 != book
    assert "STOCKTAKE" in [row.basic_id for row in till.journal.rows()]


async def open_adjustment(pilot: Any, code: str = ROMME) -> None:
    await sign_in(pilot, "2", "2222")
    await pilot.press("f2")
    await search(pilot, code)
    await pilot.press("f5")
    await pilot.pause()


async def test_damage_cannot_raise_stock_and_the_dialog_says_why(till: Till) -> None:
    before = on_hand(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_adjustment(pilot)
        assert isinstance(app.screen, AdjustDialog)
        assert "2. Damaged" in screen_text(app)  # numbered reasons
        await pilot.press("+", "2", "enter", "2")  # +2, then 2 = Damaged
        await pilot.pause()
        assert isinstance(app.screen, AdjustDialog)  # still open, with the reason
        assert "Damaged only lowers stock" in screen_text(app)
        assert on_hand(till) == before
        entry = app.screen.query_one("#adjust-qty", Input)
        assert entry.has_focus  # straight back to the change
        entry.value = "-2"
        await pilot.press("enter", "2")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
        assert "changed by -2" in screen_text(app)
    assert on_hand(till) == before - 2000
    row = [r for r in till.journal.rows() if r.basic_id == "STOCKADJ"][-1]
    assert '"reason": "damage"' in row.text and '"delta_milli": -2000' in row.text


async def test_a_count_correction_may_raise_stock(till: Till) -> None:
    before = on_hand(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_adjustment(pilot)
        await pilot.press("2", "enter", "5")  # 5 = Count correction
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    assert on_hand(till) == before + 2000
