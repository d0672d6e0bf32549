"""Finding a product by barcode or PLU, fast enough for a scanner on a 200,000-item catalog.

The lookups are plain SQL on unique indexes: Peewee's query building would cost more than the
lookup itself on this path (see docs/tech-notes.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.errors import Refused
from kassa_tui.i18n import _

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


class Catalog:
    def __init__(self, database: SqliteDatabase) -> None:
        self.db = database

    def by_barcode(self, code: str) -> ProductInfo:
        return self._one(_BY_BARCODE, code)

    def by_plu(self, plu: str) -> ProductInfo:
        return self._one(_BY_PLU, plu)

    def _one(self, sql: str, key: str) -> ProductInfo:
        row = self.db.execute_sql(sql, (key,)).fetchone()
        if row is None:
            raise Refused(_("Unknown code {code}: nothing added.").format(code=key))
        pid, plu, name, group_code, group_name, vat_bp, price_ore, unit, active = row
        product = ProductInfo(
            pid, plu, name, group_code, group_name, vat_bp, price_ore, unit, bool(active)
        )
        if not product.active:
            raise Refused(_("{name} is no longer sold.").format(name=product.name))
        return product
