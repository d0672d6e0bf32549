"""Catalog import and export: the files a technician gets from a supplier or an old till.

Reading is forgiving (UTF-8 with or without BOM or Windows-1252, `;` `,` or tab, decimal comma
or dot, quoted fields, blank lines, Norwegian or English column names, an .xlsx workbook);
applying is strict. Each row is checked on its own and reported by its physical line number;
a rejected row is skipped, the rest go in one transaction with a journal row per price change
and per other change (event 13021), and one summary row.

Rows find their product by PLU first, then by barcode. The file's columns overwrite the
product's values (a non-empty barcode cell is the product's full list of barcodes); empty
optional cells and missing columns leave them alone; products missing from the file are never
touched. The file is read a chunk of rows at a time, looked up with indexed queries and written
with executemany: neither the catalog nor the file's rows are held in memory, only code → line
dictionaries to find duplicates.

The modules, in the order a file passes through them: `columns` (what a file's columns may be
called), `read` (bytes → records → a `Table` with its header mapped), `values` (one cell),
`rows` (one row of a product file), `plan` (new / changed / unchanged / rejected against the
database), `apply` (the product import's run and transaction), `report` (what it found),
`stock_levels` (the stock import) and `export` (the catalog out again).
"""

from __future__ import annotations

from kassa_tui.stock.importing.apply import ProductImport, import_products
from kassa_tui.stock.importing.columns import PRODUCT_COLUMNS, STOCK_COLUMNS, ColumnSpec, fold
from kassa_tui.stock.importing.export import EXPORT_HEADER, PRODUCT_FIELDS, export_products
from kassa_tui.stock.importing.read import Record, Table, UnreadableFile, read_table
from kassa_tui.stock.importing.report import IMPORT, ImportReport, Rejected, Sample
from kassa_tui.stock.importing.rows import ProductRow
from kassa_tui.stock.importing.stock_levels import import_stock
from kassa_tui.stock.importing.values import (
    parse_codes,
    parse_kroner,
    parse_milli,
    parse_plu,
    parse_vat,
)

__all__ = [
    "EXPORT_HEADER",
    "IMPORT",
    "PRODUCT_COLUMNS",
    "PRODUCT_FIELDS",
    "STOCK_COLUMNS",
    "ColumnSpec",
    "ImportReport",
    "ProductImport",
    "ProductRow",
    "Record",
    "Rejected",
    "Sample",
    "Table",
    "UnreadableFile",
    "export_products",
    "fold",
    "import_products",
    "import_stock",
    "parse_codes",
    "parse_kroner",
    "parse_milli",
    "parse_plu",
    "parse_vat",
    "read_table",
]
