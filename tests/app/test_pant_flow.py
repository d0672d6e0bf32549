"""Pant driven as a cashier drives it: a drink brings its pant, a correction on either line
moves both, a bottle-return slip takes pant off (once), and slips alone are paid out in cash."""

from __future__ import annotations

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
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
