"""The till pushes by itself while the cashier sells; the header says how it stands (80×24).

The push runs in a thread worker with its own connections: the sale screen keeps taking keys,
HQ gets the sale, and the header shows «HQ hh:mm» when nothing waits, «HQ off: n since hh:mm»
when HQ is out of reach (red once [hq] alert_after_entries is passed).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from tests.app.screen_text import screen_text
from tests.app.test_sale_flow import sign_in

from .faultproxy import FaultProxy
from .pushing import Hq, head, make_hq
from .selling_app import REGISTER, assert_header_synced, push_round, sell_and_push, sync_label


async def test_the_till_pushes_while_selling_and_the_header_says_so(
    hq_dsn: str, pg_server: object, sync_till: Till, tmp_path: Path
) -> None:
    hq: Hq = make_hq(hq_dsn)
    with FaultProxy(pg_server.host, pg_server.port) as proxy:  # type: ignore[attr-defined]
        settings = hq.add(REGISTER, "OSLO1", tmp_path, port=proxy.port)
        settings = replace(settings, interval_seconds=3600, alert_after_entries=3)
        till = replace(sync_till, config=replace(sync_till.config, hq=settings))
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await sell_and_push(pilot, app)
            assert hq.one("SELECT count(*) FROM sale") == 1
            assert hq.one("SELECT last_seq FROM register") == head(till)
            assert_header_synced(app)  # on the top line at 80 columns
            # HQ out of reach: the cashier sells on, the header counts what waits, red from 3
            proxy.mode = "drop"
            await sell_and_push(pilot, app)
            waiting = head(till) - hq.one("SELECT last_seq FROM register")
            assert waiting >= 3
            label = str(sync_label(app).render())
            assert f"HQ off: {waiting} since" in label
            assert label in screen_text(app).splitlines()[0]  # whole, on the top line at 80
            assert sync_label(app).has_class("error")
            # back online: the next round drains it
            proxy.mode = "pass"
            await push_round(pilot, app)
            assert hq.one("SELECT count(*) FROM sale") == 2
            assert "wait" not in str(sync_label(app).render())
