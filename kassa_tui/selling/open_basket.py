"""The register's open basket as it is stored: finding it, reading it, and the checks every
change to it makes first.

The parts of `Baskets` (adding lines in selling.basket, selling.discounts, selling.parking) all
build on this, so each reads and guards the basket the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kassa_tui.catalog.lookup import Catalog
from kassa_tui.catalog.pricing import CampaignHit, Line, Payment, Priced, price
from kassa_tui.club.campaigns import has_member
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.users import Users
from kassa_tui.records.register import Register, RegisterService
from kassa_tui.records.retirement import refuse_if_retired
from kassa_tui.selling.campaigns import campaigns_for
from kassa_tui.selling.drawer import Drawer

_LINE_COLUMNS = (
    "id, position, product_id, code, name, group_code, vat_bp, unit, unit_price_ore,"
    " list_price_ore, qty_milli, fixed_amount_ore, discount_ore, discount_bp, discount_reason,"
    " override_by_id IS NOT NULL"
)


@dataclass(frozen=True)
class BasketState:
    """What the sale screen shows: the basket priced, with what is paid and left."""

    uuid: str | None
    priced: Priced
    sale_discount_reason: str = ""

    @property
    def empty(self) -> bool:
        return not self.priced.lines


class OpenBasket(RegisterService):
    """The one open basket of this register (at most one row with status 'open')."""

    def __init__(self, register: Register, catalog: Catalog, users: Users, drawer: Drawer) -> None:
        super().__init__(register)
        self.catalog = catalog
        self.users = users
        self.drawer = drawer
        self.read_only = False

    # -- reading -----------------------------------------------------------------------------

    def _open_basket_id(self) -> tuple[int, str] | None:
        """(id, uuid) of the open basket, if there is one."""
        row = self.db.execute_sql(
            "SELECT id, uuid FROM basket WHERE register_id = ? AND status = 'open'"
            " ORDER BY id LIMIT 1",
            (self.config.register_id,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def lines(self, basket_id: int) -> list[Line]:
        rows = self.db.execute_sql(
            f"SELECT {_LINE_COLUMNS} FROM basket_line WHERE basket_id = ? ORDER BY position",
            (basket_id,),
        ).fetchall()
        return [_line_of(row) for row in rows]

    def payments(self, basket_id: int) -> list[Payment]:
        rows = self.db.execute_sql(
            "SELECT method, amount_ore, tendered_ore FROM basket_payment WHERE basket_id = ?"
            " ORDER BY id",
            (basket_id,),
        ).fetchall()
        return [Payment(*row) for row in rows]

    def campaigns(self, lines: list[Line], basket_id: int | None = None) -> list[CampaignHit]:
        """The running campaigns' best combination for these lines, on the till's clock;
        members-only campaigns when basket `basket_id` has a member (kundeklubb)."""
        member = has_member(self.db, basket_id)
        return campaigns_for(self.db, self.clock.now().utc_text, lines, member)

    def current(self) -> BasketState:
        """The open basket as it is committed right now."""
        found = self._open_basket_id()
        if found is None:
            return BasketState(None, price([], [], cash_rounding_enabled=self.config.cash_rounding))
        basket_id, basket_uuid = found
        disc_ore, disc_bp, reason = self.db.execute_sql(
            "SELECT sale_discount_ore, sale_discount_bp, sale_discount_reason FROM basket"
            " WHERE id = ?",
            (basket_id,),
        ).fetchone()
        lines = self.lines(basket_id)
        priced = price(
            lines,
            self.payments(basket_id),
            sale_discount_ore=disc_ore,
            sale_discount_bp=disc_bp,
            cash_rounding_enabled=self.config.cash_rounding,
            campaigns=self.campaigns(lines, basket_id),
        )
        return BasketState(basket_uuid, priced, reason)

    # -- what every change checks first ------------------------------------------------------

    def _guard(self) -> None:
        """No change at all in a read-only view (the till runs in another process)."""
        if self.read_only:
            raise Refused(_("This is a read-only view: the till is running elsewhere."))
        refuse_if_retired(self.db, self.register_id)  # signed out for good: kassa register retire

    def _open_id(self) -> int:
        found = self._open_basket_id()
        if not found:
            raise Refused(_("The basket is empty."))
        return found[0]

    def _no_payments_yet(self, basket_id: int) -> None:
        if self.payments(basket_id):
            raise Refused(_("A payment is already registered; finish the payment first."))

    def _line_to_change(self, line_id: int) -> Line:
        """A line of the open basket, which has no payment yet; inside the caller's
        transaction."""
        basket_id = self._open_id()
        self._no_payments_yet(basket_id)
        return self._line(basket_id, line_id)

    def _line(self, basket_id: int, line_id: int) -> Line:
        for line in self.lines(basket_id):
            if line.id == line_id:
                return line
        raise Refused(_("That line is no longer in the basket."))


def _line_of(row: tuple[Any, ...]) -> Line:
    return Line(
        id=row[0],
        position=row[1],
        product_id=row[2],
        code=row[3],
        name=row[4],
        group_code=row[5],
        vat_bp=row[6],
        unit=row[7],
        unit_price_ore=row[8],
        list_price_ore=row[9],
        qty_milli=row[10],
        fixed_amount_ore=row[11],
        discount_ore=row[12],
        discount_bp=row[13],
        discount_reason=row[14],
        overridden=bool(row[15]),
    )
