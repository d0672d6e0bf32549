"""Helpers for the tests of a till that pushes while the cashier sells (test_sync_app.py and
test_sync_child.py; the till itself is conftest's `sync_till`): a sale in the App followed by
one push round, the header's sync word, and the [hq] section of a till's kassa.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Label

from kassa_tui.app import KassaApp
from kassa_tui.config.hq import HqSettings
from tests.app.screen_text import screen_text
from tests.app.test_sale_flow import scan
from tests.unit.conftest import ROMME

REGISTER = "KASSE-1"


async def sell_and_push(pilot: Pilot[Any], app: KassaApp) -> None:
    """The signed-in cashier sells a rømme for cash (F10, Enter), then one push round."""
    await scan(pilot, ROMME)
    await pilot.press("f10", "enter")
    await pilot.pause()
    await push_round(pilot, app)


async def push_round(pilot: Pilot[Any], app: KassaApp) -> None:
    """One push round of the App's, waited for, and the screen after it."""
    app.push_to_hq()
    await app.workers.wait_for_complete()
    await pilot.pause()


def sync_label(app: KassaApp) -> Label:
    return app.screen.query_one("#sale-sync", Label)


def assert_header_synced(app: KassaApp) -> None:
    """The header says «HQ hh:mm» with nothing waiting, not red, whole on the top line (80)."""
    label = str(sync_label(app).render())
    assert label.startswith("HQ ") and "wait" not in label
    assert not sync_label(app).has_class("error")
    assert label in screen_text(app).splitlines()[0]


def append_hq_section(toml: Path, settings: HqSettings, interval_seconds: int) -> None:
    """The till's kassa.toml gets an [hq] section: HQ's DSN, the role's password file, no TLS."""
    with toml.open("a", encoding="utf-8") as out:
        out.write(
            f"\n[hq]\ndsn = {settings.dsn!r}\npassword_file = {str(settings.password_file)!r}\n"
            f"tls = false\ninterval_seconds = {interval_seconds}\n"
        )
