"""Selling a gift card at the till (selling.gift_card_sales): a basket line «Gavekort» at 0 %
VAT, issued only when the sale is paid (never for a basket voided or a line deleted), printed
with its barcode and last day; refused cleanly (a code issued or in a basket, no amount, above
the maximum, training, a discount on the sale, a quantity or discount on the line, a return);
`[gift_cards]` checked. Then what an auditor reads: the X/Z (sold apart from the sales, the
product groups and the VAT; redeemed), the JSON report, the voucher (credit on 2901, balanced)
and the SAF-T file (valid against the XSD; line type GIFTCARD on 2901, no VAT)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from lxml import etree
from stdnum import ean

from kassa_tui.accounting.voucher import GIFT_CARD_SOLD, build_voucher, write_csv, write_gbat10
from kassa_tui.composition import Till
from kassa_tui.config import ConfigError, load
from kassa_tui.core.errors import Refused
from kassa_tui.dayclose.content import Report, report_doc
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.selling import gift_card_sales
from kassa_tui.selling.gift_cards import GiftCards

from .conftest import TOOTHPASTE, count, print_waiting, write_config
from .test_saft import DAY, NS, schema

CARD = "7090012345678"  # from the shop's card stack
DEMO_GIFT = "7090000000019"  # the demo shop's card, sold before (500 kr)


def sell(till: Till, person: Person, code: str = CARD, amount: str = "500") -> None:
    gift_card_sales.sell(till.baskets, person, code, amount, training=till.sales.training)


def cards(till: Till) -> int:
    return count(till.db, "gift_card", "register_id = ?", till.config.register_id)


def test_a_card_sold_is_a_line_at_zero_vat_and_issued_only_when_paid(
    till: Till, cashier: Person
) -> None:
    till.baskets.add(cashier, TOOTHPASTE)  # 39,90
    sell(till, cashier)
    state = till.baskets.current()
    line = state.priced.lines[-1].line
    assert (line.name, line.code, line.vat_bp, line.group_code) == ("Gavekort", CARD, 0, "GAVEKORT")
    assert state.priced.total == 53_990
    assert cards(till) == 0  # nothing issued before the sale is paid
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None and done.total == 53_990
    card = GiftCards(till.db, "x").look_up(CARD)
    assert (card.balance_ore, card.expires) == (50_000, "2029-11-26")  # three years
    basket = till.db.execute_sql(
        "SELECT m.basket_uuid = s.basket_uuid FROM gift_card_movement m"
        " JOIN gift_card c ON c.id = m.card_id, sale s WHERE s.id = ? AND c.code = ?",
        (done.sale_id, CARD),
    ).fetchone()
    assert basket == (1,)  # the card's money traced to the sale that put it there
    row = till.db.execute_sql(
        "SELECT text FROM journal WHERE basic_id = 'SALE' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert json.loads(row[0])["gift_cards"] == [[CARD, 50_000, "2029-11-26"]]
    receipt = print_waiting(till)[0].decode("cp865", errors="replace")
    assert "GAVEKORT" in receipt and "Kortnummer" in receipt and CARD in receipt
    assert "Gyldig til" in receipt and "26.11.2029" in receipt
    assert "{B" + CARD in receipt  # its CODE128 barcode
    assert "0 %" not in receipt  # the card is not a zero-rated sale: no VAT line for it
    assert "25 %" in receipt


def test_kassa_makes_a_code_when_none_is_scanned(till: Till, cashier: Person) -> None:
    sell(till, cashier, "", "250")
    code = till.baskets.current().priced.lines[0].line.code
    assert code.startswith("29") and len(code) == 13 and ean.is_valid(code)
    till.sales.pay_cash(cashier, "")
    assert GiftCards(till.db, "x").look_up(code).balance_ore == 25_000
    assert ("{B" + code).encode() in print_waiting(till)[0]


def test_a_voided_basket_or_a_deleted_line_issues_nothing(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    sell(till, cashier)
    till.baskets.void_sale(cashier, "Kunden ombestemte seg", ("2", "2222"))
    till.baskets.add(cashier, TOOTHPASTE)
    sell(till, cashier)  # the code is free again: nothing was issued
    line = till.baskets.current().priced.lines[-1].line
    till.baskets.remove_line(cashier, line.id)
    till.sales.pay_cash(cashier, "")
    assert cards(till) == 0


def test_wrong_sales_are_refused_and_nothing_changes(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    for code, amount, message in (
        (DEMO_GIFT, "500", "Gift card 7090000000019 is already issued"),
        (CARD, "0", "must hold more than 0,00"),
        (CARD, "-5", "is not an amount"),
        (CARD, "10000,01", r"at most 10.000,00 \(kassa.toml: gift_cards.max_amount\)"),
        ("12-34", "100", "is not a gift card code"),
    ):
        with pytest.raises(Refused, match=message):
            sell(till, cashier, code, amount)
    assert count(till.db, "basket_line") == 0
    sell(till, cashier)
    with pytest.raises(Refused, match="already in this sale"):
        sell(till, cashier)
    line = till.baskets.current().priced.lines[0].line
    with pytest.raises(Refused, match="A gift card line cannot be changed"):
        till.baskets.set_quantity(cashier, line.id, "2")
    with pytest.raises(Refused, match="A gift card line cannot be changed"):
        till.baskets.discount_line(cashier, line.id, "10%", "Annet")
    with pytest.raises(Refused, match="takes no discount on the whole sale"):
        till.baskets.discount_sale(cashier, "10", "Annet")
    assert till.baskets.current().priced.total == 50_000
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None
    with pytest.raises(Refused, match="A gift card sold cannot be returned"):
        till.returns.return_lines(cashier, done.receipt_nr, [(1, 1000)], "Feil", "2", "2222")
    assert GiftCards(till.db, "x").look_up(CARD).balance_ore == 50_000
    till.receipts.training_on(shift_lead)
    with pytest.raises(Refused, match="Training mode: no gift card is sold"):
        sell(till, cashier, "7090012345685")


def test_a_sale_discount_first_refuses_the_card(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, TOOTHPASTE)
    till.baskets.discount_sale(cashier, "5", "Annet")
    with pytest.raises(Refused, match="discount on the whole sale cannot sell a gift card"):
        sell(till, cashier)
    assert len(till.baskets.current().priced.lines) == 1


def test_the_expiry_and_the_maximum_come_from_kassa_toml(tmp_path: Path) -> None:
    text = Path(write_config(tmp_path)).read_text(encoding="utf-8")
    section = "valid_days = 1095\ncredit_note_valid_days = 1095\n"
    assert section in text and "max_amount = 10000\n" in text  # kassa.toml's [gift_cards]
    text = text.replace(section, "").replace("max_amount = 10000\n", "")
    extra = "valid_days = 365\ncredit_note_valid_days = 90\nmax_amount = 2000\n"
    config = load(write_config(tmp_path, text.replace("[gift_cards]\n", "[gift_cards]\n" + extra)))
    assert config.gift_cards.days_for("gift") == 365
    assert config.gift_cards.days_for("credit") == 90
    assert config.gift_cards.max_amount_ore == 200_000
    for bad, key in (
        ("valid_days = 0", "gift_cards.valid_days"),
        ("max_amount = -1", "gift_cards.max_amount"),
        ('valid_days = "lenge"', "gift_cards.valid_days"),
        ("expiry = 3", "gift_cards.expiry"),
    ):
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            load(write_config(tmp_path, text.replace("[gift_cards]\n", f"[gift_cards]\n{bad}\n")))


def test_x_z_json_voucher_and_saft_count_the_card_apart_from_the_sales(
    till: Till, cashier: Person, shift_lead: Person, tmp_path: Path
) -> None:
    till.baskets.add(cashier, TOOTHPASTE)  # 39,90 at 25 %
    sell(till, cashier)  # 500,00
    till.sales.pay_card(cashier, "")
    till.baskets.add(cashier, TOOTHPASTE)  # paid with part of the card just sold
    till.sales.pay_gift_card(cashier, "gift_card", CARD, "39,90")

    x = till.reports.x_report(shift_lead)
    assert x.total_cash_sale == 2 * 3_990  # the card is not a sale
    assert "GAVEKORT" not in {g.group for g in x.art_groups}
    assert {v.rate_bp: v.basis for v in x.vat}[0] == 0  # nor a zero-rated one
    assert (x.gift_cards_sold.num, x.gift_cards_sold.amount) == (1, 50_000)
    assert (x.gift_cards_redeemed.num, x.gift_cards_redeemed.amount) == (1, 3_990)
    pays = {p.method: p.amount for p in x.payments}
    assert (pays["card"], pays["gift_card"]) == (53_990, 3_990)
    assert x.total_cash_sale + x.gift_cards_sold.amount == sum(pays.values())  # reconciles
    assert json.loads(x.to_json())["gift_cards_sold"] == {"num": 1, "amount": 50_000}
    paper = report_doc(till.config, x).as_text(48)  # the printed X: Bokmål
    assert "Gavekort solgt: 1" in paper and "Gavekort innløst: 1" in paper
    assert "Tilgodelapper utstedt: 0" in paper and "Kontantsalg" in paper
    older = json.loads(x.to_json())
    for name in ("gift_cards_sold", "gift_cards_redeemed"):
        del older[name]  # a report stored before gift cards were sold reads back with zeros
    assert Report.from_dict(older).gift_cards_sold.num == 0

    z = till.reports.z_report(shift_lead, not_counted=True)
    assert z.grand_total_sales == 2 * 3_990
    voucher = build_voucher(z, till.config.accounting)  # balanced, or it cannot be made
    by_type = {(ln.line_type, ln.account): ln.amount for ln in voucher.lines}
    assert by_type[(GIFT_CARD_SOLD, "2901")] == -50_000  # credit: the liability
    assert by_type[("payment", "2901")] == 3_990  # redeemed: debit off the liability
    assert sum(ln.amount for ln in voucher.lines if ln.line_type == "sale") == -2 * 3_192
    gbat10, csv = io.BytesIO(), io.BytesIO()
    write_gbat10(voucher, gbat10)  # its gross column balances too, or it refuses
    write_csv(voucher, csv)
    assert b";2901;0;-500.00;" in gbat10.getvalue() and b"Gavekort solgt" in csv.getvalue()

    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)))
    schema().assertValid(doc)
    lines = doc.findall(".//s:ctLine[s:lineType='GIFTCARD']", NS)
    assert len(lines) == 1
    assert lines[0].findtext("s:lineAmntIn", None, NS) == "500.00"
    assert lines[0].findtext("s:lineAmntInAccID", None, NS) == "2901"
    assert lines[0].find("s:vat", NS) is None  # no VAT on a card sold
    basics = {
        b.findtext("s:basicID", None, NS): b.findtext("s:basicType", None, NS)
        for b in doc.iterfind(".//s:basics/s:basic", NS)
    }
    assert basics["GIFTCARD"] == "05" and basics["GIFT_CARD"] == "12"
    accounts = {a.findtext("s:accID", None, NS) for a in doc.iterfind(".//s:ledgerAccount", NS)}
    assert "2901" in accounts


# -- a return refunded to a credit note (tilgodelapp) -------------------------------------------


def test_a_return_to_a_credit_note_issues_one_printed_redeemed_and_counted(
    till: Till, cashier: Person, shift_lead: Person, tmp_path: Path
) -> None:
    till.baskets.add(cashier, TOOTHPASTE)  # 39,90, paid by card
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None
    back = till.returns.return_lines(
        cashier, done.receipt_nr, [(1, 1000)], "Feil", "2", "2222", "credit_note"
    )
    assert dict(back.refunds) == {"credit_note": 3_990}  # not on the card
    note = gift_card_sales.credit_note_of(till.db, back.sale_id)
    assert note is not None
    assert (note.kind, note.balance_ore, note.expires) == ("credit", 3_990, "2029-11-26")
    receipt = print_waiting(till)[1].decode("cp865", errors="replace")
    assert "Returkvittering" in receipt and "TILGODELAPP" in receipt
    assert "{B" + note.code in receipt and "Gyldig til" in receipt and "26.11.2029" in receipt
    row = till.db.execute_sql(
        "SELECT text FROM journal WHERE basic_id = 'RETURN' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert json.loads(row[0])["gift_cards"] == [[note.code, 3_990, "2029-11-26"]]

    till.baskets.add(cashier, TOOTHPASTE)  # the credit note pays 20,00 of the next sale
    till.sales.pay_gift_card(cashier, "credit_note", note.code, "20")
    till.sales.pay_cash(cashier, "")
    assert GiftCards(till.db, "x").look_up(note.code).balance_ore == 1_990

    x = till.reports.x_report(shift_lead)
    assert (x.credit_notes_issued.num, x.credit_notes_issued.amount) == (1, 3_990)
    assert (x.credit_notes_redeemed.num, x.credit_notes_redeemed.amount) == (1, 2_000)
    assert (x.gift_cards_sold.num, x.gift_cards_redeemed.num) == (0, 0)
    assert {p.method: p.amount for p in x.payments}["credit_note"] == 2_000 - 3_990
    z = till.reports.z_report(shift_lead, not_counted=True)
    voucher = build_voucher(z, till.config.accounting)  # balanced
    on_2902 = [ln.amount for ln in voucher.lines if ln.account == "2902"]
    assert on_2902 == [2_000 - 3_990]  # issued 39,90 credit, redeemed 20,00 debit: net credit

    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, tmp_path, clock=till.clock)))
    schema().assertValid(doc)
    paid = [
        p.findtext("s:paidAmnt", None, NS)
        for p in doc.iterfind(".//s:cashtransaction/s:payment[s:paymentType='CREDIT_NOTE']", NS)
    ]
    assert paid == ["-39.90", "20.00"]
    basics = {
        b.findtext("s:basicID", None, NS): b.findtext("s:predefinedBasicID", None, NS)
        for b in doc.iterfind(".//s:basics/s:basic[s:basicType='12']", NS)
    }
    assert basics["CREDIT_NOTE"] == "12010"


def test_a_return_without_receipt_to_a_credit_note_and_the_refusals(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    back = till.returns.return_without_receipt(
        cashier, [(TOOTHPASTE, 1000)], "Bytte", "2", "2222", "credit_note"
    )
    note = gift_card_sales.credit_note_of(till.db, back.sale_id)
    assert note is not None and note.balance_ore == 3_990
    with pytest.raises(Refused, match="Unknown means of refund"):
        till.returns.return_without_receipt(
            cashier, [(TOOTHPASTE, 1000)], "B", "2", "2222", "vipps"
        )
    till.receipts.training_on(shift_lead)
    with pytest.raises(Refused, match="Training mode: no credit note is issued"):
        till.returns.return_without_receipt(
            cashier, [(TOOTHPASTE, 1000)], "Bytte", "2", "2222", "credit_note"
        )
    assert count(till.db, "gift_card", "kind = 'credit' AND register_id = ?", "KASSE-1") == 1
    assert count(till.db, "sale", "kind = 'return'") == 1


def test_a_provisional_receipt_shows_the_card_line_without_a_vat_line(
    till: Till, cashier: Person
) -> None:
    till.baskets.add(cashier, TOOTHPASTE)
    sell(till, cashier)
    till.receipts.provisional(cashier)
    receipt = print_waiting(till)[0].decode("cp865", errors="replace")
    assert "Gavekort" in receipt and "500,00" in receipt and "25 %" in receipt
    assert "0 %" not in receipt
    assert cards(till) == 0  # a provisional receipt issues nothing
