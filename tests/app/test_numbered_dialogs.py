"""One pattern for every dialog with choices: numbered options a digit picks, key hints shown."""

from __future__ import annotations

from typing import Any

from textual import events

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.reason import ReasonDialog
from screens.dialogs.receipts import ReceiptsMenu
from screens.sale import SaleScreen
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_text

ROMME = "7020164760728"


async def sign_in_and_scan(pilot: Any, code: str = ROMME) -> None:
    await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
    await pilot.pause()
    pilot.app.screen.query_one("#entry", EntryLine).value = code
    await pilot.press("enter")
    await pilot.pause()


async def test_the_receipts_menu_shows_its_keys_and_a_digit_picks(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptsMenu)
        text = screen_text(app)
        for option in (
            "1. Copy of receipt ?",
            "2. Provisional receipt for this basket",
            "3. Training mode on",
        ):
            assert option in text
        assert "Digit or arrows + Enter: choose · Esc: cancel" in text
        await pilot.press("2")  # no arrows, no Enter
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "Provisional receipt" in screen_text(app)
    assert any("Foreløpig kvittering".encode("cp865") in job for job in printer.jobs)


async def test_a_digit_without_an_option_picks_nothing(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        await pilot.press("ctrl+e", "7")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptsMenu)  # still open: there is no 7th choice
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)


async def test_the_discount_reason_is_picked_by_its_digit(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        await pilot.press("1", "0", "%", "f6")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        assert "Digit or arrows + Enter: choose · Esc: cancel" in screen_text(app)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
    line = till.baskets.current().priced.lines[0]
    assert line.discount > 0
    assert line.line.discount_reason == till.config.discount_reasons[1]


async def test_a_digit_right_behind_the_menu_key_picks(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        for key, character in (("ctrl+e", None), ("2", "2")):  # one burst
            app.post_message(events.Key(key, character))
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "Provisional receipt" in screen_text(app)


async def test_a_digit_right_behind_the_discount_picks_the_reason(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        for key, character in (("1", "1"), ("0", "0"), ("percent_sign", "%"), ("f6", None)):
            app.post_message(events.Key(key, character))
        app.post_message(events.Key("3", "3"))
        await pilot.pause(0.3)
        assert isinstance(app.screen, SaleScreen), screen_text(app)
    line = till.baskets.current().priced.lines[0]
    assert line.line.discount_reason == till.config.discount_reasons[2]
