"""The product form (issue 14): a new product gets its pant there too, and a cashier's form is
checked before a shift lead is asked for the PIN that saves it."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Input, Select

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.catalog.deposits import deposit_code_of
from kassa_tui.composition import Till
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.product_form import ProductForm
from tests.app.screen_text import screen_text

NEW_CODE = "7000000000010"


async def sign_in(pilot: Any, number: str, pin: str) -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


def fill(form: ProductForm, price: str) -> None:
    form.query_one("#form-name", Input).value = "Solo 0,33 l"
    form.query_one("#form-group", Select).value = "60"
    form.query_one("#form-vat", Select).value = 1500
    form.query_one("#form-price", Input).value = price
    form.query_one("#form-barcodes", Input).value = NEW_CODE
    form.query_one("#form-pant", Select).value = "A"


def masterdata(till: Till) -> list[dict[str, Any]]:
    rows = till.db.execute_sql(
        "SELECT user_number, text FROM journal WHERE basic_id = 'MASTERDATA' ORDER BY seq"
    )
    return [{**json.loads(text), "user": user} for user, text in rows.fetchall()]


async def test_a_cashiers_new_product_is_checked_then_approved_with_its_pant(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "1", "1111")
        await pilot.press("f2", "f8")  # stock, new product: the form at once
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
        form = app.screen
        fill(form, "12,3x")
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)  # no PIN asked for a form that is refused
        assert "12,3x is not an amount." in screen_text(app)
        form.query_one("#form-price", Input).value = "25,90"
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalDialog)  # the fields are good: now the PIN
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await pilot.pause()
        assert "Product added: Solo 0,33 l." in screen_text(app)
    product = till.catalog.by_barcode(NEW_CODE)
    assert deposit_code_of(till.db, product.id) == "A"
    added, pant = masterdata(till)[-2:]
    assert (added["action"], added["user"], added["price"]) == ("add", 2, 2590)
    assert (pant["action"], pant["user"], pant["deposit"]) == ("pant", 2, "A")
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, NEW_CODE)  # the drink and its pant
    assert [p.amount for p in till.baskets.current().priced.lines] == [2590, 200]


async def test_esc_at_the_pin_leaves_the_form_open_and_nothing_saved(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "1", "1111")
        await pilot.press("f2", "f8")
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
        fill(app.screen, "25,90")
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
    assert not [row for row in masterdata(till) if row.get("action") == "add"]


async def test_a_shift_leads_new_product_saves_at_once(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f8")
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
        fill(app.screen, "25,90")
        await pilot.press("f10")
        await pilot.pause()
        assert "Product added: Solo 0,33 l." in screen_text(app)
    assert deposit_code_of(till.db, till.catalog.by_barcode(NEW_CODE).id) == "A"
