"""The product form at 80x24 refuses a barcode in the customer club's card range (270…): the
form stays open with the reason on screen, and nothing is saved."""

from __future__ import annotations

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.catalog.barcodes import with_check_digit
from kassa_tui.composition import Till
from screens.dialogs.product_form import ProductForm
from tests.app.screen_text import screen_text
from tests.app.test_product_form_flow import fill, sign_in
from tests.unit.conftest import count

CARD_LIKE = with_check_digit("270123456789")


async def test_the_product_form_shows_why_a_card_barcode_is_refused(till: Till) -> None:
    from textual.widgets import Input

    before = count(till.db, "product")
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2", "f8")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ProductForm)
        fill(form, "25,90")
        form.query_one("#form-barcodes", Input).value = CARD_LIKE
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
        shown = " ".join(screen_text(app).split())
        assert f"Barcode {CARD_LIKE} starts with 270" in shown, shown
    assert count(till.db, "product") == before
