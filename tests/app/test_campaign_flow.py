"""Campaigns at the counter: a cashier scans, the screen shows the campaign's name and what it
takes off, a correction takes it away again, and the receipt prints it (issue 14)."""

from __future__ import annotations

from pathlib import Path

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns
from tests.app.test_sale_flow import scan, sign_in, totals

EPLER = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
CSV = (
    f"kampanje;type;produkter;antall;pris;fra;til\n3 for 2 epler;n_for_m;{EPLER};3/2;;2026-01-01;\n"
)


def with_campaign(till: Till) -> None:
    lead = till.users.sign_in("2", "2222")
    import_campaigns(till.db, till.journal, till.clock, lead, read_campaigns(till.db, CSV))


async def test_campaign_on_screen_corrected_and_on_the_receipt(
    app: KassaApp, till: Till, printer: MemoryPrinter
) -> None:
    with_campaign(till)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        await pilot.press("3", "*")
        await scan(pilot, EPLER)
        await pilot.pause()
        shown = totals(app)
        assert "3 for 2 epler" in shown and "-39,90" in shown
        assert "104,70" in shown  # 24,90 + 3 x 39,90 - 39,90
        # The apples lowered to 2: no campaign any more, recalculated at once.
        await pilot.press("2", "f8")
        await pilot.pause()
        shown = totals(app)
        assert "3 for 2 epler" not in shown and "104,70" in shown  # 24,90 + 2 x 39,90
        await pilot.press("3", "f8")
        await pilot.pause()
        assert "3 for 2 epler" in totals(app) and "104,70" in totals(app)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    receipt = printer.jobs[0]
    assert b"3 for 2 epler" in receipt and b"-39,90" in receipt
    assert b"104,70" in receipt
    total = till.db.execute_sql("SELECT total_ore, discount_ore FROM sale").fetchone()
    assert total == (10470, 3990)


async def test_the_shift_lead_ends_a_campaign_from_the_stock_screen(
    app: KassaApp, till: Till
) -> None:
    from screens.dialogs.campaigns import CampaignsDialog

    with_campaign(till)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "2", "2222")
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, CampaignsDialog)
        shown = str(app.screen.query_one("OptionList").render_line(0))
        assert "3 for 2 epler" in shown and "runs" in shown
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "ended" in str(app.screen.query_one("#stock-message").render())
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("3", "*")
        await scan(pilot, EPLER)
        await pilot.pause()
        assert "119,70" in totals(app) and "3 for 2" not in totals(app)
    event = [r for r in till.journal.rows() if r.basic_id == "MASTERDATA"][-1]
    assert '"ended"' in event.text and event.user_number == 2


def test_kassa_import_campaigns_and_list(till: Till, tmp_path: Path) -> None:
    """The CLI as a shift lead runs it: a bad file changes nothing, a good one is listed."""
    from click.testing import CliRunner

    from kassa_tui.cli import main

    config = str(tmp_path / "kassa.toml")  # tests.shop.demo_till writes it there

    def kassa(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", config, *args], input="2\n2222\n")
        return result.exit_code, result.output

    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + f"Minus;n_for_price;{ROMME};2;-5;2026-01-01;\n", encoding="utf-8")
    code, out = kassa("import", "campaigns", str(bad))
    assert code == 1 and "line 3: the price must be more than zero" in out
    assert till.db.execute_sql("SELECT COUNT(*) FROM campaign").fetchone()[0] == 0
    good = tmp_path / "good.csv"
    good.write_text(
        CSV + f"Ukepris;planned_price;{ROMME};;19,90;2026-01-01;2099-01-01\n", encoding="utf-8"
    )
    code, out = kassa("import", "campaigns", str(good))
    assert code == 0 and "1 campaigns and 1 planned prices imported." in out
    code, out = kassa("campaigns", "list")
    assert code == 0 and "*3 for 2 epler" in out and "Planned prices" in out
