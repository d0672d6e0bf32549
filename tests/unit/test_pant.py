"""Pant (deposit on drinks): the deposit types, the pant line that follows its drink, and what
the sale, its receipt and the journal then hold."""

from __future__ import annotations

import json
import re

import pytest

from kassa_tui.catalog import deposits
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.dayclose.content import report_doc
from kassa_tui.people.person import Person

from .conftest import ROMME, ROMME_PRICE, count, print_waiting

COLA_05 = "7089275980401"  # Coca-Cola 0,5 l, 26,90, 15 %: pant A, 2 kr
COLA_05_PRICE = 2690
COLA_15 = "7089275897952"  # Coca-Cola 1,5 l, 39,90: pant B, 3 kr
COLA_15_PRICE = 3990
HANSA = "7014383787765"  # Hansa Pilsner 0,5 l, 39,90, 25 %: pant A


def screen(till: Till) -> list[tuple[str, int, int, int]]:
    """What the sale screen lists: name, quantity, amount, VAT rate."""
    return [
        (p.line.name, p.line.qty_milli // 1000, p.amount, p.line.vat_bp)
        for p in till.baskets.current().priced.lines
    ]


def test_the_demo_shop_has_the_norwegian_rates_as_data(till: Till) -> None:
    kinds = {k.code: (k.amount_ore, k.vat_bp, k.account) for k in deposits.deposit_types(till.db)}
    assert kinds == {"A": (200, None, "3031"), "B": (300, None, "3031")}


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
