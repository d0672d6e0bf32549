"""A product file's ordering columns: the supplier, its article code, pack size, least order.

`kassa import products` takes them as the pant column is taken: an empty cell leaves the
product's value alone; a supplier must exist (kassa order suppliers add); each product whose
ordering facts change gets a journal row (13021 MASTERDATA), in the import's transaction.
The rules and tables are kassa_tui.ordering's; this module only reads and writes the cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.core.i18n import _
from kassa_tui.records.journal import Event, Journal

#: Header names (folded) of the ordering columns.
SYNONYMS = {
    "supplier": "supplier leverandør leverandor leverandørkode leverandorkode levkode",
    "supplier_code": "suppliercode supplierarticle leverandørvarenr leverandorvarenr levvarenr"
    " levartnr",
    "pack_size": "pack packsize pakning forpakning kolli kollistørrelse antallperkolli",
    "min_order": "minorder minimumorder minstebestilling minbestilling",
}
MAX_PACK = 10_000


@dataclass(frozen=True, slots=True)
class OrderingCells:
    """What a row says about ordering; None: the cell is empty (leave the value alone)."""

    supplier: str | None
    supplier_code: str | None
    pack_size: int | None
    min_order: int | None

    @property
    def empty(self) -> bool:
        return self.supplier is None and self.pack_size is None and self.min_order is None


def ordering_cells(cell: Callable[[str], str], problems: list[str]) -> OrderingCells | None:
    """The row's ordering cells, checked; None when it has none. Bad ones add to `problems`."""
    supplier = cell("supplier").strip().upper() or None
    article = cell("supplier_code").strip() or None
    numbers: dict[str, int | None] = {}
    for key, least in (("pack_size", 1), ("min_order", 0)):
        text = cell(key).strip()
        numbers[key] = None
        if not text:
            continue
        if not text.isdigit() or not least <= int(text) <= MAX_PACK * 100:
            problems.append(_("bad {column} '{value}'").format(column=key, value=text))
            continue
        numbers[key] = int(text)
    if numbers["pack_size"] is not None and numbers["pack_size"] > MAX_PACK:
        problems.append(
            _("bad {column} '{value}'").format(column="pack_size", value=cell("pack_size"))
        )
    found = OrderingCells(supplier, article, numbers["pack_size"], numbers["min_order"])
    return None if found.empty and article is None else found


def unknown_supplier(db: SqliteDatabase, cells: OrderingCells | None) -> str | None:
    """Why a row's ordering cells cannot be taken (no such supplier), or None."""
    if cells is None or cells.supplier is None:
        return None
    if db.execute_sql("SELECT 1 FROM supplier WHERE upper(code) = ?", (cells.supplier,)).fetchone():
        return None
    return _("unknown supplier '{code}' (kassa order suppliers list)").format(code=cells.supplier)


def apply_ordering(
    db: SqliteDatabase, journal: Journal, rows: list[tuple[int, OrderingCells | None]]
) -> int:
    """Give each product its ordering facts, journaling each change as master data; inside
    the import's transaction. Returns how many products changed."""
    changed = 0
    for product_id, cells in rows:
        if cells is None:
            continue
        old = db.execute_sql(
            "SELECT s.code, ps.supplier_code, ps.pack_size, ps.min_order FROM product_supplier ps"
            " JOIN supplier s ON s.id = ps.supplier_id WHERE ps.product_id = ?",
            (product_id,),
        ).fetchone()
        if old is None and cells.supplier is None:
            continue  # a pack without a supplier for a product that has none: nothing to keep
        before = tuple(old) if old else (None, "", 1, 0)
        after = (
            cells.supplier or before[0],
            before[1] if cells.supplier_code is None else cells.supplier_code,
            before[2] if cells.pack_size is None else cells.pack_size,
            before[3] if cells.min_order is None else cells.min_order,
        )
        if after == before:
            continue
        db.execute_sql(
            "INSERT INTO product_supplier (product_id, supplier_id, supplier_code, pack_size,"
            " min_order) SELECT ?, id, ?, ?, ? FROM supplier WHERE upper(code) = ?"
            " ON CONFLICT (product_id) DO UPDATE SET supplier_id = excluded.supplier_id,"
            " supplier_code = excluded.supplier_code, pack_size = excluded.pack_size,"
            " min_order = excluded.min_order",
            (product_id, after[1], after[2], after[3], after[0]),
        )
        journal.write(
            Event.MASTER_DATA,
            action="import_supplier",
            product=product_id,
            before=list(before) if old else None,
            after=list(after),
        )
        changed += 1
    return changed
