"""The shift lead changes a campaign on the till at 80x24: stock screen, F9, F7 on the campaign,
the form filled in with it as it is, a field changed, F10; the next basket is priced by the new
offer, the receipt prints it, the journal has the change (13021) after the row that made it;
a bad change stays on the form with nothing changed (issue 14's left-over)."""

from __future__ import annotations

import json

from textual.widgets import Input

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.stock.campaign_edit import CampaignDraft, create_campaign
from screens.dialogs.campaign_form import CampaignForm
from screens.dialogs.campaigns import CampaignsDialog
from tests.app.screen_text import screen_text
from tests.app.test_sale_flow import scan, sign_in, totals

EPLER = "7045811781536"  # Epler Pink Lady 4 stk, 39,90


def offer(till: Till) -> tuple[int, int]:
    row = till.db.execute_sql("SELECT quantity, pay_for FROM campaign").fetchone()
    return int(row[0]), int(row[1])


async def test_f7_changes_a_3_for_2_into_a_2_for_1(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    lead = till.users.sign_in("2", "2222")
    draft = CampaignDraft(
        "Epletilbud", "n_for_m", "3", "2", codes=(EPLER,), valid_from="2026-11-27 09:00"
    )
    create_campaign(till.db, till.journal, till.clock, lead, draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, CampaignsDialog)
        assert "F7: change it" in screen_text(app)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, CampaignForm)
        text = screen_text(app)
        assert "Change campaign" in text and "Epler Pink Lady" in text
        form = app.screen
        assert form.query_one("#cf-name", Input).value == "Epletilbud"
        assert form.query_one("#cf-n", Input).value == "3"
        assert form.query_one("#cf-from", Input).value == "2026-11-27 09:00"
        form.query_one("#cf-payfor", Input).value = "3"  # 3 for 3: refused
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, CampaignForm)
        assert "the customer must pay for at least one and fewer than 3" in screen_text(app)
        assert offer(till) == (3, 2)
        form.query_one("#cf-n", Input).value = "2"
        form.query_one("#cf-payfor", Input).value = "1"
        await pilot.press("f10")
        await pilot.pause()
        assert not isinstance(app.screen, CampaignForm)
        assert "Campaign Epletilbud changed." in screen_text(app)
        assert offer(till) == (2, 1)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("2", "*")
        await scan(pilot, EPLER)
        await pilot.pause()
        assert "Epletilbud" in totals(app) and "39,90" in totals(app)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert b"Epletilbud" in printer.jobs[0] and b"-39,90" in printer.jobs[0]
    rows = [r for r in till.journal.rows() if r.basic_id == "MASTERDATA"]
    made, changed = (json.loads(r.text) for r in rows[-2:])
    assert (made["quantity"], made["pay_for"]) == (3, 2) and "changed" not in made
    assert (changed["quantity"], changed["pay_for"], changed["changed"]) == (2, 1, True)
    assert rows[-1].event_code == "13021" and rows[-1].user_number == 2
