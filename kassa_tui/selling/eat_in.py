"""Eaten in or taken away (issue 14): food is 15 % VAT taken away and 25 % eaten in.

A product may carry an eat-in rate besides its own (take-away) rate
(`product_counter_rule.eat_in_vat_bp`). One key marks the open sale eaten in: every line of
such a product takes the eat-in rate (lines scanned afterwards too), and the same key takes
them back to the take-away rate. Each change is journaled (EATIN). The completed sale is kept
in `sale_eat_in`, so the receipt says «Spises her»; the lines carry their rates, so the X/Z
VAT lines, the SAF-T export and the voucher follow on their own.

A part of `Baskets`; the basket's state is in `basket_counter_state`.
"""

from __future__ import annotations

from dataclasses import replace

from peewee import SqliteDatabase

from kassa_tui.catalog.counter_rules import CounterRule
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.records.receipts import SaleFacts
from kassa_tui.selling.open_basket import OpenBasket

#: On the receipt (always Norwegian): eaten in, or taken away.
EAT_IN_NOTE = "Spises her (servering)"
TAKE_AWAY_NOTE = "Ta med (takeaway)"

#: The lines whose product has an eat-in rate: to that rate eaten in, back to the product's
#: own rate taken away.
_RATES = (
    "UPDATE basket_line SET vat_bp = (SELECT CASE WHEN ? THEN r.eat_in_vat_bp ELSE p.vat_bp END"
    " FROM product p JOIN product_counter_rule r ON r.product_id = p.id"
    " WHERE p.id = basket_line.product_id)"
    " WHERE basket_id = ? AND product_id IN"
    " (SELECT product_id FROM product_counter_rule WHERE eat_in_vat_bp IS NOT NULL)"
)


def basket_eaten_in(db: SqliteDatabase, basket_id: int) -> bool:
    row = db.execute_sql(
        "SELECT eat_in FROM basket_counter_state WHERE basket_id = ?", (basket_id,)
    ).fetchone()
    return bool(row and row[0])


def record_sale(db: SqliteDatabase, basket_id: int, sale_id: int) -> None:
    """At completion (inside the sale's transaction): keep that the sale was eaten in."""
    if basket_eaten_in(db, basket_id):
        db.execute_sql("INSERT INTO sale_eat_in (sale_id) VALUES (?)", (sale_id,))


def noted(db: SqliteDatabase, basket_id: int, facts: SaleFacts) -> SaleFacts:
    """The receipt says which: «Spises her» when eaten in, «Ta med» when a line could have
    been eaten in at another rate; nothing when no line has an eat-in rate."""
    if basket_eaten_in(db, basket_id):
        return replace(facts, notes=(*facts.notes, EAT_IN_NOTE))
    dual = db.execute_sql(
        "SELECT 1 FROM basket_line l JOIN product_counter_rule r ON r.product_id = l.product_id"
        " WHERE l.basket_id = ? AND r.eat_in_vat_bp IS NOT NULL LIMIT 1",
        (basket_id,),
    ).fetchone()
    return replace(facts, notes=(*facts.notes, TAKE_AWAY_NOTE)) if dual else facts


def noted_basket(db: SqliteDatabase, basket_uuid: str | None, facts: SaleFacts) -> SaleFacts:
    """`noted` for a basket known by its uuid (a provisional receipt of the open basket)."""
    row = db.execute_sql("SELECT id FROM basket WHERE uuid = ?", (basket_uuid,)).fetchone()
    return facts if row is None else noted(db, int(row[0]), facts)


def sale_eaten_in(db: SqliteDatabase, sale_id: int) -> bool:
    row = db.execute_sql("SELECT 1 FROM sale_eat_in WHERE sale_id = ?", (sale_id,)).fetchone()
    return row is not None


class EatIn(OpenBasket):
    """Eaten in or taken away, for the open basket (a part of `Baskets`)."""

    def eaten_in(self) -> bool:
        found = self._open_basket_id()
        return found is not None and basket_eaten_in(self.db, found[0])

    def line_vat(self, basket_id: int, vat_bp: int, rule: CounterRule) -> int:
        """A new line's rate: the eat-in rate if the sale is eaten in and the product has one."""
        if rule.eat_in_vat_bp is None or not basket_eaten_in(self.db, basket_id):
            return vat_bp
        return rule.eat_in_vat_bp

    def toggle_eat_in(self, person: Person) -> bool:
        """Mark the open sale eaten in, or taken away again; returns True when eaten in."""
        self._guard()
        permissions.require(self.db, self.journal, person, Permission.SELL)
        with self.db.atomic("IMMEDIATE"):
            found = self._open_basket_id()
            if found is None:
                raise Refused(_("Scan the first item, then mark the sale eaten in."))
            basket_id = found[0]
            self._no_payments_yet(basket_id)
            eat_in = not basket_eaten_in(self.db, basket_id)
            self.db.execute_sql(
                "INSERT INTO basket_counter_state (basket_id, eat_in, age_confirmed)"
                " VALUES (?, ?, 0) ON CONFLICT (basket_id) DO UPDATE SET eat_in = excluded.eat_in",
                (basket_id, int(eat_in)),
            )
            changed = self.db.execute_sql(_RATES, (int(eat_in), basket_id)).rowcount
            self.journal.write(
                Event.EAT_IN, user=person.number, basket=found[1], eat_in=eat_in, lines=changed
            )
        return eat_in
