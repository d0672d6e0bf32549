"""The insight screen (issue 16) at the Pi's 80x24: the Sales tab and the Products tab after a
few sales, in the full theme and on the Linux console (TERM=linux: the chart in numbers, no
block glyphs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from tests.app.test_insight_screen import sell_some
from tests.app.test_snapshots_dayclose import MillisecondClock
from tests.shop import demo_till
from tests.still import no_blinking as still


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    till = demo_till(tmp_path, MillisecondClock(), language='"en"')
    i18n.set_language("en")
    sell_some(till)
    yield till
    till.db.close()


async def sales(pilot: Any) -> None:
    """The shift lead signs in, Ctrl+E, 4: the Sales tab."""
    await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
    await pilot.pause()
    await pilot.press("ctrl+e", "4")
    await pilot.pause()
    await still(pilot)


async def products(pilot: Any) -> None:
    """F4: the products sold, by revenue."""
    await sales(pilot)
    await pilot.press("f4")
    await still(pilot)


SCENES = {"sales": sales, "products": products}


@pytest.mark.parametrize("console", [False, True], ids=["theme", "console"])
@pytest.mark.parametrize("scene", list(SCENES))
def test_insight(snap_compare: Any, till: Till, scene: str, console: bool) -> None:
    app = KassaApp(till, MemoryPrinter(), console=console)
    assert snap_compare(app, terminal_size=(80, 24), run_before=SCENES[scene])
