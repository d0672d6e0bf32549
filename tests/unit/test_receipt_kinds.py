"""Copy, provisional and training receipts (§ 2-8-6), and the barcode every receipt carries."""

from __future__ import annotations

import json

import pytest

from devices.render import render
from kassa_tui.composition import Till, open_till
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.records.receipts import PROVISIONAL_MARKING, TRAINING_MARKING, ReceiptDoc
from kassa_tui.selling.transactions import TRAINING_NR_BASE

from .conftest import PILSNER, PILSNER_PRICE, ROMME, ROMME_PRICE, SteeredTime, count, print_waiting

KICK = b"\x1bp\x00"


def sell(till: Till, person: Person, *codes: str, card: bool = False) -> int:
    for code in codes:
        till.baskets.add(person, code)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    pay = till.sales.pay_card if card else till.sales.pay_cash
    done = pay(person, "").completed
    assert done is not None
    return done.receipt_nr


def titles(doc: ReceiptDoc) -> str:
    """The title-style text, pieces joined as they were wrapped for the paper."""
    return " ".join(b.text for b in doc.blocks if b.style == "title")


def barcodes(doc: ReceiptDoc) -> list[str]:
    return [b.text for b in doc.blocks if b.style == "barcode"]


def queued(till: Till, kind: str) -> ReceiptDoc:
    return next(j.doc for j in reversed(till.print_queue.pending()) if j.kind == kind)


# -- copy --------------------------------------------------------------------------------------


def test_a_receipt_has_one_copy_marked_kopi(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    nr = sell(till, cashier, PILSNER, card=True)
    original = queued(till, "receipt")
    print_waiting(till)

    job = till.receipts.copy(cashier, nr)

    copy = next(j for j in till.print_queue.pending() if j.id == job)
    assert (copy.kind, copy.kick_drawer) == ("copy", False)
    assert copy.doc.blocks[0].style == "title" and copy.doc.blocks[0].text == "KOPI"
    assert copy.doc.blocks[1 : 1 + len(original.blocks)] == original.blocks  # the original
    text = copy.doc.as_text()
    assert "Salgskvittering" in text and f"Kvittering nr {nr}" in text
    assert "Kopi skrevet ut 27.11.2026 kl. 12:00:00" in text
    data = print_waiting(till)[-1]
    assert data.index(b"KOPI") < data.index(b"Salgskvittering")
    assert data.rfind(b"\x1b!", 0, data.index(b"KOPI")) >= 0  # in the double size

    row = till.journal.rows()[-1]
    assert (row.event_code, row.basic_id, row.user_number) == ("13014", "COPY", 1)
    assert json.loads(row.text)["amount"] == PILSNER_PRICE
    with pytest.raises(Refused, match="already has its copy"):
        till.receipts.copy(shift_lead, nr)
    with pytest.raises(Refused, match="no receipt number 77"):
        till.receipts.copy(cashier, 77)
    x = till.reports.x_report(shift_lead)
    assert (x.copies.num, x.copies.amount) == (1, PILSNER_PRICE)


# -- provisional -------------------------------------------------------------------------------


def test_a_provisional_receipt_for_the_open_basket(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    with pytest.raises(Refused, match="empty"):
        till.receipts.provisional(cashier)
    till.baskets.add(cashier, PILSNER)
    till.baskets.add(cashier, ROMME)

    assert till.receipts.provisional(cashier) == 1
    assert till.receipts.provisional(cashier) == 2  # its own series

    doc = queued(till, "provisional")
    assert doc.blocks[0].style == doc.blocks[-1].style == "title"
    assert titles(doc) == f"{PROVISIONAL_MARKING} {PROVISIONAL_MARKING}"  # at the top and foot
    text = doc.as_text()
    assert "Foreløpig nr 2" in text and "Salgskvittering" not in text
    assert f"{(PILSNER_PRICE + ROMME_PRICE) / 100:.2f}".replace(".", ",") in text
    assert max(len(line) for line in text.splitlines()) <= 48
    assert not till.baskets.current().empty  # still open, not paid
    assert count(till.db, "sale") == 0
    row = till.journal.rows()[-1]
    assert (row.event_code, row.basic_id) == ("13015", "PROVISIONAL")
    assert json.loads(row.text)["amount"] == PILSNER_PRICE + ROMME_PRICE
    x = till.reports.x_report(shift_lead)
    assert (x.provisional.num, x.provisional.amount) == (2, 2 * (PILSNER_PRICE + ROMME_PRICE))
    assert x.receipts == 0


# -- training mode -----------------------------------------------------------------------------


def test_training_mode_sales_have_their_own_series_and_count_only_as_training(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    real = sell(till, cashier, ROMME)
    print_waiting(till)
    with pytest.raises(Refused, match="may not do"):
        till.receipts.training_on(cashier)
    till.baskets.add(cashier, PILSNER)
    with pytest.raises(Refused, match="current sale"):
        till.receipts.training_on(shift_lead)
    till.baskets.park(cashier)

    till.receipts.training_on(shift_lead)
    assert till.receipts.training
    assert till.journal.rows()[-1].event_code == "13023"
    with pytest.raises(Refused, match="already on"):
        till.receipts.training_on(shift_lead)
    # A restart stays in training mode.
    assert open_till(till.config, clock=Clock(source=time)).receipts.training

    stock = count(till.db, "stock_movement")
    nr = sell(till, cashier, PILSNER)
    assert nr == TRAINING_NR_BASE + 1
    assert sell(till, cashier, ROMME) == TRAINING_NR_BASE + 2
    assert count(till.db, "stock_movement") == stock  # nothing really left the shelf
    assert till.db.execute_sql(
        "SELECT training, kind, receipt_nr FROM sale ORDER BY id"
    ).fetchall() == [(0, "sale", 1), (1, "sale", nr), (1, "sale", nr + 1)]
    job = till.print_queue.pending()[0]
    assert (job.kind, job.kick_drawer) == ("training", False)  # no real cash moves
    assert titles(job.doc).startswith(TRAINING_MARKING)
    assert job.doc.blocks[-1].style == "title"
    assert "Salgskvittering" not in job.doc.as_text()
    training_rows = [r for r in till.journal.rows() if r.event_code == "13017"]
    assert [(r.basic_id, json.loads(r.text)["nr"]) for r in training_rows] == [
        ("TRAINING", nr),
        ("TRAINING", nr + 1),
    ]
    data = print_waiting(till)[0]
    assert b"Treningskvittering" in data and KICK not in data
    with pytest.raises(Refused, match="training mode"):
        till.receipts.copy(cashier, real)

    till.receipts.training_off(shift_lead)
    assert not till.receipts.training
    assert till.journal.rows()[-1].event_code == "13024"
    with pytest.raises(Refused, match="training receipt"):
        till.receipts.copy(cashier, nr)
    assert sell(till, cashier, ROMME) == real + 1  # the real series goes on

    z = till.reports.z_report(shift_lead, not_counted=True)
    assert (z.training.num, z.training.amount) == (2, PILSNER_PRICE + ROMME_PRICE)
    assert z.receipts == 2
    assert z.total_cash_sale == z.grand_total_sales == z.grand_total_net == 2 * ROMME_PRICE
    assert z.cash_expected == 2 * 2500  # 24,90 in cash twice, rounded; no training cash


# -- the barcode on every receipt ----------------------------------------------------------------


def test_every_receipt_carries_its_number_as_a_barcode(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    nr = sell(till, cashier, PILSNER, ROMME)
    sale = queued(till, "receipt")
    print_waiting(till)
    ret = till.returns.return_lines(cashier, nr, [(2, 1000)], "Defekt", "2", "2222")
    returned = queued(till, "receipt")
    till.receipts.copy(cashier, nr)
    copy = queued(till, "copy")
    print_waiting(till)
    till.baskets.add(cashier, ROMME)
    provisional_nr = till.receipts.provisional(cashier)
    provisional = queued(till, "provisional")
    till.baskets.remove_line(cashier, till.baskets.current().priced.lines[0].line.id)
    till.receipts.training_on(shift_lead)
    training_nr = sell(till, cashier, ROMME)
    training = queued(till, "training")

    assert barcodes(sale) == [f"R{nr}"]  # R: the sale screen knows a receipt from a product
    assert barcodes(returned) == [f"R{ret.receipt_nr}"]
    assert barcodes(copy) == [f"R{nr}"]  # the original's, so a copy starts a return too
    assert barcodes(provisional) == [f"F{provisional_nr}"]  # never taken for a receipt
    assert barcodes(training) == [f"R{training_nr}"]
    # A scan of the barcode finds the sale.
    till.receipts.training_off(shift_lead)
    assert till.returns.find_sale(barcodes(sale)[0]).receipt_nr == nr
    # The printer gets a CODE128 of the number (GS k 73, code set B).
    data = render(sale, till.config.printer)
    code = f"R{nr}"
    assert b"\x1dkI" + bytes([len(code) + 2]) + b"{B" + code.encode() in data


def test_marked_receipts_fit_narrow_paper(till: Till, cashier: Person, shift_lead: Person) -> None:
    till.receipts.training_on(shift_lead)
    sell(till, cashier, ROMME)
    doc = queued(till, "training")
    # A double-size title line holds half as many characters as the paper.
    assert all(len(b.text) <= 24 for b in doc.blocks if b.style == "title")
    assert max(len(line) for line in doc.as_text().splitlines()) <= 48
