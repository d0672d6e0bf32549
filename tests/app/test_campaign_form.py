"""The shift lead makes a campaign on the till (stock screen, F9, F8), keyboard only at 80x24:
a bad one is refused on the form with nothing made, a good one prices the next basket, prints
on the receipt and is journaled as an import of it would be (issue 14)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.campaign_form import CampaignForm
from screens.dialogs.campaigns import CampaignsDialog
from tests.app.screen_text import screen_text
from tests.app.test_sale_flow import scan, sign_in, totals

EPLER = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90


async def type_in(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    for char in text:
        await pilot.press("space" if char == " " else char)


async def open_form(pilot, app: KassaApp) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press("f9")
    await pilot.pause()
    if isinstance(app.screen, ApprovalDialog):  # a cashier: the shift lead's number and PIN
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await pilot.pause()
    assert isinstance(app.screen, CampaignsDialog)
    assert "F8: new" in screen_text(app)
    await pilot.press("f8")
    await pilot.pause()
    assert isinstance(app.screen, CampaignForm)


def campaigns(till: Till) -> int:
    return int(till.db.execute_sql("SELECT COUNT(*) FROM campaign").fetchone()[0])


async def test_a_cashier_with_the_shift_leads_pin_makes_a_2_for_price_campaign(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)  # the cashier
        await open_form(pilot, app)
        await type_in(pilot, "2 romme for 40")
        await pilot.press("tab", "enter", "down", "enter")  # kind: N for X kr
        await pilot.pause()
        await pilot.press("tab")
        await type_in(pilot, "2")
        await pilot.press("tab")
        await type_in(pilot, "60")  # above the normal price of 2 x 24,90: refused
        await pilot.press("tab")
        await type_in(pilot, ROMME)
        await pilot.press("enter")
        await pilot.pause()
        assert "Rømme" in screen_text(app) and "24,90" in screen_text(app)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, CampaignForm)
        assert "2 of these cost at most 49,80" in screen_text(app)
        assert campaigns(till) == 0
        price = app.screen.query_one("#cf-price")
        price.value = "40"  # type: ignore[attr-defined]
        await pilot.press("f10")
        await pilot.pause()
        assert not isinstance(app.screen, CampaignForm)
        assert "Campaign 2 romme for 40 made." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("2", "*")
        await scan(pilot, ROMME)
        await pilot.pause()
        assert "2 romme for 40" in totals(app) and "40,00" in totals(app)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert b"2 romme for 40" in printer.jobs[0] and b"-9,80" in printer.jobs[0]
    event = [r for r in till.journal.rows() if r.basic_id == "MASTERDATA"][-1]
    made = json.loads(event.text)
    assert (made["name"], made["kind"], made["quantity"], made["price"]) == (
        "2 romme for 40",
        "n_for_price",
        2,
        4000,
    )
    assert event.event_code == "13021" and event.user_number == 2  # the approving shift lead


async def test_a_3_for_2_from_the_shift_lead_and_esc_makes_nothing(
    app: KassaApp, till: Till
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await open_form(pilot, app)
        await type_in(pilot, "Noe")
        await pilot.press("escape")
        await pilot.pause()
        assert campaigns(till) == 0 and not isinstance(app.screen, CampaignForm)
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        await type_in(pilot, "3 for 2 epler")
        await pilot.press("tab", "tab")  # kind stays '3 for 2'
        await type_in(pilot, "3")
        await pilot.press("tab")
        await type_in(pilot, "2")
        await pilot.press("tab")
        app.scanned(EPLER)  # the evdev scanner reaches the form too
        await pilot.pause()
        assert "Epler Pink Lady" in screen_text(app)
        await pilot.press("f8")  # taken out again
        await pilot.pause()
        assert "No products yet." in screen_text(app)
        await type_in(pilot, "1001")  # the apples' PLU
        await pilot.press("enter")
        await type_in(pilot, "7038010009990")  # not in the catalog
        await pilot.press("enter")
        await pilot.pause()
        assert "no active product has the code 7038010009990" in screen_text(app)
        await pilot.press("f10")  # the unknown code is still in the field: nothing made
        await pilot.pause()
        assert campaigns(till) == 0
        app.screen.query_one("#cf-code").value = ""  # type: ignore[attr-defined]
        await pilot.press("f10")
        await pilot.pause()
        assert campaigns(till) == 1
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("3", "*")
        await scan(pilot, EPLER)
        await pilot.pause()
        assert "3 for 2 epler" in totals(app) and "79,80" in totals(app)


async def test_the_form_on_the_linux_console_fits_80x24_with_its_glyphs(till: Till) -> None:
    """The console theme: every character of the form (a product added, a refusal shown)
    exists in the console font, and the title and the help line are both on the screen."""
    from tests.app.screen_text import screen_lines
    from tests.app.test_console_glyphs import foreign

    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await open_form(pilot, app)
        await pilot.press("tab", "tab", "tab", "tab")
        await type_in(pilot, EPLER)
        await pilot.press("enter", "f10")
        await pilot.pause(0.2)
        lines = screen_lines(app)
        assert not foreign(lines), "\n".join([*foreign(lines), *lines])
        text = "\n".join(lines)
        assert "New campaign" in text and "F10: save" in text and "Epler" in text
        assert "the campaign has no name" in text
        assert campaigns(till) == 0


async def test_the_day_close_shows_the_campaign_made_on_the_form(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    """Made on the form, sold, then the X on the day close's screen names it with its
    discount, and the X printed says it in Bokmål (issue 14: per campaign in X/Z)."""
    from kassa_tui.stock.campaign_edit import CampaignDraft, create_campaign

    lead = till.users.sign_in("2", "2222")
    draft = CampaignDraft(
        "3 for 2 epler", "n_for_m", "3", "2", codes=(EPLER,), valid_from="2026-11-27 09:00"
    )
    create_campaign(till.db, till.journal, till.clock, lead, draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("3", "*")
        await scan(pilot, EPLER)
        await pilot.press("f10", "enter")
        await app.workers.wait_for_complete()
        await pilot.press("f12")
        await pilot.pause()
        shown = " ".join(str(app.screen.query_one("#dayclose-text").render()).split())
        assert "Campaigns (in discounts) 3 for 2 epler: 1 39,90" in shown
        await pilot.press("f3")  # the X on paper
        await app.workers.wait_for_complete()
        await pilot.pause()
    [x] = [job for job in printer.jobs if b"X-rapport" in job]
    paper = " ".join(x.decode("cp865").split())
    assert "Kampanjer (i rabatter)" in paper and "3 for 2 epler: 1 39,90" in paper


@pytest.mark.parametrize("console", [False, True], ids=["full", "console"])
def test_the_form_at_80x24(snap_compare: Any, till: Till, console: bool) -> None:
    """The form as the shift lead sees it: a name, two products, a refusal, at 80x24 in a full
    terminal and on the Linux console (the help line and the message both on the screen)."""
    app = KassaApp(till, MemoryPrinter(), console=console)

    async def before(pilot: Any) -> None:
        await sign_in(pilot, "2", "2222")
        await open_form(pilot, app)
        await type_in(pilot, "Velg 2 for 50")
        await pilot.press("tab", "tab", "tab", "tab")
        for code in (EPLER, ROMME):
            await type_in(pilot, code)
            await pilot.press("enter")
        await pilot.press("f10")  # no N: refused on the form
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
