"""Stock on hand, deliveries and adjustments.

Stock is a sum of movements (deltas), never an overwritten level: this module only inserts
stock_movement rows and reads the level from product_stock, which a trigger keeps. A sale never
waits for stock, so a level can be negative. Changing stock is for shift leads; every change is
one transaction with its journal row. Stocktake (kassa_tui.stock.stocktake) and product
maintenance (kassa_tui.stock.products) are services of their own.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta

from peewee import SqliteDatabase

from kassa_tui.catalog.lookup import Catalog, ProductInfo
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal
from kassa_tui.stock.moves import moves_of
from kassa_tui.stock.products import barcodes_of, check_price
from kassa_tui.stock.stocktake import (
    PRODUCT_COLUMNS,
    PRODUCT_FROM,
    check_quantity,
    insert_movement,
    local_minute,
    product_of,
)

MAX_REFERENCE = 80
MAX_TEXT = 200
DAYS_OF_COVER = 14
SOLD_REASONS = "('sale', 'return')"


def N_(message: str) -> str:
    """Marks a message for translation; it is translated where it is read."""
    return message


class _Translated(Mapping[str, str]):
    """Labels kept as English message IDs and translated when read: the till's language is
    set after this module is imported."""

    def __init__(self, ids: dict[str, str]) -> None:
        self._ids = ids

    def __getitem__(self, key: str) -> str:
        return _(self._ids[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


REASONS: Mapping[str, str] = _Translated(
    {
        "waste": N_("Waste"),
        "damage": N_("Damaged"),
        "theft": N_("Theft"),
        "own_use": N_("Own use"),
        "count": N_("Count correction"),
    }
)
#: Reasons that only ever lower stock: nothing comes back as waste, damage, theft or own use.
LOWERING_REASONS = frozenset({"waste", "damage", "theft", "own_use"})
_MOVEMENT_LABELS = _Translated(
    {
        "sale": N_("Sale"),
        "return": N_("Return"),
        "delivery": N_("Delivery"),
        "count": N_("Stocktake"),
        "opening": N_("Opening stock"),
        "import": N_("Imported level"),
        "transfer_out": N_("Sent to another shop"),
        "transfer_in": N_("Received from another shop"),
    }
)


@dataclass(frozen=True)
class Movement:
    local: str  # "2026-11-27 13:05", Oslo time
    reason: str  # sale, return, delivery, count, opening, import, adjust:<code>
    delta_milli: int

    @property
    def label(self) -> str:
        """The reason in the user's language."""
        code = self.reason.removeprefix("adjust:")
        if self.reason.startswith("adjust:") and code in REASONS:
            return REASONS[code]
        return _MOVEMENT_LABELS.get(self.reason, self.reason)


@dataclass(frozen=True)
class ProductDetails:
    product: ProductInfo
    barcodes: list[str]
    on_hand_milli: int
    reorder_point_milli: int
    cost_ore: int | None
    last_delivery_local: str | None
    sold_7_milli: int
    sold_30_milli: int
    movements: list[Movement]  # the 10 most recent, newest first


@dataclass(frozen=True)
class LowStock:
    product: ProductInfo
    on_hand_milli: int
    reorder_point_milli: int
    sold_30_milli: int
    suggested_milli: int


def check_direction(reason: str, delta_milli: int) -> None:
    """Refuse a rise in stock for a reason that only lowers it (+2 'damaged' is a typo)."""
    if reason in LOWERING_REASONS and delta_milli > 0:
        raise Refused(
            _("{reason} only lowers stock: type the change with a minus, e.g. -2.").format(
                reason=REASONS[reason]
            )
        )


def suggested_order(product: ProductInfo, on_hand: int, reorder_point: int, sold_30: int) -> int:
    """Enough for 14 days at the last 30 days' speed, at least up to twice the reorder point."""
    target = max(-(-sold_30 * DAYS_OF_COVER // 30), 2 * reorder_point)
    need = max(target - on_hand, 0)
    return need if product.weighed else -(-need // QTY_ONE) * QTY_ONE


_DETAILS = (
    "SELECT COALESCE(s.on_hand_milli, 0), p.reorder_point_milli, p.cost_ore,"
    " (SELECT MAX(d.created_utc) FROM delivery_line l JOIN delivery d ON d.id = l.delivery_id"
    " WHERE l.product_id = p.id), -COALESCE(SUM(CASE WHEN m.created_utc >= ?1"
    " THEN m.delta_milli END), 0), -COALESCE(SUM(m.delta_milli), 0) FROM product p"
    " LEFT JOIN product_stock s ON s.product_id = p.id LEFT JOIN stock_movement m"
    f" ON m.product_id = p.id AND m.created_utc >= ?2 AND m.reason IN {SOLD_REASONS}"
    " WHERE p.id = ?3"
)
# Active products at or below their reorder point, and every negative level. Most urgent first:
# the least stock relative to the reorder point (negative stock first), then the fastest sellers.
_LOW_STOCK = (
    f"SELECT {PRODUCT_COLUMNS}, p.reorder_point_milli,"
    " (SELECT -COALESCE(SUM(m.delta_milli), 0) FROM stock_movement m WHERE m.product_id = p.id"
    f" AND m.created_utc >= ? AND m.reason IN {SOLD_REASONS}) AS sold"
    f"{PRODUCT_FROM} WHERE p.active AND (COALESCE(s.on_hand_milli, 0) < 0"
    " OR (p.reorder_point_milli > 0 AND COALESCE(s.on_hand_milli, 0) <= p.reorder_point_milli))"
    " ORDER BY CAST(COALESCE(s.on_hand_milli, 0) AS REAL) / MAX(p.reorder_point_milli, 1),"
    " sold DESC, p.id LIMIT ?"
)


class Stock:
    """Stock levels, deliveries and adjustments (stocktakes and products are services of
    their own: `Till.stocktakes`, `Till.products`)."""

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

    # -- reading -----------------------------------------------------------------------------

    def _since(self, days: int) -> str:
        return Instant(self.clock.now().utc - timedelta(days=days)).utc_text

    def on_hand(self, product_ids: list[int]) -> dict[int, int]:
        """Stock on hand of a screenful of products (one that never moved is absent: 0)."""
        marks = ",".join("?" * len(product_ids))
        return dict(
            self.db.execute_sql(
                "SELECT product_id, on_hand_milli FROM product_stock"
                f" WHERE product_id IN ({marks})",
                product_ids,
            ).fetchall()
        )

    def details(self, product_id: int) -> ProductDetails:
        product = self.catalog.by_id(product_id)
        on_hand, reorder, cost, delivered, sold_7, sold_30 = self.db.execute_sql(
            _DETAILS, (self._since(7), self._since(30), product_id)
        ).fetchone()
        moves = self.db.execute_sql(
            "SELECT created_utc, reason, delta_milli FROM stock_movement WHERE product_id = ?"
            " ORDER BY created_utc DESC, id DESC LIMIT 10",
            (product_id,),
        ).fetchall()
        return ProductDetails(
            product,
            barcodes_of(self.db, product_id),
            on_hand,
            reorder,
            cost,
            local_minute(delivered) if delivered else None,
            sold_7,
            sold_30,
            [Movement(local_minute(utc), reason, delta) for utc, reason, delta in moves],
        )

    def low_stock(self, limit: int = 200) -> list[LowStock]:
        """What to order: at or below the reorder point, and all negative stock."""
        rows = self.db.execute_sql(_LOW_STOCK, (self._since(30), limit)).fetchall()
        found = []
        for row in rows:
            product, on_hand, reorder, sold = product_of(row), row[9], row[10], row[11]
            suggested = suggested_order(product, on_hand, reorder, sold)
            found.append(LowStock(product, on_hand, reorder, sold, suggested))
        return found

    def groups(self) -> list[tuple[str, str]]:
        rows = self.db.execute_sql("SELECT code, name FROM product_group ORDER BY code")
        return [(code, name) for code, name in rows.fetchall()]

    # -- stock changes -----------------------------------------------------------------------

    def receive(
        self, person: Person, lines: list[tuple[int, int, int | None]], reference: str = ""
    ) -> int:
        """Book a delivery: all its lines or none. Returns the delivery's id."""
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        reference = reference.strip()
        if not lines:
            raise Refused(_("A delivery needs at least one line."))
        if len(reference) > MAX_REFERENCE:
            raise Refused(_("A reference is at most {n} characters.").format(n=MAX_REFERENCE))
        with self.db.atomic("IMMEDIATE"):
            for product_id, qty_milli, cost_ore in lines:
                product = self.catalog.by_id(product_id)
                if qty_milli <= 0:
                    message = _("The delivered quantity of {name} must be more than zero.")
                    raise Refused(message.format(name=product.name))
                check_quantity(product, qty_milli)
                if cost_ore is not None:
                    check_price(cost_ore)
            now = self.clock.now()
            cursor = self.db.execute_sql(
                "INSERT INTO delivery (uuid, register_id, reference, user_number, created_utc,"
                " local_date) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    str(uuidlib.uuid4()),
                    self.config.register_id,
                    reference,
                    person.number,
                    now.utc_text,
                    now.local_date,
                ),
            )
            delivery_id = int(cursor.lastrowid)
            for product_id, qty_milli, cost_ore in lines:
                self.db.execute_sql(
                    "INSERT INTO delivery_line (delivery_id, product_id, qty_milli, cost_ore)"
                    " VALUES (?, ?, ?, ?)",
                    (delivery_id, product_id, qty_milli, cost_ore),
                )
                insert_movement(self.db, self.config, now, product_id, qty_milli, "delivery")
                if cost_ore is not None:
                    self.db.execute_sql(
                        "UPDATE product SET cost_ore = ? WHERE id = ?", (cost_ore, product_id)
                    )
            self.journal.write(
                Event.DELIVERY,
                user=person.number,
                delivery=delivery_id,
                reference=reference,
                lines=len(lines),
                qty_milli=sum(line[1] for line in lines),
                costs=sum(1 for line in lines if line[2] is not None),
                moves=moves_of(self.db, [(self.catalog.by_id(p), q) for p, q, _c in lines]),
            )
        return delivery_id

    def adjust(
        self, person: Person, product_id: int, delta_milli: int, reason: str, note: str = ""
    ) -> None:
        """Waste, damage, theft, own use or a count correction, as a journaled movement.

        Waste, damage, theft and own use only lower stock; only a count correction raises it.
        """
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        if reason not in REASONS:
            raise Refused(_("Choose a reason for the stock adjustment."))
        check_direction(reason, delta_milli)
        note = note.strip()
        if len(note) > MAX_TEXT:
            raise Refused(_("A note is at most {n} characters.").format(n=MAX_TEXT))
        with self.db.atomic("IMMEDIATE"):
            product = self.catalog.by_id(product_id)
            check_quantity(product, delta_milli)
            insert_movement(
                self.db, self.config, self.clock.now(), product_id, delta_milli, f"adjust:{reason}"
            )
            self.journal.write(
                Event.STOCK_ADJUST,
                user=person.number,
                product=product_id,
                name=product.name,
                delta_milli=delta_milli,
                reason=reason,
                note=note,
                moves=moves_of(self.db, [(product, delta_milli)]),
            )
