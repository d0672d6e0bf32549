"""The open basket through the real services: scanning, corrections, discounts, park and resume."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kassa_tui.catalog.barcodes import make_embedded
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.core.money import parse_quantity
from kassa_tui.people.person import Person
from kassa_tui.records.journal import JournalRow

from .conftest import (
    APPLES_PLU,
    BAD_CHECK_DIGIT,
    CHEESE_COUNTER_PLU,
    LOOSE_APPLES_PLU,
    PILSNER,
    PILSNER_PRICE,
    ROMME,
    ROMME_PRICE,
    UNKNOWN_EAN,
    VG,
    SteeredTime,
    basket_lines,
    count,
)


def last_row(till: Till) -> JournalRow:
    return till.journal.rows()[-1]


def details(row: JournalRow) -> dict[str, Any]:
    return dict(json.loads(row.text))


def test_scan_adds_a_line_and_journals_it(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, ROMME)
    assert (line.name, line.qty_milli, line.gross) == ("Rømme 18 % 3 dl", 1000, ROMME_PRICE)
    state = till.baskets.current()
    assert [p.line.name for p in state.priced.lines] == ["Rømme 18 % 3 dl"]
    assert state.priced.total == ROMME_PRICE
    assert count(till.db, "basket_line") == 1
    row = last_row(till)
    assert (row.event_code, row.basic_id, row.user_number) == ("13999", "LINEADD", 1)
    assert details(row) == {"art": "2025", "code": ROMME, "qty": 1000, "amount": ROMME_PRICE}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (UNKNOWN_EAN, f"Unknown code {UNKNOWN_EAN}: nothing added."),
        (
            BAD_CHECK_DIGIT,
            f"Code {BAD_CHECK_DIGIT} not accepted (wrong check digit): nothing added.",
        ),
        ("12ab", "Code 12ab not accepted (not a barcode or PLU (digits only)): nothing added."),
        ("999999", "Unknown code 999999: nothing added."),
    ],
)
def test_refused_code_changes_nothing(till: Till, cashier: Person, code: str, message: str) -> None:
    till.baskets.add(cashier, PILSNER)
    before = (basket_lines(till), count(till.db, "journal"), count(till.db, "basket"))
    with pytest.raises(Refused) as refused:
        till.baskets.add(cashier, code)
    assert refused.value.message == message
    assert (basket_lines(till), count(till.db, "journal"), count(till.db, "basket")) == before


def test_quantity_typed_before_the_code(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, ROMME, parse_quantity("3"))
    assert line.qty_milli == 3000
    assert till.baskets.current().priced.total == 3 * ROMME_PRICE
    assert details(last_row(till))["qty"] == 3000


def test_fraction_of_a_unit_item_is_refused(till: Till, cashier: Person) -> None:
    with pytest.raises(Refused, match="whole units"):
        till.baskets.add(cashier, ROMME, parse_quantity("1,5"))
    assert basket_lines(till) == 0


def test_weighed_item_by_plu_needs_a_weight(till: Till, cashier: Person) -> None:
    with pytest.raises(Refused, match="sold by weight"):
        till.baskets.add(cashier, LOOSE_APPLES_PLU)
    assert basket_lines(till) == 0
    line = till.baskets.add(cashier, LOOSE_APPLES_PLU, parse_quantity("0,375"))
    assert (line.qty_milli, line.gross) == (375, 1309)  # 0,375 kg × 34,90 = 13,0875


def test_weight_embedded_barcode(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, make_embedded("23", LOOSE_APPLES_PLU, 1250))
    assert line.name == "Epler røde løsvekt"
    assert (line.qty_milli, line.gross) == (1250, 4363)  # 1,250 kg × 34,90 = 43,625
    with pytest.raises(Refused, match="carries its own weight"):
        till.baskets.add(cashier, make_embedded("23", LOOSE_APPLES_PLU, 500), 2000)


def test_weight_barcode_for_an_item_sold_per_unit_is_refused(till: Till, cashier: Person) -> None:
    """Half a 4-pack of apples at the 4-pack's price would be a wrong price."""
    with pytest.raises(Refused, match="whole units"):
        till.baskets.add(cashier, make_embedded("23", APPLES_PLU, 500))
    assert basket_lines(till) == 0


def test_price_embedded_barcode(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, make_embedded("24", CHEESE_COUNTER_PLU, 8950))
    assert (line.name, line.gross, line.qty_milli) == (
        "Ost oppskåret (pris i strekkode)",
        8950,
        1000,
    )
    with pytest.raises(Refused, match="carries its own price"):
        till.baskets.add(cashier, make_embedded("24", CHEESE_COUNTER_PLU, 100), 2000)
    with pytest.raises(Refused, match="cannot be changed"):
        till.baskets.set_quantity(cashier, line.id, "2")
    assert till.baskets.current().priced.total == 8950


def test_lowering_a_quantity_is_a_journaled_correction(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, ROMME, 3000)
    till.baskets.set_quantity(cashier, line.id, "1")
    assert till.baskets.current().priced.total == ROMME_PRICE
    row = last_row(till)
    assert row.basic_id == "LINEREDUCE"
    assert details(row) == {
        "line": 1,
        "name": "Rømme 18 % 3 dl",
        "qty_before": 3000,
        "qty_after": 1000,
        "amount": 2 * ROMME_PRICE,
    }
    till.baskets.set_quantity(cashier, line.id, "4")
    assert last_row(till).basic_id == "LINEQTYUP"
    with pytest.raises(Refused):
        till.baskets.set_quantity(cashier, line.id, "0")
    with pytest.raises(Refused, match="whole units"):
        till.baskets.set_quantity(cashier, line.id, "2,5")
    assert till.baskets.current().priced.lines[0].line.qty_milli == 4000


def test_remove_line(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER)
    line = till.baskets.add(cashier, ROMME)
    till.baskets.remove_line(cashier, line.id)
    assert [p.line.name for p in till.baskets.current().priced.lines] == ["Ringnes Pilsner 0,5 l"]
    row = last_row(till)
    assert row.basic_id == "LINEDELETE"
    assert details(row)["amount"] == ROMME_PRICE
    with pytest.raises(Refused, match="no longer in the basket"):
        till.baskets.remove_line(cashier, line.id)


def test_line_discount_percent_and_amount(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, PILSNER)
    till.baskets.discount_line(cashier, line.id, "10%", "Kort dato")
    priced = till.baskets.current().priced
    assert (priced.total, priced.discount) == (3591, 399)  # 39,90 − 3,99
    assert priced.vat_lines[0].vat == 718  # 35,91 × 25/125 = 7,182
    row = last_row(till)
    assert row.basic_id == "DISCOUNT"
    assert details(row) == {
        "scope": "line",
        "line": 1,
        "percent_bp": 1000,
        "amount": 0,
        "reason": "Kort dato",
    }
    till.baskets.discount_line(cashier, line.id, "5,50", "Skadet vare")
    assert till.baskets.current().priced.total == PILSNER_PRICE - 550


def test_line_discount_needs_a_reason_and_a_sensible_amount(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, PILSNER)
    journal_rows = count(till.db, "journal")
    with pytest.raises(Refused, match="needs a reason"):
        till.baskets.discount_line(cashier, line.id, "10%", "  ")
    with pytest.raises(Refused, match="larger than the line"):
        till.baskets.discount_line(cashier, line.id, "40", "Annet")
    for bad in ("0%", "101%", "abc", "-5", "0"):
        with pytest.raises(Refused):
            till.baskets.discount_line(cashier, line.id, bad, "Annet")
    assert till.baskets.current().priced.total == PILSNER_PRICE
    assert count(till.db, "journal") == journal_rows


@pytest.mark.parametrize(("typed", "discount"), [("10%", 1297), ("10", 1000), ("0,03", 3)])
def test_sale_discount_is_spread_so_totals_agree(
    till: Till, cashier: Person, typed: str, discount: int
) -> None:
    till.baskets.add(cashier, PILSNER)  # 39,90 at 25 %
    till.baskets.add(cashier, ROMME, 2000)  # 49,80 at 15 %
    till.baskets.add(cashier, VG)  # 40,00 at 0 %
    subtotal = PILSNER_PRICE + 2 * ROMME_PRICE + 4000
    till.baskets.discount_sale(cashier, typed, "Kundeklubb")
    priced = till.baskets.current().priced
    assert priced.total == subtotal - discount
    assert priced.discount == discount
    assert sum(p.amount for p in priced.lines) == priced.total
    assert sum(p.discount for p in priced.lines) == discount
    assert sum(v.amount_incl for v in priced.vat_lines) == priced.total
    assert priced.vat == sum(p.vat for p in priced.lines)
    assert all(0 <= p.discount <= p.line.gross for p in priced.lines)
    assert details(last_row(till))["scope"] == "sale"
    with pytest.raises(Refused, match="larger than the sale"):
        till.baskets.discount_sale(cashier, "1000", "Annet")
    with pytest.raises(Refused, match="needs a reason"):
        till.baskets.discount_sale(cashier, "5", "")


def test_price_override_needs_a_shift_lead(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, PILSNER)
    with pytest.raises(Refused, match="shift lead"):
        till.baskets.override_price(cashier, line.id, "29,90", "1", "1111")  # a cashier's PIN
    assert last_row(till).basic_id == "LOGINFAIL"
    with pytest.raises(Refused, match="shift lead"):
        till.baskets.override_price(cashier, line.id, "29,90", "2", "9999")  # a wrong PIN
    assert till.baskets.current().priced.total == PILSNER_PRICE

    till.baskets.override_price(cashier, line.id, "29,90", "2", "2222")
    priced = till.baskets.current().priced
    assert priced.total == 2990
    assert priced.lines[0].line.overridden
    assert priced.lines[0].line.list_price_ore == PILSNER_PRICE
    row = last_row(till)
    assert (row.basic_id, row.user_number) == ("PRICEOVERRIDE", 1)
    assert details(row) == {
        "approver": 2,
        "line": 1,
        "name": "Ringnes Pilsner 0,5 l",
        "before": 3990,
        "after": 2990,
    }


def test_price_lookup_adds_nothing(till: Till, cashier: Person) -> None:
    product = till.baskets.price_lookup(cashier, ROMME)
    assert (product.name, product.price_ore) == ("Rømme 18 % 3 dl", ROMME_PRICE)
    assert basket_lines(till) == 0
    assert count(till.db, "basket") == 0
    row = last_row(till)
    assert (row.event_code, row.basic_id) == ("13022", "PRICELOOKUP")
    assert details(row) == {"art": "2025", "group": "20", "amount": ROMME_PRICE}


def test_park_two_and_resume_one(till: Till, cashier: Person, time: SteeredTime) -> None:
    with pytest.raises(Refused, match="nothing to park"):
        till.baskets.park(cashier)
    till.baskets.add(cashier, ROMME)
    till.baskets.park(cashier)
    time.advance(60)
    till.baskets.add(cashier, PILSNER, 2000)
    till.baskets.add(cashier, VG)
    till.baskets.park(cashier)
    assert till.baskets.current().empty
    parked = till.baskets.parked()
    assert [(p.lines, p.total, p.parked_local) for p in parked] == [
        (1, ROMME_PRICE, "12:00"),
        (2, 2 * PILSNER_PRICE + 4000, "12:01"),
    ]
    assert journal_tail(till, 2) == ["LINEADD", "PARK"]

    till.baskets.add(cashier, VG)  # a new customer meanwhile
    with pytest.raises(Refused, match="Park or finish"):
        till.baskets.resume(cashier, parked[1].uuid)
    till.baskets.remove_line(cashier, till.baskets.current().priced.lines[0].line.id)
    with pytest.raises(Refused, match="no longer waiting"):
        till.baskets.resume(cashier, "no-such-basket")

    till.baskets.resume(cashier, parked[1].uuid)
    state = till.baskets.current()
    assert state.uuid == parked[1].uuid
    assert [p.line.name for p in state.priced.lines] == ["Ringnes Pilsner 0,5 l", "VG"]
    assert [p.uuid for p in till.baskets.parked()] == [parked[0].uuid]
    assert journal_tail(till, 1) == ["RESUME"]


def test_parked_total_includes_the_sale_discount(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    till.baskets.add(cashier, PILSNER)
    till.baskets.discount_sale(shift_lead, "10", "Kundeklubb")  # 25 %: above a cashier's limit
    total = till.baskets.current().priced.total
    till.baskets.park(cashier)
    assert [p.total for p in till.baskets.parked()] == [total] == [PILSNER_PRICE - 1000]


def journal_tail(till: Till, n: int) -> list[str]:
    return [row.basic_id for row in till.journal.rows()[-n:]]
