"""The insight screen (issue 16) as the shift lead sees it at 80x24: reached from the sale
screen's menu (Ctrl+E, 4) and from the day close (F9), the Sales tab's figures, the Products
tab sorted and searched, Enter into the stock lookup; a cashier is told it is not for them;
the console theme draws only what the console font has."""

from __future__ import annotations

from typing import Any

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.insight import InsightScreen
from tests.app.screen_text import screen_lines
from tests.app.test_console_glyphs import foreign

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
TOOTHPASTE = "7013767908024"  # Colgate Max Fresh 75 ml, 39,90


def sell_some(till: Till) -> None:
    """Three Rømme and a toothpaste, by card, through the till's services."""
    from tests.unit.conftest import print_waiting

    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME, 3000)
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    till.baskets.add(cashier, TOOTHPASTE, 1000)
    till.sales.pay_card(cashier, "")
    print_waiting(till)


async def sign_in(pilot: Any, number: str, pin: str) -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def to_insight(pilot: Any, number: str = "2", pin: str = "2222") -> None:
    await sign_in(pilot, number, pin)
    await pilot.press("ctrl+e")
    await pilot.pause()
    await pilot.press("4")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


def text(app: KassaApp) -> str:
    return "\n".join(screen_lines(app))


async def test_the_shift_lead_sees_the_days_sales(till: Till) -> None:
    sell_some(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_insight(pilot)
        assert isinstance(app.screen, InsightScreen)
        shown = text(app)
        assert "figures as of 10:0" in shown  # the till's clock: 09:00 UTC is 10:00 in Oslo
        today = next(line for line in screen_lines(app) if line.strip().startswith("Today"))
        # 3 x 24,90 + 39,90 = 114,60: 115 kr; nothing a week ago; 2 receipts; 57 kr; 2,0 items
        assert today.split() == ["Today", "115", "0", "-", "2", "57", "2,0"], today
        assert "Fri" in shown and "Receipts" in shown  # the heat map's rows
        assert "F4 Products" in shown  # the key bar

        await pilot.press("f4")  # Products, by revenue
        await pilot.pause()
        rows = [line for line in screen_lines(app) if "Rømme" in line or "Colgate" in line]
        assert rows[0].split()[:5] == ["Rømme", "18", "%", "3", "dl"]
        assert rows[0].split()[5:9] == ["A", "3", "75", "-"], rows[0]  # no cost price: no margin
        await pilot.press("f6", "f6")  # by units, then worst first: the toothpaste leads
        await pilot.pause()
        rows = [line for line in screen_lines(app) if "Rømme" in line or "Colgate" in line]
        assert "Colgate" in rows[0]
        await pilot.press("f9")  # dead stock: on hand, nothing sold for 30 days
        await pilot.pause()
        assert "by dead stock" in text(app) and "Axe Deo Spray 150 ml !" in text(app), text(app)
        assert "Rømme" not in text(app)
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press(*"romme")  # no such name: nothing listed
        await pilot.pause()
        assert "No product matches." in text(app)
        await pilot.press(*["backspace"] * 5, *"rømme")
        await pilot.pause()
        assert "Search: rømme_" in text(app)
        await pilot.press("enter")  # into the stock lookup with the product
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "StockScreen"
        assert "Rømme 18 % 3 dl" in text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InsightScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "SaleScreen"


async def test_a_cashier_is_refused(till: Till) -> None:
    sell_some(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_insight(pilot, "1", "1111")
        shown = text(app)
        assert "The insight screen is for a shift lead: sign in as one." in shown
        assert "115" not in shown and "Rømme" not in shown
        await pilot.press("f4", "f5", "f6", "f9", "f2", "up", "down", "enter", *"rømme")
        await pilot.pause()
        assert "Rømme" not in text(app) and isinstance(app.screen, InsightScreen)
        assert "The insight screen is for a shift lead: sign in as one." in text(app)
        assert not app.screen.query("TogetherPane")  # nor what customers buy together


async def test_from_the_day_close(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert isinstance(app.screen, InsightScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "DayCloseScreen"


async def test_the_console_sees_only_its_own_glyphs(till: Till) -> None:
    sell_some(till)
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_insight(pilot)
        lines = screen_lines(app)
        assert not foreign(lines), "\n".join([*foreign(lines)[:20], *lines])
        assert "Last weeks, kr:" in "\n".join(lines)  # the chart in numbers
        await pilot.press("f4")
        await pilot.pause()
        lines = screen_lines(app)
        assert not foreign(lines), "\n".join([*foreign(lines)[:20], *lines])


async def test_the_together_tab_has_its_keys_and_gives_them_back(till: Till) -> None:
    sell_some(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_insight(pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert "Scan or type a product" in text(app)  # screens.insight_together's widget
        await pilot.press(*"colg")  # typed into its search line, not the products' search
        await pilot.pause()
        assert "Search: _" not in text(app)
        await pilot.press("f4", *"rømme")  # back on Products, typing searches there again
        await pilot.pause()
        assert "Search: rømme_" in text(app) and "Rømme 18 % 3 dl" in text(app)
