"""Returns after a sale (§ 2-8-5): by receipt number or without, approved, refunded, signed."""

from __future__ import annotations

import dataclasses
import json

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.records.signing import chain_rows, verify_chain

from .conftest import PILSNER, PILSNER_PRICE, ROMME, ROMME_PRICE, count, print_waiting

KICK = b"\x1bp\x00"


def sell(till: Till, person: Person, *lines: tuple[str, int], card: bool = False) -> int:
    """Sell (code, qty_milli) lines; the receipt number."""
    for code, qty in lines:
        till.baskets.add(person, code, qty)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    pay = till.sales.pay_card if card else till.sales.pay_cash
    done = pay(person, "").completed
    assert done is not None
    print_waiting(till)
    return done.receipt_nr


def on_hand(till: Till, code: str) -> int:
    product = till.catalog.by_barcode(code)
    row = till.db.execute_sql(
        "SELECT on_hand_milli FROM product_stock WHERE product_id = ?", (product.id,)
    ).fetchone()
    return int(row[0]) if row else 0


def last_job_doc(till: Till) -> ReceiptDoc:
    return till.print_queue.pending()[-1].doc


def test_part_of_a_sale_is_returned_by_its_receipt_number(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    nr = sell(till, cashier, (PILSNER, 3000), (ROMME, 1000))
    stock_before = on_hand(till, PILSNER)
    sold = till.returns.find_sale(f" {nr}\n")  # as a scanner sends it
    assert [(ln.line_nr, ln.qty_milli, ln.left_milli) for ln in sold.lines] == [
        (1, 3000, 3000),
        (2, 1000, 1000),
    ]
    assert sold.paid == (("cash", 14500),)  # 144,60 in cash: 145 kr

    done = till.returns.return_lines(cashier, nr, [(1, 2000)], "Knust flaske", "2", "2222")

    assert done.total == -2 * PILSNER_PRICE  # -79,80
    assert (done.rounding, done.cash, done.receipt_nr) == (-20, True, nr + 1)
    assert on_hand(till, PILSNER) == stock_before + 2000  # back in stock
    row = till.db.execute_sql(
        "SELECT kind, total_ore, vat_ore, original_sale_id, reason, approved_by, training"
        " FROM sale WHERE id = ?",
        (done.sale_id,),
    ).fetchone()
    assert tuple(row) == ("return", -7980, -1596, sold.sale_id, "Knust flaske", 2, 0)
    assert till.db.execute_sql(
        "SELECT line_nr, qty_milli, amount_ore, vat_ore FROM sale_line WHERE sale_id = ?",
        (done.sale_id,),
    ).fetchall() == [(1, -2000, -7980, -1596)]
    assert till.db.execute_sql(
        "SELECT method, amount_ore FROM payment WHERE sale_id = ?", (done.sale_id,)
    ).fetchall() == [("cash", -8000)]
    assert till.db.execute_sql(
        "SELECT delta_milli, reason FROM stock_movement WHERE sale_id = ?", (done.sale_id,)
    ).fetchall() == [(2000, "return")]
    journaled = till.journal.rows()[-1]
    assert (journaled.event_code, journaled.basic_id, journaled.sale_id) == (
        "13013",
        "RETURN",
        done.sale_id,
    )
    assert json.loads(journaled.text)["approver"] == 2

    doc = last_job_doc(till)
    text = doc.as_text()
    assert [b.text for b in doc.blocks if b.style == "title"] == ["Returkvittering"]
    assert f"Retur av kvittering nr {nr} (27.11.2026)" in text
    assert "Årsak: Knust flaske" in text and "Godkjent av: Siri Skiftleder (2)" in text
    assert "-79,80" in text and "-80,00" in text  # the lines, TOTALT and the cash paid out
    printed = print_waiting(till)[-1]
    assert b"Returkvittering" in printed and b"-79,80" in printed
    assert printed.endswith(KICK + b"22")  # cash goes out of the drawer

    left = till.returns.find_sale(str(nr))
    assert [ln.left_milli for ln in left.lines] == [1000, 1000]
    assert left.paid == (("cash", 14500 - 8000),)


def test_more_than_is_left_is_refused_across_returns(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    nr = sell(till, cashier, (PILSNER, 2000), card=True)
    with pytest.raises(Refused, match="Only 2 of Ringnes"):
        till.returns.return_lines(cashier, nr, [(1, 3000)], "Feil vare", "2", "2222")
    with pytest.raises(Refused, match="Only 2 of Ringnes"):  # the same line twice in one go
        till.returns.return_lines(cashier, nr, [(1, 1000), (1, 2000)], "Feil", "2", "2222")
    till.returns.return_lines(cashier, nr, [(1, 1000)], "Feil vare", "2", "2222")
    print_waiting(till)
    with pytest.raises(Refused, match="Only 1 of Ringnes"):
        till.returns.return_lines(cashier, nr, [(1, 2000)], "Feil vare", "2", "2222")
    till.returns.return_lines(cashier, nr, [(1, 1000)], "Feil vare", "2", "2222")
    print_waiting(till)
    with pytest.raises(Refused, match="Only 0 of Ringnes"):
        till.returns.return_lines(cashier, nr, [(1, 1000)], "Feil vare", "2", "2222")
    with pytest.raises(Refused, match="no line 2"):
        till.returns.return_lines(cashier, nr, [(2, 1000)], "Feil vare", "2", "2222")
    with pytest.raises(Refused, match="more than zero"):
        till.returns.return_lines(cashier, nr, [(1, 0)], "Feil vare", "2", "2222")
    assert count(till.db, "sale", "kind = 'return'") == 2
    # Two returns give back exactly what was paid, by card.
    assert (
        till.db.execute_sql("SELECT SUM(total_ore) FROM sale WHERE kind = 'return'").fetchone()[0]
        == -2 * PILSNER_PRICE
    )
    assert till.returns.find_sale(str(nr)).paid == (("card", 0),)


def test_a_return_needs_a_reason_and_a_shift_leads_pin(till: Till, cashier: Person) -> None:
    nr = sell(till, cashier, (ROMME, 1000))
    for reason, number, pin, message in (
        ("  ", "2", "2222", "needs a reason"),
        ("Defekt", "1", "1111", "shift lead"),  # the cashier's own PIN
        ("Defekt", "2", "1111", "shift lead"),  # a wrong PIN
        ("x" * 81, "2", "2222", "too long"),
    ):
        with pytest.raises(Refused, match=message):
            till.returns.return_lines(cashier, nr, [(1, 1000)], reason, number, pin)
    assert count(till.db, "sale", "kind = 'return'") == 0
    assert count(till.db, "journal", "basic_id = 'LOGINFAIL'") == 2
    with pytest.raises(Refused, match="shift lead"):
        till.returns.return_without_receipt(cashier, [(ROMME, 1000)], "Defekt", "1", "1111")


def test_unknown_training_and_return_receipts_are_not_found(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    for text, message in (("42", "no receipt number 42"), ("abc", "not a receipt number")):
        with pytest.raises(Refused, match=message):
            till.returns.find_sale(text)
    nr = sell(till, cashier, (ROMME, 1000))
    done = till.returns.return_lines(cashier, nr, [(1, 1000)], "Defekt", "2", "2222")
    with pytest.raises(Refused, match="is a return receipt"):
        till.returns.find_sale(str(done.receipt_nr))
    print_waiting(till)
    till.receipts.training_on(shift_lead)
    with pytest.raises(Refused, match="only training receipts"):
        till.returns.find_sale(str(nr))
    training_nr = sell(till, cashier, (ROMME, 1000))
    till.receipts.training_off(shift_lead)
    with pytest.raises(Refused, match="training receipt"):
        till.returns.find_sale(str(training_nr))


def test_a_card_refund_does_not_kick_the_drawer(till: Till, cashier: Person) -> None:
    nr = sell(till, cashier, (ROMME, 1000), card=True)
    done = till.returns.return_lines(cashier, nr, [(1, 1000)], "Angret", "2", "2222")
    assert (done.total, done.rounding, done.cash) == (-ROMME_PRICE, 0, False)
    job = till.print_queue.pending()[-1]
    assert not job.kick_drawer
    assert till.db.execute_sql(
        "SELECT method, amount_ore FROM payment WHERE sale_id = ?", (done.sale_id,)
    ).fetchall() == [("card", -ROMME_PRICE)]  # exact: no øreavrunding on a card
    assert KICK not in print_waiting(till)[-1]


def test_a_split_payment_is_refunded_card_first_then_cash(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER, 2000)  # 79,80
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.sales.pay_card(cashier, "50")
    assert till.sales.pay_cash(cashier, "").completed  # 29,80 → 30 kr
    print_waiting(till)
    first = till.returns.return_lines(cashier, 1, [(1, 1000)], "Angret", "2", "2222")
    assert not first.cash  # 39,90 fits in what the card paid
    print_waiting(till)
    second = till.returns.return_lines(cashier, 1, [(1, 1000)], "Angret", "2", "2222")
    assert second.cash
    assert till.db.execute_sql(
        "SELECT method, amount_ore FROM payment WHERE sale_id = ? ORDER BY id", (second.sale_id,)
    ).fetchall() == [("card", -(5000 - PILSNER_PRICE)), ("cash", -3000)]
    assert till.returns.find_sale("1").paid == (("card", 0), ("cash", 0))
    # The refund can also be asked for in cash.
    nr = sell(till, cashier, (ROMME, 1000), card=True)
    done = till.returns.return_lines(cashier, nr, [(1, 1000)], "Angret", "2", "2222", "cash")
    assert (done.cash, done.rounding) == (True, -10)


def test_a_return_without_receipt_is_approved_and_counted_apart(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    nr = sell(till, cashier, (PILSNER, 1000))
    till.returns.return_lines(cashier, nr, [(1, 1000)], "Defekt", "2", "2222")
    print_waiting(till)
    before = on_hand(till, ROMME)
    done = till.returns.return_without_receipt(
        cashier, [(ROMME, 2000)], "Kunden har mistet kvitteringen", "2", "2222"
    )
    assert (done.total, done.cash) == (-2 * ROMME_PRICE, True)
    assert on_hand(till, ROMME) == before + 2000
    assert till.db.execute_sql(
        "SELECT original_sale_id, approved_by FROM sale WHERE id = ?", (done.sale_id,)
    ).fetchone() == (None, 2)
    row = till.journal.rows()[-1]
    assert (row.event_code, row.basic_id) == ("13013", "RETURNNORECEIPT")
    text = last_job_doc(till).as_text()
    assert "Returkvittering" in text and "Retur uten kvittering" in text
    assert "-49,80" in text

    x = till.reports.x_report(shift_lead)
    assert (x.returns.num, x.returns.amount) == (2, PILSNER_PRICE + 2 * ROMME_PRICE)
    apart = {t.type: (t.num, t.amount) for t in x.other_corrs}
    assert apart["Return without receipt"] == (1, 2 * ROMME_PRICE)
    assert apart["Price override"] == (0, 0)
    assert x.grand_total_returns == PILSNER_PRICE + 2 * ROMME_PRICE
    assert x.grand_total_net == 0 - 2 * ROMME_PRICE
    assert x.cash_expected == 4000 - 4000 - 5000  # sold for 40, refunded 40 and 50 in cash

    with pytest.raises(Refused, match="Unknown means"):
        till.returns.return_without_receipt(cashier, [(ROMME, 1000)], "x", "2", "2222", "gold")


def test_the_signature_chain_holds_across_sales_returns_and_training(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    nr = sell(till, cashier, (PILSNER, 2000), (ROMME, 1000))
    till.returns.return_lines(cashier, nr, [(1, 1000), (2, 1000)], "Defekt", "2", "2222")
    print_waiting(till)
    till.receipts.training_on(shift_lead)
    training_nr = sell(till, cashier, (ROMME, 1000))
    till.returns.return_lines(cashier, training_nr, [(1, 1000)], "Øving", "2", "2222")
    till.receipts.training_off(shift_lead)
    till.returns.return_without_receipt(cashier, [(ROMME, 1000)], "Defekt", "2", "2222", "card")
    print_waiting(till)
    sell(till, cashier, (ROMME, 1000))
    rows = chain_rows(till.db, till.config.register_id)
    assert [r.nr for r in rows] == ["1", "2", "900000001", "900000002", "3", "4"]
    assert all(r.signature for r in rows)
    public = till.config.signing.public_key_file
    assert public is not None
    assert verify_chain(rows, public.read_bytes()) is None
    # A changed refund is named.
    forged = [rows[0], dataclasses.replace(rows[1], amount_in_ore=-1)]
    assert verify_chain(forged, public.read_bytes()) == 2


def test_a_return_receipt_shows_the_discount_of_the_sale_so_its_lines_add_up(
    till: Till, cashier: Person
) -> None:
    till.baskets.add(cashier, PILSNER, 2000)  # 2 × 39,90 = 79,80
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.baskets.discount_sale(cashier, "10%", "Stamkunde", ("2", "2222"))  # 71,82 paid
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None
    print_waiting(till)

    back = till.returns.return_lines(cashier, done.receipt_nr, [(1, 1000)], "Knust", "2", "2222")

    text = last_job_doc(till).as_text()
    assert "  -1 x 39,90" in text and "-39,90" in text  # the line as it was priced
    rabatt = next(row for row in text.splitlines() if "Rabatt (som ved kjøpet)" in row)
    assert rabatt.split()[-1] == "3,99"  # half the sale's 7,98 discount
    total = next(row for row in text.splitlines() if row.startswith("TOTALT"))
    assert total.split()[-1] == "-35,91" and back.total == -3591  # -39,90 + 3,99
    assert back.refunds == (("card", 3591),)
    # The discount stays the sale's: the return's stored line has none, X and Z unchanged.
    row = till.db.execute_sql(
        "SELECT discount_ore, amount_ore FROM sale_line WHERE sale_id = ?", (back.sale_id,)
    ).fetchone()
    assert row == (0, -3591)
