"""On the Pi's Linux console (TERM=linux) every character drawn must exist in the console font.

The console theme (``KassaApp(..., console=True)``, as ``TERM=linux`` starts it) promises plain
ASCII borders; issue 13 found │ ▁ ▔ ▌ ▊ in the stock screen, the scrollbars, the inputs and the
dialogs, which the console shows as garbage boxes. Each test below walks to one screen or dialog
with the keys a person would press, with lists long enough to need a scrollbar, and checks every
character on the terminal against CONSOLE_SAFE.

CONSOLE_SAFE is printable ASCII plus the printable half of ISO 8859-1 (U+00A0-U+00FF). The
console fonts a Norwegian Raspberry Pi OS loads (console-setup's Lat15 set: Lat15-Fixed16,
Lat15-Terminus*, Lat15-VGA*) cover all of ISO 8859-1/-9/-15: æøå ÆØÅ, é in product names, the
no-break space in amounts (1 234,50), « », the middle dot (·) and the multiplication sign (×).
Deliberately left out: box drawing (│ ─ ┌), block elements (▁ ▔ ▌ ▊ █), arrows, the ellipsis
(…) and dashes (– —): some console fonts have a few of them, none has all, so nothing kassa
draws on the console may depend on them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.records.printqueue import Job
from screens.dialogs.trouble import ReceiptStuckDialog, UncertainPrintDialog
from tests.app.screen_text import screen_lines

CONSOLE_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) | frozenset(
    chr(c) for c in range(0xA0, 0x100)
)

ROMME = "7020164760728"
APPLES = "7045811781536"

Route = Callable[[Any, Till], Awaitable[None]]


async def type_in(pilot: Any, text: str) -> None:
    """Type `text` into whatever has the focus (a scanner types the same way)."""
    input_ = pilot.app.focused
    input_.value = text
    await pilot.pause()


async def sign_in(pilot: Any, number: str = "2", pin: str = "2222") -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def with_basket(pilot: Any, till: Till) -> None:
    await sign_in(pilot, "1", "1111")
    for code in (ROMME, APPLES, ROMME):
        await type_in(pilot, code)
        await pilot.press("enter")
    await pilot.pause()


async def stock(pilot: Any, till: Till) -> None:
    await sign_in(pilot)
    await pilot.press("f2")
    await type_in(pilot, "a")  # hundreds of hits: the list needs its scrollbar
    await pilot.pause(0.2)


def product_count(till: Till, n: int) -> list[str]:
    rows = till.db.execute_sql(
        "SELECT MIN(code) FROM barcode WHERE length(code) = 13 AND code LIKE '70%'"
        " GROUP BY product_id ORDER BY product_id LIMIT ?",
        (n,),
    ).fetchall()
    return [code for (code,) in rows]


async def sign_in_screen(pilot: Any, till: Till) -> None:
    await pilot.press("2", "enter", "2", "2")  # half a PIN: its dots are drawn


async def sale_screen(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)


async def help_dialog(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("f1")


async def discount_reason(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("1", "0", "%", "f6")


async def receipts_menu(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("ctrl+e")


async def payment(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("f10")


async def gift_card_payment(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("shift+f11", "2", *"7090000000019", "enter")  # its balance is shown


async def gift_card_balance(pilot: Any, till: Till) -> None:
    await sign_in(pilot, "1", "1111")
    await type_in(pilot, "7090000000033")  # an expired card: its words too
    await pilot.press("shift+f5", "2")


async def approval(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("5", "f7")  # a cashier's price override needs a shift lead
    await pilot.press("2", "enter", "2", "2")  # half a PIN: its dots are drawn


async def parked(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("f3")
    await type_in(pilot, APPLES)
    await pilot.press("enter", "f3", "f4")


async def lock_screen(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("ctrl+l")
    await pilot.press("1", "enter", "1")


async def receipt_stuck(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    pilot.app.push_screen(ReceiptStuckDialog("The printer is out of paper."))


async def did_it_print(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    job = cast(Job, SimpleNamespace(receipt_nr=7))  # the dialog reads only the number
    pilot.app.push_screen(UncertainPrintDialog(job))


async def day_close(pilot: Any, till: Till) -> None:
    await sign_in(pilot)
    await pilot.press("f12")


async def cash_count(pilot: Any, till: Till) -> None:
    await day_close(pilot, till)
    await pilot.press("f7")


async def stock_lookup(pilot: Any, till: Till) -> None:
    await stock(pilot, till)


async def low_stock(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f3")


async def adjustment(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f5")
    await type_in(pilot, "+2")
    await pilot.press("enter", "2")  # refused: the message is drawn too


async def product_form(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f7")


async def new_product(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f8")


async def goods_received(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f4")
    for code in product_count(till, 30):
        await type_in(pilot, code)
        await pilot.press("enter")


async def campaigns(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f9")


async def count_section(pilot: Any, till: Till) -> None:
    await stock(pilot, till)
    await pilot.press("f6")


async def stocktake(pilot: Any, till: Till) -> None:
    await count_section(pilot, till)
    await pilot.press("down", "down", "enter")  # 20 Meieri
    await pilot.pause()
    await type_in(pilot, ROMME)
    await pilot.press("enter")


async def paid_sale(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("f10")
    await pilot.pause()
    await pilot.press("enter")  # exact cash
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def return_by_receipt(pilot: Any, till: Till) -> None:
    await paid_sale(pilot, till)
    number = till.db.execute_sql("SELECT MAX(receipt_nr) FROM sale").fetchone()[0]
    await type_in(pilot, str(number))
    await pilot.press("f9")


async def return_without_receipt(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("ctrl+v")


async def price_lookup(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await type_in(pilot, ROMME)
    await pilot.press("f5")


async def age_check(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await type_in(pilot, "7073924847412")  # snus: 18
    await pilot.press("enter")


async def void_reason(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("ctrl+a")


async def quit_question(pilot: Any, till: Till) -> None:
    await with_basket(pilot, till)
    await pilot.press("ctrl+q")


async def training(pilot: Any, till: Till) -> None:
    await sign_in(pilot)  # a shift lead turns it on without an approval
    await pilot.press("ctrl+e", "3")
    await pilot.pause()
    await type_in(pilot, ROMME)
    await pilot.press("enter")


async def signals(pilot: Any, till: Till) -> None:
    await day_close(pilot, till)
    await pilot.press("f8")


async def z_report(pilot: Any, till: Till) -> None:
    await day_close(pilot, till)
    await pilot.press("ctrl+z")


async def insight_sales(pilot: Any, till: Till) -> None:
    await paid_sale(pilot, till)  # something to show
    await pilot.press("ctrl+u")
    await pilot.pause()
    await sign_in(pilot)
    await pilot.press("ctrl+e", "4")


async def insight_products(pilot: Any, till: Till) -> None:
    await insight_sales(pilot, till)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("f4")


#: Where to go, and the screen or dialog that must then be in front.
ROUTES: dict[str, tuple[Route, str]] = {
    "sign-in": (sign_in_screen, "SignInScreen"),
    "sale": (sale_screen, "SaleScreen"),
    "help": (help_dialog, "HelpDialog"),
    "discount reason": (discount_reason, "ReasonDialog"),
    "receipts menu": (receipts_menu, "ReceiptsMenu"),
    "payment": (payment, "PaymentDialog"),
    "gift card payment": (gift_card_payment, "GiftCardPayDialog"),
    "gift card balance": (gift_card_balance, "GiftCardLookupDialog"),
    "approval": (approval, "ApprovalDialog"),
    "parked sales": (parked, "ParkedDialog"),
    "lock": (lock_screen, "SignInScreen"),
    "receipt stuck": (receipt_stuck, "ReceiptStuckDialog"),
    "did it print": (did_it_print, "UncertainPrintDialog"),
    "return by receipt": (return_by_receipt, "ReturnDialog"),
    "return without receipt": (return_without_receipt, "ReturnWithoutReceiptDialog"),
    "price look-up": (price_lookup, "SaleScreen"),
    "quit question": (quit_question, "ConfirmDialog"),
    "age check": (age_check, "AgeCheckDialog"),
    "void reason": (void_reason, "ReasonDialog"),
    "training mode": (training, "SaleScreen"),
    "day close": (day_close, "DayCloseScreen"),
    "cash count": (cash_count, "CashCountDialog"),
    "signals": (signals, "SignalsScreen"),
    "z report": (z_report, "CountFirstDialog"),
    "stock lookup": (stock_lookup, "StockScreen"),
    "low stock": (low_stock, "StockScreen"),
    "stock adjustment": (adjustment, "AdjustDialog"),
    "change product": (product_form, "ProductForm"),
    "new product": (new_product, "ProductForm"),
    "goods received": (goods_received, "GoodsReceivedScreen"),
    "campaigns": (campaigns, "CampaignsDialog"),
    "what to count": (count_section, "ChooseSection"),
    "stocktake": (stocktake, "StocktakeScreen"),
    "insight sales": (insight_sales, "InsightScreen"),
    "insight products": (insight_products, "InsightScreen"),
}


def foreign(lines: list[str]) -> list[str]:
    """Each character the console font may lack, with where it is."""
    return [
        f"{char!r} U+{ord(char):04X} on row {row}: {line.rstrip()!r}"
        for row, line in enumerate(lines)
        for char in sorted(set(line) - CONSOLE_SAFE)
    ]


@pytest.mark.parametrize("where", list(ROUTES))
async def test_every_glyph_exists_in_the_console_font(till: Till, where: str) -> None:
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        route, in_front = ROUTES[where]
        await route(pilot, till)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == in_front  # the keys led where they should
        lines = screen_lines(app)
        assert not foreign(lines), "\n".join([*foreign(lines)[:20], *lines])


async def test_the_check_sees_what_a_full_terminal_draws(till: Till) -> None:
    """Without the console theme the same screen has glyphs the console lacks: the check bites."""
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await stock(pilot, till)
        await pilot.pause(0.2)
        assert foreign(screen_lines(app))
