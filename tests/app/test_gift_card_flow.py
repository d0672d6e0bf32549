"""Gift cards and credit notes at the counter: Shift+F11, the method's digit, the card scanned,
Enter for as much as it can take. What the cashier sees (the balance, the refusal, what is left
to pay) and the receipt's bytes; the demo shop's cards (kassa_tui.selling.gift_cards)."""

from __future__ import annotations

from textual.widgets import Input, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.selling.gift_cards import GiftCards
from screens.dialogs.gift_card import GiftCardPayDialog
from screens.sale import SaleScreen
from tests.app.test_sale_flow import SJOKOLADE, message, scan, sign_in

GIFT, CREDIT, EXPIRED = "7090000000019", "7090000000026", "7090000000033"


async def type_code(pilot, code: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#gift-code", Input).value = code
    await pilot.press("enter")
    await pilot.pause()


def balance(till: Till, code: str) -> int:
    return GiftCards(till.db, till.config.register_id).look_up(code).balance_ore


async def test_a_credit_note_pays_part_and_cash_the_rest(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("3", "*")
        await scan(pilot, SJOKOLADE)  # 149,70
        await pilot.press("shift+f11", "3")  # 1. Vipps 2. Gavekort 3. Tilgodelapp
        await pilot.pause()
        assert isinstance(app.screen, GiftCardPayDialog)
        await type_code(pilot, CREDIT)
        summary = str(app.screen.query_one("#gift-summary", Static).render())
        assert "Credit note 7090000000026: 100,00 left, valid to 2027-01-01." in summary
        await pilot.press("enter")  # empty: as much as it holds
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "0,00 left" in message(app) and "49,70 is left to pay." in message(app)
        await pilot.press("f10", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert "Receipt 1: 149,70" in message(app)
    assert balance(till, CREDIT) == 0
    assert b"Tilgodelapp" in printer.jobs[0] and b"100,00" in printer.jobs[0]


async def test_an_expired_card_is_refused_in_the_dialog(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, SJOKOLADE)
        await pilot.press("shift+f11", "2")
        await pilot.pause()
        await type_code(pilot, EXPIRED)
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#gift-message").render())
        assert "Gift card 7090000000033 expired on 2023-01-01." in shown
        await type_code(pilot, GIFT)  # another card: 500,00 covers the 49,90
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, SaleScreen)
        assert "Receipt 1: 49,90" in message(app)
    assert balance(till, GIFT) == 50_000 - 4_990
    assert b"Gavekort" in printer.jobs[0]


async def test_shift_f5_shows_what_a_card_holds_and_changes_nothing(
    app: KassaApp, till: Till
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, SJOKOLADE)
        app.screen.query_one("#entry", Input).value = GIFT
        await pilot.press("shift+f5", "2")  # the card scanned first, the key, 2: its balance
        await pilot.pause()
        shown = str(app.screen.query_one("#gift-message").render())
        assert "Gift card 7090000000019: 500,00 left, valid to 2028-12-31." in shown
        await type_code(pilot, EXPIRED)
        shown = str(app.screen.query_one("#gift-message").render())
        assert "2023-01-01. It has expired." in shown
        await type_code(pilot, "7090000000040")
        shown = str(app.screen.query_one("#gift-message").render())
        assert "No gift card or credit note has the code 7090000000040." in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "49,90" in str(app.screen.query_one("#sale-totals", Static).render())
    assert balance(till, GIFT) == 50_000
    assert till.db.execute_sql("SELECT COUNT(*) FROM basket_payment").fetchone()[0] == 0


def test_a_return_message_names_the_card_the_money_goes_back_on() -> None:
    from kassa_tui.selling.returns import ReturnDone
    from screens.dialogs.returns import refund_message

    done = ReturnDone(2, 2, -3_990, 0, 0, True, (("gift_card", 3_000), ("cash", 990)))
    text = refund_message(done)
    assert "30,00 back on the gift card, 9,90 in cash" in text
