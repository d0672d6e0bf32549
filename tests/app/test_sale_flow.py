"""The sale screen driven as a cashier drives it: keys in, totals on screen, bytes out."""

from __future__ import annotations

from textual.widgets import DataTable, Label, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.trouble import ReceiptStuckDialog
from screens.sale import SaleScreen
from screens.signin import SignInScreen
from screens.widgets.basket_table import basket_row
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_text

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
EPLER = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
SJOKOLADE = "7080913613231"  # Freia Melkesjokolade 200 g, 49,90


async def sign_in(pilot, number: str = "1", pin: str = "1111") -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def scan(pilot, code: str) -> None:  # type: ignore[no-untyped-def]
    """A wedge scanner: the code arrives in the entry line, then Enter."""
    entry = pilot.app.screen.query_one("#entry", EntryLine)
    entry.value = code
    await pilot.press("enter")


def totals(app: KassaApp) -> str:
    return str(app.screen.query_one("#sale-totals", Static).render())


def message(app: KassaApp) -> str:
    return str(app.screen.query_one("#sale-message", Static).render())


def journal_events(till: Till) -> list[str]:
    return [row.basic_id for row in till.journal.rows()]


async def test_sign_in_scan_correct_discount_pay_and_print(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot)
        assert isinstance(app.screen, SaleScreen)
        assert "Kari Kasserer (1)" in str(app.screen.query_one("#sale-user", Label).render())

        await scan(pilot, ROMME)
        await pilot.press("3", "*")
        await scan(pilot, EPLER)
        await scan(pilot, SJOKOLADE)
        assert "Total" in totals(app) and "194,50" in totals(app)

        # Correct the chocolate away: the cursor sits on the last line.
        await pilot.press("delete")
        assert "144,60" in totals(app)
        # The cursor is now on the apples: lower them from 3 to 2 with "2" and F8.
        await pilot.press("2", "f8")
        assert "104,70" in totals(app)
        await pilot.press("up")  # to the rømme and back down to the apples
        await pilot.press("down")
        # 10 % off the apples, reason 2 ("Kort dato").
        await pilot.press("1", "0", "%", "f6")
        await pilot.press("2")
        await pilot.pause()
        assert "96,72" in totals(app)  # 104,70 - 7,98

        await pilot.press("2", "0", "0", "f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "CHANGE 103,00" in message(app)

    assert len(printer.jobs) == 1
    receipt = printer.jobs[0]
    assert receipt.startswith(b"\x1bt\x05")  # CP865 selected before any text
    assert b"Salgskvittering" in receipt
    assert b"R\x9bmme 18 % 3 dl" in receipt  # ø in CP865
    assert b"Rabatt (Kort dato)" in receipt
    assert b"96,72" in receipt and b"Tilbake" in receipt and b"103,00" in receipt
    assert receipt.endswith(b"\x1dV\x00\x1bp\x0022")  # cut, then the drawer kick for cash

    events = journal_events(till)
    for expected in (
        "LOGIN",
        "LINEADD",
        "LINEDELETE",
        "LINEREDUCE",
        "DISCOUNT",
        "PAYMENT",
        "SALE",
        "RECEIPT",
        "DRAWOPEN",
    ):
        assert expected in events, expected
    assert events.index("SALE") < events.index("RECEIPT")
    sale = till.db.execute_sql("SELECT total_ore, rounding_ore, change_ore FROM sale").fetchone()
    assert sale == (9672, 28, 10300)


def table_rows(app: KassaApp) -> list[list[str]]:
    table = app.screen.query_one("#basket", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def basket_rows(till: Till) -> list[list[str]]:
    lines = till.baskets.current().priced.lines
    return [[str(cell) for cell in basket_row(i, line)] for i, line in enumerate(lines, 1)]


async def test_the_basket_table_shows_exactly_the_basket_after_every_change(
    app: KassaApp, till: Till
) -> None:
    """The table is changed row by row, not redrawn: after a scan, a deleted line in the middle,
    a quantity and a discount it must still read as the basket does."""
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        for code in (ROMME, EPLER, SJOKOLADE, ROMME):
            await scan(pilot, code)
            assert table_rows(app) == basket_rows(till)
        await pilot.press("up", "up", "up", "delete")  # the first rømme: every row moves up
        assert len(table_rows(app)) == 3 and table_rows(app) == basket_rows(till)
        await pilot.press("3", "f8")
        assert table_rows(app) == basket_rows(till)
        await pilot.press("1", "0", "%", "f6", "2")
        await pilot.pause()
        assert table_rows(app) == basket_rows(till)
        assert any(row[4].strip() for row in table_rows(app))  # the discount is shown
        await pilot.press("ctrl+p")  # park: the table empties
        await pilot.pause()
        assert table_rows(app) == [] == basket_rows(till)


async def test_bad_scan_is_refused_and_the_next_scan_works(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, "7038010009998")
        assert "wrong check digit" in message(app)
        await scan(pilot, "7000000000000x")
        assert "digits only" in message(app)
        await scan(pilot, "99999")
        assert "Unknown code 99999" in message(app)
        await scan(pilot, ROMME)
        assert "24,90" in totals(app)
    lines = till.db.execute_sql("SELECT COUNT(*) FROM basket_line").fetchone()[0]
    assert lines == 1


async def test_wrong_pin_keeps_the_till_closed(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "1", "0000")
        assert isinstance(app.screen, SignInScreen)
        assert "Wrong user number or PIN" in str(
            app.screen.query_one("#signin-message", Static).render()
        )
        await sign_in(pilot, "1", "1111")
        assert isinstance(app.screen, SaleScreen)
    assert "LOGINFAIL" in journal_events(till)


async def test_the_sign_in_screen_says_how_long_the_till_waits(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            await sign_in(pilot, "2", "0000")
        shown = str(app.screen.query_one("#signin-message", Static).render())
        assert "wait 1 s before the next try" in shown
        # The test clock moves a second per reading: the wait is over, and nobody is locked.
        await sign_in(pilot, "2", "2222")
        assert isinstance(app.screen, SaleScreen)
    assert journal_events(till).count("PINDELAY") == 1


async def test_price_override_needs_a_shift_lead(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        await pilot.press("1", "9", "f7")
        await pilot.press("1", "enter", "1", "1", "1", "1", "enter")  # a cashier cannot approve
        await pilot.pause()
        assert "shift lead" in screen_text(app)  # said in the dialog, which stays open
        await pilot.press("escape")
        await pilot.pause()
        assert "24,90" in totals(app)
        await pilot.press("1", "9", "f7")
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await pilot.pause()
        assert "19,00" in totals(app)
    assert "PRICEOVERRIDE" in journal_events(till)


async def test_park_and_resume(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        await pilot.press("f3")
        assert "Sale parked" in message(app)
        await scan(pilot, EPLER)
        await pilot.press("f3")
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("enter")  # the first parked sale
        await pilot.pause()
        assert "24,90" in totals(app)
    assert journal_events(till).count("PARK") == 2
    assert "RESUME" in journal_events(till)


async def test_card_payment_split_with_cash_and_escape(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, SJOKOLADE)
        await pilot.press("f11")
        await pilot.press("escape")  # back to the basket, nothing paid
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        await pilot.press("2", "0", "f11")
        await pilot.press("enter")  # the terminal approved 20,00
        await pilot.pause()
        await pilot.press("f10")  # switch to cash for the rest: 29,90 → 30,00
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
    payments = till.db.execute_sql(
        "SELECT method, amount_ore, tendered_ore FROM payment ORDER BY id"
    ).fetchall()
    assert payments == [("card", 2000, 2000), ("cash", 3000, 3000)]
    assert b"Bankkort" in printer.jobs[0] and b"Kontant" in printer.jobs[0]


async def test_a_receipt_that_cannot_print_holds_up_the_next_sale(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    printer.fail_with = "paper out"
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        await pilot.press("f11", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReceiptStuckDialog)
        assert "Receipt 1: paper out" in str(app.screen.query_one("#trouble-reason").render())
        await pilot.press("escape")  # hide the message: the next sale still waits
        await scan(pilot, EPLER)
        assert "Receipt 1 has not printed (paper out)" in message(app)
        assert printer.jobs == []
        assert till.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == 1

        printer.fail_with = None  # a new paper roll
        app.print_waiting()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await scan(pilot, EPLER)
        assert "39,90" in totals(app)
    assert len(printer.jobs) == 1
    assert till.print_queue.pending() == []
    events = journal_events(till)
    assert events.count("RECEIPT") == 1 and "PRINTFAIL" in events


async def test_help_shows_every_key(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f1")
        await pilot.pause()
        seen = screen_text(app)
        for _page in range(4):  # the help scrolls at 80×24
            await pilot.press("pagedown")
            await pilot.pause()
            seen += screen_text(app)
        for keys in ("F10/^K", "F8/Del/^X", "^L", "Shift+F6/^T", "^Q", "Esc"):
            assert f" {keys} " in seen, keys


async def test_idle_lock_and_unlock_by_shift_lead(till: Till, printer: MemoryPrinter) -> None:
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        app.last_activity -= till.config.idle_lock_seconds + 1
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, "2", "2222")
        assert isinstance(app.screen, SaleScreen)
        assert "24,90" in totals(app)
    events = journal_events(till)
    assert "LOCK" in events and "UNLOCK" in events


async def test_garbage_from_a_scanner_never_breaks_the_screen(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        for garbage in ("[bold]7020[/]", "[/]", "\x1b[2J\x07", "7" * 200, "0,5", "-3", " "):
            await scan(pilot, garbage)
            assert isinstance(app.screen, SaleScreen)
        await pilot.press("x", "*")  # not a quantity
        assert "is not a quantity" in message(app)
        await scan(pilot, ROMME)
        assert "24,90" in totals(app)
    assert till.db.execute_sql("SELECT COUNT(*) FROM basket_line").fetchone()[0] == 1


async def test_a_bad_discount_is_refused_before_asking_for_a_reason(app: KassaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        await pilot.press("a", "b", "c", "f6")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)  # no reason dialog
        assert "abc is not a discount" in message(app)
        await pilot.press("1", "2", "0", "%", "f6")
        assert "120% is not a discount" in message(app)
        await pilot.press("x", "f7")
        assert "x is not an amount" in message(app)
        assert "24,90" in totals(app)


async def test_evdev_scans_reach_the_sale_screen_only_when_it_is_in_front(
    app: KassaApp, till: Till
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        app.scanned(ROMME)  # before sign-in: ignored
        await sign_in(pilot)
        app.scanner_state("connected", "Honeywell Scanner")
        await pilot.pause()
        assert "Scanner OK" in str(app.screen.query_one("#sale-scanner", Label).render())
        app.scanned(ROMME)
        await pilot.pause()
        assert "24,90" in totals(app)
        await pilot.press("f1")  # a dialog in front: the scan must not go anywhere
        app.scanned(EPLER)
        await pilot.press("escape")
        app.scanner_state("disconnected", "Scanner Honeywell was unplugged")
        await pilot.pause()
        assert "unplugged" in message(app)
        assert "24,90" in totals(app)
    assert till.db.execute_sql("SELECT COUNT(*) FROM basket_line").fetchone()[0] == 1


async def test_a_discount_above_the_limit_gets_a_shift_leads_approval(
    app: KassaApp, till: Till
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)  # a cashier: the limit is 20 %
        await scan(pilot, ROMME)
        await pilot.press("5", "0", "%", "f6", "1")  # 50 %, reason 1
        await pilot.pause()
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")  # the shift lead approves
        await pilot.pause()
        assert "12,45" in totals(app)
    row = [r for r in till.journal.rows() if r.basic_id == "DISCOUNT"][-1]
    assert row.user_number == 1 and '"approver": 2' in row.text


async def test_a_full_disk_says_so_and_keeps_the_basket(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        till.db.execute_sql("VACUUM")  # no free pages left in the file
        pages = till.db.execute_sql("PRAGMA page_count").fetchone()[0]
        till.db.execute_sql(f"PRAGMA max_page_count = {pages}")
        await pilot.press("f11", "enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#payment-message", Static).render())
        assert "The disk is full" in shown
        assert till.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == 0
        assert len(till.baskets.current().priced.lines) == 1
        till.db.execute_sql(f"PRAGMA max_page_count = {pages * 10}")
        await pilot.press("enter")  # room again: the same sale completes
        await pilot.pause()
    assert till.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == 1


async def test_a_device_answer_while_the_screen_closes_is_dropped(app: KassaApp) -> None:
    """The printer's and scanner's threads answer through call_from_thread; one that lands
    while the app is taking the sale screen down (its header already gone) must not fail the
    app (CI saw NoMatches('#sale-header') at a test's end)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await app.workers.wait_for_complete()
        await app.sale_screen.query_one("#sale-header").remove()
        app.show_printer("offline", "Printer offline")
        app.scanner_state("disconnected", "Scanner gone")
        await pilot.pause()
        assert app.crashed == ""
