"""The catalog export: every product streamed as a CSV the importer reads back.

The text columns (plu, ean, name, group, unit) go through `text_cell`, so a name such as
`=HYPERLINK(…)` is text to a spreadsheet; the importer takes that `'` off again. The number
columns (vat, price, cost, reorder) are written as numbers; group_saft is the group's SAF-T article
group code (04006), written as it is: the importer puts back a dropped leading zero.
"""

from __future__ import annotations

import csv
from typing import TextIO

from peewee import SqliteDatabase

from kassa_tui.core.cells import text_cell
from kassa_tui.core.money import format_kr, format_quantity

PRODUCT_FIELDS = (
    "plu",
    "ean",
    "name",
    "group",
    "vat",
    "price",
    "unit",
    "cost",
    "reorder",
    "group_saft",
    "pant",
)
EXPORT_HEADER = PRODUCT_FIELDS


def export_products(database: SqliteDatabase, out: TextIO) -> int:
    """The catalog as the importer reads it (UTF-8, ';', decimal comma), a row at a time."""
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    cursor = database.execute_sql(
        "SELECT p.plu, (SELECT group_concat(code, '|') FROM"
        " (SELECT code FROM barcode b WHERE b.product_id = p.id ORDER BY code)),"
        " p.name, g.code, p.vat_bp, p.price_ore, p.unit, p.cost_ore, p.reorder_point_milli,"
        " g.saft_group, (SELECT d.code FROM product_deposit pd JOIN deposit_type d"
        " ON d.id = pd.deposit_type_id WHERE pd.product_id = p.id)"
        " FROM product p JOIN product_group g ON g.id = p.group_id"
        " WHERE p.id NOT IN (SELECT product_id FROM deposit_type)"  # pant: kassa deposits
        " ORDER BY p.id"
    )
    count = 0
    for plu, codes, name, group, vat_bp, price, unit, cost, reorder, saft, pant in cursor:
        writer.writerow(
            (
                text_cell(plu or ""),
                text_cell(codes or ""),
                text_cell(name),
                text_cell(group),
                f"{vat_bp / 100:g}".replace(".", ","),
                format_kr(price, thousands=False),
                text_cell(unit),
                "" if cost is None else format_kr(cost, thousands=False),
                format_quantity(reorder),
                saft,
                pant or "",
            )
        )
        count += 1
    return count
