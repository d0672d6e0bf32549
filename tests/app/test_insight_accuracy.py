"""The insight screen's Accuracy tab (issue 16) at 80x24: a shift lead presses F11 and reads, per
product group, how far the forecasts of the last four weeks were off beside "same as last week",
the shop's total in words; on the console theme only what the console font has."""

from __future__ import annotations

from datetime import date, timedelta

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core.clock import business_date
from screens.insight import InsightScreen
from tests.app.screen_text import screen_lines
from tests.app.test_console_glyphs import foreign
from tests.app.test_insight_screen import to_insight
from tests.insight.shopdata import write_history


def with_history(till: Till) -> None:
    """Half a year of generated sales up to yesterday (the till's clock)."""
    today = date.fromisoformat(business_date(till.clock.now(), till.config.day_cutoff_hour))
    write_history(str(till.config.database), last_day=today - timedelta(days=1))


async def to_accuracy(pilot) -> None:  # type: ignore[no-untyped-def]
    await to_insight(pilot)
    await pilot.press("f11")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


async def test_the_shift_lead_reads_the_accuracy_per_group(till: Till) -> None:
    with_history(till)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_accuracy(pilot)
        assert isinstance(app.screen, InsightScreen)
        lines = screen_lines(app)
        shown = "\n".join(lines)
        assert "Accuracy" in lines[1], shown  # the tab row
        assert "F11 Accuracy" in shown  # the key bar
        head = next(line for line in lines if line.strip().startswith("Group"))
        assert head.split() == ["Group", "kassa", "Bias", "Last", "week", "Verdict"], head
        total = next(line for line in lines if line.strip().startswith("The whole shop"))
        words = total.split()
        # «The whole shop  ±31 %  -1 %  ±45 %  better than last week»
        assert words[3].startswith("±") and words[7].startswith("±"), total
        assert int(words[3][1:]) < int(words[7][1:]), total
        assert total.rstrip().endswith("better than last week"), total
        sentence = next(line for line in lines if "of units" in line)
        assert sentence.strip().startswith(f"The whole shop: off by {words[3]} % of units"), (
            sentence
        )
        assert all(len(line) <= 80 for line in lines)


async def test_too_little_history_says_so(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await to_accuracy(pilot)
        shown = "\n".join(screen_lines(app))
        assert "Too little history: the accuracy needs 56 days of sales." in shown, shown


async def test_the_console_sees_only_its_own_glyphs(till: Till) -> None:
    with_history(till)
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_accuracy(pilot)
        lines = screen_lines(app)
        assert any("better than last week" in line for line in lines), "\n".join(lines)
        assert not foreign(lines), "\n".join([*foreign(lines)[:20], *lines])
