"""Against a real emulated ESC/POS printer (emupos) on loopback: what the shop would see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.widgets import Label, Static

from devices.printer import open_printer
from kassa_tui.app import KassaApp
from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.people import users
from screens.dialogs.trouble import ReceiptStuckDialog
from screens.widgets.entry import EntryLine
from tests.devices.emupos import Emupos, running_emupos
from tests.shop import demo_till

ROMME = "7020164760728"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def emupos(tmp_path: Path) -> Iterator[Emupos]:
    folder = tmp_path / "emupos"
    folder.mkdir()
    with running_emupos(folder) as emulator:
        yield emulator


def network_settings(emupos: Emupos) -> dict[str, str]:
    return {
        "language": '"en"',
        "type": '"network"',
        "host": '"127.0.0.1"',
        "port": str(emupos.printer_port),
        "timeout": "2.0",
        "sensor": "true",
    }


@pytest.fixture
def till(tmp_path: Path, emupos: Emupos) -> Iterator[Till]:
    till = demo_till(tmp_path, **network_settings(emupos))
    i18n.set_language("en")
    yield till
    till.db.close()


@pytest.fixture
def app(till: Till) -> KassaApp:
    return KassaApp(till, open_printer(till.config.printer))


async def sign_in_and_scan(pilot: Any, code: str = ROMME) -> None:
    await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
    await pilot.pause()
    await scan(pilot, code)


async def scan(pilot: Any, code: str) -> None:
    pilot.app.screen.query_one("#entry", EntryLine).value = code
    await pilot.press("enter")


async def settle(pilot: Any) -> None:
    """Wait until the printer's answers (status and printing) are on the screen."""
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if pilot.app.devices_settled and not pilot.app.workers:
            return


def sale_message(app: KassaApp) -> str:
    return str(app.sale_screen.query_one("#sale-message", Static).render())


def printer_label(app: KassaApp) -> str:
    return str(app.sale_screen.query_one("#sale-printer", Label).render())


async def test_a_cash_sale_prints_norwegian_letters_and_kicks_the_drawer(
    app: KassaApp, till: Till, emupos: Emupos
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        await pilot.press("f10", "enter")
        await settle(pilot)
    receipts = emupos.wait_for_receipts(1)
    assert len(receipts) == 1
    text = receipts[0]
    for expected in (
        "Salgskvittering",
        "Rømme 18 % 3 dl",
        "Org.nr 999 999 999 MVA",
        "Øreavrunding",
        "Kontant",
        "Demobutikken AS",
    ):
        assert expected in text, expected
    assert "drawer.opened" in emupos.events()
    assert emupos.state()["drawer"] == "open"
    events = [row.basic_id for row in till.journal.rows()]
    assert "RECEIPT" in events and "DRAWOPEN" in events


async def test_paper_out_holds_the_receipt_until_the_roll_is_changed(
    app: KassaApp, till: Till, emupos: Emupos
) -> None:
    emupos.fault("paper-out")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        await pilot.press("f11", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptStuckDialog)
        assert "Paper out" in str(app.screen.query_one("#trouble-reason").render())
        app.poll_devices()
        await settle(pilot)
        assert "Paper out" in printer_label(app)
        assert len(till.print_queue.pending()) == 1
        assert emupos.receipts() == []

        emupos.fault("paper-out", active=False)
        app.poll_devices()  # the poll sees the printer ready and prints the waiting receipt
        await settle(pilot)
        await settle(pilot)
        assert not isinstance(app.screen, ReceiptStuckDialog)
        assert "Printer OK" in printer_label(app)
    receipts = emupos.wait_for_receipts(1)
    assert len(receipts) == 1 and "Salgskvittering" in receipts[0]
    assert len(emupos.wait_for_receipts(2, timeout=1.5)) == 1  # exactly once
    assert till.print_queue.pending() == []


async def test_no_scan_while_the_drawer_is_open(app: KassaApp, till: Till, emupos: Emupos) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        await pilot.press("f10", "enter")
        await settle(pilot)
        app.poll_devices()
        await settle(pilot)
        assert "Drawer open" in printer_label(app)
        await scan(pilot, ROMME)
        assert "Close the cash drawer first" in sale_message(app)
        assert till.baskets.current().empty

        emupos.close_drawer()
        app.poll_devices()
        await settle(pilot)
        assert "Drawer closed" in printer_label(app)
        await scan(pilot, ROMME)
        assert len(till.baskets.current().priced.lines) == 1
    events = [row.basic_id for row in till.journal.rows()]
    assert "DRAWCLOSE" in events
    assert "DRAWOPENMAN" not in events  # the opening was the sale's kick, not a hand's


async def test_a_no_sale_opening_is_a_journaled_nullinnslag(
    app: KassaApp, till: Till, emupos: Emupos
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "enter", "1", "1", "1", "1", "enter")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.press("2", "enter", "2", "2", "2", "2", "enter")
        await settle(pilot)
    assert emupos.state()["drawer"] == "open"
    assert emupos.receipts() == []  # a kick only: no paper
    events = [row.basic_id for row in till.journal.rows()]
    assert "NOSALEREQ" in events and "NOSALE" in events


def test_printer_status_and_test_page_from_the_cli(tmp_path: Path, emupos: Emupos) -> None:
    till = demo_till(tmp_path, **network_settings(emupos))
    config = str(till.config.source)
    runner = CliRunner()
    emupos.fault("paper-near-end")
    result = runner.invoke(main, ["--config", config, "printer", "status"])
    assert result.exit_code == 0 and "Paper low" in result.output
    emupos.fault("paper-near-end", active=False)
    emupos.fault("cover-open")
    result = runner.invoke(main, ["--config", config, "printer", "status"])
    assert result.exit_code == 1 and "Cover open" in result.output
    result = runner.invoke(main, ["--config", config, "printer", "test"])
    assert result.exit_code == 1 and "Nothing was sent" in result.output, result.output
    emupos.fault("cover-open", active=False)
    assert emupos.wait_for_receipts(1, timeout=1.0) == []  # nothing held to print later
    result = runner.invoke(main, ["--config", config, "printer", "test"])
    assert result.exit_code == 0, result.output
    page = emupos.wait_for_receipts(1)[0]
    assert "æøå ÆØÅ" in page and "Testside" in page


def test_a_transfer_sent_from_the_cli_prints_its_note(tmp_path: Path, emupos: Emupos) -> None:
    """`kassa stock transfer` books the goods out and prints the note that goes with them: at
    once when the till is not running, by the running till (it holds the register) otherwise,
    and left in the queue with a warning (exit 0: the goods are booked out) while the printer
    cannot print."""
    from kassa_tui.store.register_lock import RegisterLock

    till = demo_till(tmp_path, **network_settings(emupos))
    config = str(till.config.source)
    runner = CliRunner()
    send = ["--config", config, "stock", "transfer", "--to", "BERGEN-2", ROMME, "3"]
    result = runner.invoke(main, send, input="2\n2222\n")
    assert result.exit_code == 0, result.output
    transfer = result.output.split()[1]
    assert "The transfer note is printed." in result.output
    [note] = emupos.wait_for_receipts(1)
    assert "Overføring" in note and "BERGEN-2" in note and transfer in note
    assert f"{ROMME} Rømme 18 % 3 dl" in note and "3 stk" in note
    # the till is running (it holds the register): the note is left to it
    running = RegisterLock(till.config.database, till.config.register_id)
    running.acquire()
    try:
        result = runner.invoke(main, send, input="2\n2222\n")
    finally:
        running.release()
    assert result.exit_code == 0, result.output
    assert "the running till prints it" in result.output
    assert till.print_queue.pending() and emupos.wait_for_receipts(2, timeout=1.0) == [note]
    # the printer cannot print: booked out all the same, the notes wait, `kassa print` later
    emupos.fault("cover-open")
    result = runner.invoke(main, send, input="2\n2222\n")
    assert result.exit_code == 0, result.output
    assert "the transfer note waits in the print queue" in result.output
    assert len(till.print_queue.pending()) == 2
    emupos.fault("cover-open", active=False)
    result = runner.invoke(main, ["--config", config, "print"])
    assert result.exit_code == 0, result.output
    notes = emupos.wait_for_receipts(3)
    assert len(notes) == 3 and all("Overføring" in text for text in notes)
    sent = [r for r in till.journal.rows() if r.basic_id == "TRANSFEROUT"]
    assert len(sent) == 3
