"""The customer club at the till, as a cashier does it at 80x24: Shift+F4 (Alt+K on the
console) and the phone number, or the member card scanned on the sale screen; joining at the
till with both consents asked; the receipt's bytes carry the member number, never the phone."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Label, Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.member import MemberDialog
from screens.sale import SaleScreen
from tests.app.screen_text import screen_lines
from tests.app.test_console_glyphs import foreign
from tests.app.test_sale_flow import ROMME, message, scan, sign_in
from tests.unit.conftest import print_waiting

CARD_2 = "2700000000021"  # demo member 2, phone 90000002


def header(app: KassaApp) -> str:
    return str(app.screen.query_one("#sale-user", Label).render())


def linked(till: Till) -> list[tuple[int, int]]:
    rows = till.db.execute_sql("SELECT sale_id, member_id FROM member_sale ORDER BY sale_id")
    return [(int(a), int(b)) for a, b in rows.fetchall()]


async def pay_cash(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f10", "enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()


async def test_the_key_and_the_phone_number_put_the_member_on_the_sale(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        await pilot.press("shift+f4")
        await pilot.pause()
        assert isinstance(app.screen, MemberDialog)
        app.screen.query_one("#member-code", Input).value = "99999999"  # nobody's
        await pilot.press("enter")
        await pilot.pause()
        assert "No member has that phone number." in str(
            app.screen.query_one("#member-message", Static).render()
        )
        app.screen.query_one("#member-code", Input).value = "900 00 001"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "Member 1 on the sale" in message(app)
        assert "Member 1" in header(app)
        await pay_cash(pilot)
        assert "Member 1" not in header(app)  # the next sale has no member
    assert linked(till) == [(1, 1)]
    receipt = printer.jobs[0]
    assert b"Kundeklubb, medlem nr" in receipt and b"90000001" not in receipt
    line = next(x for x in receipt.split(b"\n") if b"Kundeklubb" in x)
    assert line.split()[-1] == b"1"


async def test_a_member_card_scanned_on_the_sale_screen_identifies_the_member(
    till: Till,
) -> None:
    printer = MemoryPrinter()
    app = KassaApp(till, printer, console=True)  # the Pi's Linux console
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, CARD_2)  # before any item: the basket starts with the member
        await pilot.pause()
        assert "Member 2 on the sale" in message(app)
        await scan(pilot, ROMME)
        await pilot.pause()
        assert "Member 2" in header(app)
        await pay_cash(pilot)
        await pilot.press("alt+k", "f2")  # the console's key for the club; F2: join
        await pilot.pause()
        assert isinstance(app.screen, MemberDialog)
        lines = screen_lines(app)
        assert not foreign(lines), "\n".join([*foreign(lines), *lines])  # the console font
        shown = "\n".join(lines)
        assert "Keep my purchases: no" in shown and "F10: join" in shown, shown  # all of it fits
        await pilot.press("escape")
    assert linked(till) == [(1, 2)]
    assert b"Kundeklubb, medlem nr" in printer.jobs[0]


async def test_joining_at_the_till_asks_both_consents_explicitly(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        await pilot.press("shift+f4", "f2")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MemberDialog)
        texts = " ".join(str(s.render()) for s in dialog.query(Static))
        assert "keeps which purchases I make" in texts and "personal offers" in texts
        dialog.query_one("#member-code", Input).value = "41234567"
        await pilot.press("tab", "space")  # the purchases: yes; offers left at no
        await pilot.pause()
        assert dialog.query_one("#member-purchases", Checkbox).value
        assert not dialog.query_one("#member-offers", Checkbox).value
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "Member 3 on the sale" in message(app)
        await pay_cash(pilot)
    row = till.db.execute_sql(
        "SELECT phone, consent_purchases, consent_offers FROM member WHERE id = 3"
    ).fetchone()
    assert tuple(row) == ("+4741234567", 1, 0)
    assert linked(till) == [(1, 3)]


async def test_an_offer_scanned_on_the_sale_screen_is_taken_once(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    from kassa_tui.club.members import Club
    from kassa_tui.selling import club_basket

    toothpaste = "7013767908024"  # Colgate Max Fresh 75 ml, 39,90
    cashier = till.users.sign_in("1", "1111")
    for _ in range(2):  # rømme and toothpaste go together in the shop's sales
        till.baskets.add(cashier, ROMME)
        till.baskets.add(cashier, toothpaste)
        till.sales.pay_cash(cashier, "")
        print_waiting(till)
    till.baskets.add(cashier, ROMME)
    club_basket.identify(
        till.baskets, Club(till.db, till.journal, till.clock, till.config), cashier, "1"
    )
    till.sales.pay_cash(cashier, "")
    print_waiting(till)
    code = str(till.db.execute_sql("SELECT code FROM member_offer").fetchone()[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.app.workers.wait_for_complete()
        printer.jobs.clear()
        await scan(pilot, toothpaste)
        await scan(pilot, CARD_2)  # another member
        await scan(pilot, code)
        await pilot.pause()
        assert "another member's" in message(app)
        await scan(pilot, "2700000000014")  # its member
        await scan(pilot, code)
        await pilot.pause()
        assert "Medlemstilbud 20 %: 7,98 off Colgate" in message(app)
        assert "31,92" in str(app.screen.query_one("#sale-totals", Static).render())
        await pay_cash(pilot)
        await scan(pilot, toothpaste)
        await scan(pilot, "2700000000014")
        await scan(pilot, code)
        await pilot.pause()
        assert "This offer has been used already." in message(app)
    assert b"Rabatt (Medlemstilbud 20 %)" in printer.jobs[0]
    assert b"NESTE GANG" in printer.jobs[0]  # and the member's next offer


async def test_the_member_dialog_shows_the_members_consents(till: Till) -> None:
    from kassa_tui.club.members import Club

    club = Club(till.db, till.journal, till.clock, till.config)
    club.consent(till.users.sign_in("2", "2222"), 2, purchases=None, offers=False)
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, CARD_2)
        await pilot.pause()
        await pilot.press("shift+f4")
        await pilot.pause()
        assert isinstance(app.screen, MemberDialog)
        summary = str(app.screen.query_one("#member-summary", Static).render())
        assert summary == "Member 2 · purchases kept: yes · offers: no"
        assert any(summary in line for line in screen_lines(app))  # on the 80x24 screen


async def test_the_consents_are_changed_at_the_till_a_new_yes_with_a_shift_lead(
    app: KassaApp, till: Till
) -> None:
    def consents() -> tuple[int, int]:
        row = till.db.execute_sql(
            "SELECT consent_purchases, consent_offers FROM member WHERE id = 1"
        ).fetchone()
        return int(row[0]), int(row[1])

    def journaled() -> list[str]:
        return [r.text for r in till.journal.rows() if r.basic_id == "MEMBERCONSENT"]

    assert consents() == (1, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)  # a cashier
        await scan(pilot, "2700000000014")  # member 1
        await pilot.press("shift+f4", "f3")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MemberDialog)
        assert dialog.query_one("#member-offers", Checkbox).value  # as it stands: yes
        await pilot.press("tab", "space")  # offers: no
        await pilot.pause()
        assert "Personal offers: no" in " ".join(screen_lines(app))
        await pilot.press("f10")  # a withdrawal: saved at once, by the cashier
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "purchases yes, offers no" in message(app)
        assert consents() == (1, 0)
        assert len(journaled()) == 1

        await pilot.press("shift+f4", "f3", "tab", "space", "f10")  # offers: yes again
        await pilot.pause()
        assert isinstance(app.screen, ApprovalDialog)  # a new yes: a shift lead approves
        assert consents() == (1, 0)
        await pilot.press(*"1", "enter", *"1111", "enter")  # the cashier cannot
        await pilot.pause()
        assert isinstance(app.screen, ApprovalDialog) and consents() == (1, 0)
        await pilot.press(*"2", "enter", *"2222", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "purchases yes, offers yes" in message(app)
    assert consents() == (1, 1)
    assert len(journaled()) == 2
