"""Vipps from the sale screen, as a cashier pays with it: Shift+F11, its digit, the amount the
customer's phone approved, Enter; the rest in cash. What is checked is what the cashier sees
(the dialog's title, the refusal, the change) and the receipt's bytes."""

from __future__ import annotations

from textual.widgets import Label, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.payment import PaymentDialog
from screens.dialogs.reason import ReasonDialog
from screens.sale import SaleScreen
from tests.app.test_sale_flow import SJOKOLADE, message, scan, sign_in


def payments(till: Till) -> list[tuple[str, int]]:
    rows = till.db.execute_sql("SELECT method, amount_ore FROM payment ORDER BY id").fetchall()
    return [(str(m), int(a)) for m, a in rows]


async def test_shift_f11_pays_part_with_vipps_and_the_rest_in_cash(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, SJOKOLADE)  # 49,90
        await pilot.press("2", "0", "shift+f11")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("1")  # 1. Vipps
        await pilot.pause()
        assert isinstance(app.screen, PaymentDialog)
        assert "Vipps payment" in str(app.screen.query_one("#payment-title", Label).render())
        assert "Vipps has APPROVED" in str(app.screen.query_one("#payment-help").render())
        await pilot.press("enter")  # the phone approved the 20,00 typed first
        await pilot.pause()
        summary = str(app.screen.query_one("#payment-summary", Static).render())
        assert "Paid Vipps" in summary and "20,00" in summary
        await pilot.press("f10", "enter")  # the rest in cash: 29,90 → 30,00
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, SaleScreen)
        assert "Receipt 1: 49,90" in message(app)
    assert payments(till) == [("vipps", 2000), ("cash", 3000)]
    assert b"Vipps" in printer.jobs[0] and b"Kontant" in printer.jobs[0]


async def test_too_much_by_vipps_is_refused_and_esc_keeps_the_basket(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, SJOKOLADE)
        await pilot.press("shift+f11", "1")
        await pilot.pause()
        await pilot.press("6", "0", "enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#payment-message").render())
        assert "A Vipps payment cannot be more than the 49,90 left." in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        await pilot.press("shift+f11", "escape")  # the choice, left without paying
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
    assert payments(till) == []
    assert printer.jobs == []


async def test_shift_f11_on_an_empty_basket_says_so(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("shift+f11")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "The basket is empty." in message(app)
