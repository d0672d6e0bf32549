"""Goods sent to another shop and received from one on the stock screen (issue 15), at 80×24,
as a shift lead does it: the journal rows, the stock, the printed note's bytes, and bad input
that changes nothing."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from typing import Any

import pytest
from textual.widgets import Input, Static

from devices.printer import MemoryPrinter
from devices.render import render, unprintable
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.stock.transfer_note import (
    NoteLine,
    barcode_digits,
    barcode_halves,
    note_doc,
    transfer_id_of,
)
from kassa_tui.stock.transfers import Transfers
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.help import HelpDialog
from screens.stock import StockScreen
from screens.stock_transfer import ReceiveTransferScreen, SendTransferScreen
from tests.app.screen_text import screen_text

ROMME = "7020164760728"  # Rømme 18 % 3 dl
LETTMELK = "7034452355121"  # Tine Lettmelk 1 l
OWN_SHOP = "STORGATA"  # kassa.toml's [shop] shop_id


async def sign_in(pilot: Any, number: str = "2", pin: str = "2222") -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def enter(pilot: Any, text: str, key: str = "enter") -> None:
    pilot.app.screen.query_one("#work-entry", Input).value = text
    await pilot.press(key)
    await pilot.pause()


def message(app: KassaApp) -> str:
    return str(app.screen.query_one("#stock-message", Static).render())


def on_hand(till: Till, code: str) -> int:
    return till.stock.details(till.catalog.by_barcode(code).id).on_hand_milli


def rows(till: Till, basic_id: str) -> list[dict[str, Any]]:
    return [json.loads(r.text) for r in till.journal.rows() if r.basic_id == basic_id]


def barcodes(data: bytes) -> list[bytes]:
    """The data of each CODE128 barcode (GS k 73 n data) in ESC/POS bytes."""
    found = []
    for match in re.finditer(rb"\x1dkI", data):
        length = data[match.end()]
        found.append(data[match.end() + 1 : match.end() + 1 + length])
    return found


def barcode_dots(data: bytes) -> list[int]:
    """How wide each CODE128 code set C barcode prints, in dots: its symbols (the data's, the
    start and the check) of 11 modules and the stop's 13, times the module width (GS w n)."""
    widths = [data[m.end()] for m in re.finditer(rb"\x1dw", data)]
    return [
        (len(code) * 11 + 13) * width  # len(code): "{C" and a byte a symbol
        for code, width in zip(barcodes(data), widths, strict=True)
    ]


def set_c_digits(code: bytes) -> str:
    assert code[:2] == b"{C", code
    return "".join(f"{value:02d}" for value in code[2:])


async def test_send_books_transferout_lowers_stock_and_prints_the_note(till: Till) -> None:
    romme, melk = on_hand(till, ROMME), on_hand(till, LETTMELK)
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f2", "f10")
        await pilot.pause()
        assert isinstance(app.screen, SendTransferScreen)
        await enter(pilot, "BERGEN-2", "f7")
        assert "Send to shop BERGEN-2" in screen_text(app)
        await enter(pilot, "3*" + ROMME)
        await enter(pilot, LETTMELK)
        await enter(pilot, LETTMELK)  # repeat scans add up: 2
        assert "Tine Lettmelk 1 l: 2." in message(app)
        await pilot.press("f10")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
        shown = message(app)
        [row] = rows(till, "TRANSFEROUT")
        transfer = row["transfer"]
        assert f"Transfer {transfer} to BERGEN-2: 2 lines sent" in shown
    assert row["to"] == "BERGEN-2"
    assert [[name, delta] for _code, delta, name in row["moves"]] == [
        ["Rømme 18 % 3 dl", -3000],
        ["Tine Lettmelk 1 l", -2000],
    ]
    assert on_hand(till, ROMME) == romme - 3000
    assert on_hand(till, LETTMELK) == melk - 2000
    [job] = printer.jobs
    assert "Overføring".encode("cp865") in job
    assert "Til butikk".encode("cp865") in job and b"BERGEN-2" in job
    assert transfer.encode() in job
    assert f"{ROMME} Rømme 18 % 3 dl".encode("cp865") in job
    assert f"{LETTMELK} Tine Lettmelk 1 l".encode("cp865") in job
    assert b"3 stk" in job and b"2 stk" in job
    [code] = barcodes(job)
    assert transfer_id_of(set_c_digits(code)) == transfer  # the receiving till's scan


async def test_receive_by_scanning_the_note_books_transferin_once(till: Till) -> None:
    transfer = str(uuid.uuid4())
    romme = on_hand(till, ROMME)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        for attempt in (1, 2):
            await pilot.press(*(["f2", "f11"] if attempt == 1 else ["f11"]))
            await pilot.pause()
            assert isinstance(app.screen, ReceiveTransferScreen)
            await enter(pilot, barcode_digits(transfer))  # the note's barcode, scanned
            assert transfer[:8] in str(app.screen.query_one("#stock-title", Static).render())
            assert message(app) == "Not checked against the sender: no head office in kassa.toml."
            await enter(pilot, "BERGEN-2", "f7")
            await enter(pilot, "4*" + ROMME)
            await pilot.press("f10")
            await pilot.pause()
            if attempt == 1:
                assert isinstance(app.screen, StockScreen)
                assert f"Transfer {transfer} from BERGEN-2: 1 line received." in message(app)
                assert on_hand(till, ROMME) == romme + 4000
        # the same note again: refused on the screen, nothing booked twice
        assert isinstance(app.screen, ReceiveTransferScreen)
        assert "already booked in" in message(app)
    [row] = rows(till, "TRANSFERIN")
    assert (row["transfer"], row["sender"]) == (transfer, "BERGEN-2")
    assert [[name, delta] for _code, delta, name in row["moves"]] == [["Rømme 18 % 3 dl", 4000]]
    assert on_hand(till, ROMME) == romme + 4000


async def test_bad_input_says_why_and_changes_nothing(till: Till) -> None:
    romme = on_hand(till, ROMME)
    printer = MemoryPrinter()
    app = KassaApp(till, printer)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f2", "f10")
        await pilot.pause()
        await enter(pilot, "3*" + ROMME)
        await pilot.press("f10")  # no shop yet
        await pilot.pause()
        assert "Type the shop ID the goods go to, then F7." in message(app)
        await enter(pilot, OWN_SHOP, "f7")
        assert "STORGATA is this shop" in message(app)
        await enter(pilot, "Bergen sentrum", "f7")
        assert "'Bergen sentrum' is not a shop id." in message(app)
        await enter(pilot, "BERGEN-2", "f7")
        await enter(pilot, "0", "f8")
        assert "0 is not a quantity." in message(app)
        await enter(pilot, "-2", "f8")
        assert "-2 is not a quantity." in message(app)
        await pilot.press("f9")  # the only line removed: nothing to send
        await pilot.press("f10")
        await pilot.pause()
        assert "Scan the goods first." in message(app)
        assert isinstance(app.screen, SendTransferScreen)
        await pilot.press("escape", "f11")  # receiving: no id, then a bad one
        await pilot.pause()
        await enter(pilot, "BERGEN-2", "f7")
        await enter(pilot, ROMME)
        await pilot.press("f10")
        await pilot.pause()
        assert "Scan the transfer note's barcode first." in message(app)
        await enter(pilot, "12345")  # neither a product nor an id
        assert isinstance(app.screen, ReceiveTransferScreen)
        assert on_hand(till, ROMME) == romme
    assert not rows(till, "TRANSFEROUT") and not rows(till, "TRANSFERIN")
    assert printer.jobs == []
    assert on_hand(till, ROMME) == romme


async def test_a_cashier_needs_a_shift_leads_pin_to_send(till: Till) -> None:
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "1", "1111")
        await pilot.press("f2", "f10")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
        await pilot.press("f1")  # the help lists both keys
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        text = screen_text(app)
        assert re.search(r"F10 +Send", text) and re.search(r"F11 +Receive", text), text


def test_the_note_is_norwegian_and_prints_in_cp865(till: Till) -> None:
    transfer = str(uuid.uuid4())
    lines = [
        NoteLine(ROMME, "Rømme 18 % 3 dl – ÆØÅ", 3000),
        NoteLine("4011", "Bananer", 1250, "kg"),
    ]
    doc = note_doc(till.config, transfer, "BERGEN-2", till.clock.now(), lines)
    text = doc.as_text()
    assert "Til butikk" in text and "BERGEN-2" in text and transfer in text
    assert "1,25 kg" in text and "3 stk" in text
    assert not unprintable(text, "CP865")
    data = render(doc, till.config.printer)
    [code] = barcodes(data)
    assert len(code) == 2 + 20  # 40 digits, two a symbol: fits 80 mm paper
    assert transfer_id_of(set_c_digits(code)) == transfer
    assert transfer_id_of(transfer.replace("-", "")) == transfer
    assert transfer_id_of("7020164760728") is None


def test_a_58mm_note_carries_the_id_in_two_barcodes_that_fit_the_paper(till: Till) -> None:
    transfer = str(uuid.uuid4())
    lines = [NoteLine(ROMME, "Rømme 18 % 3 dl", 3000)]
    narrow = dataclasses.replace(till.config.printer, width_mm=58)
    config = dataclasses.replace(till.config, printer=narrow)
    wide = render(note_doc(till.config, transfer, "BERGEN-2", till.clock.now(), lines),
                  till.config.printer)  # fmt: skip
    assert barcode_dots(wide) == [510]  # 80 mm's one barcode: wider than 58 mm's 384 dots
    doc = note_doc(config, transfer, "BERGEN-2", till.clock.now(), lines)
    data = render(doc, narrow)
    assert barcode_dots(data) == [312, 312]
    first, second = (set_c_digits(code) for code in barcodes(data))
    assert (first, second) == barcode_halves(transfer)
    assert first.startswith("91") and second.startswith("92") and len(first) == len(second) == 22
    assert transfer_id_of(first) is None and transfer_id_of(second) is None
    text = doc.as_text()
    assert "Strekkode 1 av 2" in text and "Strekkode 2 av 2" in text
    assert "Skann begge strekkodene" in text
    assert transfer in text  # typed when no scanner reads it


async def test_receive_by_scanning_a_58mm_notes_two_barcodes_in_either_order(till: Till) -> None:
    transfer, other = (
        "4b1d9a53-3c5e-4f55-9a8e-0d7c2f6e1a42",
        "9e0f7c21-5b6a-4d3e-8f1a-2c4b6d8e0f13",
    )
    first, second = barcode_halves(transfer)
    romme = on_hand(till, ROMME)
    app = KassaApp(till, MemoryPrinter())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f2", "f11")
        await pilot.pause()
        # halves of two notes: refused, nothing set, both to be scanned again
        await enter(pilot, barcode_halves(other)[0])
        assert message(app) == "Barcode 1 of 2 of the transfer note scanned: scan the other one."
        await enter(pilot, second)
        assert message(app) == (
            "The two barcodes are not from the same transfer note: scan both again."
        )
        assert app.screen.transfer == ""
        await enter(pilot, second)
        assert message(app) == "Barcode 2 of 2 of the transfer note scanned: scan the other one."
        assert app.screen.transfer == ""
        await enter(pilot, first)
        assert app.screen.transfer == transfer
        assert transfer[:8] in str(app.screen.query_one("#stock-title", Static).render())
        await enter(pilot, "BERGEN-2", "f7")
        await enter(pilot, "2*" + ROMME)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, StockScreen)
    [row] = rows(till, "TRANSFERIN")
    assert (row["transfer"], row["sender"]) == (transfer, "BERGEN-2")
    assert on_hand(till, ROMME) == romme + 2000


def test_a_till_cannot_book_in_what_it_sent_itself(till: Till) -> None:
    lead = till.users.approver("2", "2222")
    transfers = Transfers(till.db, till.config, till.journal, till.catalog, till.clock)
    romme = till.catalog.by_barcode(ROMME)
    sent = transfers.send(lead, "BERGEN-2", [(romme.id, 2000)])
    level = on_hand(till, ROMME)
    with pytest.raises(Refused, match="was sent from here"):
        transfers.receive(lead, sent, "BERGEN-2", [(romme.id, 2000)])
    assert on_hand(till, ROMME) == level and not rows(till, "TRANSFERIN")
