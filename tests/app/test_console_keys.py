"""On the Pi's Linux console (TERM=linux) every sale key reaches its action: the bytes the
console sends go through Textual's own parser, as `kassa` run there reads them."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual import events
from textual._xterm_parser import XTermParser

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.config.settings import DEFAULT_KEYS
from screens import console_keys
from screens.sale import SaleScreen
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_text

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90
BAGUETTE = "7014358251918"  # 15 % taken away, 25 % eaten in

#: What the Linux console sends (kernel default keymap; terminfo linux kf13..kf20).
SHIFT_F3 = "\x1b[28~"
SHIFT_F5 = "\x1b[31~"
SHIFT_F6 = "\x1b[32~"
SHIFT_F8 = "\x1b[34~"
ALT_V = "\x1bv"


def keys_from(data: str) -> list[events.Key]:
    """The keys Textual's parser makes of `data` (an escape alone is a key after a pause)."""
    parser = XTermParser()
    found = [e for e in parser.feed(data) if isinstance(e, events.Key)]
    if data.startswith("\x1b") and not found:
        time.sleep(0.15)
        found = [e for e in parser.tick() if isinstance(e, events.Key)]
    return found


@pytest.fixture(autouse=True)
def linux_console() -> None:
    console_keys.install()  # as run_app does when TERM=linux


def test_the_shifted_f_keys_of_the_linux_console_read_as_such() -> None:
    for data, key in console_keys.LINUX_SHIFTED_F.items():
        assert [k.key for k in keys_from(data)] == [key], repr(data)
    # The console's other keys, and xterm's and tmux's own Shift+F-keys, read as before.
    for data, key in (
        ("\x1b[[A", "f1"),
        ("\x1b[[E", "f5"),
        ("\x1b[17~", "f6"),
        ("\x1b[24~", "f12"),
        ("\x1b[3~", "delete"),
        ("\x1b[23;2~", "shift+f11"),
        ("\x1b[15;2~", "shift+f5"),
        ("\x1b[19;2~", "shift+f8"),
        (ALT_V, "alt+v"),
    ):
        assert [k.key for k in keys_from(data)] == [key], repr(data)


#: Keys the Linux console sends something for: F1-F12, Shift+F1-F8, Ctrl and Alt letters, Del.
CONSOLE_KEYS = (
    {f"f{n}" for n in range(1, 13)}
    | set(console_keys.LINUX_SHIFTED_F.values())
    | {f"ctrl+{c}" for c in "abdefgklnoprstuvwxyz"}
    | {f"alt+{c}" for c in "abcdefghijklmnopqrstuvwxyz"}
    | {"delete"}
)


def test_every_sale_action_has_a_key_the_console_sends() -> None:
    for action, keys in DEFAULT_KEYS.items():
        assert CONSOLE_KEYS & set(keys.split(",")), f"{action} ({keys}): none reaches kassa"


async def sign_in_and_scan(pilot: Any, code: str) -> None:
    await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
    await pilot.pause()
    pilot.app.screen.query_one("#entry", EntryLine).value = code
    await pilot.press("enter")
    await pilot.pause()


async def send(pilot: Any, data: str) -> None:
    for key in keys_from(data):
        pilot.app.post_message(key)
    await pilot.pause(0.2)


async def test_shift_f3_on_the_console_marks_the_sale_eaten_in(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot, BAGUETTE)
        await send(pilot, SHIFT_F3)
        assert till.baskets.eaten_in()
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.query_one("#entry", EntryLine).value == ""  # no stray character


async def test_shift_f5_f6_f8_and_alt_v_on_the_console_run_their_actions(
    till: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    command = SaleScreen.command

    def spy(self: SaleScreen, event: EntryLine.Command) -> None:
        ran.append(event.action)
        command(self, event)

    monkeypatch.setattr(SaleScreen, "command", spy)
    app = KassaApp(till, MemoryPrinter(), console=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot, ROMME)
        for data, action in (
            (SHIFT_F5, "gift_card"),
            (SHIFT_F6, "sale_discount"),
            (SHIFT_F8, "void_sale"),
            (ALT_V, "pay_other"),
        ):
            ran.clear()
            await pilot.press("1", "0", "%")
            await send(pilot, data)
            assert ran == [action], repr(data)
            assert not isinstance(app.screen, SaleScreen), repr(data)  # its dialog is open
            while not isinstance(app.screen, SaleScreen):
                await pilot.press("escape")
                await pilot.pause()
        await send(pilot, ALT_V)
        assert "Pay with" in screen_text(app)
        assert "1. Vipps" in screen_text(app)
