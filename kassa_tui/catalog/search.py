"""Search as you type over a 200,000-product catalog: folded names, barcodes, PLU, group.

Norwegian letters are folded both ways before they reach the index and the query — æ→ae,
ø→o, å→a, accents dropped — so "romme" finds "Rømme", "blabaer" finds "Blåbær", and "Rømme"
still finds itself. The index is an FTS5 table keyed by product id, kept in step by the code
that writes products (demo loader, import, product maintenance).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from peewee import SqliteDatabase

_SPECIAL = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ß": "ss", "œ": "oe", "ð": "d", "þ": "th"})
_WORD = re.compile(r"[0-9a-z]+")
MIN_PREFIX = 1
MAX_TERMS = 6


def fold(text: str) -> str:
    """Lower case, Norwegian letters spelt out, accents dropped: what the index holds."""
    lowered = text.casefold().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    return _WORD.findall(fold(text))[:MAX_TERMS]


def match_expression(text: str) -> str | None:
    """An FTS5 query: every word as a prefix, all required. None when nothing is searchable."""
    words = terms(text)
    if not words:
        return None
    return " AND ".join(f'"{word}"*' for word in words)


_ROW = (
    "SELECT p.id, p.name, COALESCE(p.plu, ''), g.name,"
    " (SELECT group_concat(code, ' ') FROM barcode b WHERE b.product_id = p.id)"
    " FROM product p JOIN product_group g ON g.id = p.group_id WHERE p.id = ?"
)


def reindex(database: SqliteDatabase, product_ids: Iterable[int]) -> None:
    """Bring the search index up to date for these products; call inside their transaction."""
    cursor = database.cursor()
    for product_id in product_ids:
        row = cursor.execute(_ROW, (product_id,)).fetchone()
        cursor.execute("DELETE FROM product_search WHERE rowid = ?", (product_id,))
        if row is not None:
            _id, name, plu, group, codes = row
            cursor.execute(
                "INSERT INTO product_search (rowid, name, codes, grp) VALUES (?, ?, ?, ?)",
                (product_id, fold(name), f"{plu} {codes or ''}".strip(), fold(group)),
            )


def reindex_all(database: SqliteDatabase, batch: int = 5000) -> int:
    """Rebuild the whole index (migration, bulk import), streaming in batches of rows."""
    database.execute_sql("DELETE FROM product_search")
    reader = database.execute_sql(
        "SELECT p.id, p.name, COALESCE(p.plu, ''), g.name,"
        " (SELECT group_concat(code, ' ') FROM barcode b WHERE b.product_id = p.id)"
        " FROM product p JOIN product_group g ON g.id = p.group_id"
    )
    writer = database.cursor()
    count = 0
    while rows := reader.fetchmany(batch):
        writer.executemany(
            "INSERT INTO product_search (rowid, name, codes, grp) VALUES (?, ?, ?, ?)",
            [
                (pid, fold(name), f"{plu} {codes or ''}".strip(), fold(group))
                for pid, name, plu, group, codes in rows
            ],
        )
        count += len(rows)
    return count
