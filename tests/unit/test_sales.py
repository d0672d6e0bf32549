"""Taking payment and completing a sale: one transaction writes it all, then a receipt is queued."""

from __future__ import annotations

import json
from typing import Any

import pytest
from peewee import IntegrityError

from kassa_tui.catalog.barcodes import make_embedded
from kassa_tui.composition import Till, open_till
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person

from .conftest import (
    CHEESE_COUNTER_PLU,
    LOOSE_APPLES_PLU,
    PILSNER,
    PILSNER_PRICE,
    ROMME,
    ROMME_PRICE,
    SteeredTime,
    count,
    journal_events,
    print_waiting,
)


def rows(till: Till, sql: str, *params: object) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in till.db.execute_sql(sql, params).fetchall()]


def basket_of_3799(till: Till, person: Person) -> None:
    """Rømme 24,90 + 0,375 kg loose apples 13,09 = 37,99."""
    till.baskets.add(person, ROMME)
    till.baskets.add(person, LOOSE_APPLES_PLU, 375)
    assert till.baskets.current().priced.total == 3799


def test_cash_is_rounded_up_and_change_given(till: Till, cashier: Person) -> None:
    basket_of_3799(till, cashier)
    assert till.baskets.current().priced.cash_due == 3800
    result = till.sales.pay_cash(cashier, "200")
    done = result.completed
    assert done is not None
    assert (done.total, done.rounding, done.change, done.cash) == (3799, 1, 16200, True)
    assert rows(till, "SELECT total_ore, rounding_ore, change_ore FROM sale") == [(3799, 1, 16200)]
    assert rows(till, "SELECT method, amount_ore, tendered_ore FROM payment") == [
        ("cash", 3800, 20000)
    ]


def test_cash_is_rounded_down(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, LOOSE_APPLES_PLU, 375)  # 13,09
    done = till.sales.pay_cash(cashier, "").completed  # empty: exactly what is due
    assert done is not None
    assert (done.total, done.rounding, done.change) == (1309, -9, 0)
    assert rows(till, "SELECT amount_ore, tendered_ore FROM payment") == [(1300, 1300)]


def test_short_cash_is_a_part_payment(till: Till, cashier: Person) -> None:
    basket_of_3799(till, cashier)
    result = till.sales.pay_cash(cashier, "20")
    assert (result.completed, result.remaining) == (None, 1799)
    assert till.baskets.current().priced.cash_due == 1800
    with pytest.raises(Refused, match="payment is already registered"):
        till.baskets.add(cashier, ROMME)
    done = till.sales.pay_cash(cashier, "50").completed
    assert done is not None
    assert (done.rounding, done.change) == (1, 3200)


def test_card_part_payment_and_cash_for_the_rest(till: Till, cashier: Person) -> None:
    basket_of_3799(till, cashier)
    part = till.sales.pay_card(cashier, "20")
    assert (part.completed, part.remaining) == (None, 1799)
    done = till.sales.pay_cash(cashier, "20").completed
    assert done is not None
    assert (done.total, done.rounding, done.change, done.cash) == (3799, 1, 200, True)
    payments = rows(till, "SELECT method, amount_ore, tendered_ore FROM payment ORDER BY id")
    assert payments == [("card", 2000, 2000), ("cash", 1800, 2000)]
    assert sum(p[1] for p in payments) == done.total + done.rounding
    assert journal_events(till).count("PAYMENT") == 2


def test_card_pays_exactly(till: Till, cashier: Person) -> None:
    basket_of_3799(till, cashier)
    done = till.sales.pay_card(cashier, "").completed
    assert done is not None
    assert (done.total, done.rounding, done.change, done.cash) == (3799, 0, 0, False)
    assert rows(till, "SELECT kick_drawer FROM print_job") == [(0,)]


def test_card_cannot_pay_more_than_is_due(till: Till, cashier: Person) -> None:
    basket_of_3799(till, cashier)
    journal_rows = count(till.db, "journal")
    with pytest.raises(Refused, match="cannot be more than the 37,99 left"):
        till.sales.pay_card(cashier, "38")
    for bad in ("0", "abc", "-5"):
        with pytest.raises(Refused):
            till.sales.pay_card(cashier, bad)
    with pytest.raises(Refused):
        till.sales.pay_cash(cashier, "0")
    assert count(till.db, "basket_payment") == 0
    assert count(till.db, "sale") == 0
    assert count(till.db, "journal") == journal_rows


def test_nothing_to_pay_for(till: Till, cashier: Person) -> None:
    with pytest.raises(Refused, match="empty"):
        till.sales.pay_cash(cashier, "")
    with pytest.raises(Refused, match="empty"):
        till.sales.pay_card(cashier, "")


def test_completing_writes_the_whole_sale(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER, 3000)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.baskets.add(cashier, LOOSE_APPLES_PLU, 375)
    till.baskets.add(cashier, make_embedded("24", CHEESE_COUNTER_PLU, 8950))
    till.baskets.discount_sale(cashier, "10%", "Kundeklubb")
    basket_uuid = till.baskets.current().uuid
    done = till.sales.pay_cash(cashier, "500").completed
    assert done is not None

    gross = 3 * PILSNER_PRICE + 1309 + 8950  # 222,29
    assert done.total == gross - 2223  # 10 % of 222,29 is 22,229 → 22,23
    sale = rows(
        till,
        "SELECT id, receipt_nr, kind, total_ore, vat_ore, discount_ore, basket_uuid,"
        " local_date, local_time FROM sale",
    )
    assert len(sale) == 1
    sale_id, receipt_nr, kind, total, vat, discount, sold_basket, day, clock = sale[0]
    assert (sale_id, receipt_nr, kind, total, discount) == (done.sale_id, 1, "sale", 20006, 2223)
    assert (sold_basket, day, clock) == (basket_uuid, "2026-11-27", "12:00:00")  # Oslo time
    lines = rows(
        till,
        "SELECT name, qty_milli, amount_ore, vat_ore, discount_ore FROM sale_line ORDER BY line_nr",
    )
    assert [ln[:2] for ln in lines] == [
        ("Ringnes Pilsner 0,5 l", 3000),
        ("Epler røde løsvekt", 375),
        ("Ost oppskåret (pris i strekkode)", 1000),
    ]
    assert sum(ln[2] for ln in lines) == total  # the lines add up to the sale
    assert sum(ln[3] for ln in lines) == vat  # and so does the VAT
    assert sum(ln[4] for ln in lines) == discount

    moves = rows(
        till,
        "SELECT delta_milli, reason, sale_id FROM stock_movement WHERE reason = 'sale' ORDER BY id",
    )
    assert moves == [
        (-3000, "sale", done.sale_id),
        (-375, "sale", done.sale_id),
        (-1000, "sale", done.sale_id),
    ]
    assert count(till.db, "payment", "sale_id = ?", done.sale_id) == 1
    assert rows(till, "SELECT status FROM basket WHERE uuid = ?", basket_uuid) == [("sold",)]
    assert rows(till, "SELECT kind, sale_id, status, kick_drawer FROM print_job") == [
        ("receipt", done.sale_id, "queued", 1)
    ]
    sale_row = till.journal.rows()[-1]
    assert (sale_row.basic_id, sale_row.event_code, sale_row.sale_id) == (
        "SALE",
        "13999",
        done.sale_id,
    )
    assert json.loads(sale_row.text)["total"] == done.total
    assert till.baskets.current().empty  # the next customer starts afresh
    assert till.journal.verify() is None


def test_receipt_numbers_are_sequential(till: Till, cashier: Person, time: SteeredTime) -> None:
    numbers = []
    for _ in range(3):
        till.baskets.add(cashier, ROMME)
        done = till.sales.pay_card(cashier, "").completed
        assert done is not None
        numbers.append(done.receipt_nr)
        print_waiting(till)
        time.advance(30)
    assert numbers == [1, 2, 3]
    assert rows(till, "SELECT receipt_nr FROM sale ORDER BY id") == [(1,), (2,), (3,)]


def test_override_is_recorded_on_the_sale_line(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, ROMME)
    till.baskets.override_price(cashier, line.id, "19,90", "2", "2222")
    till.sales.pay_card(cashier, "")
    assert rows(till, "SELECT unit_price_ore, list_price_ore, price_overridden FROM sale_line") == [
        (1990, ROMME_PRICE, 1)
    ]


def test_open_basket_survives_a_restart(till: Till, cashier: Person, time: SteeredTime) -> None:
    till.baskets.add(cashier, ROMME, 2000)
    till.sales.pay_card(cashier, "10")
    before = till.baskets.current()
    reopened = open_till(till.config, clock=Clock(source=time))
    after = reopened.baskets.current()
    assert after.uuid == before.uuid
    assert after.priced.total == 2 * ROMME_PRICE
    assert after.priced.remaining == 2 * ROMME_PRICE - 1000


@pytest.mark.parametrize("table", ["sale", "sale_line", "payment", "stock_movement", "journal"])
def test_completed_records_are_append_only(till: Till, cashier: Person, table: str) -> None:
    till.baskets.add(cashier, ROMME)
    till.sales.pay_cash(cashier, "")
    before = count(till.db, table)
    assert before > 0
    with pytest.raises(IntegrityError, match="append-only"):
        till.db.execute_sql(f"UPDATE {table} SET id = id")
    with pytest.raises(IntegrityError, match="append-only"):
        till.db.execute_sql(f"DELETE FROM {table}")
    assert count(till.db, table) == before
