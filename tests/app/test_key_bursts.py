"""Keys in one burst on the sale screen (a scanner, a script, tmux send-keys, a fast finger):
each lands where the cashier meant it, none lost and none doubled (screens/key_queue.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual import events

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.numbered import NumberedOptions
from screens.dialogs.payment import PaymentDialog
from screens.sale import SaleScreen
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_text

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
EPLER = "7045811781536"  # Epler Pink Lady 4 stk, 39,90


def burst(app: KassaApp, *keys: str) -> None:
    """Keys arriving at once, as fast typing or a scanner delivers them (pilot.press waits)."""
    for key in keys:
        character = {"percent_sign": "%", "asterisk": "*"}.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


async def sign_in(pilot: Any) -> None:
    await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
    await pilot.pause()


async def until(pilot: Any, done: Callable[[], bool], seconds: float = 10.0) -> None:
    """Let the app work until `done` (the assertions after say what went wrong if never): a
    fixed pause flakes on a loaded CI machine."""
    waited = 0.0
    while not done() and waited < seconds:
        await pilot.pause(0.05)
        waited += 0.05


def names(till: Till) -> list[tuple[str, int]]:
    return [(p.line.name, p.line.qty_milli) for p in till.baskets.current().priced.lines]


def entry_text(app: KassaApp) -> str:
    return app.screen.query_one("#entry", EntryLine).value


async def test_a_wedge_scan_burst_lands_in_the_entry_line_as_before(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        burst(app, *ROMME, "enter", "2", "asterisk", *EPLER, "enter", *"123")
        await until(pilot, lambda: len(names(till)) == 2 and entry_text(app) == "123")
        assert isinstance(app.screen, SaleScreen)
        assert names(till) == [("Rømme 18 % 3 dl", 1000), ("Epler Pink Lady 4 stk", 2000)]
        assert entry_text(app) == "123"  # typed after the last Enter: still there, once


async def test_keys_behind_the_cash_key_are_the_amount_tendered(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        burst(app, *ROMME, "enter", "f10", "5", "0", "enter")
        await until(pilot, lambda: "CHANGE" in screen_text(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen), screen_text(app)
        assert "Receipt 1: 24,90.  CHANGE 25,00" in screen_text(app)  # 50 tendered, rounded
        assert entry_text(app) == ""
    assert till.baskets.current().empty


async def test_a_scan_behind_a_key_that_opens_no_dialog_lands_in_the_entry_line(
    till: Till,
) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        burst(app, *ROMME, "enter", "f3", *EPLER, "enter")  # F3 parks: no dialog
        await until(pilot, lambda: len(names(till)) == 1 and len(till.baskets.parked()) == 1)
        assert isinstance(app.screen, SaleScreen)
        assert names(till) == [("Epler Pink Lady 4 stk", 1000)]
        assert len(till.baskets.parked()) == 1


async def test_keys_behind_the_digit_that_closed_the_menu_go_back_to_the_entry_line(
    till: Till,
) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        burst(app, *ROMME, "enter", "ctrl+e", "2", *EPLER, "enter")
        await until(pilot, lambda: len(names(till)) == 2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen), screen_text(app)
        assert names(till) == [("Rømme 18 % 3 dl", 1000), ("Epler Pink Lady 4 stk", 1000)]
    assert any("Foreløpig kvittering".encode("cp865") in job for job in printer.jobs)


async def test_the_payment_dialog_opened_in_a_burst_takes_the_keys_behind(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        burst(app, *ROMME, "enter", "f11", "1", "0")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, PaymentDialog)
                and app.screen.query_one("#payment-amount").value == "10"
            ),  # type: ignore[attr-defined]
        )
        assert isinstance(app.screen, PaymentDialog)
        assert app.screen.query_one("#payment-amount").value == "10"  # type: ignore[attr-defined]
        assert entry_text_of_sale(app) == ""


def entry_text_of_sale(app: KassaApp) -> str:
    sale = next(s for s in app.screen_stack if isinstance(s, SaleScreen))
    return sale.query_one("#entry", EntryLine).value


async def test_a_slow_dialog_gets_its_key_before_the_keys_behind_move_on(
    till: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a busy Pi the menu takes its time over the digit: the scan behind it waits until the
    menu has closed, then goes to the entry line (none is swallowed by the closing menu)."""
    picked = NumberedOptions.on_key

    async def slow(self: NumberedOptions, event: events.Key) -> None:
        await asyncio.sleep(0.05)
        picked(self, event)

    monkeypatch.setattr(NumberedOptions, "on_key", slow)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        burst(app, *ROMME, "enter", "ctrl+e", "2", *EPLER, "enter")
        await until(pilot, lambda: len(names(till)) == 2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen), screen_text(app)
        assert names(till) == [("Rømme 18 % 3 dl", 1000), ("Epler Pink Lady 4 stk", 1000)]
