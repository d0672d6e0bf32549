"""The keys a cashier sees and presses: the key bar, F1, Esc, the quantity limit, Ctrl+Q."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Label

from kassa_tui.config import ConfigError, parse
from screens.widgets.keybar import KeyBar
from tests.app.screen_text import screen_text
from tests.unit.conftest import REPO_CONFIG


class _Keys(Screen[None]):
    BINDINGS = [
        Binding("f10,ctrl+k", "a", "Cash"),
        Binding("f11,ctrl+b", "b", "Card"),
        Binding("f8,ctrl+x", "c", "Correct"),
        Binding("f2,ctrl+s", "d", "Stock lookup"),
        Binding("f3,ctrl+p", "e", "Park the sale"),
        Binding("f4,ctrl+r", "f", "Resume"),
        Binding("f5,ctrl+f", "g", "Price look-up"),
        Binding("f6,ctrl+d", "h", "Discount"),
        Binding("up", "i", "Line up", key_display="↑"),
        Binding("f12,ctrl+y", "j", "Day close"),
        Binding("escape", "k", "hidden", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Label("body")
        yield KeyBar()


class _KeysApp(App[None]):
    def __init__(self, plain_console: bool = False) -> None:
        super().__init__()
        self.plain_console = plain_console

    def on_mount(self) -> None:
        self.push_screen(_Keys())


def _bar_text(app: App[None]) -> list[str]:
    lines = app.screen.query_one(KeyBar).text().split("\n")
    return lines


async def test_the_key_bar_wraps_at_80_columns_instead_of_cutting() -> None:
    app = _KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = _bar_text(app)
        assert len(lines) == 2
        assert all(len(line) <= 80 for line in lines)
        text = " ".join(lines)
        for words in ("F10/^K Cash", "F6/^D Discount", "F12/^Y Day close", "↑ Line up"):
            assert words in text
        assert "hidden" not in text
        assert lines[0].startswith("F10/^K Cash")  # the order the screen lists them
        assert app.screen.query_one(KeyBar).size.height == 2  # no training banner


async def test_the_key_bar_is_ascii_on_the_console_theme() -> None:
    app = _KeysApp(plain_console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = " ".join(_bar_text(app))
        assert "Up Line up" in text
        assert text.isascii()


async def test_the_key_bar_follows_the_bindings() -> None:
    app = _KeysApp()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        assert "^E Extra" not in " ".join(_bar_text(app))
        app.screen._bindings.bind("ctrl+e", "z", "Extra")
        app.screen.refresh_bindings()
        await pilot.pause()
        assert "^E Extra" in " ".join(_bar_text(app))


# -- ui.confirm_quantity_above ----------------------------------------------------------------


def _repo_raw() -> dict[str, Any]:
    return tomllib.loads(REPO_CONFIG.read_text(encoding="utf-8"))


def test_the_quantity_limit_is_documented_and_read() -> None:
    assert parse(_repo_raw(), REPO_CONFIG).confirm_quantity_above == 100
    raw = _repo_raw()
    raw["ui"]["confirm_quantity_above"] = 1
    assert parse(raw, REPO_CONFIG).confirm_quantity_above == 1
    del raw["ui"]["confirm_quantity_above"]
    assert parse(raw, REPO_CONFIG).confirm_quantity_above == 100


@pytest.mark.parametrize("value", [0, -5, 100_001, "100", True, 2.5])
def test_a_bad_quantity_limit_names_its_key(value: Any) -> None:
    raw = _repo_raw()
    raw["ui"]["confirm_quantity_above"] = value
    with pytest.raises(ConfigError) as refused:
        parse(raw, REPO_CONFIG)
    assert str(refused.value).startswith("ui.confirm_quantity_above: must be")


async def test_the_key_bar_carries_the_training_banner() -> None:
    app = _KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert bar.size.height == 2
        app.set_class(True, "-training")
        await pilot.pause()
        assert bar.size.height == 3
        assert "TRAINING MODE" in screen_text(app)
        app.set_class(False, "-training")
        await pilot.pause()
        assert "TRAINING MODE" not in screen_text(app)
