"""Suppliers and each product's ordering facts: master data, changed by a shift lead.

A supplier has a code (ASKO), a name, a lead time (days from an order to its delivery) and a
review period (days between two orders); a product has at most one supplier, with the
supplier's article code, the pack it comes in (orders are whole packs) and the least order.
Every change is one transaction with its journal row (13021 MASTERDATA, as product changes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal

MAX_DAYS = 365
MAX_PACK = 10_000
MAX_CODE = 20
MAX_NAME = 80


@dataclass(frozen=True)
class Supplier:
    id: int
    code: str
    name: str
    lead_days: int
    review_days: int
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ProductSupplier:
    product_id: int
    supplier_id: int
    supplier_code: str
    pack_size: int
    min_order: int


_COLUMNS = "id, code, name, lead_days, review_days, email, phone"


def suppliers(db: SqliteDatabase) -> list[Supplier]:
    rows = db.execute_sql(f"SELECT {_COLUMNS} FROM supplier ORDER BY code").fetchall()
    return [Supplier(*row) for row in rows]


def find_supplier(db: SqliteDatabase, code: str) -> Supplier:
    """The supplier with `code` (any case); Refused if there is none."""
    row = db.execute_sql(
        f"SELECT {_COLUMNS} FROM supplier WHERE upper(code) = upper(?)", (code.strip(),)
    ).fetchone()
    if row is None:
        raise Refused(_("There is no supplier {code}.").format(code=code))
    return Supplier(*row)


def product_supplier(db: SqliteDatabase, product_id: int) -> ProductSupplier | None:
    row = db.execute_sql(
        "SELECT product_id, supplier_id, supplier_code, pack_size, min_order"
        " FROM product_supplier WHERE product_id = ?",
        (product_id,),
    ).fetchone()
    return None if row is None else ProductSupplier(*row)


def check_supplier(code: str, name: str, lead_days: int, review_days: int) -> None:
    """Refused, naming what is wrong, unless these make a supplier."""
    if not code.strip() or len(code.strip()) > MAX_CODE or " " in code.strip():
        raise Refused(_("A supplier's code is 1 to {n} letters or digits.").format(n=MAX_CODE))
    if not name.strip() or len(name.strip()) > MAX_NAME:
        raise Refused(_("A supplier's name is 1 to {n} characters.").format(n=MAX_NAME))
    if not 0 <= lead_days <= MAX_DAYS:
        raise Refused(_("The lead time must be 0 to {n} days.").format(n=MAX_DAYS))
    if not 1 <= review_days <= MAX_DAYS:
        raise Refused(_("The review period must be 1 to {n} days.").format(n=MAX_DAYS))


def check_pack(pack_size: int, min_order: int) -> None:
    if not 1 <= pack_size <= MAX_PACK:
        raise Refused(_("A pack size must be 1 to {n} units.").format(n=MAX_PACK))
    if not 0 <= min_order <= MAX_PACK * 100:
        raise Refused(_("A least order must be 0 to {n} units.").format(n=MAX_PACK * 100))


def add_supplier(
    db: SqliteDatabase,
    journal: Journal,
    person: Person | None,
    supplier: Supplier,
) -> Supplier:
    """A new supplier (its id ignored); journaled. `person` None: the demo loading its shop."""
    check_supplier(supplier.code, supplier.name, supplier.lead_days, supplier.review_days)
    if person is not None:
        permissions.require(db, journal, person, Permission.PRODUCTS)
    code = supplier.code.strip().upper()
    with db.atomic("IMMEDIATE"):
        taken = db.execute_sql("SELECT 1 FROM supplier WHERE upper(code) = ?", (code,)).fetchone()
        if taken:
            raise Refused(_("There is already a supplier {code}.").format(code=code))
        cursor = db.execute_sql(
            "INSERT INTO supplier (code, name, lead_days, review_days, email, phone)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                code,
                supplier.name.strip(),
                supplier.lead_days,
                supplier.review_days,
                supplier.email.strip(),
                supplier.phone.strip(),
            ),
        )
        made = find_supplier(db, code)
        assert made.id == cursor.lastrowid
        journal.write(
            Event.MASTER_DATA,
            user=person.number if person else None,
            supplier=made.code,
            name=made.name,
            lead_days=made.lead_days,
            review_days=made.review_days,
        )
    return made


def change_supplier(
    db: SqliteDatabase,
    journal: Journal,
    person: Person,
    code: str,
    *,
    name: str | None = None,
    lead_days: int | None = None,
    review_days: int | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Supplier:
    """Change a supplier's name, lead time, review period, e-mail or phone; journaled."""
    old = find_supplier(db, code)
    new = Supplier(
        old.id,
        old.code,
        old.name if name is None else name.strip(),
        old.lead_days if lead_days is None else lead_days,
        old.review_days if review_days is None else review_days,
        old.email if email is None else email.strip(),
        old.phone if phone is None else phone.strip(),
    )
    check_supplier(new.code, new.name, new.lead_days, new.review_days)
    permissions.require(db, journal, person, Permission.PRODUCTS)
    with db.atomic("IMMEDIATE"):
        db.execute_sql(
            "UPDATE supplier SET name = ?, lead_days = ?, review_days = ?, email = ?, phone = ?"
            " WHERE id = ?",
            (new.name, new.lead_days, new.review_days, new.email, new.phone, new.id),
        )
        journal.write(
            Event.MASTER_DATA,
            user=person.number,
            supplier=new.code,
            before=[old.name, old.lead_days, old.review_days, old.email, old.phone],
            after=[new.name, new.lead_days, new.review_days, new.email, new.phone],
        )
    return new


def set_product_supplier(
    db: SqliteDatabase,
    journal: Journal,
    person: Person | None,
    product_id: int,
    supplier: Supplier,
    pack_size: int = 1,
    min_order: int = 0,
    supplier_code: str = "",
    *,
    write_journal: bool = True,
) -> None:
    """`product_id` is ordered from `supplier` in packs of `pack_size`, at least `min_order`
    units; journaled unless the caller journals it (an import's row, the demo)."""
    check_pack(pack_size, min_order)
    if person is not None:
        permissions.require(db, journal, person, Permission.PRODUCTS)
    with db.atomic("IMMEDIATE"):
        old = product_supplier(db, product_id)
        db.execute_sql(
            "INSERT INTO product_supplier (product_id, supplier_id, supplier_code, pack_size,"
            " min_order) VALUES (?, ?, ?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET"
            " supplier_id = excluded.supplier_id, supplier_code = excluded.supplier_code,"
            " pack_size = excluded.pack_size, min_order = excluded.min_order",
            (product_id, supplier.id, supplier_code.strip(), pack_size, min_order),
        )
        if write_journal:
            plu = db.execute_sql("SELECT plu FROM product WHERE id = ?", (product_id,)).fetchone()
            journal.write(
                Event.MASTER_DATA,
                user=person.number if person else None,
                product=plu[0] if plu else product_id,
                supplier=supplier.code,
                before=None
                if old is None
                else [old.supplier_id, old.pack_size, old.min_order, old.supplier_code],
                after=[supplier.id, pack_size, min_order, supplier_code.strip()],
            )


def load_demo_suppliers(db: SqliteDatabase, folder: Path) -> None:
    """The demo shop's suppliers (demo_suppliers.csv) and, per product group, who delivers its
    counted products in which packs (demo_supplier_groups.csv). Call in a transaction."""
    if not db.table_exists("supplier"):
        return  # a database before schema 11 (the upgrade tests build one)
    with open(folder / "demo_suppliers.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            db.execute_sql(
                "INSERT INTO supplier (code, name, lead_days, review_days, email, phone)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    row["code"],
                    row["name"],
                    int(row["lead_days"]),
                    int(row["review_days"]),
                    row["email"],
                    row["phone"],
                ),
            )
    with open(folder / "demo_supplier_groups.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            db.execute_sql(
                "INSERT INTO product_supplier (product_id, supplier_id, supplier_code, pack_size,"
                " min_order) SELECT p.id, s.id, s.code || '-' || p.plu, ?, ? FROM product p"
                " JOIN product_group g ON g.id = p.group_id, supplier s"
                " WHERE g.code = ? AND s.code = ? AND p.unit = 'stk'",
                (int(row["pack_size"]), int(row["min_order"]), row["group"], row["supplier"]),
            )
