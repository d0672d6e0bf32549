"""Many scans a second at the sale screen: the evdev scanner's thread posts them as fast as it
can, good codes and garbage mixed, and a keyboard-wedge scanner types codes with no pause between
them. Every good code becomes exactly one line, in order; every bad one a message; nothing else.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.people import users
from screens.sale import SaleScreen
from tests.reliability.figures import FIGURES
from tests.shop import demo_till, selling_codes

SEED = 20261127
SCANS = 300
GARBAGE = ("", " ", "\x00", "\x1b[2J", "[bold]x[/]", "7" * 200, "0000000000000", "-1", "æøå", "∞")


@pytest.fixture(autouse=True)
def _fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    till = demo_till(tmp_path, language='"en"', idle_lock_seconds="0")
    i18n.set_language("en")
    yield till
    till.db.close()


def basket_codes(till: Till) -> list[str]:
    return [line.line.code for line in till.baskets.current().priced.lines]


async def signed_in(pilot: Any) -> None:
    await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SaleScreen)


async def test_a_burst_of_scanner_codes_from_its_thread(till: Till) -> None:
    rng = random.Random(SEED)
    codes = selling_codes(till)
    burst = [rng.choice(codes) if rng.random() < 0.8 else rng.choice(GARBAGE) for _ in range(SCANS)]
    good = [code for code in burst if code in codes]
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot)

        def reader() -> None:  # what devices/scanner.py's thread does, without pauses
            for code in burst:
                app.call_from_thread(app.scanned, code)

        thread = threading.Thread(target=reader)
        thread.start()
        while thread.is_alive():
            await pilot.pause(0.05)
        thread.join()
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        on_screen = str(app.screen.query_one("#sale-totals", Static).render())
    FIGURES.bad_inputs["scan burst (evdev)"] += len(burst) - len(good)
    assert basket_codes(till) == good  # each once, in the order scanned
    total = till.baskets.current().priced.total
    assert f"{total // 100},{total % 100:02d}" in on_screen.replace("\xa0", "").replace(" ", "")
    adds = till.db.execute_sql("SELECT COUNT(*) FROM journal WHERE basic_id = 'LINEADD'")
    assert adds.fetchone()[0] == len(good)


async def test_a_wedge_scanner_typing_codes_back_to_back(till: Till) -> None:
    rng = random.Random(SEED + 1)
    codes = selling_codes(till)
    burst = [rng.choice(codes) for _ in range(6)] + ["70201647607"] + [rng.choice(codes)]
    keys = [key for code in burst for key in (*code, "enter")]
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot)
        await pilot.press(*keys)  # no pause between the codes: as fast as the wedge sends them
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
    FIGURES.bad_inputs["scan burst (wedge)"] += 1
    assert basket_codes(till) == [code for code in burst if code in codes]
