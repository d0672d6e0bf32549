"""Stock on hand, deliveries, adjustments, stocktake and product maintenance.

Stock is a sum of movements (deltas), never an overwritten level: this module only inserts
stock_movement rows and reads the level from product_stock, which a trigger keeps. A sale never
waits for stock, so a level can be negative. Changing stock or products is for shift leads and
technicians; every change is one transaction with its journal row, and a price or other fixed-data
change is journaled as event 13021 (kassasystemforskrifta § 2-7).
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.barcodes import BadCode, classify
from kassa_tui.catalog.lookup import Catalog, ProductInfo
from kassa_tui.catalog.search import reindex
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal
from kassa_tui.stock.stocktake import (
    PRODUCT_COLUMNS,
    PRODUCT_FROM,
    Stocktakes,
    check_quantity,
    insert_movement,
    local_minute,
    product_of,
)
from kassa_tui.stock.stocktake import Count as Count
from kassa_tui.stock.stocktake import Variance as Variance

MAX_NAME = 80
MAX_PRICE_ORE = 100_000_000  # 1 000 000 kr
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
_MOVEMENT_LABELS = _Translated(
    {
        "sale": N_("Sale"),
        "return": N_("Return"),
        "delivery": N_("Delivery"),
        "count": N_("Stocktake"),
        "opening": N_("Opening stock"),
        "import": N_("Imported level"),
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
        self.stocktakes = Stocktakes(database, config, journal, clock)

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
            self._barcodes(product_id),
            on_hand,
            reorder,
            cost,
            local_minute(delivered) if delivered else None,
            sold_7,
            sold_30,
            [Movement(local_minute(utc), reason, delta) for utc, reason, delta in moves],
        )

    def _barcodes(self, product_id: int) -> list[str]:
        rows = self.db.execute_sql(
            "SELECT code FROM barcode WHERE product_id = ? ORDER BY code", (product_id,)
        )
        return [code for (code,) in rows.fetchall()]

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
        if len(reference) > MAX_NAME:
            raise Refused(_("A reference is at most {n} characters.").format(n=MAX_NAME))
        with self.db.atomic("IMMEDIATE"):
            for product_id, qty_milli, cost_ore in lines:
                product = self.catalog.by_id(product_id)
                if qty_milli <= 0:
                    message = _("The delivered quantity of {name} must be more than zero.")
                    raise Refused(message.format(name=product.name))
                check_quantity(product, qty_milli)
                if cost_ore is not None:
                    self._check_price(cost_ore)
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
            )
        return delivery_id

    def adjust(
        self, person: Person, product_id: int, delta_milli: int, reason: str, note: str = ""
    ) -> None:
        """Waste, damage, theft, own use or a count correction, as a journaled movement."""
        permissions.require(self.db, self.journal, person, Permission.STOCK)
        if reason not in REASONS:
            raise Refused(_("Choose a reason for the stock adjustment."))
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
            )

    # -- stocktake (kassa_tui.stock.stocktake) -----------------------------------------------------

    def open_count(self) -> Count | None:
        return self.stocktakes.open_count()

    def start_count(self, person: Person, group_code: str | None) -> Count:
        return self.stocktakes.start_count(person, group_code)

    def count(self, person: Person, count_id: int, product_id: int, qty_milli: int) -> int:
        return self.stocktakes.count(person, count_id, product_id, qty_milli)

    def set_count(self, person: Person, count_id: int, product_id: int, qty_milli: int) -> None:
        self.stocktakes.set_count(person, count_id, product_id, qty_milli)

    def variances(self, count_id: int) -> list[Variance]:
        return self.stocktakes.variances(count_id)

    def post_count(self, person: Person, count_id: int, *, zero_uncounted: bool = False) -> int:
        return self.stocktakes.post_count(person, count_id, zero_uncounted=zero_uncounted)

    def cancel_count(self, person: Person, count_id: int) -> None:
        self.stocktakes.cancel_count(person, count_id)

    # -- products ----------------------------------------------------------------------------

    def _check_name(self, name: str) -> str:
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise Refused(_("A product name is 1 to {n} characters.").format(n=MAX_NAME))
        return name

    def _group_id(self, code: str) -> int:
        row = self.db.execute_sql("SELECT id FROM product_group WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise Refused(_("There is no product group {code}.").format(code=code))
        return int(row[0])

    def _check_vat(self, vat_bp: int) -> None:
        if vat_bp not in self.config.vat_rates_bp:
            raise Refused(_("That VAT rate is not one of the till's rates."))

    def _check_price(self, price_ore: int) -> None:
        if not 0 <= price_ore <= MAX_PRICE_ORE:
            raise Refused(_("A price is between 0 and 1 000 000 kr."))

    def _check_reorder(self, unit: str, qty_milli: int) -> None:
        if not 0 <= qty_milli <= 9_999_000 or (unit != "kg" and qty_milli % QTY_ONE):
            raise Refused(_("A reorder point is 0 to 9999 (whole units unless weighed)."))

    def _check_barcodes(self, barcodes: list[str], product_id: int | None) -> list[str]:
        """Valid EAN-8/EAN-13s (a UPC-A is stored as its EAN-13), not another product's."""
        checked: list[str] = []
        for raw in barcodes:
            try:
                scanned = classify(raw, self.config.embedded)
            except BadCode as exc:
                message = _("Barcode {code} not accepted ({reason}).")
                raise Refused(message.format(code=exc.code, reason=exc.reason)) from None
            code = scanned.code
            if scanned.kind == "embedded":
                message = _("Barcode {code} is in the range of weight and price labels.")
                raise Refused(message.format(code=code))
            if scanned.kind != "ean" or len(code) not in (8, 13):
                raise Refused(_("{code} is not an EAN-8 or EAN-13.").format(code=code))
            owner = self.db.execute_sql(
                "SELECT p.name FROM barcode b JOIN product p ON p.id = b.product_id"
                " WHERE b.code = ? AND p.id IS NOT ?",
                (code, product_id),
            ).fetchone()
            if owner is not None:
                message = _("Barcode {code} already belongs to {name}.")
                raise Refused(message.format(code=code, name=owner[0]))
            if code not in checked:
                checked.append(code)
        return checked

    def _check_plu(self, plu: str | None) -> str | None:
        text = (plu or "").strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit() and len(text) <= 6):
            raise Refused(_("A PLU is 1 to 6 digits."))
        text = text.lstrip("0") or "0"  # as the sale screen reads a typed PLU
        owner = self.db.execute_sql("SELECT name FROM product WHERE plu = ?", (text,)).fetchone()
        if owner is not None:
            raise Refused(_("PLU {plu} already belongs to {name}.").format(plu=text, name=owner[0]))
        return text

    def add_product(
        self,
        person: Person,
        *,
        name: str,
        group_code: str,
        vat_bp: int,
        price_ore: int,
        barcodes: list[str],
        plu: str | None = None,
        unit: str = "stk",
        reorder_point_milli: int = 0,
    ) -> int:
        """A new product, searchable at once; returns its id."""
        permissions.require(self.db, self.journal, person, Permission.PRODUCTS)
        name = self._check_name(name)
        if unit not in ("stk", "kg"):
            raise Refused(_("A unit is stk or kg."))
        self._check_vat(vat_bp)
        self._check_price(price_ore)
        self._check_reorder(unit, reorder_point_milli)
        with self.db.atomic("IMMEDIATE"):
            group_id = self._group_id(group_code)
            codes = self._check_barcodes(barcodes, None)
            plu = self._check_plu(plu)
            cursor = self.db.execute_sql(
                "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active,"
                " reorder_point_milli) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                (plu, name, group_id, vat_bp, price_ore, unit, reorder_point_milli),
            )
            product_id = int(cursor.lastrowid)
            for code in codes:
                self.db.execute_sql(
                    "INSERT INTO barcode (code, product_id) VALUES (?, ?)", (code, product_id)
                )
            reindex(self.db, [product_id])
            self.journal.write(
                Event.MASTER_DATA,
                user=person.number,
                action="add",
                product=product_id,
                plu=plu,
                name=name,
                group=group_code,
                vat_bp=vat_bp,
                price=price_ore,
                unit=unit,
                barcodes=codes,
                reorder_point_milli=reorder_point_milli,
            )
        return product_id

    def update_product(
        self,
        person: Person,
        product_id: int,
        *,
        name: str | None = None,
        group_code: str | None = None,
        vat_bp: int | None = None,
        price_ore: int | None = None,
        barcodes: list[str] | None = None,
        reorder_point_milli: int | None = None,
    ) -> None:
        """Change what is given; a price change and the other changes are journaled apart."""
        permissions.require(self.db, self.journal, person, Permission.PRODUCTS)
        with self.db.atomic("IMMEDIATE"):
            product = self.catalog.by_id(product_id)
            reorder = self.db.execute_sql(
                "SELECT reorder_point_milli FROM product WHERE id = ?", (product_id,)
            ).fetchone()[0]
            columns: dict[str, Any] = {}
            changed: dict[str, list[Any]] = {}
            if name is not None and (name := self._check_name(name)) != product.name:
                columns["name"], changed["name"] = name, [product.name, name]
            if group_code is not None and group_code != product.group_code:
                columns["group_id"] = self._group_id(group_code)
                changed["group"] = [product.group_code, group_code]
            if vat_bp is not None and vat_bp != product.vat_bp:
                self._check_vat(vat_bp)
                columns["vat_bp"], changed["vat_bp"] = vat_bp, [product.vat_bp, vat_bp]
            if reorder_point_milli is not None and reorder_point_milli != reorder:
                self._check_reorder(product.unit, reorder_point_milli)
                columns["reorder_point_milli"] = reorder_point_milli
                changed["reorder_point_milli"] = [reorder, reorder_point_milli]
            if price_ore is not None and price_ore != product.price_ore:
                self._check_price(price_ore)
                columns["price_ore"] = price_ore
            if barcodes is not None:
                old = self._barcodes(product_id)
                new = self._check_barcodes(barcodes, product_id)
                if set(new) != set(old):
                    self._replace_barcodes(product_id, old, new)
                    changed["barcodes"] = [old, sorted(new)]
            if columns:
                assignments = ", ".join(f"{column} = ?" for column in columns)
                self.db.execute_sql(
                    f"UPDATE product SET {assignments} WHERE id = ?",
                    [*columns.values(), product_id],
                )
            if not columns and not changed:
                return
            reindex(self.db, [product_id])
            if "price_ore" in columns:
                self.journal.write(
                    Event.PRICE_CHANGE,
                    user=person.number,
                    product=product_id,
                    plu=product.plu,
                    name=product.name,
                    old=product.price_ore,
                    new=price_ore,
                )
            if changed:
                self.journal.write(
                    Event.MASTER_DATA, user=person.number, product=product_id, changed=changed
                )

    def _replace_barcodes(self, product_id: int, old: list[str], new: list[str]) -> None:
        for code in old:
            if code not in new:
                self.db.execute_sql("DELETE FROM barcode WHERE code = ?", (code,))
        for code in new:
            if code not in old:
                self.db.execute_sql(
                    "INSERT INTO barcode (code, product_id) VALUES (?, ?)", (code, product_id)
                )

    def set_active(self, person: Person, product_id: int, active: bool) -> None:
        """Stop or resume selling a product; products are never deleted (sales refer to them)."""
        permissions.require(self.db, self.journal, person, Permission.PRODUCTS)
        with self.db.atomic("IMMEDIATE"):
            product = self.catalog.by_id(product_id)
            if product.active == active:
                return
            self.db.execute_sql(
                "UPDATE product SET active = ? WHERE id = ?", (int(active), product_id)
            )
            reindex(self.db, [product_id])
            self.journal.write(
                Event.MASTER_DATA,
                user=person.number,
                action="active",
                product=product_id,
                name=product.name,
                changed={"active": [product.active, active]},
            )
