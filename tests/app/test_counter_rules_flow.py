"""Issue 14's counter rules driven as a cashier drives them: Shift+F8 voids the sale, the first
beer or tobacco asks for the customer's age, Shift+F3 marks the sale eaten in."""

from __future__ import annotations

import json
from typing import Any

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.age_check import AgeCheckDialog
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.payment import PaymentDialog
from screens.dialogs.reason import ReasonDialog
from screens.sale import SaleScreen
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_text

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
PILSNER = "7061222375317"  # Ringnes Pilsner 0,5 l, 39,90: beer, 18
TOBACCO = "7073924847412"  # Røros Tobakk Portion 24 g, 119,00: 18
BOLLE = "7013369185434"  # Skillingsbolle 1 stk, 22,90: 15 % taken away, 25 % eaten in


async def _sign_in(pilot: Any, number: str = "1", pin: str = "1111") -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def _scan(pilot: Any, code: str) -> None:
    pilot.app.screen.query_one("#entry", EntryLine).value = code
    await pilot.press("enter")
    await pilot.pause()


def _voids(till: Till) -> list[dict[str, Any]]:
    rows = till.db.execute_sql("SELECT text FROM journal WHERE basic_id = 'VOID'").fetchall()
    return [json.loads(row[0]) for row in rows]


async def test_shift_f8_voids_the_sale_with_a_reason(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, ROMME)
        await _scan(pilot, ROMME)
        await pilot.press("shift+f8")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        assert "49,80" in screen_text(app)
        await pilot.press("escape")  # changed their mind: nothing voided
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen) and _voids(till) == []
        assert "not voided" in screen_text(app) and "49,80" in screen_text(app)
        await pilot.press("ctrl+a", "2")  # the Ctrl twin; reason 2: Feil registrering
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "Sale of 49,80 voided: Feil registrering." in screen_text(app)
        assert till.baskets.current().empty
        [void] = _voids(till)
        assert (void["amount"], void["reason"], len(void["lines"])) == (
            4980,
            "Feil registrering",
            2,
        )


async def test_above_the_limit_a_shift_lead_approves_on_the_spot(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await pilot.press("2", "1", "*")
        await pilot.pause()
        await _scan(pilot, ROMME)  # 21 x 24,90 = 522,90: above 500 kr
        await pilot.press("shift+f8", "1")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalDialog)
        assert "522,90" in screen_text(app)
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "voided" in screen_text(app)
        [void] = _voids(till)
        assert (void["approver"], void["amount"]) == (2, 52290)


async def test_an_empty_basket_is_not_voided(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await pilot.press("shift+f8")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "The basket is empty." in screen_text(app) and _voids(till) == []


def _rows(till: Till, basic: str) -> list[dict[str, Any]]:
    found = till.db.execute_sql("SELECT text FROM journal WHERE basic_id = ?", (basic,))
    return [json.loads(text) for (text,) in found.fetchall()]


async def test_the_first_beer_asks_the_age_once(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, PILSNER)
        assert isinstance(app.screen, AgeCheckDialog)
        assert "Age limit 18" in screen_text(app) and "Ringnes Pilsner" in screen_text(app)
        await pilot.press("enter")  # a scanner's Enter is no answer
        await pilot.pause()
        assert isinstance(app.screen, AgeCheckDialog)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "Age 18 confirmed" in screen_text(app)
        await _scan(pilot, TOBACCO)  # the same customer: not asked again
        assert isinstance(app.screen, SaleScreen)
        assert "119,00" in screen_text(app)
        assert [row["age"] for row in _rows(till, "AGECHECK")] == [18]


async def test_esc_takes_the_line_off(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, ROMME)
        await _scan(pilot, TOBACCO)
        assert isinstance(app.screen, AgeCheckDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        text = screen_text(app)
        assert "Røros Tobakk Portion 24 g taken off: age not" in text  # wraps at 80 columns
        assert "119,00" not in text and "24,90" in text
        assert [row["name"] for row in _rows(till, "AGEREFUSED")] == ["Røros Tobakk Portion 24 g"]


async def test_no_payment_before_the_age_is_confirmed(app: KassaApp, till: Till) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        person = app.person
        assert person is not None
        till.baskets.add(person, TOBACCO)  # scanned before a restart: never asked
        screen = app.screen
        assert isinstance(screen, SaleScreen)
        screen.reload()
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, AgeCheckDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "Confirm the customer's age" in screen_text(app)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, PaymentDialog)


async def test_shift_f3_eats_in_and_the_receipt_says_so(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in(pilot)
        await _scan(pilot, BOLLE)
        await pilot.press("shift+f3")
        await pilot.pause()
        assert "Eaten in" in screen_text(app)
        assert "Scan or type a code · eaten in" in screen_text(app)  # stays while it is
        assert [p.line.vat_bp for p in till.baskets.current().priced.lines] == [2500]
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "eaten in" not in screen_text(app)  # the next customer takes away
    [receipt] = printer.jobs
    assert b"Spises her (servering)" in receipt
    assert b"25 %          18,32       4,58     22,90" in receipt
