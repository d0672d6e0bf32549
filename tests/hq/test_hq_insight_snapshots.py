"""The insight screen at the head office at 80x24 (`kassa hq insight`): the Sales tab of the
chain and the Products tab, in the full theme and on the Linux console (the chart in numbers),
over the two tills of tests/hq/test_hq_insight.py on a real PostgreSQL. The Shops tab is not
pictured: its last contact is HQ's wall clock."""

from __future__ import annotations

from typing import Any

import pytest

from screens.hq_insight import HqInsightApp
from tests.app.test_snapshots_dayclose import still
from tests.hq.test_hq_insight import Chain, chain, settle, source

__all__ = ["chain"]  # the module's fixture: two shops' tills, sold and pushed


async def sales(pilot: Any) -> None:
    await settle(pilot.app, pilot)
    await still(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def products(pilot: Any) -> None:
    await sales(pilot)
    await pilot.press("f4")
    await still(pilot)
    await pilot.pause()


SCENES = {"sales": sales, "products": products}


@pytest.mark.parametrize("console", [False, True], ids=["theme", "console"])
@pytest.mark.parametrize("scene", list(SCENES))
def test_hq_insight(snap_compare: Any, chain: Chain, scene: str, console: bool) -> None:
    app = HqInsightApp(source(chain), console=console)
    assert snap_compare(app, terminal_size=(80, 24), run_before=SCENES[scene])
