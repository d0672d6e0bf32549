"""The insight screen's Together tab (screens/insight_together.py) in a small app at 80x24: the
period's best pairs, a product scanned into its search line and its partners by lift with n and
confidence, F5 again between 90 and 365 days; on the Linux console only ASCII glyphs (x, not ×)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import TabbedContent

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.insight.pairs import find_product
from screens import insight_together, styles
from screens.insight_together import TogetherPane
from tests.app.screen_text import screen_lines, screen_text
from tests.app.test_insight_screen import to_insight
from tests.insight.test_pairs import fast_pins, printed, sell  # noqa: F401 (fixture)
from tests.shop import demo_till, selling_codes

NOT_ON_THE_CONSOLE = set("×…─│┌┐└┘━┃▁▂▃▄▅▆▇█▉▊▋▌▍▎▏")


class TogetherApp(App[None]):
    """As the insight screen would hold it, with kassa's console styles (screens/console.tcss)."""

    CSS_PATH = [styles.CONSOLE]

    def __init__(self, till: Till, console: bool = False) -> None:
        super().__init__(ansi_color=console)
        self.till = till

    def compose(self) -> ComposeResult:
        yield TogetherPane()


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Till, list[str]]:
    """The six receipts of tests/insight/test_pairs.py: A+C on 2 of them (lift 1.5)."""
    till = demo_till(tmp_path, language='"en"')
    a, b, c, d = selling_codes(till)[:4]
    for basket in ([a, b], [a, b, c], [a, c], [b], [a, a, b], [d]):
        sell(till, basket)
    printed(till)
    return till, [a, b, c, d]


async def settle(pilot: Any, app: App[None]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("console", [False, True])
async def test_together_tab_at_80x24(
    shop: tuple[Till, list[str]], console: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(insight_together, "MIN_COUNT", 2)  # six receipts: two make a pair here
    till, (a, _b, c, _d) = shop
    name_a = find_product(till.db, a).name  # type: ignore[union-attr]
    name_c = find_product(till.db, c).name  # type: ignore[union-attr]
    times = "x" if console else "×"
    app = TogetherApp(till, console=console)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "Last 90 days, 2026-08-30 to 2026-11-27: 6 receipts" in text
        assert f"{times}1.5" in text and f"{times}1.1" in text
        for char in c:  # the scanner types the barcode and Enter
            await pilot.press(char)
        await pilot.press("enter")
        await settle(pilot, app)
        text = screen_text(app)
        assert f"With {name_c[:20]}" in text and "(2 receipts with it)" in text
        row = next(line for line in screen_lines(app) if f"{times}1.5" in line)
        assert name_a[:12] in row and " 2 " in row and "100 %" in row
        await pilot.press("f5")
        await settle(pilot, app)
        assert "Last 365 days, 2025-11-28 to 2026-11-27" in screen_text(app)
        await pilot.press("f5")
        await settle(pilot, app)
        assert "Last 90 days" in screen_text(app)
        if console:
            assert not NOT_ON_THE_CONSOLE & set(screen_text(app))
        assert all(len(line) <= 80 for line in screen_lines(app))


async def test_f5_again_on_the_insight_screen_is_365_days(shop: tuple[Till, list[str]]) -> None:
    """In the whole insight screen (its F-keys win over the pane's): F5 opens the tab, F5 again
    counts 365 days, F10 is still the Reorder tab (it took the pane's F10 before)."""
    till, _codes = shop
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_insight(pilot)
        await pilot.press("f5")
        await settle(pilot, app)
        assert "Last 90 days" in screen_text(app)
        await pilot.press("f5")
        await settle(pilot, app)
        assert "Last 365 days" in screen_text(app)
        tabs = app.screen.query_one("#insight-tabs", TabbedContent)
        assert tabs.active == "insight-together"
        await pilot.press("f10")
        await settle(pilot, app)
        assert tabs.active == "insight-reorder"
