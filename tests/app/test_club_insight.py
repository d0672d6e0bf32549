"""The insight screen's Members tab at 80x24: a shift lead presses F12 and reads the customer
club's last 30 days (the figures of `kassa report members`), on the console theme too; no
phone number on the screen; F12 again: 90 and 365 days; read in a worker thread."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.club.members import Club
from kassa_tui.composition import Till
from kassa_tui.selling import club_basket
from screens import insight_members
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
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
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


def value(lines: list[str], label: str) -> str:
    return next(line for line in lines if line.strip().startswith(label)).split()[-1]


async def test_the_members_tab_reads_in_a_worker_and_f12_steps_the_period(
    till: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = till.clock
    assert isinstance(clock, SteppingClock)
    cashier = till.users.sign_in("1", "1111")
    club = Club(till.db, till.journal, till.clock, till.config)

    def visit(member: str) -> None:
        till.baskets.add(cashier, ROMME)
        club_basket.identify(till.baskets, club, cashier, member)
        till.sales.pay_cash(cashier, "")
        print_waiting(till)

    visit("1")  # 60 days before the others: in 90 and 365 days, not in 30
    clock.at += timedelta(days=60)
    visit("2")
    visit("2")
    clock.at += timedelta(days=1)
    threads: list[str] = []
    real = insight_members.compute

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(insight_members, "compute", spy)
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_insight(pilot)

        async def members(*keys: str) -> list[str]:
            await pilot.press(*keys)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
            return screen_lines(app)

        lines = await members("f12")
        shown = "\n".join(lines)
        assert "30 days" in shown and value(lines, "Visits") == "2", shown
        assert value(lines, "Active members") == "1", shown
        lines = await members("f12")
        shown = "\n".join(lines)
        assert "90 days" in shown and value(lines, "Visits") == "3", shown
        assert value(lines, "Spend") == "74,70" and value(lines, "Active members") == "2"
        lines = await members("f12")
        assert "365 days" in "\n".join(lines) and value(lines, "Visits") == "3"
        lines = await members("f12")
        assert "30 days" in "\n".join(lines) and value(lines, "Visits") == "2"  # kept
        assert all(len(line) <= 80 for line in lines)
        assert not foreign(lines), "\n".join(foreign(lines))
    assert len(threads) == 3  # 30, 90, 365 once each; the second 30 was kept
    assert threading.main_thread().name not in threads
