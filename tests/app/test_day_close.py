"""The day close as a shift lead works it: the X on screen, the float, a count, the Z."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.dayclose.reports import Report, report_doc
from screens.dayclose import DayCloseScreen
from screens.dialogs.cash_count import CashCountDialog
from screens.dialogs.help import HelpDialog
from screens.dialogs.signals_behind import Behind
from screens.dialogs.z_close import ConfirmZDialog, CountFirstDialog
from screens.signals import SignalsScreen
from screens.widgets.entry import EntryLine
from screens.widgets.keybar import KeyBar
from tests.app.screen_text import screen_text
from tests.shop import SteppingClock, demo_till

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


def on_screen(app: KassaApp) -> str:
    """Every text on the screen in front (a dialog's, if one is open)."""
    return "\n".join(str(widget.render()) for widget in app.screen.query(Static))


async def test_float_sale_count_and_z(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)
        assert "X report" in report_text(app)  # the screen is English here; paper is not
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
        await pilot.press("ctrl+z")  # the Z: counted, so straight to the confirmation
        await pilot.pause()
        assert isinstance(app.screen, ConfirmZDialog) and till.reports.z_reports() == []
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Z report 1 taken" in message(app)
        assert "Z report" in report_text(app) and "Cash sales" in report_text(app)
    assert till.reports.z_reports()[0][0] == 1
    assert any(b"Z-rapport" in job for job in printer.jobs)
    events = [row.event_code for row in till.journal.rows()]
    assert "13009" in events


async def sell_one(pilot: Any, app: KassaApp) -> None:
    """From the sale screen: a rømme (24,90) for cash, then the day-close screen."""
    app.screen.query_one("#entry", EntryLine).value = ROMME
    await pilot.press("enter", "f10", "enter")
    await app.workers.wait_for_complete()
    await pilot.press("f12")
    await pilot.pause()
    assert isinstance(app.screen, DayCloseScreen)


async def test_f10_takes_no_z_and_esc_cancels_the_count_step(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await sell_one(pilot, app)
        await pilot.press("f10", "f10", "enter", "z")  # the sale screen's habit: F10, Enter
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)  # F10 is cash elsewhere: no Z here
        assert "the Z is Ctrl+Z" in message(app)
        assert till.reports.z_reports() == []
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert isinstance(app.screen, CountFirstDialog)  # no count yet: asked for one
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)
    assert till.reports.z_reports() == []


async def test_esc_at_the_confirmation_takes_no_z(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await sell_one(pilot, app)
        await pilot.press("ctrl+z", "n")  # not counted, then the confirmation
        await pilot.pause()
        assert isinstance(app.screen, ConfirmZDialog)
        await pilot.press("enter", "f10", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)
        assert "No Z report taken" in message(app)
    assert till.reports.z_reports() == []


async def test_count_then_confirm_takes_one_z_and_shows_it(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await sell_one(pilot, app)
        await pilot.press("ctrl+z", "c")
        await pilot.pause()
        assert isinstance(app.screen, CashCountDialog)
        app.screen.query_one("#piece-2000", Input).value = "1"
        app.screen.query_one("#piece-500", Input).value = "1"
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmZDialog)
        summary = str(app.screen.query_one("#z-summary", Static).render())
        assert "Receipts: 1" in summary and "Total: 24,90" in summary
        assert "Cash counted: 25,00" in summary
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)
        shown = report_text(app)
    assert till.reports.z_reports() == [(1, till.reports.stored_z(1).business_date)]
    z = till.reports.stored_z(1)
    assert z.cash_count is not None and z.cash_count.counted_ore == 2500
    assert shown == report_doc(till.config, z, i18n._).as_text(till.config.printer.columns)
    assert "Z number" in shown and "Cash counted" in shown


async def test_not_counted_is_on_the_printed_z_and_in_its_content(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await sell_one(pilot, app)
        await pilot.press("ctrl+z", "n", "z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "NOT COUNTED" in report_text(app)
    z = till.reports.stored_z(1)
    assert z.cash_not_counted and z.cash_count is None
    journaled = [
        json.loads(r.text)["report"] for r in till.journal.rows() if r.event_code == "13009"
    ]
    assert [r["cash_not_counted"] for r in journaled] == [True]
    assert any(b"IKKE OPPTALT" in job for job in printer.jobs if b"Z-rapport" in job)


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
    assert shown == report_doc(till.config, report, i18n._).as_text(till.config.printer.columns)


async def test_a_cashier_cannot_take_the_z_without_a_shift_lead(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "1", "1111")
        await pilot.press("f12", "ctrl+z")
        await pilot.press("1", "enter", "1", "1", "1", "1", "enter")  # a cashier's own PIN
        await pilot.pause()
        assert "shift lead" in on_screen(app)
    assert till.reports.z_reports() == []


@pytest.mark.parametrize(
    ("language", "score", "deleted"),
    [
        ("en", "1.0", "Line deleted: Rømme 18 % 3 dl"),
        ("nb", "1,0", "Linje slettet: Rømme 18 % 3 dl"),
    ],
)
async def test_signals_rank_cashiers_with_the_transactions_one_key_away(
    till: Till, language: str, score: str, deleted: str
) -> None:
    """The details speak the shop's words (no journal names or row numbers), and the score is
    written as the language writes numbers."""
    i18n.set_language(language)
    app = KassaApp(till, MemoryPrinter())
    try:
        async with app.run_test(size=(80, 24)) as pilot:
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
            table = app.screen.query_one("#signals-table", DataTable)
            assert [str(cell) for cell in table.get_row_at(0)] == [i18n._("Score"), score]
            labels = [str(table.get_row_at(row)[0]) for row in range(table.row_count)]
            assert (
                i18n._("Returns without receipt") in labels and i18n._("Training minutes") in labels
            )
            assert table.virtual_size.width <= 80  # every word whole at 80 columns
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, Behind)
            text = str(app.screen.query_one("#signals-behind", Static).render())
    finally:
        i18n.set_language("en")
    assert "Kari Kasserer (1)" in text
    assert text.count(deleted) == 2 and text.count("24,90") == 2
    assert "27.11. 10:00" in text and score in text.splitlines()[1]
    for internal in ("LINEDELETE", "journal", "receipt "):
        assert internal not in text


@pytest.mark.parametrize(
    ("oslo_hour", "when"),
    [(1, "from 04:00 today"), (23, "from 04:00 tomorrow")],
)
async def test_a_second_z_is_refused_at_once_saying_when_the_next_can_be_taken(
    tmp_path: Path, oslo_hour: int, when: str
) -> None:
    """A Z taken at 22:00 on the 27th closes business day 27.11; at 01:05 the next day that
    day still runs (cut-off 04:00), and the next Z can be taken today at 04:00."""
    clock = SteppingClock(datetime(2026, 11, 27, 21, 0, tzinfo=UTC))  # 22:00 in Oslo
    till = demo_till(tmp_path, clock, language='"en"')
    i18n.set_language("en")
    till.reports.z_report(till.users.sign_in("2", "2222"), not_counted=True)
    clock.at = datetime(2026, 11, 27, oslo_hour - 1, 5, tzinfo=UTC) + timedelta(
        days=1 if oslo_hour < 4 else 0
    )
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f12", "ctrl+z")
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)  # no count asked for a Z refused
        assert "The Z report for 27.11.2026 is already taken (Z 1)" in message(app)
        assert when in message(app)
    assert [nr for nr, _day in till.reports.z_reports()] == [1]
    till.db.close()


async def test_the_cash_count_starts_at_the_first_field_and_sums_as_you_type(
    till: Till,
) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await sell_one(pilot, app)  # 24,90, paid in cash: 25,00 in the drawer
        await pilot.press("f7", "2", "enter", "1", "down", "down", "down", "down", "4")
        await pilot.pause()
        assert isinstance(app.screen, CashCountDialog)
        assert app.screen.query_one("#piece-100000", Input).value == "2"  # no Tab first
        text = on_screen(app)
        for value in ("1000 kr", "500 kr", "50 kr", "20 kr", "1 kr"):
            assert value in text  # the labels stay beside the figures
        assert "2\u00a0000,00" in text and "500,00" in text and "80,00" in text
        assert "Counted: 2\u00a0580,00" in text
        assert "Expected: 25,00 · difference: 2\u00a0555,00" in text
        hint = app.screen.query_one("#count-box .dialog-help", Static)
        assert "F10: done" in str(hint.render()) and hint.region.bottom <= 24  # not cut off
        await pilot.press("f10")
        await pilot.pause()
        assert "Counted 2\u00a0580,00, expected 25,00, difference 2\u00a0555,00" in message(app)


async def test_a_cashier_counts_blind(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "1", "1111")
        await sell_one(pilot, app)
        await pilot.press("f7", "1")
        await pilot.pause()
        text = on_screen(app)
        assert "Counted: 1\u00a0000,00" in text and "Expected" not in text


async def test_the_day_close_shows_its_keys_at_80_columns_and_f1_lists_them(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f12")
        await pilot.pause()
        bar = app.screen.query_one(KeyBar).text()
        lines = bar.splitlines()
        assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
        for key in ("F1 Help", "F7 Count cash", "^Z Z report", "F8 Signals"):
            assert key in lines[0]  # the first line: what the day close is for
        for key in ("F3 Print X", "F4 Float", "F6 Pay-out", "Esc Back", "F9 Insight"):
            assert key in bar
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        text = screen_text(app)
        assert "Count the cash in the drawer" in text and "Z report: count, confirm" in text
        assert "F7/^O" in text and "F9/^N" in text  # the Ctrl twins: in the help
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)


def test_every_kind_of_signal_detail_is_in_the_shop_s_words() -> None:
    """No journal name (LINEREDUCE, NOSALEREQ …) or row number reaches the details."""
    from kassa_tui.dayclose.signals import Item
    from screens.signals import behind_line

    def line(signal: str, source: str, what: str, amount: int = 0, **more: Any) -> str:
        return behind_line(signal, Item(source, 41, "2026-11-27", "14:03:59", what, amount, **more))

    assert line("returns_no_receipt", "sale", "receipt 12", 3990, receipt_nr=12) == (
        "27.11. 14:03  Receipt 12  39,90"
    )
    assert line("line_corrections", "journal", "LINEREDUCE", 2490, about="Rømme") == (
        "27.11. 14:03  Quantity lowered: Rømme  24,90"
    )
    assert line("no_sale", "journal", "NOSALEREQ") == "27.11. 14:03  Drawer opened without a sale"
    assert line("no_sale", "journal", "DRAWOPENMAN") == "27.11. 14:03  Drawer opened by hand"
    assert line("price_overrides", "journal", "PRICEOVERRIDE", 500, about="Epler") == (
        "27.11. 14:03  Price overridden: Epler  5,00"
    )
    assert line("voided", "journal", "VOID", 2490, about="Kunden ombestemte seg") == (
        "27.11. 14:03  Sale voided: Kunden ombestemte seg  24,90"
    )
    assert line("training", "journal", "TRAININGON 12 min", minutes=12) == (
        "27.11. 14:03  Training mode, 12 min"
    )


@pytest.mark.parametrize("language", ["en", "nb", "nn"])
async def test_every_day_close_key_fits_the_bar_at_80_columns(till: Till, language: str) -> None:
    """Issue 16: in Bokmål and Nynorsk the bar left «F9 Innsikt» off at 80 columns. Every key
    of the day close is on the bar, whole, in two lines, in each language."""
    i18n.set_language(language)
    try:
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "2", "2222")
            await pilot.press("f12")
            await pilot.pause()
            assert isinstance(app.screen, DayCloseScreen)
            lines = app.screen.query_one(KeyBar).text().splitlines()
            assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
            bar = " ".join(lines)
            every_key = DayCloseScreen.keys  # not a dict: the screen's list of keys
            for _keys, _action, words, shown, _does in every_key():
                assert f"{shown.split('/')[0]} {words}" in bar, words
            assert i18n._("Insight") in bar
    finally:
        i18n.set_language("en")
