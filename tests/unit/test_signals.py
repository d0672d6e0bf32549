"""Fraud signals per cashier, from sales and corrections made through the real services."""

from __future__ import annotations

import json

from kassa_tui.composition import Till
from kassa_tui.dayclose.signals import SIGNALS, SignalsReport, signals
from kassa_tui.people.person import Person

from .conftest import PILSNER, PILSNER_PRICE, ROMME, ROMME_PRICE, SteeredTime, print_waiting

DAY = "2026-11-27"
TECHNICIAN = Person(9, "Tor Tekniker", "technician")  # demo user 9, who adds users


def sell(till: Till, person: Person, code: str = ROMME) -> int:
    till.baskets.add(person, code)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    done = till.sales.pay_cash(person, "").completed
    assert done is not None
    print_waiting(till)
    return done.receipt_nr


def correct(till: Till, person: Person) -> None:
    """A sale where one line is scanned and deleted again (a line correction of 39,90)."""
    till.baskets.add(person, ROMME)
    till.baskets.add(person, PILSNER)
    line = till.baskets.current().priced.lines[1].line
    till.baskets.remove_line(person, line.id)
    assert till.sales.pay_cash(person, "").completed is not None
    print_waiting(till)


def report(till: Till) -> SignalsReport:
    return signals(till.db, till.config.register_id, DAY, DAY)


def test_the_cashier_with_returns_without_receipt_and_corrections_ranks_first(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    ola = till.users.add(3, "Ola Nordmann", "cashier", "3333", by=TECHNICIAN)
    for _ in range(4):
        sell(till, cashier)
        time.advance(60)
    nr = sell(till, ola)
    for _ in range(3):
        sell(till, ola)
        correct(till, ola)
        till.returns.return_without_receipt(ola, [(PILSNER, 1000)], "Ødelagt", "2", "2222")
        print_waiting(till)
        time.advance(60)
    till.returns.return_lines(cashier, nr, [(1, 1000)], "Angret", "2", "2222")

    found = report(till)

    assert [c.user_number for c in found.cashiers][:2] == [3, 1]
    top = found.cashiers[0]
    assert (top.name, top.sales) == ("Ola Nordmann", 7)
    assert top.sales_amount == 4 * ROMME_PRICE + 3 * ROMME_PRICE
    no_receipt = top.figures["returns_no_receipt"]
    assert (no_receipt.count, no_receipt.amount) == (3, 3 * PILSNER_PRICE)
    corrections = top.figures["line_corrections"]
    assert (corrections.count, corrections.amount) == (3, 3 * PILSNER_PRICE)
    kari = found.cashier(1)
    assert (kari.figures["returns_receipt"].count, kari.figures["returns_receipt"].amount) == (
        1,
        ROMME_PRICE,
    )
    assert kari.figures["returns_no_receipt"].count == 0
    assert kari.figures["voided"].count == 0 and top.figures["voided"].count == 0
    assert top.score > kari.score


def test_rates_are_per_100_sales(till: Till, cashier: Person, time: SteeredTime) -> None:
    ola = till.users.add(3, "Ola Nordmann", "cashier", "3333", by=TECHNICIAN)
    for _ in range(2):  # Kari: 2 corrections in 20 sales
        correct(till, cashier)
    for _ in range(18):
        sell(till, cashier)
    correct(till, ola)  # Ola: 1 correction in 10 sales
    for _ in range(9):
        sell(till, ola)

    found = report(till)

    kari, ola_row = found.cashier(1), found.cashier(3)
    assert (kari.sales, ola_row.sales) == (20, 10)
    assert kari.rate("line_corrections") == ola_row.rate("line_corrections") == 10.0
    assert found.medians["line_corrections"] == 10.0
    assert kari.score == ola_row.score  # the same behaviour, whatever the hours


def test_training_minutes_belong_to_who_turned_it_on(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    sell(till, cashier)
    till.receipts.training_on(shift_lead)
    time.advance(30 * 60)
    sell(till, cashier)  # a training sale: not counted among the sales
    till.receipts.training_off(shift_lead)
    time.advance(60)
    till.receipts.training_on(shift_lead)  # still on when the business day ends (04:00)
    time.advance(60)

    found = report(till)

    lead = found.cashier(2)
    # 30 minutes, then from 12:31 Oslo time to 04:00 the next morning: 929 minutes.
    assert lead.figures["training"].count == 30 + 929
    assert found.cashier(1).sales == 1
    # With `now` the open interval ends now instead.
    now = signals(till.db, till.config.register_id, DAY, DAY, now=time.now)
    assert now.cashier(2).figures["training"].count == 31


def test_a_sale_after_midnight_counts_for_the_business_day_before(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    """The cut-off hour (4 in kassa.toml) turns the day, for the signals as for the Z."""
    time.advance(13 * 3600 + 30 * 60)  # 01:30 the next calendar day, Oslo time
    sell(till, cashier)
    till.returns.return_without_receipt(cashier, [(PILSNER, 1000)], "Knust", "2", "2222")
    print_waiting(till)
    time.advance(3 * 3600)  # 04:30: the next business day
    sell(till, cashier)

    evening = report(till).cashier(1)
    next_day = signals(till.db, till.config.register_id, "2026-11-28", "2026-11-28").cashier(1)

    assert (evening.sales, evening.figures["returns_no_receipt"].count) == (1, 1)
    assert (next_day.sales, next_day.figures["returns_no_receipt"].count) == (1, 0)


def test_the_transactions_behind_a_figure(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    correct(till, cashier)
    time.advance(90)
    done = till.returns.return_without_receipt(cashier, [(PILSNER, 1000)], "Knust", "2", "2222")

    found = report(till)

    assert found.behind(1, "returns_no_receipt") == [
        f"{DAY} 12:01:30  receipt {done.receipt_nr}  39,90"
    ]
    [line] = found.behind(1, "line_corrections")
    assert line.startswith(f"{DAY} 12:00:00  journal ") and line.endswith("LINEDELETE  39,90")
    seq = found.cashier(1).figures["line_corrections"].items[0].ref
    row = till.db.execute_sql("SELECT basic_id FROM journal WHERE seq = ?", (seq,)).fetchone()
    assert row[0] == "LINEDELETE"
    assert found.behind(1, "discounts") == []
    assert set(found.cashier(1).figures) == set(SIGNALS)
    assert SignalsReport.from_dict(json.loads(found.to_json())) == found


def test_no_sale_price_override_and_discount(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    till.drawer.open_no_sale(cashier, "2", "2222")
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    line = till.baskets.current().priced.lines[0].line
    till.baskets.override_price(cashier, line.id, "30", "2", "2222")
    till.baskets.discount_sale(cashier, "5", "Stamkunde")
    assert till.sales.pay_cash(cashier, "").completed is not None

    kari = report(till).cashier(1)

    assert kari.figures["no_sale"].count == 1
    overrides = kari.figures["price_overrides"]
    assert (overrides.count, overrides.amount) == (1, PILSNER_PRICE - 3000)
    discounts = kari.figures["discounts"]
    assert (discounts.count, discounts.amount) == (1, 500)
