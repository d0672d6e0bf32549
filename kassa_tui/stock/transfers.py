"""Stock sent to another shop and booked in there (issue 15: transfers as two moves).

The sending till books a `transfer_out` movement per line (a negative delta) and journals
TRANSFEROUT with a new transfer id, the shop it goes to (`to`) and the lines; the receiving till
books the same transfer id in with `transfer_in` movements (positive) and journals TRANSFERIN
with the shop that sent them (`sender`). HQ derives both moves from the journal rows
(kassa_tui/hq/sql/0009_stock.sql) and pairs them by the transfer id: sent and not yet received
is in transit. Each journal row carries its stock lines as `moves` (kassa_tui.stock.moves), as
deliveries, counts and adjustments do, so HQ receives deltas, never levels.
"""

from __future__ import annotations

import re
import uuid as uuidlib

from peewee import SqliteDatabase

from kassa_tui.catalog.lookup import Catalog, ProductInfo
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Journal
from kassa_tui.stock.moves import moves_of
from kassa_tui.stock.own_shop import own_shop
from kassa_tui.stock.stocktake import check_quantity, insert_movement
from kassa_tui.stock.transfer_check import Answer, journal_fields

#: The SAF-T list has no code for moving goods between shops: 13999 Other, as DELIVERY.
TRANSFER_OUT = ("13999", "TRANSFEROUT")
TRANSFER_IN = ("13999", "TRANSFERIN")
SHOP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,34}$")  # as HQ's shop table checks it


class Transfers:
    """Goods out to another shop, and goods in from one, by transfer id."""

    def __init__(
        self,
        database: SqliteDatabase,
        config: Config,
        journal: Journal,
        catalog: Catalog,
        clock: Clock,
    ) -> None:
        self.db = database
        self.config = config
        self.journal = journal
        self.catalog = catalog
        self.clock = clock

    def product(self, code: str) -> ProductInfo:
        """A product by barcode or PLU."""
        try:
            return self.catalog.by_barcode(code)
        except Refused:
            return self.catalog.by_plu(code)

    def _not_this_shop(self, shop: str) -> None:
        """Goods never go from this shop to itself ([shop] shop_id in kassa.toml, else HQ's
        shop for this register); refused while the two differ (kassa_tui.stock.own_shop)."""
        own = own_shop(self.db, self.config)
        if own and shop.casefold() == own.casefold():
            raise Refused(
                _("{shop} is this shop: a transfer is between two shops.").format(shop=shop)
            )

    def _checked(self, lines: list[tuple[int, int]]) -> list[tuple[ProductInfo, int]]:
        if not lines:
            raise Refused(_("A transfer needs at least one line."))
        checked = []
        for product_id, qty_milli in lines:
            product = self.catalog.by_id(product_id)
            if qty_milli <= 0:
                message = _("The transferred quantity of {name} must be more than zero.")
                raise Refused(message.format(name=product.name))
            check_quantity(product, qty_milli)
            checked.append((product, qty_milli))
        return checked

    def send(self, person: Person, to_shop: str, lines: list[tuple[int, int]]) -> str:
        """Goods out to `to_shop`: all lines or none. Returns the transfer id."""
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        to_shop = to_shop.strip()
        if not SHOP_ID.match(to_shop):
            raise Refused(_("{shop} is not a shop id.").format(shop=repr(to_shop)))
        self._not_this_shop(to_shop)
        transfer = str(uuidlib.uuid4())
        with self.db.atomic("IMMEDIATE"):
            checked = self._checked(lines)
            now = self.clock.now()
            for product, qty_milli in checked:
                insert_movement(self.db, self.config, now, product.id, -qty_milli, "transfer_out")
            self.journal.write(
                TRANSFER_OUT,
                user=person.number,
                transfer=transfer,
                to=to_shop,
                moves=moves_of(self.db, [(p, -q) for p, q in checked]),
            )
        return transfer

    def receive(
        self,
        person: Person,
        transfer: str,
        from_shop: str,
        lines: list[tuple[int, int]],
        check: Answer | None = None,
        approver: Person | None = None,
    ) -> None:
        """Goods in from `from_shop` under the sender's transfer id; each id once. `check`: HQ's
        answer (kassa_tui.stock.transfer_check): a difference needs `approver`, a shift lead."""
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        from_shop = from_shop.strip()
        if not SHOP_ID.match(from_shop):
            raise Refused(_("{shop} is not a shop id.").format(shop=repr(from_shop)))
        self._not_this_shop(from_shop)
        try:
            transfer = str(uuidlib.UUID(transfer.strip()))
        except ValueError:
            raise Refused(_("{id} is not a transfer id.").format(id=repr(transfer))) from None
        with self.db.atomic("IMMEDIATE"):
            checked = self._checked(lines)
            booked = self.db.execute_sql(
                "SELECT 1 FROM journal WHERE basic_id = ? AND text LIKE ?",
                (TRANSFER_IN[1], f'%"transfer": "{transfer}"%'),
            ).fetchone()
            if booked:
                raise Refused(_("Transfer {id} is already booked in.").format(id=transfer))
            sent_here = self.db.execute_sql(
                "SELECT 1 FROM journal WHERE basic_id = ? AND text LIKE ?",
                (TRANSFER_OUT[1], f'%"transfer": "{transfer}"%'),
            ).fetchone()
            if sent_here:
                message = _("Transfer {id} was sent from here: the shop it went to books it in.")
                raise Refused(message.format(id=transfer))
            fields = journal_fields(self.db, self.product, check, from_shop, checked, approver)
            now = self.clock.now()
            for product, qty_milli in checked:
                insert_movement(self.db, self.config, now, product.id, qty_milli, "transfer_in")
            self.journal.write(
                TRANSFER_IN,
                user=person.number,
                transfer=transfer,
                sender=from_shop,
                moves=moves_of(self.db, checked),
                **fields,
            )
