"""F11 «Receive» at 80×24 with HQ's answer (issue 15): what arrives against what was sent.

OSLO1 sends 3 × rømme and 2 × epler to BERGEN1 and pushes. On BERGEN1's till the shift lead
scans the note's id: the worker asks HQ, the sending shop is filled in (another typed is
refused), the table has Sent beside Scanned per product, and F10 with a box short by one asks a
shift lead to approve that difference (Esc: nothing booked); approved, the TRANSFERIN row keeps
sent 3 beside received 2.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.stock.transfer_note import barcode_digits
from screens.dialogs.approval import ApprovalDialog
from screens.stock import StockScreen
from screens.stock_transfer import ReceiveTransferScreen
from tests.app.screen_text import screen_text
from tests.app.test_stock_transfer import enter, message
from tests.unit.conftest import ROMME

from .pushing import Hq
from .test_transfer_check import APPLES, _open, _sent_from_oslo


async def receiving(pilot: Any, transfer: str) -> ReceiveTransferScreen:
    """The shift lead signs in, opens F2 → F11 and scans the transfer note's barcode."""
    await pilot.press(*"2", "enter", *"2222", "enter")
    await pilot.pause()
    await pilot.press("f2", "f11")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReceiveTransferScreen)
    await enter(pilot, barcode_digits(transfer))
    return screen


async def answered(pilot: Any, screen: ReceiveTransferScreen) -> None:
    """Wait for HQ's answer (the worker thread), as the shift lead waits for the line."""
    for _ in range(500):
        if screen.check.answer is not None:
            await pilot.pause()
            return
        await pilot.pause(0.01)
    raise AssertionError("HQ never answered")


@pytest.mark.parametrize("console", [False, True], ids=["terminal", "console"])
async def test_the_receive_screen_shows_sent_vs_scanned_and_asks_for_a_difference(
    hq: Hq, tmp_path: Path, console: bool
) -> None:
    transfer = _sent_from_oslo(hq, tmp_path)
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    settings = replace(bergen.settings, interval_seconds=3600)
    till = replace(bergen.till, config=replace(bergen.till.config, hq=settings))
    before = bergen.on_hand(ROMME)
    app = KassaApp(till, MemoryPrinter(), console=console)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await receiving(pilot, transfer)
        await answered(pilot, screen)
        assert message(app).startswith("Checked at HQ: OSLO1 sent 2 lines on ")
        assert screen.shop == "OSLO1"  # filled in from HQ
        await enter(pilot, "TROMSO1", "f7")
        assert "was sent by OSLO1 (HQ), not TROMSO1" in message(app)
        assert screen.shop == "OSLO1"
        await enter(pilot, "2*" + ROMME)
        text = screen_text(app)
        assert "Sent" in text and "Scanned" in text
        romme = next(line for line in text.splitlines() if "Rømme" in line)
        apples = next(line for line in text.splitlines() if "Epler" in line)
        assert romme.split()[-3:] == ["3", "2", "!"], romme
        assert apples.split()[-3:] == ["2", "0", "!"], apples  # sent, not scanned yet
        await enter(pilot, "2*" + APPLES)
        apples = next(line for line in screen_text(app).splitlines() if "Epler" in line)
        assert apples.split()[-2:] == ["2", "2"], apples
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalDialog)
        summary = str(app.screen.query_one("#approval-summary", Static).render())
        assert summary == "Rømme 18 % 3 dl: sent 3, scanned 2"  # what the lead approves
        await pilot.press("escape")  # not approved: nothing booked
        await pilot.pause()
        assert isinstance(app.screen, ReceiveTransferScreen) and not bergen.transfer_in()
        assert bergen.on_hand(ROMME) == before
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press(*"2", "enter", *"2222", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
        assert f"Transfer {transfer} from OSLO1: 2 lines received." in message(app)
    (row,) = bergen.transfer_in()
    assert row["checked"] is True
    assert row["differences"] == [[ROMME, 3000, 2000, "Rømme 18 % 3 dl"]]
    assert row["difference_approved_by"] == 2
    assert bergen.on_hand(ROMME) == before + 2000
    bergen.till.db.close()


async def test_exactly_what_was_sent_books_with_no_question_on_the_screen(
    hq: Hq, tmp_path: Path
) -> None:
    transfer = _sent_from_oslo(hq, tmp_path)
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    settings = replace(bergen.settings, interval_seconds=3600)
    till = replace(bergen.till, config=replace(bergen.till.config, hq=settings))
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await receiving(pilot, transfer)
        await answered(pilot, screen)
        await enter(pilot, "3*" + ROMME)
        await enter(pilot, "2*" + APPLES)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    (row,) = bergen.transfer_in()
    assert row["checked"] is True and "differences" not in row
    assert json.dumps(row["sent"]).count("3000") == 1
    bergen.till.db.close()


async def test_hq_out_of_reach_says_unchecked_in_one_line_and_books_as_before(
    hq: Hq, tmp_path: Path
) -> None:
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    away = replace(bergen.settings, dsn=bergen.settings.dsn.replace("port=", "port=1 x="))
    away = replace(away, dsn=" ".join(w for w in away.dsn.split() if not w.startswith("x=")))
    away = replace(away, interval_seconds=3600, timeout_seconds=1)
    till = replace(bergen.till, config=replace(bergen.till.config, hq=away))
    transfer = "6f1c1e4e-0d43-4a8e-9d55-3b2f7c1a9e10"
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await receiving(pilot, transfer)
        await answered(pilot, screen)
        said = message(app)
        assert said == "Not checked against the sender: HQ is out of reach.", said
        assert said in screen_text(app).splitlines()[-5]  # one line at 80 columns
        await enter(pilot, "OSLO1", "f7")
        await enter(pilot, "2*" + ROMME)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    (row,) = bergen.transfer_in()
    assert (row["checked"], row["unchecked"]) == (False, "unreachable")
    bergen.till.db.close()
