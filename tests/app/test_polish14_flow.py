"""Issue 14's loose ends on the screen (polish14), at 80x24 as the cashier sees them: a gift
card in the basket has no VAT line in the totals (the receipt has none either), and the two
return dialogs say on their help line that F7 refunds to a credit note."""

from __future__ import annotations

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.gift_card_sale import GiftCardSellDialog
from screens.dialogs.return_no_receipt import ReturnWithoutReceiptDialog
from screens.dialogs.returns import ReturnDialog
from tests.app.test_gift_card_sales_flow import CARD, totals, type_in
from tests.app.test_returns_flow import ROMME, scan, screen_text, sell
from tests.app.test_sale_flow import SJOKOLADE, sign_in
from tests.app.test_sale_flow import scan as scan_sale


async def test_a_gift_card_has_no_vat_line_in_the_totals(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("shift+f5", "1")
        await pilot.pause()
        assert isinstance(app.screen, GiftCardSellDialog)
        await type_in(pilot, "#gift-code", CARD)
        await type_in(pilot, "#gift-amount", "500")
        shown = totals(app)
        assert "500,00" in shown
        assert "VAT" not in shown, shown  # was «VAT 0 % 0,00»
        await scan_sale(pilot, SJOKOLADE)  # 49,90 at 15 %
        shown = totals(app)
        assert "549,90" in shown and "VAT 15 %" in shown
        assert "VAT 0" not in shown, shown


@pytest.mark.parametrize("console", [False, True])
async def test_the_return_dialogs_tell_f7(till: Till, console: bool) -> None:
    app = KassaApp(till, MemoryPrinter(), console=console)
    async with app.run_test(size=(80, 24)) as pilot:
        await sell(pilot, ROMME)
        await scan(pilot, "R1")
        await pilot.pause()
        assert isinstance(app.screen, ReturnDialog)
        text = screen_text(app)
        assert "F7: to a credit note" in text, text
        await pilot.press("f7")
        await pilot.pause()
        assert "Refund to a new credit note" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+v")  # return without a receipt
        await pilot.pause()
        assert isinstance(app.screen, ReturnWithoutReceiptDialog)
        text = screen_text(app)
        assert "F7 credit" in text, text  # the line wraps at 80 columns: "F7 credit | note"
