"""The stock lookup and the shift lead's stock work, driven by keys as in the shop."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.widgets import DataTable, Input, Select, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from screens.dialogs.adjust import AdjustDialog
from screens.dialogs.product_form import ProductForm
from screens.sale import SaleScreen
from screens.stock import StockScreen
from screens.stockwork import GoodsReceivedScreen, StocktakeScreen
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_lines, screen_text

ROMME = "7020164760728"  # Rømme 18 % 3 dl, group 20 (Meieri)
LETTMELK = "7034452355121"  # Tine Lettmelk 1 l, dairy
HELMELK = "7034452743195"  # Tine Helmelk 1 l, dairy


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


def barcodes(till: Till, count: int) -> list[str]:
    rows = till.db.execute_sql(
        "SELECT MIN(code) FROM barcode WHERE length(code) = 13 AND code LIKE '70%'"
        " GROUP BY product_id ORDER BY product_id LIMIT ?",
        (count,),
    ).fetchall()
    return [code for (code,) in rows]


async def test_goods_received_keeps_the_scan_line_and_follows_the_last_scan(till: Till) -> None:
    codes = barcodes(till, 30)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f4")
        await pilot.pause()
        entry = app.screen.query_one("#work-entry", Input)
        for code in codes:  # more lines than the screen has rows
            entry.value = code
            await pilot.press("enter")
        await pilot.pause()
        last = till.catalog.by_barcode(codes[-1]).name
        lines = screen_lines(app)
        assert any("Scan, or 5* then the code" in line for line in lines[-6:])
        assert f"{last}: received." in screen_text(app)
        entry.value = codes[3]  # scanned again: the selection goes back to its line
        await pilot.press("enter")
        entry.value = "9,50"
        await pilot.press("f6")  # the cost price goes to the line just scanned
        entry.value = codes[-1]
        await pilot.press("enter")
        entry.value = "7,25"
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#work-table", DataTable)
        assert table.cursor_row == len(codes) - 1
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    costs = dict(
        till.db.execute_sql(
            "SELECT b.code, l.cost_ore FROM delivery_line l JOIN barcode b"
            " ON b.product_id = l.product_id WHERE b.code IN (?, ?)",
            (codes[3], codes[-1]),
        ).fetchall()
    )
    assert costs == {codes[3]: 950, codes[-1]: 725}


async def test_stocktake_f8_sets_the_count_of_the_product_just_scanned(till: Till) -> None:
    lead = till.users.approver("2", "2222")
    till.stocktakes.start_count(lead, "20")  # dairy: every product with stock is listed
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StocktakeScreen)
        entry = screen.query_one("#work-entry", Input)
        table = screen.query_one("#work-table", DataTable)
        assert table.row_count > 15  # more than the screen shows
        for code in (HELMELK, LETTMELK, ROMME):
            entry.value = code
            await pilot.press("enter")
            await pilot.pause()
            name = till.catalog.by_barcode(code).name
            assert screen.rows[table.cursor_row].name == name
        entry.value = "7"
        await pilot.press("f8")
        await pilot.pause()
        assert "Rømme 18 % 3 dl: 7 counted." in screen_text(app)
        lines = screen_lines(app)
        assert any("Scan, or 5* then the code" in line for line in lines[-6:])
    count = till.stocktakes.open_count()
    assert count is not None
    counted = {v.product.name: v.counted_milli for v in till.stocktakes.variances(count.id)}
    assert counted["Rømme 18 % 3 dl"] == 7000
    assert counted["Tine Lettmelk 1 l"] == counted["Tine Helmelk 1 l"] == 1000


async def test_a_search_without_hits_says_so(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert "Type to search." in screen_text(app)
        await search(pilot, "xyzzy")
        assert 'No product matches "xyzzy".' in screen_text(app)
        assert "Type to search." not in screen_text(app)


async def test_headers_and_numbers_fit_at_80_columns_and_names_give_way(till: Till) -> None:
    i18n.set_language("nb")
    try:
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "2", "2222")
            await pilot.press("f2")
            await search(pilot, "tine")
            text = screen_text(app)
            assert "Vare" in text and "Pris" in text and "Beholdning" in text
            assert "…" in text  # a long name ends in an ellipsis, the numbers stay whole
            for line in screen_lines(app)[4:10]:
                if "…" in line:
                    assert line.split("…")[1].split()[0].count(",") == 1  # a whole price
            await pilot.press("f3")  # low stock: the list takes the width its headers need
            await pilot.pause()
            header = screen_lines(app)[4]
            for word in ("Vare", "Beholdning", "Bestillingspunkt", "Bestill"):
                assert word in header.split()
    finally:
        i18n.set_language("en")


async def test_the_product_form_keeps_its_labels_and_fits_80x24(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f8")  # a new product
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
        form = app.screen
        assert form.query_one("#form-name", Input).has_focus
        await pilot.press("T", "e", "s", "t")
        form.query_one("#form-name", Input).value += "ost 200 g"
        form.query_one("#form-group", Select).value = "20"
        form.query_one("#form-vat", Select).value = 1500
        for widget, text in (
            ("#form-price", "49,90"),
            ("#form-barcodes", "7000000000010"),
            ("#form-reorder", "4"),
        ):
            form.query_one(widget, Input).value = text
        await pilot.pause()
        lines = screen_lines(app)
        for label, value in (
            ("Name", "Testost 200 g"),
            ("Group", "20 Meieri"),
            ("VAT", "15 %"),
            ("Price incl. VAT", "49,90"),
            ("Barcodes", "7000000000010"),
            ("Reorder point", "4"),
        ):
            assert any(label in line and value in line for line in lines), label
        assert "F10: save · Esc: cancel" in screen_text(app)  # the hint, on screen
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen), screen_text(app)
        assert "Product added: Testost 200 g." in screen_text(app)
    product = till.catalog.by_barcode("7000000000010")
    assert (product.name, product.price_ore, product.group_code) == ("Testost 200 g", 4990, "20")


async def test_the_stock_screens_show_their_keys_at_80_columns_most_important_first(
    till: Till,
) -> None:
    lead = till.users.approver("2", "2222")
    till.stocktakes.start_count(lead, "20")
    expected = {
        "lookup": ["Enter Add the item", "Esc/F2 Back", "F3 Low stock", "F4 Goods in",
                   "F5 Adjust", "F6 Count", "F7 Edit", "F8 New", "F9 Campaigns", "F10 Send",
                   "F11 Receive", "F1 Help"],
        "goods": ["F10/^K Save", "F6/^D Cost price", "F8/^X Quantity", "F9/Del Remove",
                  "Esc Cancel"],
        "count": ["F10/^K Post", "F8/^X Set count", "Esc Leave (resume later)",
                  "F9/^Z Discard count"],
    }  # fmt: skip
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        for where, keys in (("lookup", ["f2"]), ("goods", ["f4"]), ("count", ["escape", "f6"])):
            await pilot.press(*keys)
            await pilot.pause()
            bar = " ".join(line.strip() for line in screen_lines(app)[-2:])
            places = [bar.find(entry) for entry in expected[where]]
            assert -1 not in places, (where, bar)
            assert places == sorted(places), (where, bar)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nb", ("F3 Lav beholdning", "F9 Kampanjer", "F10 Send", "F11 Motta", "F1 Hjelp")),
        ("nn", ("F3 Låg behaldning", "F9 Kampanjar", "F10 Send", "F11 Ta imot", "F1 Hjelp")),
    ],
)
async def test_every_stock_key_fits_the_bar_at_80_columns_in_norwegian(
    till: Till, language: str, words: tuple[str, ...]
) -> None:
    """Bokmål's longer words pushed F11 and F1 off the bar once (their ctrl twins are in F1's
    help, not on the bar)."""
    i18n.set_language(language)
    try:
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "2", "2222")
            await pilot.press("f2")
            await pilot.pause()
            bar = " ".join(line.strip() for line in screen_lines(app)[-2:])
            for entry in words:
                assert entry in bar, (entry, bar)
    finally:
        i18n.set_language("en")


async def test_the_group_to_count_is_picked_by_its_number(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f6")
        await pilot.pause()
        assert "Group number or arrows, Enter: count · Esc: cancel" in screen_text(app)
        await pilot.press("4", "5", "enter")  # 45 Fisk
        await pilot.pause()
        assert isinstance(app.screen, StocktakeScreen)
        assert "Stocktake: 45 Fisk" in screen_text(app)
    count = till.stocktakes.open_count()
    assert count is not None and count.group_code == "45"


def burst(app: KassaApp, *keys: str) -> None:
    """Keys arriving at once, as fast typing or a scanner delivers them (pilot.press waits)."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


async def test_a_key_typed_fast_after_a_number_uses_that_number(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f4")
        await pilot.pause()
        burst(app, *ROMME, "enter", *"9,50", "f6", *"3", "f8")
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "not a" not in text  # no 'is not an amount' for a number typed before F6
        romme = next(line for line in screen_lines(app) if "Rømme 18 % 3 dl" in line)
        assert romme.split()[-2:] == ["3", "9,50"]


async def test_a_search_typed_fast_then_enter_adds_what_was_typed(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f2")
        await pilot.pause()
        burst(app, *"blabaer", "enter")  # faster than the search's debounce
        await pilot.pause(0.3)
        assert isinstance(app.screen, SaleScreen)
    assert [p.line.name for p in till.baskets.current().priced.lines] == ["Blåbær 125 g"]


async def test_an_adjustment_typed_in_one_burst(till: Till) -> None:
    before = on_hand(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_adjustment(pilot)
        burst(app, "-", "2", "enter", "2")  # the digit right after Enter is the reason
        await pilot.pause(0.3)
        assert isinstance(app.screen, StockScreen), screen_text(app)
    assert on_hand(till) == before - 2000
    row = [r for r in till.journal.rows() if r.basic_id == "STOCKADJ"][-1]
    assert '"reason": "damage"' in row.text


async def test_a_cashier_is_told_before_any_pin_then_a_shift_lead_approves(till: Till) -> None:
    before = on_hand(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)  # a cashier
        await pilot.press("f2")
        await search(pilot, ROMME)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, AdjustDialog)  # no PIN asked yet
        await pilot.press("2", "enter", "2")  # +2 Damaged: refused before any approval
        await pilot.pause()
        assert isinstance(app.screen, AdjustDialog)
        assert "Damaged only lowers stock" in screen_text(app)
        app.screen.query_one("#adjust-qty", Input).value = "-2"
        await pilot.press("enter", "2")
        await pilot.pause()
        text = screen_text(app)
        assert "Shift lead approval" in text and "-2  Damaged" in text  # what is approved
        await pilot.press("2", "enter", "9", "9", "9", "9", "enter")  # a wrong PIN
        await pilot.pause()
        assert "Shift lead approval" in screen_text(app)  # still open, to try again
        assert on_hand(till) == before
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
        assert "changed by -2" in screen_text(app)
    assert on_hand(till) == before - 2000
    row = [r for r in till.journal.rows() if r.basic_id == "STOCKADJ"][-1]
    assert row.user_number == 2  # the approving shift lead


async def test_esc_clears_the_line_first_and_scanned_goods_go_only_on_a_yes(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f4")
        await pilot.pause()
        entry = app.screen.query_one("#work-entry", Input)
        entry.value = ROMME
        await pilot.press("enter")
        entry.value = "12"
        await pilot.press("escape")  # forgets the 12, stays
        await pilot.pause()
        assert isinstance(app.screen, GoodsReceivedScreen) and entry.value == ""
        await pilot.press("escape")
        await pilot.pause()
        assert "Scanned lines not saved: 1. Throw them away?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, GoodsReceivedScreen)
        assert "Rømme 18 % 3 dl" in screen_text(app)  # still there
        await pilot.press("escape", "j")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
        assert "Goods received cancelled; nothing saved." in screen_text(app)
    assert till.db.execute_sql("SELECT COUNT(*) FROM delivery").fetchone() == (0,)


async def test_discarding_a_count_asks_first(till: Till) -> None:
    lead = till.users.approver("2", "2222")
    started = till.stocktakes.start_count(lead, "20")
    till.stocktakes.count(lead, started.id, till.catalog.by_barcode(ROMME).id, 3000)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f6", "f9")
        await pilot.pause()
        assert "thrown away" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StocktakeScreen)
        assert till.stocktakes.open_count() is not None
        await pilot.press("f9", "y")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    assert till.stocktakes.open_count() is None
