"""The till pushes by itself while the cashier sells; the header says how it stands (80×24).

The push runs in a thread worker with its own connections: the sale screen keeps taking keys,
HQ gets the sale, and the header shows «HQ hh:mm» when nothing waits, «HQ off: n since hh:mm»
when HQ is out of reach (red once [hq] alert_after_entries is passed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Label

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.people import users
from tests.app.screen_text import screen_text
from tests.app.test_sale_flow import scan, sign_in
from tests.shop import SteppingClock

from .faultproxy import FaultProxy
from .pushing import Hq, head, make_hq, make_till

REGISTER = "KASSE-1"
ROMME = "7020164760728"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    opened = make_till(tmp_path / "till", SteppingClock(), REGISTER)
    i18n.set_language("en")
    yield opened
    opened.db.close()


def _sync_label(app: KassaApp) -> Label:
    return app.screen.query_one("#sale-sync", Label)


async def test_the_till_pushes_while_selling_and_the_header_says_so(
    hq_dsn: str, pg_server: object, till: Till, tmp_path: Path
) -> None:
    hq: Hq = make_hq(hq_dsn)
    with FaultProxy(pg_server.host, pg_server.port) as proxy:  # type: ignore[attr-defined]
        settings = hq.add(REGISTER, "OSLO1", tmp_path, port=proxy.port)
        settings = replace(settings, interval_seconds=3600, alert_after_entries=3)
        till = replace_config(till, settings)
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await scan(pilot, ROMME)
            await pilot.press("f10", "enter")
            await pilot.pause()
            app.push_to_hq()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert hq.one("SELECT count(*) FROM sale") == 1
            assert hq.one("SELECT last_seq FROM register") == head(till)
            label = str(_sync_label(app).render())
            assert label.startswith("HQ ") and "wait" not in label
            assert not _sync_label(app).has_class("error")
            assert "HQ " in screen_text(app).splitlines()[0]  # on the top line at 80 columns
            # HQ out of reach: the cashier sells on, the header counts what waits, red from 3
            proxy.mode = "drop"
            await scan(pilot, ROMME)
            await pilot.press("f10", "enter")
            await pilot.pause()
            app.push_to_hq()
            await app.workers.wait_for_complete()
            await pilot.pause()
            waiting = head(till) - hq.one("SELECT last_seq FROM register")
            assert waiting >= 3
            label = str(_sync_label(app).render())
            assert f"HQ off: {waiting} since" in label
            assert label in screen_text(app).splitlines()[0]  # whole, on the top line at 80
            assert _sync_label(app).has_class("error")
            # back online: the next round drains it
            proxy.mode = "pass"
            app.push_to_hq()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert hq.one("SELECT count(*) FROM sale") == 2
            assert "wait" not in str(_sync_label(app).render())


def replace_config(till: Till, settings: object) -> Till:
    return replace(till, config=replace(till.config, hq=settings))
