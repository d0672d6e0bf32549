"""Age limits at the counter (issue 14): beer and tobacco are sold from 18.

The first line of a sale whose product (or group) carries an age limit asks the cashier to
confirm the customer's age: one key confirms (journaled AGECHECK once per sale, with the age),
Esc takes the line off again (journaled AGEREFUSED with the line). A higher limit later in the
same sale (20 after 18) asks again. The service itself refuses to complete a sale with an age
limit not confirmed (`check_age_at_payment`, on every way to pay), whatever the screen did.
Beer is also refused outside the beer hours (selling.beer_hours) before it reaches the basket.

A part of `Baskets`; the basket's confirmed age is in `basket_counter_state`.
"""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.catalog.counter_rules import CounterRule, rule_of
from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.selling import beer_hours, pant
from kassa_tui.selling.open_basket import OpenBasket

_HIGHEST_LIMIT = (
    "SELECT COALESCE(MAX(COALESCE(pr.age_limit, gr.age_limit, 0)), 0) FROM basket_line l"
    " JOIN product p ON p.id = l.product_id"
    " LEFT JOIN product_counter_rule pr ON pr.product_id = p.id"
    " LEFT JOIN group_counter_rule gr ON gr.group_id = p.group_id WHERE l.basket_id = ?"
)


_BEER_LINE = (
    "SELECT l.name FROM basket_line l JOIN product p ON p.id = l.product_id"
    " LEFT JOIN product_counter_rule pr ON pr.product_id = p.id"
    " LEFT JOIN group_counter_rule gr ON gr.group_id = p.group_id"
    " WHERE l.basket_id = ? AND COALESCE(pr.beer, gr.beer, 0) = 1 ORDER BY l.position LIMIT 1"
)


_LIMITED_LINE = (
    "SELECT l.name, COALESCE(pr.age_limit, gr.age_limit, 0) AS age FROM basket_line l"
    " JOIN product p ON p.id = l.product_id"
    " LEFT JOIN product_counter_rule pr ON pr.product_id = p.id"
    " LEFT JOIN group_counter_rule gr ON gr.group_id = p.group_id"
    " WHERE l.basket_id = ? AND COALESCE(pr.age_limit, gr.age_limit, 0) > ?"
    " ORDER BY age DESC, l.position LIMIT 1"
)


def beer_line(db: SqliteDatabase, basket_id: int) -> str | None:
    """The name of the basket's first beer line, if it has one."""
    row = db.execute_sql(_BEER_LINE, (basket_id,)).fetchone()
    return None if row is None else str(row[0])


class AgeChecks(OpenBasket):
    """The open basket's age limits and beer hours (a part of `Baskets`)."""

    def rule_for_scan(self, product: ProductInfo) -> CounterRule:
        """The product's counter rule; beer outside the beer hours is refused here, with why
        and from when, before anything is written."""
        rule = rule_of(self.db, product.id)
        if rule.beer:
            beer_hours.check(self.clock.now().local, self.config.sale.beer)
        return rule

    def check_beer_at_payment(self, basket_id: int) -> None:
        """A sale is made when it is paid: beer scanned at 19:59 is not sold at 20:01. Refused
        (nothing paid) with why, until when, and what to do."""
        name = beer_line(self.db, basket_id)
        if name is None:
            return
        message = beer_hours.refusal(self.clock.now().local, self.config.sale.beer)
        if message is not None:
            raise Refused(
                _("{refusal} Take {name} off, or void the sale.").format(refusal=message, name=name)
            )

    def check_age_at_payment(self, basket_id: int) -> None:
        """No sale is completed with an age limit the cashier has not confirmed, whatever the
        way it is paid (the screen asks first; this is the service's own refusal). Refused,
        nothing paid, with the line and the age to confirm."""
        confirmed = self.confirmed_age(basket_id)
        row = self.db.execute_sql(_LIMITED_LINE, (basket_id, confirmed)).fetchone()
        if row is None:
            return
        name, age = str(row[0]), int(row[1])
        raise Refused(
            _(
                "{name} is sold from {age} years: confirm the customer's age, or take the line"
                " off, before payment."
            ).format(name=name, age=age)
        )

    def confirmed_age(self, basket_id: int) -> int:
        row = self.db.execute_sql(
            "SELECT age_confirmed FROM basket_counter_state WHERE basket_id = ?", (basket_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def age_to_confirm(self) -> int:
        """The age the cashier must still confirm for the open basket (0: none)."""
        found = self._open_basket_id()
        if found is None:
            return 0
        highest = int(self.db.execute_sql(_HIGHEST_LIMIT, (found[0],)).fetchone()[0])
        return highest if highest > self.confirmed_age(found[0]) else 0

    def confirm_age(self, person: Person, age: int) -> None:
        """The cashier has seen that the customer is at least `age`: journaled once a sale."""
        self._guard()
        with self.db.atomic("IMMEDIATE"):
            basket_id = self._open_id()
            if age <= self.confirmed_age(basket_id):
                return
            self.db.execute_sql(
                "INSERT INTO basket_counter_state (basket_id, eat_in, age_confirmed)"
                " VALUES (?, 0, ?) ON CONFLICT (basket_id) DO UPDATE SET"
                " age_confirmed = excluded.age_confirmed",
                (basket_id, age),
            )
            self.journal.write(
                Event.AGE_CHECK, user=person.number, basket=self._basket_uuid(basket_id), age=age
            )

    def refuse_age(self, person: Person, line_id: int) -> None:
        """Esc on the age question: the line comes off again, journaled as an age refusal
        (not as the cashier's line correction)."""
        self._guard()
        with self.db.atomic("IMMEDIATE"):
            line_id = pant.drink_of(self.db, line_id)  # the cursor may sit on its pant
            line = self._line_to_change(line_id)
            if rule_of(self.db, line.product_id).age_limit == 0:
                raise Refused(_("{name} has no age limit.").format(name=line.name))
            pant.follow_remove(self.db, self.journal, person, line_id)  # its pant goes too
            self.db.execute_sql("DELETE FROM basket_line WHERE id = ?", (line_id,))
            self.journal.write(
                Event.AGE_REFUSED,
                user=person.number,
                line=line.position,
                name=line.name,
                art=line.code,
                qty=line.qty_milli,
                amount=line.gross,
            )

    def _basket_uuid(self, basket_id: int) -> str:
        row = self.db.execute_sql("SELECT uuid FROM basket WHERE id = ?", (basket_id,)).fetchone()
        return str(row[0])
