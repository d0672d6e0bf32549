"""Product maintenance: adding a product, changing it, taking it off sale.

Products are the shop's fixed data. Every change is one transaction with its journal row: a
price change as event 13021 (kassasystemforskrifta § 2-7), anything else as master data. A
product is never deleted, since sales refer to it; it is set inactive instead. Who may is the
permission matrix's (kassa_tui.people.permissions, PRODUCTS).
"""

from __future__ import annotations

from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.barcodes import BadCode, classify
from kassa_tui.catalog.lookup import Catalog
from kassa_tui.catalog.search import reindex
from kassa_tui.club.barcodes import clash as club_clash
from kassa_tui.config import Config
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal

MAX_NAME = 80
MAX_PRICE_ORE = 100_000_000  # 1 000 000 kr
MAX_REORDER_MILLI = 9_999_000


def check_price(price_ore: int) -> None:
    """A selling price or a cost: 0 to 1 000 000 kr."""
    if not 0 <= price_ore <= MAX_PRICE_ORE:
        raise Refused(_("A price is between 0 and 1 000 000 kr."))


def barcodes_of(database: SqliteDatabase, product_id: int) -> list[str]:
    """A product's barcodes, in code order."""
    rows = database.execute_sql(
        "SELECT code FROM barcode WHERE product_id = ? ORDER BY code", (product_id,)
    )
    return [code for (code,) in rows.fetchall()]


class Products:
    """Adds, changes and deactivates products, each change checked and journaled."""

    def __init__(
        self, database: SqliteDatabase, config: Config, journal: Journal, catalog: Catalog
    ) -> None:
        self.db = database
        self.config = config
        self.journal = journal
        self.catalog = catalog

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
        check_price(price_ore)
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
                check_price(price_ore)
                columns["price_ore"] = price_ore
            if barcodes is not None:
                old = barcodes_of(self.db, product_id)
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

    # -- checks ------------------------------------------------------------------------------

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

    def _check_reorder(self, unit: str, qty_milli: int) -> None:
        if not 0 <= qty_milli <= MAX_REORDER_MILLI or (unit != "kg" and qty_milli % QTY_ONE):
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
            if why := club_clash(self.config.club, code):  # a member card's or offer's prefix
                raise Refused(why)
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

    def _replace_barcodes(self, product_id: int, old: list[str], new: list[str]) -> None:
        for code in old:
            if code not in new:
                self.db.execute_sql("DELETE FROM barcode WHERE code = ?", (code,))
        for code in new:
            if code not in old:
                self.db.execute_sql(
                    "INSERT INTO barcode (code, product_id) VALUES (?, ?)", (code, product_id)
                )
