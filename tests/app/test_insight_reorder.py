"""The insight screen's Reorder tab (issue 16) at 80x24: a shift lead presses F10, picks the
supplier, reads the proposal with its reasons, changes a quantity, confirms with a shift lead's
number and PIN, and the order is journaled, printed and its number shown; a cashier cannot."""

from __future__ import annotations

import json

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.insight import InsightScreen
from tests.app.screen_text import screen_lines
from tests.app.test_console_glyphs import foreign
from tests.app.test_insight_screen import to_insight
from tests.ordering.conftest import BULK, STEADY, steady_shop


async def to_reorder(pilot, number: str = "2", pin: str = "2222") -> None:  # type: ignore[no-untyped-def]
    await to_insight(pilot, number, pin)
    await pilot.press("f10")
    await pilot.pause()
    await pilot.press("left", "left")  # ASKO, BAMA, TEST, TINE: back from the first, twice
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


def row_of(lines: list[str], name: str) -> str:
    return next(line for line in lines if name in line)


async def test_the_shift_lead_edits_and_confirms_an_order(till: Till) -> None:
    steady_shop(till)
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_reorder(pilot)
        assert isinstance(app.screen, InsightScreen)
        lines = screen_lines(app)
        shown = "\n".join(lines)
        assert "Reorder" in lines[1], shown  # the tab row
        assert "F10 Reorder" in shown  # the key bar
        assert "3/4 TEST Testgrossisten AS: lead 2 + review 5 days, 95 %" in shown, shown
        assert "To order: 2 lines, 42 units" in shown
        # Code, name, target, stock, coming, order, why.
        assert row_of(lines, "Steady 1 l").split()[4:9] == ["21", "5", "0", "18", "below"]
        assert row_of(lines, "Bulk 500 g").split()[4:8] == ["14", "13", "0", "24"]
        assert "Brand new 200 g" in row_of(lines, "new product")
        # The first line is Bulk's: its full reason below the table.
        detail = "target 14; stock 13, coming 0: below target by 1; pack 6 → 24; least order 24"
        assert detail in " ".join(shown.split()), shown
        await pilot.press("down")  # the arrows move over the lines: Steady's in full
        await pilot.pause()
        squeezed = " ".join("\n".join(screen_lines(app)).split())
        assert "Steady 1 l: forecast 21,0 + safety 0,0 = target 21; stock 5" in squeezed, squeezed
        await pilot.press("up")
        await pilot.pause()
        await pilot.press("enter")  # Bulk: not this time
        await pilot.pause()
        await pilot.press("end", "backspace", "backspace", "0", "enter")
        await pilot.pause()
        lines = screen_lines(app)
        assert row_of(lines, "Bulk 500 g").split()[7:] == ["0", "changed", "from", "24"]
        assert "To order: 1 lines, 18 units" in "\n".join(lines)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert "Order from Testgrossisten AS" in "\n".join(screen_lines(app))
        await pilot.press("2", "enter", *"2222", "enter")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)
        lines = screen_lines(app)
        shown = "\n".join(lines)
        assert "Purchase order 1 to TEST confirmed and printed." in shown, shown
        assert "Last order: no. 1" in shown
        # Now on order: Steady's 18 are coming and nothing more is proposed.
        assert row_of(lines, "Steady 1 l").split()[4:8] == ["21", "5", "18", "0"], shown
        assert all(len(line) <= 80 for line in lines)
    text = till.db.execute_sql(
        "SELECT text FROM journal WHERE basic_id = 'PURCHASEORDER'"
    ).fetchone()[0]
    assert json.loads(text)["lines"] == [[STEADY, 18, 18]]
    assert BULK not in text
    assert any(b"Bestilling" in job and b"18 stk" in job for job in printer.jobs)


async def test_a_cashier_sees_no_proposal_and_orders_nothing(till: Till) -> None:
    steady_shop(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_reorder(pilot, "1", "1111")
        await pilot.press("ctrl+o")
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "below target" not in shown and "Testgrossisten" not in shown, shown
    assert till.db.execute_sql("SELECT COUNT(*) FROM purchase_order").fetchone()[0] == 0


async def test_a_cashiers_pin_does_not_confirm(till: Till) -> None:
    steady_shop(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_reorder(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("1", "enter", *"1111", "enter")
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "Order from Testgrossisten AS" in shown, shown  # the dialog stays open
    assert till.db.execute_sql("SELECT COUNT(*) FROM purchase_order").fetchone()[0] == 0


async def test_the_console_sees_only_its_own_glyphs(till: Till) -> None:
    steady_shop(till)
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_reorder(pilot)
        lines = screen_lines(app)
        assert any("pack 6 -> 24" in line for line in lines), "\n".join(lines)
        assert not foreign(lines), "\n".join([*foreign(lines)[:20], *lines])
