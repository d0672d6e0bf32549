"""The read-only view a second `kassa` opens beside the selling till (issue 13, item 16): it speaks
the till's language, answers the keys it cannot do with why, and journals no start or stop."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from devices.printer import MemoryPrinter
from kassa_tui import app as app_module
from kassa_tui.app import KassaApp, run_app
from kassa_tui.composition import Till
from kassa_tui.config import load
from kassa_tui.core import i18n
from screens.dialogs.help import HelpDialog
from screens.sale import SaleScreen
from screens.widgets.entry import EntryLine
from tests.app.screen_text import screen_text
from tests.shop import demo_till

ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90


def message(app: KassaApp) -> str:
    return str(app.screen.query_one("#sale-message", Static).render())


def journal_events(till: Till) -> list[str]:
    return [row.basic_id for row in till.journal.rows()]


async def test_a_read_only_view_refuses_pay_and_park_keys_with_why(
    till: Till, printer: MemoryPrinter
) -> None:
    before = journal_events(till)
    app = KassaApp(till, printer, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SaleScreen)
        for key in ("f10", "f11", "ctrl+k", "f3", "f12"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, SaleScreen), key  # no payment dialog, no day close
            assert "read-only view" in message(app), key
            assert "Sign in" not in message(app)
        # What it can do still works: Enter looks a price up (journaled, as the law asks).
        app.screen.query_one("#entry", EntryLine).value = ROMME
        await pilot.press("enter")
        await pilot.pause()
        assert "24,90" in str(app.screen.query_one("#sale-lookup", Static).render())
    assert journal_events(till) == [*before, "PRICELOOKUP"]


async def test_a_receipt_scan_and_the_help_say_what_a_read_only_view_does(
    till: Till, printer: MemoryPrinter
) -> None:
    before = journal_events(till)
    app = KassaApp(till, printer, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#entry", EntryLine).value = "R1"  # a receipt's barcode: a return
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert "read-only view" in message(app) and "Sign in" not in message(app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        shown = screen_text(app)
        assert "F5/^F" in shown and "F2/^S" in shown, shown  # price and stock look-up
        assert "F10" not in shown and "F3/^P" not in shown and "F12" not in shown, shown
    assert journal_events(till) == before


async def test_a_read_only_view_speaks_norwegian_on_a_norwegian_till(tmp_path: Path) -> None:
    till = demo_till(tmp_path, language='"nb"')
    try:
        app = KassaApp(till, MemoryPrinter(), read_only=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f10")
            await pilot.pause()
            assert "bare visning" in message(app), message(app)
    finally:
        till.db.close()
        i18n.set_language("en")


def test_a_read_only_view_journals_no_start_and_no_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real till keeps selling: an APPSTOP from the view would say it had stopped."""
    demo_till(tmp_path, language='"en"').db.close()
    config = load(tmp_path / "kassa.toml")
    monkeypatch.setattr(app_module, "open_printer", lambda settings: MemoryPrinter())

    async def mounted_then_quit(app: KassaApp) -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()

    def run(self: KassaApp) -> None:
        import asyncio

        asyncio.run(mounted_then_quit(self))

    monkeypatch.setattr(KassaApp, "run", run)
    rows = _journal_rows(config)
    run_app(config, read_only=True)
    assert _journal_rows(config)[len(rows) :] == []
    run_app(config)  # the selling till journals both
    assert _journal_rows(config)[len(rows) :] == ["APPSTART", "APPSTOP"]
    i18n.set_language("en")


def _journal_rows(config: object) -> list[str]:
    from kassa_tui.composition import open_till

    till = open_till(config)  # type: ignore[arg-type]
    try:
        return journal_events(till)
    finally:
        till.db.close()
