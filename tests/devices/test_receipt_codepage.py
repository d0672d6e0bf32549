"""Every string sent to the printer exists in its code page, on every kind of receipt.

CP865 has no en dash: the legally fixed «Foreløpig kvittering – IKKJE KVITTERING FOR KJØP»
printed as "Foreløpig kvittering ? IKKJE …". Here every kind the till prints (sale, copy,
return with and without the receipt, provisional, training sale and provisional, X, Z, float,
pay-in and pay-out slips, no-sale, the test page) is made through the services, rendered to the
bytes the printer gets, and checked in CP865 and CP858; and the provisional receipt goes to
the emupos printer, whose paper must read the heading right.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.printer import MemoryPrinter, open_printer
from devices.render import codec, printable, render, unprintable
from devices.spooler import print_pending
from kassa_tui.composition import Till
from kassa_tui.config import PrinterSettings
from kassa_tui.core import i18n
from kassa_tui.people import users
from kassa_tui.records.printqueue import Job
from kassa_tui.records.receipts import (
    PROVISIONAL_MARKING,
    TRAINING_MARKING,
    ReceiptDoc,
)
from kassa_tui.records.receipts import (
    test_page as printer_test_page,
)
from tests.devices.emupos import running_emupos
from tests.shop import demo_till

ROMME, PILSNER = "7020164760728", "7061222375317"
KINDS = {
    "sale",
    "copy",
    "return",
    "return without receipt",
    "provisional",
    "training sale",
    "training provisional",
    "training return",
    "X",
    "Z",
    "float",
    "pay-in",
    "pay-out",
    "no-sale",
    "test page",
}


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Till]:
    till = demo_till(tmp_path, language='"en"')
    i18n.set_language("en")
    yield till
    till.db.close()


def every_kind(till: Till) -> dict[str, ReceiptDoc]:
    """One of each receipt the till prints, taken from the print queue as the printer gets
    it (queued jobs are printed to memory and forgotten after each step)."""
    cashier = till.users.sign_in("1", "1111")
    lead = till.users.sign_in("2", "2222")
    printed: dict[str, ReceiptDoc] = {}

    def take(kind: str) -> None:
        jobs: list[Job] = till.print_queue.pending()
        assert jobs, kind
        printed[kind] = jobs[-1].doc
        print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)

    till.cash.opening_float(lead, 150000)
    take("float")
    till.baskets.add(cashier, ROMME)
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.baskets.discount_sale(cashier, "10%", "Stamkunde – fast rabatt", ("2", "2222"))
    till.receipts.provisional(cashier)
    take("provisional")
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None
    take("sale")
    till.receipts.copy(cashier, done.receipt_nr)
    take("copy")
    till.returns.return_lines(cashier, done.receipt_nr, [(1, 1000)], "Råtne", "2", "2222")
    take("return")
    till.returns.return_without_receipt(cashier, [(PILSNER, 1000)], "Gave", "2", "2222")
    take("return without receipt")
    till.cash.pay_in(lead, 5000, "Veksel – fra banken")
    take("pay-in")
    till.cash.pay_out(lead, 2000, "Frimerker")
    take("pay-out")
    till.drawer.open_no_sale(cashier, "2", "2222")
    take("no-sale")

    till.receipts.training_on(lead)
    till.baskets.add(cashier, ROMME)
    till.receipts.provisional(cashier)
    take("training provisional")
    training = till.sales.pay_card(cashier, "").completed
    assert training is not None
    take("training sale")
    till.returns.return_lines(cashier, training.receipt_nr, [(1, 1000)], "Øving", "2", "2222")
    take("training return")
    till.receipts.training_off(lead)

    till.reports.x_report(cashier, queue_print=True)
    take("X")
    till.reports.z_report(lead, not_counted=True)
    take("Z")
    printed["test page"] = printer_test_page(till.config, "emupos", till.config.printer.columns)
    assert set(printed) == KINDS
    return printed


@pytest.mark.parametrize("codepage", ["CP865", "CP858"])
def test_every_receipt_kind_prints_in_the_code_page(till: Till, codepage: str) -> None:
    settings = PrinterSettings(**{**till.config.printer.__dict__, "codepage": codepage})
    for kind, doc in every_kind(till).items():
        for block in doc.blocks:
            for text in (block.text, block.right):
                missing = unprintable(text, codepage)
                assert not missing, f"{kind}: {text!r} has {missing} not in {codepage}"
        data = render(doc, settings)
        for block in doc.blocks:
            if block.style in ("title", "center", "text", "bold") and block.text:
                # Exactly these bytes reach the paper: nothing became "?" on the way.
                line = printable(block.text, codepage).encode(codec(codepage))
                assert line in data, f"{kind}: {block.text!r}"


def test_the_fixed_markings_reach_the_printer_with_a_dash(till: Till) -> None:
    docs = every_kind(till)
    settings = till.config.printer
    for kind, marking in (
        ("provisional", PROVISIONAL_MARKING),
        ("training sale", TRAINING_MARKING),
        ("training provisional", TRAINING_MARKING),
    ):
        data = render(docs[kind], settings)
        heading = marking.split(" – ")[0] + " -"  # the title's first piece, as wrapped
        assert heading.encode("cp865") in data, kind
        assert b"IKKJE KVITTERING FOR" in data and "KJØP".encode("cp865") in data
        assert b" ? " not in data, kind


def test_emupos_prints_the_provisional_heading(tmp_path: Path) -> None:
    folder = tmp_path / "emupos"
    folder.mkdir()
    with running_emupos(folder) as emupos:
        till = demo_till(
            tmp_path,
            language='"en"',
            type='"network"',
            host='"127.0.0.1"',
            port=str(emupos.printer_port),
            timeout="2.0",
            sensor="true",
        )
        try:
            cashier = till.users.sign_in("1", "1111")
            till.baskets.add(cashier, ROMME)
            till.receipts.provisional(cashier)
            printer = open_printer(till.config.printer)
            print_pending(till.print_queue, printer, till.config.printer, till.drawer)
        finally:
            till.db.close()
        paper = " ".join(emupos.wait_for_receipts(1)[0].split())
    assert "Foreløpig kvittering - IKKJE KVITTERING FOR KJØP" in paper, paper
    assert "?" not in paper, paper
