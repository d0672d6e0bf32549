"""The age limit is the sale service's rule, not only the screen's question (issue 14): a sale
screen that skipped the question still cannot take payment for beer."""

from __future__ import annotations

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.payment import PaymentDialog
from screens.sale import SaleScreen
from tests.app.screen_text import screen_text

PILSNER = "7061222375317"  # Ringnes Pilsner 0,5 l: 18


async def test_a_payment_dialog_reached_without_the_age_question_is_refused(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
        await pilot.pause()
        assert app.person is not None
        till.baskets.add(app.person, PILSNER)  # in the basket, never asked about
        screen = app.screen
        assert isinstance(screen, SaleScreen)
        screen.reload()
        screen._payment_dialog("cash", "")  # the way past the screen's own question
        await pilot.pause()
        assert isinstance(app.screen, PaymentDialog)
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Ringnes Pilsner 0,5 l is sold from 18 years: confirm the" in text
        assert "customer's age, or take the line off, before payment." in text
        assert isinstance(app.screen, PaymentDialog)  # still open: nothing was paid
    assert till.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == 0
    assert printer.jobs == []


async def test_the_screen_asks_at_payment_and_j_lets_it_through(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
        await pilot.pause()
        assert app.person is not None
        till.baskets.add(app.person, PILSNER)  # a line scanned before a restart
        assert isinstance(app.screen, SaleScreen)
        app.screen.reload()
        await pilot.press("f10")
        await pilot.pause()
        assert "18" in screen_text(app)  # the age question
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, PaymentDialog)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
    assert till.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == 1
