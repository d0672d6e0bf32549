"""Issue 14's counter rules driven as a cashier drives them: Shift+F8 voids the sale."""

from __future__ import annotations

import json
from typing import Any

from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.reason import ReasonDialog
from screens.sale import SaleScreen
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_text

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90


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
