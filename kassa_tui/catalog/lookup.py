"""Finding a product by barcode or PLU, fast enough for a scanner on a 200,000-item catalog.

The lookups are plain SQL on unique indexes: Peewee's query building would cost more than the
lookup itself on this path (see docs/tech-notes.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.search import match_expression, terms
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _

_COLUMNS = (
    "p.id, p.plu, p.name, g.code, g.name, p.vat_bp, p.price_ore, p.unit, p.active"
    " FROM product p JOIN product_group g ON g.id = p.group_id"
)
_BY_BARCODE = f"SELECT {_COLUMNS} JOIN barcode b ON b.product_id = p.id WHERE b.code = ?"
_BY_PLU = f"SELECT {_COLUMNS} WHERE p.plu = ?"


@dataclass(frozen=True)
class ProductInfo:
    id: int
    plu: str | None
    name: str
    group_code: str
    group_name: str
    vat_bp: int
    price_ore: int
    unit: str
    active: bool

    @property
    def weighed(self) -> bool:
        return self.unit == "kg"


# Two unranked stages, each stopping at the limit: names that start with what was typed, then
# names that contain it anywhere. Ranking every match (bm25) costs ~2 µs a row, which is 400 ms
# when a common word matches most of a 200,000-product catalog; this stays under a millisecond.
_SEARCH = "SELECT rowid FROM product_search WHERE product_search MATCH ? LIMIT ?"


class Catalog:
    def __init__(self, database: SqliteDatabase) -> None:
        self.db = database

    def search(self, text: str, limit: int = 50) -> list[ProductInfo]:
        """Best matches first: an exact barcode or PLU, then name/code/group prefixes.

        Inactive products are found too (the lookup shows them as no longer sold).
        """
        text = text.strip()
        ids: list[int] = []
        if text.isdigit():
            for sql in (
                "SELECT product_id FROM barcode WHERE code = ?",
                "SELECT id FROM product WHERE plu = ?",
            ):
                row = self.db.execute_sql(sql, (text,)).fetchone()
                if row and row[0] not in ids:
                    ids.append(row[0])
        words = terms(text)
        if words:
            rest = "".join(f' AND "{word}"*' for word in words[1:])
            stages = (f'name : ^"{words[0]}"*' + rest, match_expression(text))
            for expression in stages:
                if len(ids) >= limit or expression is None:
                    break
                for (product_id,) in self.db.execute_sql(_SEARCH, (expression, limit)):
                    if product_id not in ids:
                        ids.append(product_id)
        return self.by_ids(ids[:limit])

    def by_ids(self, ids: list[int]) -> list[ProductInfo]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.execute_sql(f"SELECT {_COLUMNS} WHERE p.id IN ({marks})", ids).fetchall()
        found = {row[0]: _info(row) for row in rows}
        return [found[i] for i in ids if i in found]

    def by_id(self, product_id: int) -> ProductInfo:
        products = self.by_ids([product_id])
        if not products:
            raise Refused(_("That product no longer exists."))
        return products[0]

    def by_barcode(self, code: str) -> ProductInfo:
        return self._one(_BY_BARCODE, code)

    def by_plu(self, plu: str) -> ProductInfo:
        return self._one(_BY_PLU, plu)

    def _one(self, sql: str, key: str) -> ProductInfo:
        row = self.db.execute_sql(sql, (key,)).fetchone()
        if row is None:
            raise Refused(_("Unknown code {code}: nothing added.").format(code=key))
        product = _info(row)
        if not product.active:
            raise Refused(_("{name} is no longer sold.").format(name=product.name))
        return product


def _info(row: tuple[Any, ...]) -> ProductInfo:
    pid, plu, name, group_code, group_name, vat_bp, price_ore, unit, active = row
    return ProductInfo(
        pid, plu, name, group_code, group_name, vat_bp, price_ore, unit, bool(active)
    )
