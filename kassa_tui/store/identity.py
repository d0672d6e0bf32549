"""Whose database this is: the shop's organisation number and the register, in the journal.

`kassa init` journals the shop's identity (SHOPIDENT, 13999: the code list has no event for it)
as the database's first use, so even a shop that never took a Z says whose it is. A restore
compares a backup's recorded org numbers (these rows and every Z's `company_ident`) with the
till's (store.restore), so another shop's backup is refused from its first day on.
"""

from __future__ import annotations

import sqlite3

from peewee import SqliteDatabase

from kassa_tui.records.journal import Journal

#: The journal row that records the shop's identity: 13999 "Other" in PredefinedBasicID-13.
SHOP_IDENTITY = ("13999", "SHOPIDENT")


def record_identity(database: SqliteDatabase, journal: Journal, org_nr: str) -> bool:
    """Journal the shop's org number for the journal's register, unless its newest identity
    row already names it; call inside a transaction. True when a row was written."""
    newest = database.execute_sql(
        "SELECT json_extract(text, '$.org_nr') FROM journal WHERE register_id = ?"
        " AND basic_id = ? AND json_valid(text) ORDER BY seq DESC LIMIT 1",
        (journal.register_id, SHOP_IDENTITY[1]),
    ).fetchone()
    if newest is not None and newest[0] == org_nr:
        return False
    journal.write(SHOP_IDENTITY, org_nr=org_nr, register=journal.register_id)
    return True


def recorded_org_numbers(conn: sqlite3.Connection) -> set[str]:
    """Every org number a database's identity rows name (none in a database from before them)."""
    return {
        str(org)
        for (org,) in conn.execute(
            "SELECT json_extract(text, '$.org_nr') FROM journal WHERE basic_id = ?"
            " AND json_valid(text)",
            (SHOP_IDENTITY[1],),
        )
        if org
    }
