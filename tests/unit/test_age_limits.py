"""Age limits (issue 14): beer and tobacco from 18. The first such line of a sale asks for the
customer's age: confirmed once (journaled once a sale), or the line comes off again
(journaled as an age refusal, not as the cashier's line correction)."""

from __future__ import annotations

import json

import pytest

from kassa_tui.catalog.counter_rules import rule_of, set_group_rule, set_product_rule
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person

from .conftest import PILSNER, ROMME, basket_lines, count

TOBACCO = "7073924847412"  # Røros Tobakk Portion 24 g (group 95 Tobakk: 18)
ALCOHOL_FREE = "7061222317348"  # Ringnes Alkoholfri Pilsner 0,5 l (group 60 Drikke: none)


def rows(till: Till, basic: str) -> list[dict[str, object]]:
    found = till.db.execute_sql("SELECT text FROM journal WHERE basic_id = ?", (basic,))
    return [json.loads(text) for (text,) in found.fetchall()]


def test_the_first_beer_asks_once_and_the_confirmation_is_journaled_once(
    till: Till, cashier: Person
) -> None:
    till.baskets.add(cashier, ROMME)
    assert till.baskets.age_to_confirm() == 0  # no age limit: nothing asked
    till.baskets.add(cashier, PILSNER)
    assert till.baskets.age_to_confirm() == 18
    till.baskets.confirm_age(cashier, 18)
    till.baskets.add(cashier, TOBACCO)
    till.baskets.add(cashier, PILSNER)
    assert till.baskets.age_to_confirm() == 0  # the same customer: not asked again
    till.baskets.confirm_age(cashier, 18)  # a second confirmation writes nothing
    uuid = till.baskets.current().uuid
    assert rows(till, "AGECHECK") == [{"basket": uuid, "age": 18}]
    till.sales.pay_cash(cashier, "")
    till.baskets.add(cashier, PILSNER)  # the next customer is asked again
    assert till.baskets.age_to_confirm() == 18


def test_esc_takes_the_line_off_as_an_age_refusal(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, ROMME)
    line = till.baskets.add(cashier, TOBACCO)
    till.baskets.refuse_age(cashier, line.id)
    assert basket_lines(till) == 1 and till.baskets.age_to_confirm() == 0
    [refused] = rows(till, "AGEREFUSED")
    assert (refused["name"], refused["amount"]) == ("Røros Tobakk Portion 24 g", 11900)
    assert count(till.db, "journal", "basic_id = 'LINEDELETE'") == 0
    x = till.reports.x_report(cashier)  # not counted as the cashier's line correction
    assert [(c.type, c.num) for c in x.corr_lines] == [("Delete line", 0), ("Reduce quantity", 0)]


def test_a_line_without_an_age_limit_is_not_taken_off_as_a_refusal(
    till: Till, cashier: Person
) -> None:
    line = till.baskets.add(cashier, ROMME)
    with pytest.raises(Refused, match="no age limit"):
        till.baskets.refuse_age(cashier, line.id)
    assert basket_lines(till) == 1 and rows(till, "AGEREFUSED") == []


def test_a_product_overrides_its_group_and_limits_are_checked(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, ALCOHOL_FREE)
    assert till.baskets.age_to_confirm() == 0
    product_id = till.baskets.current().priced.lines[0].line.product_id
    with till.db.atomic():
        set_product_rule(till.db, product_id, age_limit=18)
    assert till.baskets.age_to_confirm() == 18
    with till.db.atomic():
        set_group_rule(till.db, "60", 20, beer=False)  # the product's own 18 still holds
    assert rule_of(till.db, product_id).age_limit == 18
    with pytest.raises(Refused, match="0 \\(none\\), 18 or 20"):
        set_group_rule(till.db, "60", 16, beer=False)
    with pytest.raises(Refused, match="no product group 61"):
        set_group_rule(till.db, "61", 18, beer=False)


def test_a_refused_beer_takes_its_pant_with_it(till: Till, cashier: Person) -> None:
    line = till.baskets.add(cashier, "7014383787765")  # Hansa Pilsner 0,5 l, with pant A
    assert basket_lines(till) == 2
    till.baskets.refuse_age(cashier, line.id)
    assert basket_lines(till) == 0
