"""Pant (deposit on drinks): the deposit types, the pant line that follows its drink, and what
the sale, its receipt and the journal then hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from kassa_tui.accounting.voucher import build_voucher
from kassa_tui.catalog import deposits
from kassa_tui.composition import Till
from kassa_tui.config.pant import parse_pant
from kassa_tui.config.table import ConfigError, Table
from kassa_tui.core.errors import Refused
from kassa_tui.dayclose.content import report_doc
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.selling.pant import read_slip

from .conftest import ROMME, ROMME_PRICE, START, SteeredTime, count, print_waiting

COLA_05 = "7089275980401"  # Coca-Cola 0,5 l, 26,90, 15 %: pant A, 2 kr
COLA_05_PRICE = 2690
COLA_15 = "7089275897952"  # Coca-Cola 1,5 l, 39,90: pant B, 3 kr
COLA_15_PRICE = 3990
SLIP_45 = "9800004200458"  # a bottle-return slip: serial 00042, 45 kr
SLIP_12 = "9800004300127"  # serial 00043, 12 kr
SLIP_150 = "9800004401503"  # serial 00044, 150 kr
SAFT = Path(__file__).resolve().parents[1] / "data" / "saft"
NS = {"s": "urn:StandardAuditFile-Taxation-CashRegister:NO"}
HANSA = "7014383787765"  # Hansa Pilsner 0,5 l, 39,90, 25 %: pant A


def screen(till: Till) -> list[tuple[str, int, int, int]]:
    """What the sale screen lists: name, quantity, amount, VAT rate."""
    return [
        (p.line.name, p.line.qty_milli // 1000, p.amount, p.line.vat_bp)
        for p in till.baskets.current().priced.lines
    ]


def test_the_demo_shop_has_the_norwegian_rates_as_data(till: Till) -> None:
    kinds = {k.code: (k.amount_ore, k.vat_bp, k.account) for k in deposits.deposit_types(till.db)}
    assert kinds == {"A": (200, None, "3031"), "B": (300, None, "3031"), "R": (100, 1500, "3031")}


def test_a_drink_brings_its_pant_under_it(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, ROMME)
    till.baskets.add(cashier, COLA_05)
    till.baskets.add(cashier, COLA_15)
    assert screen(till) == [
        ("Rømme 18 % 3 dl", 1, ROMME_PRICE, 1500),
        ("Coca-Cola 0,5 l", 1, COLA_05_PRICE, 1500),
        ("Pant", 1, 200, 1500),
        ("Coca-Cola 1,5 l", 1, COLA_15_PRICE, 1500),
        ("Pant", 1, 300, 1500),
    ]
    assert till.baskets.current().priced.total == ROMME_PRICE + COLA_05_PRICE + COLA_15_PRICE + 500


def test_pant_vat_follows_the_drink(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, HANSA)  # beer, 25 %: its pant is 25 % too
    assert screen(till) == [
        ("Hansa Pilsner 0,5 l", 1, 3990, 2500),
        ("Pant", 1, 200, 2500),
    ]


def test_quantity_and_deletion_of_the_drink_carry_its_pant(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, COLA_05, 6000)
    assert screen(till)[1] == ("Pant", 6, 1200, 1500)
    drink, pant = (p.line for p in till.baskets.current().priced.lines)
    till.baskets.set_quantity(cashier, drink.id, "4")
    assert screen(till) == [("Coca-Cola 0,5 l", 4, 4 * COLA_05_PRICE, 1500), ("Pant", 4, 800, 1500)]
    rows = till.journal.rows()[-2:]
    assert [r.basic_id for r in rows] == ["LINEREDUCE", "LINEREDUCE"]
    assert json.loads(rows[-1].text)["name"] == "Pant"
    assert json.loads(rows[-1].text)["amount"] == 400
    # The cursor sits on the pant after a scan: '5 F8' there changes the drink, pant follows.
    till.baskets.set_quantity(cashier, pant.id, "5")
    assert screen(till) == [
        ("Coca-Cola 0,5 l", 5, 5 * COLA_05_PRICE, 1500),
        ("Pant", 5, 1000, 1500),
    ]
    with pytest.raises(Refused, match="fixed amount"):
        till.baskets.discount_line(cashier, pant.id, "50%", "Kort dato")
    assert till.baskets.current().priced.discount == 0
    till.baskets.remove_line(cashier, pant.id)  # Del on the pant deletes the drink with it
    assert screen(till) == []
    assert count(till.db, "basket_pant") == 0


def test_the_sale_and_receipt_carry_pant(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, COLA_05, 2000)
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None and done.total == 2 * COLA_05_PRICE + 400
    lines = till.db.execute_sql(
        "SELECT name, group_code, qty_milli, amount_ore, vat_bp FROM sale_line ORDER BY line_nr"
    ).fetchall()
    assert lines == [("Coca-Cola 0,5 l", "60", 2000, 5380, 1500), ("Pant", "PANT", 2000, 400, 1500)]
    moved = till.db.execute_sql(
        "SELECT p.name, m.delta_milli FROM stock_movement m JOIN product p ON p.id = m.product_id"
        " WHERE m.sale_id = ?",
        (done.sale_id,),
    ).fetchall()
    assert moved == [("Coca-Cola 0,5 l", -2000)]  # pant is no stock of the shop's
    receipt = print_waiting(till)[0].decode("cp865")
    assert "Pant" in receipt
    after = receipt.split("\nPant\n", 1)[1].splitlines()[0]
    assert after.split() == ["2", "x", "2,00", "4,00"]


def test_bad_deposit_types_are_refused_and_nothing_changes(till: Till) -> None:
    before = count(till.db, "deposit_type")
    for code, name, amount, vat, account in [
        ("A", "Again", 200, None, "3031"),  # taken
        ("C", "Negative", -100, None, "3031"),
        ("D", "", 100, None, "3031"),
        ("E", "Odd VAT", 100, 1700, "3031"),
        ("F", "Bad account", 100, None, "30x1"),
    ]:
        with pytest.raises(Refused):
            deposits.add_type(till.db, code, name, amount, vat, account)
    assert count(till.db, "deposit_type") == before
    with pytest.raises(Refused, match="no deposit type Z"):
        deposits.set_product_deposit(till.db, 1, "Z")


def test_x_and_z_count_pant_sold(till: Till, cashier: Person, shift_lead: Person) -> None:
    till.baskets.add(cashier, COLA_05, 6000)  # 6 x 2 kr
    till.baskets.add(cashier, COLA_15)  # 1 x 3 kr
    till.sales.pay_card(cashier, "")
    till.baskets.add(cashier, ROMME)  # no pant
    till.sales.pay_card(cashier, "")
    x = till.reports.x_report(cashier)
    assert (x.pant_sold.num, x.pant_sold.amount) == (7, 1500)
    assert (x.pant_paid_out.num, x.pant_paid_out.amount) == (0, 0)
    assert json.loads(x.to_json())["pant_sold"] == {"num": 7, "amount": 1500}
    paper = report_doc(till.config, x).as_text(48)
    assert re.search(r"^Pant solgt: 7 +15,00$", paper, re.M)
    assert re.search(r"^Pant utbetalt: 0 +0,00$", paper, re.M)
    z = till.reports.z_report(shift_lead, not_counted=True)
    assert z.pant_sold == x.pant_sold
    assert till.reports.stored_z(1) == z
    assert till.reports.x_report(None).pant_sold.num == 0  # the Z emptied the period


def test_a_slip_adds_a_negative_pant_line(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, COLA_15)
    till.baskets.add(cashier, SLIP_12)
    assert screen(till)[-1] == ("Pantelapp 00043", 1, -1200, 1500)
    assert till.baskets.current().priced.total == COLA_15_PRICE + 300 - 1200
    row = till.journal.rows()[-1]
    assert row.basic_id == "LINEADD"
    assert json.loads(row.text)["slip"] == "980-00043"
    with pytest.raises(Refused, match="already in this sale"):
        till.baskets.add(cashier, SLIP_12)
    with pytest.raises(Refused, match="cannot be changed"):
        till.baskets.set_quantity(cashier, till.baskets.current().priced.lines[-1].line.id, "2")
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None and done.total == 3090 and done.receipt_nr == 1
    redeemed = till.db.execute_sql("SELECT serial, amount_ore, sale_id FROM pant_slip").fetchall()
    assert redeemed == [("980-00043", 1200, done.sale_id)]
    receipt = print_waiting(till)[0].decode("cp865")
    assert re.search(r"^Pantelapp 00043 +-12,00$", receipt, re.M)


def test_a_slip_is_redeemed_once(till: Till, cashier: Person, time: SteeredTime) -> None:
    till.baskets.add(cashier, COLA_05)
    till.baskets.add(cashier, SLIP_12)
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None
    print_waiting(till)
    time.advance(3600)
    before = (count(till.db, "basket_line"), len(till.journal.rows()))
    with pytest.raises(Refused) as refused:
        till.baskets.add(cashier, SLIP_12)
    assert str(refused.value) == (
        "Pant slip 980-00043 was redeemed 27.11.2026 at 12:00 on receipt 1 (KASSE-1)."
    )
    assert (count(till.db, "basket_line"), len(till.journal.rows())) == before


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9800004200459", "wrong check digit"),
        ("98000042004", "should have 13 digits"),
        ("9800004200007", "0 kr"),
    ],
)
def test_a_bad_slip_is_refused_and_nothing_added(
    till: Till, cashier: Person, code: str, message: str
) -> None:
    with pytest.raises(Refused, match=message):
        till.baskets.add(cashier, code)
    assert count(till.db, "basket_line") == 0


def test_slips_alone_are_paid_out_in_cash_as_pant_not_a_return(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    till.baskets.add(cashier, SLIP_45)
    till.baskets.add(cashier, SLIP_150)
    assert till.baskets.current().priced.total == -19500
    with pytest.raises(Refused):
        till.sales.pay_card(cashier, "")  # a pay-out is cash
    done = till.sales.pay_cash(cashier, "").completed
    assert done is not None and done.total == -19500 and done.cash
    kind, total = till.db.execute_sql("SELECT kind, total_ore FROM sale").fetchone()
    assert (kind, total) == ("sale", -19500)
    payment = till.db.execute_sql("SELECT method, amount_ore FROM payment").fetchone()
    assert payment == ("cash", -19500)
    x = till.reports.x_report(cashier)
    assert (x.pant_paid_out.num, x.pant_paid_out.amount) == (2, 19500)
    assert (x.pant_sold.num, x.pant_sold.amount) == (0, 0)
    assert (x.returns.num, x.returns.amount) == (0, 0)
    paper = report_doc(till.config, x).as_text(48)
    assert re.search(r"^Pant utbetalt: 2 +195,00$", paper, re.M)


@pytest.mark.parametrize(
    ("slip", "key", "problem"),
    [
        ({"prefix": "98x"}, "pant.slip[0].prefix", "digits"),
        ({"prefix": "980", "amount_at": 6}, "pant.slip[0].amount_at", "overlap"),
        ({"prefix": "980", "amount_at": 9}, "pant.slip[0].amount_at", "check digit"),
        ({"prefix": "980", "amount_unit": "øre"}, "pant.slip[0].amount_unit", "'kr' or 'ore'"),
        ({"prefix": "980", "colour": "red"}, "pant.slip[0].colour", ""),
    ],
)
def test_a_bad_slip_layout_names_its_key(slip: dict[str, object], key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_pant(Table({"slip": [slip]}, "pant"))
    assert key in str(error.value) and problem in str(error.value)


def test_the_shipped_slip_layout_reads_the_demo_slips(till: Till) -> None:
    (layout,) = till.config.pant.slips
    slip = read_slip(till.config.pant.slips, SLIP_150)
    assert slip is not None and (slip.serial, slip.amount_ore) == ("980-00044", 15000)
    assert read_slip((layout,), COLA_05) is None  # a drink is no slip


def test_the_voucher_posts_pant_on_its_own_account(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    till.baskets.add(cashier, COLA_05)  # 26,90 + pant 2,00 at 15 %
    till.baskets.add(cashier, HANSA)  # 39,90 + pant 2,00 at 25 %
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.sales.pay_card(cashier, "")
    till.baskets.add(cashier, SLIP_12)  # 12 kr paid out, at 15 % (deposit type R)
    till.sales.pay_cash(cashier, "")
    z = till.reports.z_report(shift_lead, not_counted=True)
    assert [(p.account, p.rate_bp, p.amount, p.vat) for p in z.pant_accounts] == [
        ("3031", 2500, 200, 40),
        ("3031", 1500, -1000, -131),
    ]
    assert till.reports.stored_z(1) == z
    voucher = build_voucher(z, till.config.accounting)
    posted = {(ln.line_type, ln.account, ln.vat_rate_bp): ln.amount for ln in voucher.lines}
    assert posted[("pant", "3031", 2500)] == -160  # credit: pant sold, net of VAT
    assert posted[("pant", "3031", 1500)] == 869  # debit: more paid out than sold
    assert posted[("sale", "3000", 2500)] == -3192  # Hansa 39,90 less 25 % VAT, no pant in it
    assert posted[("sale", "3030", 1500)] == -2339  # Cola 26,90 less 15 % VAT
    assert voucher.debit == voucher.credit
    vat_lines = {ln.vat_rate_bp: ln.amount for ln in voucher.lines if ln.line_type == "vat"}
    assert vat_lines == {2500: -(798 + 40), 1500: -(351 - 131)}  # the Z's VAT, pant included


def test_the_saft_export_carries_pant_on_its_account_and_validates(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    till.baskets.add(cashier, COLA_05)
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    time.advance(60)
    till.baskets.add(cashier, SLIP_45)
    till.sales.pay_cash(cashier, "")
    print_waiting(till)
    till.reports.z_report(shift_lead, not_counted=True)
    day = START.date()
    path = export_saft(
        till.db, till.config, day, day, till.config.database.parent / "saft", clock=till.clock
    )
    doc = etree.parse(str(path))
    etree.XMLSchema(
        etree.parse(str(SAFT / "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"))
    ).assertValid(doc)
    lines = [
        (
            ln.findtext("s:cashTransLineDescr", None, NS),
            ln.findtext("s:lineAmntIn", None, NS),
            ln.findtext("s:lineAmntInAccID", None, NS),
            ln.findtext("s:artGroupID", None, NS),
        )
        for ln in doc.iterfind(".//s:ctLine", NS)
    ]
    assert lines == [
        ("Coca-Cola 0,5 l", "26.90", None, "60"),
        ("Pant", "2.00", "3031", "PANT"),
        ("Pantelapp 00042", "-45.00", "3031", "PANT"),
    ]
    ledger = [
        (a.findtext("s:accID", None, NS), a.findtext("s:accDesc", None, NS))
        for a in doc.iterfind(".//s:generalLedger/s:ledgerAccount", NS)
    ]
    assert ledger == [("3031", "Pant: Pant 2 kr (til og med 0,5 l), Pantelapp (returautomat)")]
    group = doc.find(".//s:basics/s:basic[s:basicType='04'][s:basicID='PANT']", NS)
    assert group is not None and group.findtext("s:predefinedBasicID", None, NS) == "04999"


def test_a_sale_discount_leaves_pant_whole(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, COLA_05)  # 26,90 + pant 2,00
    till.baskets.add(cashier, SLIP_12)  # -12,00
    till.baskets.discount_sale(cashier, "10%", "Kort dato")
    priced = till.baskets.current().priced
    assert [(p.line.name, p.discount, p.amount) for p in priced.lines] == [
        ("Coca-Cola 0,5 l", 269, 2421),
        ("Pant", 0, 200),
        ("Pantelapp 00043", 0, -1200),
    ]
    assert priced.total == 2421 + 200 - 1200


def test_a_slip_in_a_voided_sale_can_be_scanned_again(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, SLIP_45)
    till.baskets.void_sale(cashier, "Feil registrering")
    assert till.baskets.current().empty
    till.baskets.add(cashier, SLIP_45)  # not redeemed: the voided sale paid nothing out
    assert [p.line.name for p in till.baskets.current().priced.lines] == ["Pantelapp 00042"]


def test_a_drink_returned_without_receipt_gives_its_pant_back(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    shown = till.returns.price_without_receipt(COLA_15, 2000)
    assert (shown.name, shown.refund) == ("Coca-Cola 1,5 l", 2 * (COLA_15_PRICE + 300))
    done = till.returns.return_without_receipt(
        cashier, [(COLA_15, 2000), (ROMME, 1000)], "Defekt", "2", "2222", "card"
    )
    assert done.total == -(2 * (COLA_15_PRICE + 300) + ROMME_PRICE)
    lines = till.db.execute_sql(
        "SELECT line_nr, name, group_code, qty_milli, amount_ore FROM sale_line"
        " WHERE sale_id = ? ORDER BY line_nr",
        (done.sale_id,),
    ).fetchall()
    assert lines == [
        (1, "Coca-Cola 1,5 l", "60", -2000, -2 * COLA_15_PRICE),
        (2, "Pant", "PANT", -2000, -600),
        (3, "Rømme 18 % 3 dl", "20", -1000, -ROMME_PRICE),
    ]
    x = till.reports.x_report(shift_lead)
    assert (x.pant_sold.num, x.pant_sold.amount) == (-2, -600)  # sales less returns
