"""A stock line as a journal row carries it to HQ: [code, delta_milli, name] (issue 15).

HQ keys stock by code (kassa_tui/hq/sql/0009_stock.sql): a product's first barcode, else its
PLU. Deliveries, counts, adjustments and transfers journal their deltas as `moves`, never a level.
"""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _


def stock_code(database: SqliteDatabase, product_id: int) -> str:
    """The code HQ keys a product's stock by: its first barcode, else its PLU."""
    row = database.execute_sql(
        "SELECT (SELECT MIN(code) FROM barcode WHERE product_id = p.id), p.plu, p.id"
        " FROM product p WHERE p.id = ?",
        (product_id,),
    ).fetchone()
    if row is None:
        raise Refused(_("That product no longer exists."))
    return str(row[0] or row[1] or row[2])


def moves_of(database: SqliteDatabase, deltas: list[tuple[ProductInfo, int]]) -> list[list[object]]:
    """The journal's `moves`: [code, delta_milli, name] per stock line."""
    return [[stock_code(database, p.id), delta, p.name] for p, delta in deltas]
