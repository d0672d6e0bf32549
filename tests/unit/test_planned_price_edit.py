"""A planned price made on the till (the product form's "New price from"): written and journaled
as the CSV import writes the same row, switched on the till's clock by the planned-price
engine; a bad one is refused with nothing changed."""

from __future__ import annotations

import json

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns
from kassa_tui.stock.planned_price_edit import plan_price
from kassa_tui.stock.planned_prices import switch_due

from .conftest import ROMME, ROMME_PRICE, SteeredTime, count

# The clock stands at 2026-11-27 12:00 in Oslo.


def romme_id(till: Till) -> int:
    return till.catalog.by_barcode(ROMME).id


def price_of(till: Till) -> int:
    row = till.db.execute_sql("SELECT price_ore FROM product WHERE id = ?", (romme_id(till),))
    return int(row.fetchone()[0])


def planned_rows(till: Till) -> list[dict[str, object]]:
    journal = till.journal.rows()
    rows = [
        json.loads(r.text) | {"by": r.user_number} for r in journal if r.basic_id == "MASTERDATA"
    ]
    return [
        {k: v for k, v in r.items() if k != "planned_price"} for r in rows if "planned_price" in r
    ]


def test_the_price_switches_at_the_minute_and_is_journaled_as_the_csv_would_be(
    till: Till, cashier: Person, shift_lead: Person, time: SteeredTime
) -> None:
    plan_price(
        till.db, till.journal, till.clock, shift_lead, romme_id(till), 1990, "2026-11-27 12:30"
    )
    assert price_of(till) == ROMME_PRICE  # not before its minute
    assert switch_due(till.db, till.journal, till.clock) == []
    time.advance(29 * 60)
    assert switch_due(till.db, till.journal, till.clock) == []
    time.advance(60)
    (switched,) = switch_due(till.db, till.journal, till.clock)
    assert (switched.old, switched.new) == (ROMME_PRICE, 1990) and price_of(till) == 1990
    till.baskets.add(cashier, ROMME)
    assert till.baskets.current().priced.total == 1990
    change = [r for r in till.journal.rows() if r.basic_id == "PRICECHANGE"][-1]
    assert change.event_code == "13021"
    assert json.loads(change.text)["step"] == "start"
    # The same planned price from a CSV: the same journal row but for its id.
    header = "campaign;type;products;quantity;price;from;to\n"
    text = header + f"X;planned_price;{ROMME};;19,90;2026-11-27 12:30;\n"
    import_campaigns(till.db, till.journal, till.clock, shift_lead, read_campaigns(till.db, text))
    by_form, by_csv = planned_rows(till)
    assert (
        by_form
        == by_csv
        == {
            "by": 2,
            "product": romme_id(till),
            "price": 1990,
            "valid_from": "2026-11-27T11:30:00.000000Z",
            "valid_to": None,
        }
    )


@pytest.mark.parametrize(
    ("price", "when", "problem"),
    [
        (1990, "2026-11-27 11:59", "'New price from' has passed"),
        (1990, "27.11.2026", "'New price from' is a date (YYYY-MM-DD)"),
        (0, "2026-11-28", "A planned price must be more than zero."),
        (10_000_001, "2026-11-28", "A planned price is at most 100 000 kr."),
    ],
)
def test_a_bad_planned_price_is_refused_and_nothing_changes(
    till: Till, shift_lead: Person, price: int, when: str, problem: str
) -> None:
    journal = count(till.db, "journal")
    with pytest.raises(Refused) as refused:
        plan_price(till.db, till.journal, till.clock, shift_lead, romme_id(till), price, when)
    assert problem in refused.value.message
    assert count(till.db, "planned_price") == 0 and count(till.db, "journal") == journal


def test_a_cashier_is_refused(till: Till, cashier: Person) -> None:
    with pytest.raises(Refused):
        plan_price(till.db, till.journal, till.clock, cashier, romme_id(till), 1990, "2026-11-28")
    assert count(till.db, "planned_price") == 0
