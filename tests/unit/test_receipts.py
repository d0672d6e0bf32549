"""Receipts as the printer gets them (real python-escpos bytes), and the print queue's spooler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.printer import MemoryPrinter
from devices.render import render
from devices.spooler import print_pending
from kassa_tui.composition import Till, open_till
from kassa_tui.config import PrinterSettings, load
from kassa_tui.core.clock import Clock
from kassa_tui.demo import load_demo
from kassa_tui.people.person import Person
from kassa_tui.records.printqueue import Job
from kassa_tui.records.receipts import ReceiptDoc

from .conftest import (
    LOOSE_APPLES_PLU,
    PILSNER,
    REPO_CONFIG,
    ROMME,
    SteeredTime,
    count,
    write_config,
)

ESC_T_CP865 = b"\x1bt\x05"
DOUBLE_SIZE = b"\x1b!0"  # ESC ! 0x30: double height + double width
DOUBLE_HEIGHT = b"\x1b!\x10"
CUT = b"\x1dV\x00"
KICK = b"\x1bp\x00"


def sell(till: Till, person: Person, *, cash: bool) -> Job:
    """Rømme + 0,375 kg loose apples (37,99), paid by cash (200) or card; its queued job."""
    till.baskets.add(person, ROMME)
    till.baskets.add(person, LOOSE_APPLES_PLU, 375)
    if cash:
        assert till.sales.pay_cash(person, "200").completed
    else:
        assert till.sales.pay_card(person, "").completed
    return till.print_queue.pending()[-1]


def printed(till: Till, job: Job) -> bytes:
    return render(job.doc, till.config.printer, kick_drawer=job.kick_drawer)


def test_cash_receipt_bytes(till: Till, cashier: Person) -> None:
    data = printed(till, sell(till, cashier, cash=True))
    assert data.startswith(ESC_T_CP865)  # the Nordic code page before any text
    title = data.index(b"Salgskvittering")
    assert data.rfind(b"\x1b!", 0, title) == data.index(DOUBLE_SIZE)
    assert b"Demobutikken AS\n" in data
    assert b"Org.nr 999 999 999 MVA\n" in data
    assert b"Kvittering nr 1" in data
    assert b"Dato 27.11.2026" in data and b"Kl. 12:00:00" in data
    assert b"R\x9bmme 18 % 3 dl" + b" " * 28 + b"24,90\n" in data  # ø in CP865, 48 columns
    assert b"Epler r\x9bde l\x9bsvekt\n  0,375 kg x 34,90/kg" in data
    total_at = data.index(b"TOTALT")
    assert data.rfind(b"\x1b!", 0, total_at) == data.rfind(DOUBLE_HEIGHT, 0, total_at)
    assert b"TOTALT" + b" " * 37 + b"37,99\n" in data
    assert b"\x9dreavrunding" in data  # Ø
    assert b"\x8f betale" + b" " * 35 + b"38,00\n" in data  # Å
    assert b"Kontant" + b" " * 35 + b"200,00\n" in data
    assert b"Tilbake" + b" " * 35 + b"162,00\n" in data
    assert b"15 %          33,03       4,96     37,99\n" in data  # basis, VAT, sum
    assert b"?" not in data  # nothing fell outside the code page
    assert data.endswith(CUT + KICK + b"22")  # cut, then the drawer on pin 2
    assert data.count(KICK) == 1


def test_card_receipt_does_not_open_the_drawer(till: Till, cashier: Person) -> None:
    job = sell(till, cashier, cash=False)
    assert not job.kick_drawer
    data = printed(till, job)
    assert b"Bankkort" + b" " * 35 + b"37,99\n" in data
    assert b"reavrunding" not in data  # card is exact
    assert data.endswith(CUT)
    assert KICK not in data


def test_receipt_shows_a_line_discount_with_its_reason(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.baskets.discount_line(cashier, line.id, "10%", "Kort dato")
    till.sales.pay_card(cashier, "")
    text = till.print_queue.pending()[0].doc.as_text()
    assert "  Rabatt (Kort dato)" in text
    assert text.count("-3,99") == 1
    assert "Herav rabatt" in text
    assert "TOTALT" in text and "35,91" in text
    assert "25 %          28,73       7,18     35,91" in text


def test_thousands_print_with_the_code_pages_no_break_space(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, "7061222845308", 5000)  # Ringnes 6-pack 229,90 × 5 = 1 149,50
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.sales.pay_card(cashier, "")
    data = printed(till, till.print_queue.pending()[0])
    assert b"1\xff149,50\n" in data  # NBSP is 0xFF in CP865: never a line break, never a "?"


@pytest.fixture
def narrow_till(tmp_path: Path, time: SteeredTime) -> Iterator[Till]:
    """A till whose printer has 58 mm paper (32 characters a line)."""
    text = REPO_CONFIG.read_text(encoding="utf-8").replace("width_mm = 80", "width_mm = 58")
    config = load(write_config(tmp_path, text))
    assert config.printer.columns == 32
    till = open_till(config, clock=Clock(source=time))
    load_demo(till.db, till.users)
    yield till
    till.db.close()


def test_every_line_fits_80_mm_paper(till: Till, cashier: Person) -> None:
    text = sell(till, cashier, cash=True).doc.as_text(48)
    assert max(len(line) for line in text.splitlines()) == 48


def test_every_line_fits_58_mm_paper(narrow_till: Till) -> None:
    cashier = narrow_till.users.sign_in("1", "1111")
    job = sell(narrow_till, cashier, cash=True)
    text = job.doc.as_text(32)
    assert max(len(line) for line in text.splitlines()) <= 32
    assert "15 %          33,03       4,96" in text  # basis and VAT per rate are still there
    data = printed(narrow_till, job)
    assert b"-" * 32 + b"\n" in data
    assert b"-" * 33 not in data


# -- the spooler -------------------------------------------------------------------------------


def test_jammed_printer_keeps_the_job_and_journals_the_failure(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    job = sell(till, cashier, cash=True)
    printer = MemoryPrinter()
    printer.fail_with = "paper out"
    result = print_pending(till.print_queue, printer, till.config.printer)
    assert (result.printed, result.waiting, result.error) == (0, 1, "paper out")
    assert printer.jobs == []
    assert [j.id for j in till.print_queue.pending()] == [job.id]
    failed = till.journal.rows()[-1]
    assert failed.basic_id == "PRINTFAIL"
    assert json.loads(failed.text) == {"job": job.id, "error": "paper out"}
    assert count(till.db, "journal", "basic_id IN ('RECEIPT', 'DRAWOPEN')") == 0

    time.advance(60)
    printer.fail_with = None
    result = print_pending(till.print_queue, printer, till.config.printer)
    assert (result.printed, result.waiting) == (1, 0)
    assert printer.jobs == [printed(till, job)]
    assert till.print_queue.pending() == []
    assert [(r.event_code, r.basic_id, r.sale_id) for r in till.journal.rows()[-2:]] == [
        ("13012", "RECEIPT", job.sale_id),
        ("13005", "DRAWOPEN", job.sale_id),
    ]
    assert count(till.db, "print_job", "status = 'printed' AND attempts = 2") == 1

    rows_before = count(till.db, "journal")
    again = print_pending(till.print_queue, printer, till.config.printer)
    assert (again.printed, again.waiting) == (0, 0)
    assert len(printer.jobs) == 1  # never printed twice
    assert count(till.db, "journal") == rows_before


def test_card_receipt_printed_without_a_drawer_row(till: Till, cashier: Person) -> None:
    sell(till, cashier, cash=False)
    printer = MemoryPrinter()
    assert print_pending(till.print_queue, printer, till.config.printer).printed == 1
    assert [r.basic_id for r in till.journal.rows()[-2:]] == ["SALE", "RECEIPT"]
    assert KICK not in printer.jobs[0]


def test_receipts_print_in_order_and_stop_at_a_failure(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    first = sell(till, cashier, cash=False)
    time.advance(2)  # the next customer, before the printer took the first receipt
    second = sell(till, cashier, cash=False)
    printer = MemoryPrinter()
    printer.fail_with = "cover open"
    assert print_pending(till.print_queue, printer, till.config.printer).waiting == 2
    assert count(till.db, "journal", "basic_id = 'PRINTFAIL'") == 1  # tried once, then waited
    printer.fail_with = None
    assert print_pending(till.print_queue, printer, till.config.printer).printed == 2
    assert [b"Kvittering nr 1" in j for j in printer.jobs] == [True, False]
    assert printer.jobs == [printed(till, first), printed(till, second)]


@pytest.mark.parametrize(
    ("codepage", "select", "letters"),
    [
        # ESC t 5 = PC865 (Nordic), ESC t 19 = PC858 (Latin-1 with €); æøå ÆØÅ, then €
        # (written EUR in CP865, which has no €).
        ("CP865", b"\x1bt\x05", b"\x91\x9b\x86 \x92\x9d\x8f EUR"),
        ("CP858", b"\x1bt\x13", b"\x91\x9b\x86 \x92\x9d\x8f \xd5"),
    ],
)
def test_norwegian_letters_in_both_code_pages(codepage: str, select: bytes, letters: bytes) -> None:
    doc = ReceiptDoc()
    doc.add("text", "æøå ÆØÅ €")
    data = render(doc, PrinterSettings(codepage=codepage))
    assert data == select + letters + b"\n" + b"\x1bd\x06\x1dV\x00"


def test_a_no_sale_kick_is_only_the_kick() -> None:
    assert render(ReceiptDoc(), PrinterSettings(), kick_drawer=True) == b"\x1bt\x05\x1bp\x0022"


def test_a_configured_logo_is_printed_above_the_receipt(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("1", (64, 16), color=0).save(logo)
    doc = ReceiptDoc()
    doc.add("title", "Salgskvittering")
    data = render(doc, PrinterSettings(logo=logo))
    raster = data.index(b"\x1dv0")  # GS v 0: a raster image
    assert raster < data.index(b"Salgskvittering")
    plain = render(doc, PrinterSettings())
    assert b"\x1dv0" not in plain
