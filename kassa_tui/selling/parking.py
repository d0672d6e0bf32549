"""Parking a sale and resuming it: the basket waits, lines and discounts kept, while the
cashier serves the next customer.

A parked basket is the same `basket` row with status 'parked'; resuming makes it the open one
again. Both are journaled (PARK, RESUME) in the transaction that changes the status.
"""

from __future__ import annotations

from dataclasses import dataclass

from kassa_tui.catalog.pricing import price
from kassa_tui.core.clock import parse_utc
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.selling.open_basket import OpenBasket


@dataclass(frozen=True)
class Parked:
    """A parked sale as the resume list shows it."""

    uuid: str
    parked_local: str
    lines: int
    total: int
    user_name: str


class Parking(OpenBasket):
    """Park, list and resume (a part of `Baskets`)."""

    def park(self, person: Person) -> None:
        self._guard()
        with self.db.atomic("IMMEDIATE"):
            found = self._open_basket_id()
            if not found or not self.lines(found[0]):
                raise Refused(_("The basket is empty: nothing to park."))
            self._no_payments_yet(found[0])
            now = self.clock.now()
            self.db.execute_sql(
                "UPDATE basket SET status = 'parked', parked_utc = ? WHERE id = ?",
                (now.utc_text, found[0]),
            )
            self.journal.write(Event.PARK, user=person.number, basket=found[1])

    def parked(self) -> list[Parked]:
        rows = self.db.execute_sql(
            "SELECT b.id, b.uuid, b.parked_utc, COALESCE(u.name, ''), b.sale_discount_ore,"
            " b.sale_discount_bp FROM basket b"
            " LEFT JOIN user u ON u.id = b.user_id"
            " WHERE b.register_id = ? AND b.status = 'parked' ORDER BY b.parked_utc",
            (self.config.register_id,),
        ).fetchall()
        result = []
        for basket_id, basket_uuid, parked_utc, user_name, disc_ore, disc_bp in rows:
            lines = self.lines(basket_id)
            local = parse_utc(parked_utc).local.strftime("%H:%M")
            total = price(
                lines,
                [],
                sale_discount_ore=disc_ore,
                sale_discount_bp=disc_bp,
                campaigns=self.campaigns(lines, basket_id),
            ).total
            result.append(Parked(basket_uuid, local, len(lines), total, user_name))
        return result

    def resume(self, person: Person, basket_uuid: str) -> None:
        self._guard()
        with self.db.atomic("IMMEDIATE"):
            found = self._open_basket_id()
            if found and self.lines(found[0]):
                raise Refused(_("Park or finish the current sale first."))
            if found:
                self.db.execute_sql("DELETE FROM basket WHERE id = ?", (found[0],))
            cursor = self.db.execute_sql(
                "UPDATE basket SET status = 'open', parked_utc = NULL"
                " WHERE uuid = ? AND status = 'parked' AND register_id = ?",
                (basket_uuid, self.config.register_id),
            )
            if cursor.rowcount != 1:
                raise Refused(_("That parked sale is no longer waiting."))
            self.journal.write(Event.RESUME, user=person.number, basket=basket_uuid)
