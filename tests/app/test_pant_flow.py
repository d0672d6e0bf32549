"""Pant driven as a cashier drives it: a drink brings its pant, a correction on either line
moves both, a bottle-return slip takes pant off (once), and slips alone are paid out in cash."""

from __future__ import annotations

from textual.widgets import Input, Select

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.catalog.deposits import deposit_code_of
from kassa_tui.composition import Till
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.product_form import ProductForm
from screens.dialogs.returns import ReturnDialog
from tests.app.screen_text import screen_lines, screen_text
from tests.app.test_sale_flow import basket_rows, message, scan, sign_in, table_rows, totals

COLA_05 = "7089275980401"  # Coca-Cola 0,5 l, 26,90: pant 2 kr
COLA_15 = "7089275897952"  # Coca-Cola 1,5 l, 39,90: pant 3 kr
SLIP_45 = "9800004200458"  # a bottle-return slip: serial 00042, 45 kr
SLIP_150 = "9800004401503"  # serial 00044, 150 kr


async def test_pant_follows_its_drink_on_the_screen(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, COLA_05)
        await scan(pilot, COLA_15)
        await pilot.pause()
        assert [row[1] for row in table_rows(app)] == [
            "Coca-Cola 0,5 l",
            "Pant",
            "Coca-Cola 1,5 l",
            "Pant",
        ]
        assert "71,80" in totals(app)  # 26,90 + 2 + 39,90 + 3
        # The cursor sits on the 1,5 l's pant: '3 F8' there makes it three bottles, pant too.
        await pilot.press("3", "f8")
        await pilot.pause()
        assert table_rows(app) == basket_rows(till)
        assert [row[2].strip() for row in table_rows(app)] == ["1", "1", "3", "3"]
        assert "157,60" in totals(app)  # 26,90 + 2 + 3 x (39,90 + 3)
        await pilot.press("up", "up", "delete")  # the 0,5 l's pant: the drink goes with it
        await pilot.pause()
        assert table_rows(app) == basket_rows(till)
        assert [row[1] for row in table_rows(app)] == ["Coca-Cola 1,5 l", "Pant"]
        assert "128,70" in totals(app)


async def test_slips_are_paid_out_and_a_slip_counts_once(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, SLIP_45)
        await scan(pilot, SLIP_150)
        await pilot.pause()
        assert "-195,00" in totals(app)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "PAY OUT 195,00 pant" in message(app)
        await scan(pilot, SLIP_45)
        await pilot.pause()
        assert "Pant slip 980-00042 was redeemed" in message(app)
        assert "on receipt 1" in message(app)
        assert table_rows(app) == []
    receipt = printer.jobs[0].decode("cp865")
    assert "Pantelapp 00042" in receipt and "-45,00" in receipt and "-195,00" in receipt
    assert till.db.execute_sql("SELECT kind, total_ore FROM sale").fetchall() == [("sale", -19500)]


async def test_the_product_form_changes_a_drinks_pant(app: KassaApp, till: Till) -> None:
    """Changing a product shows its pant (a new product's form has it too:
    tests/app/test_product_form_flow.py)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one("#stock-search", Input).value = COLA_15
        await pilot.pause(0.3)
        await pilot.press("f7")  # change the product found
        await pilot.pause()
        assert isinstance(app.screen, ProductForm)
        form = app.screen
        assert form.query_one("#form-pant", Select).value == "B"
        assert any("Pant" in line and "B Pant 3 kr" in line for line in screen_lines(app))
        assert "F10: save" in screen_text(app)  # everything fits at 80x24
        form.query_one("#form-pant", Select).value = "A"
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        assert "Product saved: Coca-Cola 1,5 l." in screen_text(app), screen_text(app)
    product = till.catalog.by_barcode(COLA_15)
    assert deposit_code_of(till.db, product.id) == "A"
    row = till.db.execute_sql(
        "SELECT text FROM journal WHERE basic_id = 'MASTERDATA' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert '"deposit": "A"' in row[0]
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, COLA_15)
    assert [p.amount for p in till.baskets.current().priced.lines] == [3990, 200]


async def test_a_drink_returned_by_receipt_takes_its_pant_back(till: Till) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("2", "*")
        await scan(pilot, COLA_15)  # 2 x 39,90 + pant 2 x 3,00
        await pilot.press("f11")
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await scan(pilot, "R1")  # the customer is back with the receipt
        await pilot.pause()
        assert isinstance(app.screen, ReturnDialog)
        app.screen.query_one("#return-reason", Input).value = "1"
        await pilot.press("f6")  # one of the two bottles: its pant is chosen with it
        await pilot.pause()
        assert app.screen.chosen == {1: 1000, 2: 1000}
        app.screen.query_one("#return-reason", Input).value = "Lekk"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalDialog)
        assert "Refund 42,90: 42,90 to the card" in screen_text(app)
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    lines = till.db.execute_sql(
        "SELECT name, qty_milli, amount_ore FROM sale_line l JOIN sale s ON s.id = l.sale_id"
        " WHERE s.kind = 'return' ORDER BY l.line_nr"
    ).fetchall()
    assert lines == [("Coca-Cola 1,5 l", -1000, -3990), ("Pant", -1000, -300)]
