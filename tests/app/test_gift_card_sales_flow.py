"""Selling a gift card at the counter, as a cashier does it at 80x24 (and on the Linux console):
Shift+F5, 1, the card scanned (or Enter: kassa makes the code), the amount, Enter; the line
«Gavekort» in the basket and the total on the screen, the card issued only once paid, the
receipt's bytes with the card's barcode. Shift+F5, 2 is the balance look-up as before."""

from __future__ import annotations

from textual.widgets import Input, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.selling.gift_cards import GiftCards
from screens.dialogs.gift_card import GiftCardLookupDialog
from screens.dialogs.gift_card_sale import GiftCardSellDialog
from screens.sale import SaleScreen
from tests.app.test_sale_flow import SJOKOLADE, message, scan, sign_in

CARD = "7090012345678"


async def type_in(pilot, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one(field, Input).value = text
    await pilot.press("enter")
    await pilot.pause()


def totals(app: KassaApp) -> str:
    return str(app.screen.query_one("#sale-totals", Static).render())


def issued(till: Till) -> int:
    return int(
        till.db.execute_sql(
            "SELECT COUNT(*) FROM gift_card WHERE register_id = ?", (till.config.register_id,)
        ).fetchone()[0]
    )


async def sell_and_pay(app: KassaApp, till: Till, code: str) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, SJOKOLADE)  # 49,90
        await pilot.press("shift+f5", "1")  # 1. Sell a gift card 2. Gift card balance
        await pilot.pause()
        assert isinstance(app.screen, GiftCardSellDialog)
        await type_in(pilot, "#gift-code", code)
        await type_in(pilot, "#gift-amount", "0")
        shown = str(app.screen.query_one("#gift-message").render())
        assert "A gift card must hold more than 0,00." in shown  # refused, still in the dialog
        await type_in(pilot, "#gift-amount", "500")
        assert isinstance(app.screen, SaleScreen)
        assert "for 500,00: issued when the sale is paid." in message(app)
        assert "549,90" in totals(app)
        assert issued(till) == 0  # not before the sale is paid
        await pilot.press("f11", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert "Receipt 1: 549,90" in message(app)


async def test_a_card_from_the_stack_is_sold_paid_by_card_and_printed(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    await sell_and_pay(app, till, CARD)
    assert GiftCards(till.db, "x").look_up(CARD).balance_ore == 50_000
    receipt = printer.jobs[0]
    assert b"GAVEKORT" in receipt and CARD.encode() in receipt
    assert b"{B" + CARD.encode() in receipt  # the card's barcode
    assert b"Gyldig til" in receipt


async def test_on_the_console_kassa_makes_the_code(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer, console=True)
    await sell_and_pay(app, till, "")
    code = till.db.execute_sql("SELECT code FROM gift_card WHERE register_id = ?", ("KASSE-1",))
    made = str(code.fetchone()[0])
    assert made.startswith("29") and b"{B" + made.encode() in printer.jobs[0]


async def test_shift_f5_2_looks_a_card_up_and_esc_leaves_the_basket(
    app: KassaApp, till: Till
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, SJOKOLADE)
        await pilot.press("shift+f5", "2")
        await pilot.pause()
        assert isinstance(app.screen, GiftCardLookupDialog)
        await type_in(pilot, "#gift-code", "7090000000019")
        assert "500,00 left" in str(app.screen.query_one("#gift-message").render())
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("shift+f5", "1")
        await pilot.pause()
        await pilot.press("escape")  # nothing sold
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "49,90" in totals(app)
    assert issued(till) == 0


async def test_f7_in_the_return_dialog_refunds_to_a_new_credit_note(till: Till) -> None:
    from screens.dialogs.approval import ApprovalDialog
    from screens.dialogs.returns import ReturnDialog
    from tests.app.test_returns_flow import ROMME, sale_message, screen_text, sell
    from tests.app.test_returns_flow import scan as scan_code

    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sell(pilot, ROMME)  # by card: 24,90
        await scan_code(pilot, "R1")
        await pilot.pause()
        assert isinstance(app.screen, ReturnDialog)
        await pilot.press("f6", "f7")
        await pilot.pause()
        shown = str(app.screen.query_one("#return-message").render())
        assert "Refund to a new credit note (F7 again: as it was paid)." in shown
        app.screen.query_one("#return-reason", Input).value = "Bytte"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalDialog)
        assert "Refund 24,90: 24,90 on a new credit note" in screen_text(app)
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        note = till.db.execute_sql(
            "SELECT code FROM gift_card WHERE kind = 'credit' AND register_id = ?",
            (till.config.register_id,),
        ).fetchone()
        code = str(note[0])
        message = sale_message(app)
        assert f"Return receipt 2: credit note {code} for 24,90, valid to 26.11.2029." in message
    assert GiftCards(till.db, "x").look_up(code).balance_ore == 2_490
    assert b"TILGODELAPP" in printer.jobs[1] and b"{B" + code.encode() in printer.jobs[1]


async def test_f6_on_a_gift_card_sold_is_refused_in_the_return_dialog(
    app: KassaApp, till: Till
) -> None:
    from kassa_tui.selling import gift_card_sales
    from screens.dialogs.returns import ReturnDialog

    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, SJOKOLADE)  # receipt 1: Freia 49,90 and the card 500,00
    gift_card_sales.sell(till.baskets, cashier, CARD, "500", training=False)
    till.sales.pay_card(cashier, "")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, "R1")
        await pilot.pause()
        assert isinstance(app.screen, ReturnDialog)
        await pilot.press("down", "f6")  # the card's line
        await pilot.pause()
        shown = str(app.screen.query_one("#return-message").render())
        assert "A gift card sold cannot be returned: what it holds stays on the card." in shown
        assert app.screen.chosen == {}


async def test_a_card_scanned_before_shift_f5_goes_to_the_choice_made(
    app: KassaApp, till: Till
) -> None:
    """A card from the stack scanned into the entry line, then Shift+F5: the menu, not a
    balance look-up ('no card has the code'); 1 sells that very card (its code filled in), 2
    shows what a card typed first holds."""
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        app.screen.query_one("#entry", Input).value = CARD
        await pilot.press("shift+f5")
        await pilot.pause()
        assert CARD in "".join(str(w.render()) for w in app.screen.query(".dialog-title"))
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, GiftCardSellDialog)
        assert app.screen.query_one("#gift-code", Input).value == CARD
        await pilot.press("enter")  # the code as typed
        await pilot.pause()
        await type_in(pilot, "#gift-amount", "300")
        assert isinstance(app.screen, SaleScreen)
        assert f"Gift card {CARD} for 300,00: issued when the sale is paid." in message(app)
        assert "300,00" in totals(app)
        app.screen.query_one("#entry", Input).value = "7090000000019"
        await pilot.press("shift+f5", "2")
        await pilot.pause()
        assert isinstance(app.screen, GiftCardLookupDialog)
        assert "500,00 left" in str(app.screen.query_one("#gift-message").render())
    assert issued(till) == 0
