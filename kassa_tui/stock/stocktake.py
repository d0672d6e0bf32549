"""Stocktake (varetelling): count a group or the whole shop, see the variances, post them.

A count is kept in the database line by line, so an interrupted count (a power cut, a closed
till) is found again by `open_count()`. Posting compares each counted total with the book stock
at that moment and writes one `count` movement per difference: stock stays a sum of deltas, and
sales made while counting are not lost. This module also holds the few stock primitives that
kassa_tui.stock.levels shares with it (the quantity limit, writing a movement); who may is the
permission matrix's (kassa_tui.people.permissions, STOCK).
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, Instant, parse_utc
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal
from kassa_tui.stock.moves import moves_of

MAX_QTY_MILLI = 9_999_000

#: ProductInfo's columns, then the stock on hand (0 when the product never moved).
PRODUCT_COLUMNS = (
    "p.id, p.plu, p.name, g.code, g.name, p.vat_bp, p.price_ore, p.unit, p.active,"
    " COALESCE(s.on_hand_milli, 0)"
)
PRODUCT_FROM = (
    " FROM product p JOIN product_group g ON g.id = p.group_id"
    " LEFT JOIN product_stock s ON s.product_id = p.id"
)


def local_minute(utc_text: str) -> str:
    """'2026-11-27 13:05', Oslo time, for a stored UTC time."""
    return parse_utc(utc_text).local.strftime("%Y-%m-%d %H:%M")


def product_of(row: tuple[Any, ...]) -> ProductInfo:
    pid, plu, name, group_code, group_name, vat_bp, price_ore, unit, active = row[:9]
    return ProductInfo(
        pid, plu, name, group_code, group_name, vat_bp, price_ore, unit, bool(active)
    )


def check_quantity(product: ProductInfo, qty_milli: int, *, allow_zero: bool = False) -> None:
    """Within ±9 999 units, not zero unless allowed, whole units for items sold per piece."""
    if abs(qty_milli) > MAX_QTY_MILLI or (qty_milli == 0 and not allow_zero):
        raise Refused(_("A quantity is between 0 and 9999 (not 0)."))
    if not product.weighed and qty_milli % QTY_ONE:
        raise Refused(_("{name} is counted in whole units.").format(name=product.name))


def insert_movement(
    database: SqliteDatabase,
    config: Config,
    now: Instant,
    product_id: int,
    delta_milli: int,
    reason: str,
) -> None:
    """The only way stock changes: a delta row (product_stock follows by trigger)."""
    database.execute_sql(
        "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, sale_id,"
        " register_id, created_utc) VALUES (?, ?, ?, ?, NULL, ?, ?)",
        (str(uuidlib.uuid4()), product_id, delta_milli, reason, config.register_id, now.utc_text),
    )


@dataclass(frozen=True)
class Count:
    id: int
    group_code: str | None
    started_local: str
    counted_products: int


@dataclass(frozen=True)
class Variance:
    product: ProductInfo
    book_milli: int
    counted_milli: int
    counted: bool

    @property
    def diff_milli(self) -> int:
        return self.counted_milli - self.book_milli


class Stocktakes:
    """The register's counts: at most one is being counted at a time."""

    def __init__(
        self, database: SqliteDatabase, config: Config, journal: Journal, clock: Clock
    ) -> None:
        self.db = database
        self.config = config
        self.journal = journal
        self.clock = clock

    def open_count(self) -> Count | None:
        row = self.db.execute_sql(
            "SELECT id, group_code, started_utc,"
            " (SELECT COUNT(*) FROM stocktake_count c WHERE c.stocktake_id = t.id)"
            " FROM stocktake t WHERE register_id = ? AND status = 'counting' ORDER BY id LIMIT 1",
            (self.config.register_id,),
        ).fetchone()
        if row is None:
            return None
        return Count(row[0], row[1], local_minute(row[2]), row[3])

    def start_count(self, person: Person, group_code: str | None) -> Count:
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        with self.db.atomic("IMMEDIATE"):
            if self.open_count() is not None:
                raise Refused(_("A count is already open: finish or cancel it first."))
            if (
                group_code is not None
                and not self.db.execute_sql(
                    "SELECT 1 FROM product_group WHERE code = ?", (group_code,)
                ).fetchone()
            ):
                raise Refused(_("There is no product group {code}.").format(code=group_code))
            now = self.clock.now()
            cursor = self.db.execute_sql(
                "INSERT INTO stocktake (uuid, register_id, group_code, status, user_number,"
                " started_utc) VALUES (?, ?, ?, 'counting', ?, ?)",
                (
                    str(uuidlib.uuid4()),
                    self.config.register_id,
                    group_code,
                    person.number,
                    now.utc_text,
                ),
            )
            count_id = int(cursor.lastrowid)
            self.journal.write(
                Event.STOCKTAKE,
                user=person.number,
                action="start",
                count=count_id,
                group=group_code,
            )
        return Count(count_id, group_code, local_minute(now.utc_text), 0)

    def _counting(self, count_id: int) -> str | None:
        """The group of this register's open count `count_id` (None: the whole shop)."""
        row = self.db.execute_sql(
            "SELECT group_code FROM stocktake WHERE id = ? AND register_id = ?"
            " AND status = 'counting'",
            (count_id, self.config.register_id),
        ).fetchone()
        if row is None:
            raise Refused(_("That count is no longer open."))
        return row[0]  # type: ignore[no-any-return]

    def _countable(self, count_id: int, product_id: int) -> ProductInfo:
        group = self._counting(count_id)
        row = self.db.execute_sql(
            f"SELECT {PRODUCT_COLUMNS}{PRODUCT_FROM} WHERE p.id = ?", (product_id,)
        ).fetchone()
        if row is None:
            raise Refused(_("That product no longer exists."))
        product = product_of(row)
        if group is not None and product.group_code != group:
            raise Refused(
                _("{name} is not in group {group}, the group being counted.").format(
                    name=product.name, group=group
                )
            )
        return product

    def count(self, person: Person, count_id: int, product_id: int, qty_milli: int) -> int:
        """Add what was counted (a repeat scan adds); returns the product's counted total."""
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        with self.db.atomic("IMMEDIATE"):
            product = self._countable(count_id, product_id)
            if qty_milli <= 0:
                raise Refused(_("A counted quantity is more than zero; correct a total instead."))
            check_quantity(product, qty_milli)
            total = int(
                self.db.execute_sql(
                    "INSERT INTO stocktake_count (stocktake_id, product_id, counted_milli)"
                    " VALUES (?, ?, ?) ON CONFLICT (stocktake_id, product_id) DO UPDATE SET"
                    " counted_milli = counted_milli + excluded.counted_milli"
                    " RETURNING counted_milli",
                    (count_id, product_id, qty_milli),
                ).fetchone()[0]
            )
            check_quantity(product, total)
        return total

    def set_count(self, person: Person, count_id: int, product_id: int, qty_milli: int) -> None:
        """Correct a counted total; 0 means counted and none found."""
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        with self.db.atomic("IMMEDIATE"):
            product = self._countable(count_id, product_id)
            if qty_milli < 0:
                raise Refused(_("A counted total cannot be negative."))
            check_quantity(product, qty_milli, allow_zero=True)
            self.db.execute_sql(
                "INSERT INTO stocktake_count (stocktake_id, product_id, counted_milli)"
                " VALUES (?, ?, ?) ON CONFLICT (stocktake_id, product_id) DO UPDATE SET"
                " counted_milli = excluded.counted_milli",
                (count_id, product_id, qty_milli),
            )

    def _variances(self, count_id: int, group: str | None) -> list[Variance]:
        rows = self.db.execute_sql(
            f"SELECT {PRODUCT_COLUMNS}, c.counted_milli FROM stocktake_count c"
            " JOIN product p ON p.id = c.product_id JOIN product_group g ON g.id = p.group_id"
            " LEFT JOIN product_stock s ON s.product_id = p.id WHERE c.stocktake_id = ?",
            (count_id,),
        ).fetchall()
        found = [Variance(product_of(row), row[9], row[10], True) for row in rows]
        if group is not None:
            uncounted = self.db.execute_sql(
                f"SELECT {PRODUCT_COLUMNS}{PRODUCT_FROM} WHERE g.code = ? AND p.active"
                " AND COALESCE(s.on_hand_milli, 0) != 0 AND p.id NOT IN"
                " (SELECT product_id FROM stocktake_count WHERE stocktake_id = ?)",
                (group, count_id),
            ).fetchall()
            found += [Variance(product_of(row), row[9], 0, False) for row in uncounted]
        return sorted(found, key=lambda v: (-abs(v.diff_milli), v.product.name, v.product.id))

    def variances(self, count_id: int) -> list[Variance]:
        """Counted products against book stock now; for a group count also the group's
        uncounted active products that have stock. Biggest differences first."""
        row = self.db.execute_sql(
            "SELECT group_code FROM stocktake WHERE id = ?", (count_id,)
        ).fetchone()
        if row is None:
            raise Refused(_("There is no such count."))
        return self._variances(count_id, row[0])

    def post_count(self, person: Person, count_id: int, *, zero_uncounted: bool = False) -> int:
        """Book the differences as `count` movements; returns how many products changed."""
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        with self.db.atomic("IMMEDIATE"):
            group = self._counting(count_id)
            if zero_uncounted and group is None:
                # For the whole shop that would be every product not scanned: refuse the guess.
                raise Refused(_("Only a group count can set uncounted products to zero."))
            variances = self._variances(count_id, group)
            counted = [v for v in variances if v.counted]
            if not counted:
                raise Refused(_("Nothing has been counted yet."))
            changes = [v for v in variances if v.diff_milli and (v.counted or zero_uncounted)]
            now = self.clock.now()
            for variance in changes:
                insert_movement(
                    self.db, self.config, now, variance.product.id, variance.diff_milli, "count"
                )
            self.db.execute_sql(
                "UPDATE stocktake SET status = 'posted', posted_utc = ? WHERE id = ?",
                (now.utc_text, count_id),
            )
            self.journal.write(
                Event.STOCKTAKE,
                user=person.number,
                action="post",
                count=count_id,
                group=group,
                counted=len(counted),
                adjusted=len(changes),
                zeroed=sum(1 for v in changes if not v.counted),
                plus_milli=sum(v.diff_milli for v in changes if v.diff_milli > 0),
                minus_milli=sum(v.diff_milli for v in changes if v.diff_milli < 0),
                moves=moves_of(self.db, [(v.product, v.diff_milli) for v in changes]),
            )
        return len(changes)

    def cancel_count(self, person: Person, count_id: int) -> None:
        """Drop an open count; stock is untouched (its counted lines stay for the record)."""
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        with self.db.atomic("IMMEDIATE"):
            group = self._counting(count_id)
            self.db.execute_sql(
                "UPDATE stocktake SET status = 'cancelled' WHERE id = ?", (count_id,)
            )
            self.journal.write(
                Event.STOCKTAKE, user=person.number, action="cancel", count=count_id, group=group
            )
