"""The sale screen re-prices an open basket by itself when the till's clock passes the minute a
planned price starts, says so in the message line, and the receipt carries the new price
(issue 14). The till's clock is steered; the screen's own timer does the work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns
from screens import sale_clock
from tests.app.test_sale_flow import message, scan, sign_in, totals
from tests.shop import demo_till

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
EPLER = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
# The till's clock starts at 10:00 in Oslo; the price and the campaign start at 10:30.
PLANS = (
    "campaign;type;products;quantity;price;from;to\n"
    f"Ukepris rømme;planned_price;{ROMME};;19,90;2026-11-27 10:30;\n"
    f"3 for 2 epler;n_for_m;{EPLER};3/2;;2026-11-27 10:30;\n"
)


class Steered:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def time() -> Steered:
    return Steered()


@pytest.fixture
def till(tmp_path: Path, time: Steered) -> Iterator[Till]:  # the till on the steered clock
    till = demo_till(tmp_path, clock=Clock(source=time), language='"en"')
    i18n.set_language("en")
    yield till
    till.db.close()


async def test_the_open_basket_follows_the_clock_and_the_receipt_too(
    till: Till, printer: MemoryPrinter, time: Steered, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sale_clock, "CLOCK_CHECK_SECONDS", 0.05)
    lead = till.users.sign_in("2", "2222")
    import_campaigns(till.db, till.journal, till.clock, lead, read_campaigns(till.db, PLANS))
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, ROMME)
        await pilot.press("3", "*")
        await scan(pilot, EPLER)
        await pilot.pause(0.2)
        assert "144,60" in totals(app)  # 24,90 + 3 x 39,90
        time.now += timedelta(minutes=30)  # 10:30 on the till's clock
        await pilot.pause(0.3)
        shown = message(app)
        assert "10:30: prices changed" in shown
        assert "Rømme 18 % 3 dl now 19,90" in shown and "3 for 2 epler starts" in shown
        assert "99,70" in totals(app)  # 19,90 + 2 x 39,90
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    receipt = printer.jobs[0]
    assert b"19,90" in receipt and b"99,70" in receipt and b"24,90" not in receipt
    total = till.db.execute_sql("SELECT total_ore FROM sale").fetchone()[0]
    assert total == 9970
