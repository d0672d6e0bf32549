"""Each sync round reads HQ's shop for this register (issue 15: the two must agree).

`register_shop` (kassa_tui/hq/sql/0024_register_shop.sql) answers a register's role with its
own register's shop; the till keeps it (kassa_tui.stock.own_shop), where transfers, `kassa sync`
and the sale screen's header read it. HQ out of reach, or an HQ before 0024 (no such function):
nothing is read and nothing changes. Like other sync alarms (a fork, a rolled-back journal) a
mismatch is a state the till shows, not a journal row.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from peewee import SqliteDatabase

from kassa_tui.stock.own_shop import remember

log = logging.getLogger("kassa.sync")


def read_from_hq(conn: psycopg.Connection[Any], register_id: str) -> str | None:
    """HQ's shop for this register, or None from an HQ without `register_shop` (before
    migration 0024). Other errors (the network, a role HQ does not know) are raised."""
    try:
        row = conn.execute("SELECT register_shop(%s)", (register_id,)).fetchone()
    except psycopg.errors.UndefinedFunction:
        if not conn.autocommit:
            conn.rollback()
        return None
    return str(row[0]) if row and row[0] else None


def learn(db: SqliteDatabase, conn: psycopg.Connection[Any], register_id: str) -> str | None:
    """One round's reading of HQ's shop, kept on the till; None when HQ has no such function
    or did not answer (logged): nothing changes then."""
    try:
        shop = read_from_hq(conn, register_id)
    except psycopg.Error as exc:
        log.warning("sync: HQ's shop for register %s not read: %s", register_id, exc)
        return None
    if shop is not None:
        remember(db, register_id, shop)
    return shop
