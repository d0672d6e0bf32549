"""The insight screen's Members tab at 80x24: a shift lead presses F12 and reads the customer
club's last 30 days (the figures of `kassa report members`), on the console theme too; no
phone number on the screen."""

from __future__ import annotations

from datetime import timedelta

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.club.members import Club
from kassa_tui.composition import Till
from kassa_tui.selling import club_basket
from screens.insight import InsightScreen
from tests.app.screen_text import screen_lines
from tests.app.test_console_glyphs import foreign
from tests.app.test_insight_screen import to_insight
from tests.shop import SteppingClock
from tests.unit.conftest import print_waiting

ROMME = "7020164760728"  # 24,90


async def test_the_members_tab_shows_yesterdays_member_visits(till: Till) -> None:
    clock = till.clock
    assert isinstance(clock, SteppingClock)
    cashier = till.users.sign_in("1", "1111")
    club = Club(till.db, till.journal, till.clock, till.config)
    for member in ("1", "2", "1"):
        till.baskets.add(cashier, ROMME)
        club_basket.identify(till.baskets, club, cashier, member)
        till.sales.pay_cash(cashier, "")
        print_waiting(till)
    clock.at += timedelta(days=1)  # the tab reads up to yesterday
    for console in (False, True):
        app = KassaApp(till, MemoryPrinter(), console=console)
        async with app.run_test(size=(80, 24)) as pilot:
            await to_insight(pilot)
            await pilot.press("f12")
            await pilot.pause(0.2)
            assert isinstance(app.screen, InsightScreen)
            lines = screen_lines(app)
            shown = "\n".join(lines)
            assert "Members" in lines[1], shown  # the tab row

            def value(label: str, lines: list[str] = lines) -> str:
                return next(line for line in lines if line.strip().startswith(label)).split()[-1]

            assert value("Visits") == "3" and value("Spend") == "74,70", shown
            assert value("Active members") == "2" and value("Offers given") == "3", shown
            assert "90000001" not in shown
            assert all(len(line) <= 80 for line in lines)
            if console:
                assert not foreign(lines), "\n".join(foreign(lines))
