"""The day close as a shift lead works it: the X on screen, the float, a count, the Z."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Input, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.dayclose.reports import Report, report_doc
from screens.dayclose import DayCloseScreen
from screens.dialogs.signals_behind import Behind
from screens.signals import SignalsScreen
from screens.widgets.entry import EntryLine

ROMME = "7020164760728"


async def sign_in(pilot: Any, number: str, pin: str) -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


def report_text(app: KassaApp) -> str:
    return str(app.screen.query_one("#dayclose-text", Static).render())


def x_rows(till: Till) -> list[tuple[str, int | None, str]]:
    """The journal's X reports: code, who asked, content."""
    rows = till.db.execute_sql(
        "SELECT event_code, user_number, text FROM journal WHERE basic_id = 'XREPORT'"
    )
    return [(str(code), user, str(text)) for code, user, text in rows]


def message(app: KassaApp) -> str:
    return str(app.screen.query_one("#stock-message", Static).render())


async def test_float_sale_count_and_z(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)
        assert "X-rapport" in report_text(app)
        await pilot.press("f4")  # opening float 1 000 kr
        app.screen.query_one("#amount", Input).value = "1000"
        await pilot.press("enter")
        await pilot.pause()
        assert "Opening float: 1\u00a0000,00" in message(app)
        await pilot.press("escape")  # back to the sale screen: sell a rømme for cash
        app.screen.query_one("#entry", EntryLine).value = ROMME
        await pilot.press("enter", "f10", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f12", "f7")  # count: two 500 notes, one 20 coin, one 5 coin
        await pilot.pause()
        app.screen.query_one("#piece-50000", Input).value = "2"
        app.screen.query_one("#piece-2000", Input).value = "1"
        app.screen.query_one("#piece-500", Input).value = "1"
        await pilot.press("f10")
        await pilot.pause()
        assert "difference 0,00" in message(app)  # 1 000 + 25 in cash
        await pilot.press("f10")  # the Z
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Z report 1 taken" in message(app)
        assert "Kontantsalg" in report_text(app)
    assert till.reports.z_reports()[0][0] == 1
    assert any(b"Z-rapport" in job for job in printer.jobs)
    events = [row.event_code for row in till.journal.rows()]
    assert "13009" in events


async def test_the_x_on_screen_is_journaled_with_its_content_and_who_asked(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")  # the shift lead
        assert x_rows(till) == []
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)
        shown = report_text(app)
        rows = x_rows(till)
    assert [(code, user) for code, user, _text in rows] == [("13008", 2)]
    report = Report.from_dict(json.loads(rows[0][2])["report"])
    assert report.report_type == "X report" and report.user_number == 2
    assert shown == report_doc(till.config, report).as_text(till.config.printer.columns)


async def test_a_cashier_cannot_take_the_z_without_a_shift_lead(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "1", "1111")
        await pilot.press("f12", "f10")
        await pilot.press("1", "enter", "1", "1", "1", "1", "enter")  # a cashier's own PIN
        await pilot.pause()
        assert "shift lead" in message(app)
    assert till.reports.z_reports() == []


async def test_signals_rank_cashiers_with_the_transactions_one_key_away(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "1", "1111")
        for _ in range(2):  # two line corrections by the cashier
            app.screen.query_one("#entry", EntryLine).value = ROMME
            await pilot.press("enter", "delete")
        await pilot.press("ctrl+u")  # sign out; the shift lead signs in
        await pilot.pause()
        await sign_in(pilot, "2", "2222")
        await pilot.press("f12", "f8")
        await pilot.pause()
        assert isinstance(app.screen, SignalsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Behind)
        text = str(app.screen.query_one("#signals-behind", Static).render())
        assert "Kari Kasserer (1)" in text and "Line corrections: 2" in text
        assert text.count("LINEDELETE") == 2
