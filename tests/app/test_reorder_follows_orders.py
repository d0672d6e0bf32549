"""The Reorder tab follows the purchase orders (issue 16), at 80x24.

Goods received against an order (through the goods-in service, as the goods-in screen's F10
books them) show on the tab when it is next opened: the stock went up, nothing is coming any
more (the proposal was kept for the day before). A confirmed order is cancelled from the tab
with Ctrl+X and a shift lead's number and PIN (a cashier's is refused, nothing changes),
journaled ORDERCANCEL as `kassa order cancel` journals it, and the tab reads again.
"""

from __future__ import annotations

import json

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.ordering import orders
from screens.insight import InsightScreen
from tests.app.screen_text import screen_lines
from tests.app.test_insight_reorder import row_of, to_reorder
from tests.ordering.conftest import STEADY, steady_shop


def shown(app: KassaApp) -> str:
    return "\n".join(screen_lines(app))


async def reopen_reorder(pilot) -> None:  # type: ignore[no-untyped-def]
    """From the sale screen: the insight screen again, its Reorder tab, supplier TEST."""
    await pilot.press("ctrl+e")
    await pilot.pause()
    await pilot.press("4")
    await pilot.pause()
    await pilot.press("f10")
    await pilot.pause()
    await pilot.press("left", "left")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


async def test_goods_in_and_a_cancel_show_on_the_reorder_tab(till: Till) -> None:
    steady_shop(till)
    ids = till.ids  # type: ignore[attr-defined]
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_reorder(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("2", "enter", *"2222", "enter")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)
        lines = screen_lines(app)
        assert "Open: 1" in shown(app), shown(app)
        assert row_of(lines, "Steady 1 l").split()[4:8] == ["21", "5", "18", "0"], shown(app)
        assert row_of(lines, "Bulk 500 g").split()[4:8] == ["14", "13", "24", "0"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InsightScreen)
        # goods in against order 1: Steady's 18 came, Bulk's not yet (the order stays open)
        lead = till.users.verify("2", "2222", purpose="test")
        orders.receive_delivery(till.stock, till.clock, lead, 1, [(ids[STEADY], 18)])
        await reopen_reorder(pilot)
        lines = screen_lines(app)
        assert row_of(lines, "Steady 1 l").split()[4:8] == ["21", "23", "0", "0"], shown(app)
        assert row_of(lines, "Bulk 500 g").split()[4:8] == ["14", "13", "24", "0"]
        assert "Open: 1" in shown(app)
        # Ctrl+X: cancel order 1; a cashier's PIN does not, a shift lead's does
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert "Cancel purchase order 1 to Testgrossisten AS" in shown(app), shown(app)
        assert "Order 1 of 2026-11-27: 2 lines, 42 units" in shown(app), shown(app)
        await pilot.press("1", "enter", *"1111", "enter")
        await pilot.pause()
        assert "Cancel purchase order 1 to Testgrossisten AS" in shown(app)  # still asking
        assert orders.order(till.db, 1).status == orders.CONFIRMED
        await pilot.press("2", "enter", *"2222", "enter")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)
        lines = screen_lines(app)
        assert "Purchase order 1 to TEST cancelled." in shown(app), shown(app)
        assert "Open:" not in shown(app)
        assert row_of(lines, "Bulk 500 g").split()[4:8] == ["14", "13", "0", "24"], shown(app)
        assert all(len(line) <= 80 for line in lines)
        await pilot.press("ctrl+x")  # nothing open any more: said, nothing asked
        await pilot.pause()
        assert "No open purchase order to TEST." in shown(app), shown(app)
    assert orders.order(till.db, 1).status == orders.CANCELLED
    rows = till.db.execute_sql(
        "SELECT user_number, text FROM journal WHERE basic_id = 'ORDERCANCEL'"
    ).fetchall()
    assert [(user, json.loads(text)) for user, text in rows] == [(2, {"order": 1})]
