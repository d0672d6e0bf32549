"""The sale screen, sign-in/lock, the help and the questions, as the cashier sees them: 80×24,
and on the Pi's Linux console (console=True, as TERM=linux gives)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from screens.widgets.entry import EntryLine
from tests.still import no_blinking

Before = Callable[[Any], Awaitable[None]]
CODES = ("7020164760728", "7045811781536", "2410101045905")  # Rømme, Epler, Ost (long name)


async def _sign_in(pilot: Any, number: str = "1", pin: str = "1111") -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def _basket(pilot: Any) -> None:
    for code in CODES:
        pilot.app.screen.query_one("#entry", EntryLine).value = code
        await pilot.press("enter")
    await pilot.press("1", "0", "%", "f6", "1")


def _app(till: Till, console: bool) -> KassaApp:
    return KassaApp(till, MemoryPrinter(), console=console)


def _steps(*steps: Before) -> Before:
    async def before(pilot: Any) -> None:
        for step in steps:
            await step(pilot)
        await no_blinking(pilot)

    return before


def _keys(*keys: str) -> Before:
    async def press(pilot: Any) -> None:
        await pilot.press(*keys)
        await pilot.pause()

    return press


async def _as_lead(pilot: Any) -> None:
    await _sign_in(pilot, "2", "2222")


SCENES: dict[str, Before] = {
    "sale": _steps(_sign_in, _basket),
    "lock": _steps(_sign_in, _keys("ctrl+l")),
    "help": _steps(_sign_in, _keys("f1")),
    "large_quantity": _steps(_sign_in, _keys("1", "2", "3", "3", "asterisk")),
    "quit_with_a_sale": _steps(_sign_in, _basket, _keys("ctrl+q")),
    "training": _steps(_as_lead, _keys("ctrl+e", "3"), _basket),
}


@pytest.mark.parametrize("console", [False, True], ids=["full", "console"])
@pytest.mark.parametrize("scene", sorted(SCENES))
def test_sale_scenes_at_80x24(snap_compare: Any, till: Till, scene: str, console: bool) -> None:
    assert snap_compare(_app(till, console), terminal_size=(80, 24), run_before=SCENES[scene])


def test_sign_in_on_the_console(snap_compare: Any, till: Till) -> None:
    assert snap_compare(_app(till, True), terminal_size=(80, 24), run_before=_steps())


def test_sale_at_60x20_keeps_the_amounts(snap_compare: Any, till: Till) -> None:
    before = SCENES["sale"]
    assert snap_compare(_app(till, False), terminal_size=(60, 20), run_before=before)


def test_sale_in_norwegian_in_training(snap_compare: Any, till: Till) -> None:
    i18n.set_language("nb")
    try:
        before = SCENES["training"]
        assert snap_compare(_app(till, False), terminal_size=(80, 24), run_before=before)
    finally:
        i18n.set_language("en")
