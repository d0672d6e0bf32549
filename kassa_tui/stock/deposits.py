"""The import's pant column written (catalog.deposits keeps the deposit types themselves; this
room may journal)."""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.catalog.deposits import deposit_code_of, set_product_deposit
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal


def apply_deposits(db: SqliteDatabase, journal: Journal, rows: list[tuple[int, str | None]]) -> int:
    """Give each (product id, code) its deposit type ('' none), journaling each change as master
    data; inside the import's transaction. Returns how many products changed."""
    changed = 0
    for product_id, code in rows:
        if code is None or deposit_code_of(db, product_id) == code:
            continue
        set_product_deposit(db, product_id, code or None)
        journal.write(Event.MASTER_DATA, action="import_pant", product=product_id, deposit=code)
        changed += 1
    return changed


def set_pant_of_product(
    db: SqliteDatabase, journal: Journal, person: Person, product_id: int, code: str
) -> bool:
    """The product form's pant field: `code` a deposit type's, '' none. Journaled as master
    data when it changes; returns whether it did."""
    with db.atomic("IMMEDIATE"):
        if deposit_code_of(db, product_id) == code:
            return False
        permissions.require(db, journal, person, Permission.PRODUCTS)
        set_product_deposit(db, product_id, code or None)
        journal.write(
            Event.MASTER_DATA, user=person.number, action="pant", product=product_id, deposit=code
        )
    return True
