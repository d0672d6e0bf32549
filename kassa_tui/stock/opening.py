"""Opening stock journaled per product (issue 15): the levels a till starts from reach HQ.

The demo shop's shelf and `kassa import stock` bring products to a level with one movement
each; journaled only as a count (IMPORT) or not at all, HQ's ledger (deltas from the journal,
kassa_tui/hq/sql/0009_stock.sql) missed them and its level was the till's less the opening
stock. Each such movement is now also journaled as OPENINGSTOCK (13999 Other) whose `moves`
carry [code, delta_milli, name] per product, as a delivery's do (kassa_tui.stock.moves), at
most `PER_ROW` products a row; HQ derives them as reason 'opening' (0012_opening_stock.sql).
"""

from __future__ import annotations

from collections.abc import Sequence

from peewee import SqliteDatabase

from kassa_tui.records.journal import Journal

#: Stock levels a till starts from, per product (no code of its own in PredefinedBasicID-13).
OPENING_STOCK = ("13999", "OPENINGSTOCK")

#: Products a journal row carries (a row's text stays some tens of kB).
PER_ROW = 500

_IN_BATCH = 500


def _codes(database: SqliteDatabase, product_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """product id → (the code HQ keys stock by: first barcode, else PLU; the name)."""
    found: dict[int, tuple[str, str]] = {}
    unique = list(dict.fromkeys(product_ids))
    for start in range(0, len(unique), _IN_BATCH):
        batch = unique[start : start + _IN_BATCH]
        rows = database.execute_sql(
            "SELECT p.id, COALESCE((SELECT MIN(code) FROM barcode WHERE product_id = p.id),"
            " p.plu, CAST(p.id AS TEXT)), p.name FROM product p"
            f" WHERE p.id IN ({','.join('?' * len(batch))})",
            batch,
        ).fetchall()
        found.update({int(pid): (str(code), str(name)) for pid, code, name in rows})
    return found


def journal_opening(
    database: SqliteDatabase,
    journal: Journal,
    deltas: Sequence[tuple[int, int]],
    *,
    source: str,
    user: int | None = None,
) -> int:
    """Journal (product id, delta_milli) pairs as OPENINGSTOCK rows; call inside the
    transaction that writes the movements. Returns the number of rows written."""
    moved = [(pid, delta) for pid, delta in deltas if delta]
    if not moved:
        return 0
    codes = _codes(database, [pid for pid, _delta in moved])
    rows = 0
    for start in range(0, len(moved), PER_ROW):
        part = moved[start : start + PER_ROW]
        journal.write(
            OPENING_STOCK,
            user=user,
            source=source,
            moves=[[codes[pid][0], delta, codes[pid][1]] for pid, delta in part],
        )
        rows += 1
    return rows
