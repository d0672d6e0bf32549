"""The sale service refuses to complete a sale with an age limit the cashier has not confirmed
(issue 14), whatever way it is paid: the screen asks first, and the service does not trust it."""

from __future__ import annotations

import pytest

from kassa_tui.catalog.counter_rules import set_product_rule
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person

from .conftest import PILSNER, ROMME, count, journal_events

TOBACCO = "7073924847412"  # Røros Tobakk Portion 24 g (group 95 Tobakk: 18)

REFUSAL = (
    "Ringnes Pilsner 0,5 l is sold from 18 years: confirm the customer's age, or take the line"
    " off, before payment."
)


def nothing_paid(till: Till) -> None:
    assert count(till.db, "sale") == 0
    assert count(till.db, "basket_payment") == 0
    assert "PAYMENT" not in journal_events(till)
    assert not till.baskets.current().empty  # the basket is as it was


@pytest.mark.parametrize(
    "pay",
    [
        lambda till, person: till.sales.pay_cash(person, ""),
        lambda till, person: till.sales.pay_cash(person, "10"),  # a part payment too
        lambda till, person: till.sales.pay_card(person, ""),
        lambda till, person: till.sales.pay_card(person, "", method="vipps"),
    ],
    ids=["cash", "part cash", "card", "vipps"],
)
def test_every_way_to_pay_is_refused_until_the_age_is_confirmed(
    till: Till, cashier: Person, pay: object
) -> None:
    till.baskets.add(cashier, ROMME)
    till.baskets.add(cashier, PILSNER)
    with pytest.raises(Refused) as refused:
        pay(till, cashier)  # type: ignore[operator]
    assert refused.value.message == REFUSAL
    nothing_paid(till)
    till.baskets.confirm_age(cashier, 18)
    pay(till, cashier)  # type: ignore[operator]
    assert count(till.db, "basket_payment") >= 1
    assert journal_events(till).count("AGECHECK") == 1


def test_a_gift_card_payment_is_refused_too(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, TOBACCO)
    with pytest.raises(Refused, match="Røros Tobakk Portion 24 g is sold from 18 years"):
        till.sales.pay_gift_card(cashier, "gift_card", "7090000000019")
    nothing_paid(till)


def test_a_higher_limit_than_the_one_confirmed_is_refused(till: Till, cashier: Person) -> None:
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)
    line = till.baskets.add(cashier, TOBACCO)
    with till.db.atomic():
        set_product_rule(till.db, line.product_id, age_limit=20)
    with pytest.raises(Refused, match="Røros Tobakk Portion 24 g is sold from 20 years"):
        till.sales.pay_cash(cashier, "")
    nothing_paid(till)
    till.baskets.confirm_age(cashier, 20)
    assert till.sales.pay_cash(cashier, "").completed is not None


def test_a_line_taken_off_as_an_age_refusal_needs_no_confirmation(
    till: Till, cashier: Person
) -> None:
    till.baskets.add(cashier, ROMME)
    line = till.baskets.add(cashier, PILSNER)
    till.baskets.refuse_age(cashier, line.id)
    completed = till.sales.pay_cash(cashier, "").completed
    assert completed is not None and completed.total == 2490
