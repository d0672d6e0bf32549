"""The insight screen's Products table read in a process of its own (issue 16, «Speed»: the
till's peak memory with the insight screen open); the Sales tab's sums read on a connection of
the screen's thread (SQLite sums them: a few hundred rows, shown at once).

On the benchmark's year the Products read (insight.product_table) takes the process's RSS up by
~61 MB at its peak while what it keeps is ~13 MB: SQLite's sort of 145,662 rows and the heap
the fetched rows leave behind. Here a child process (kassa_tui.insight.apart, as the Together
and Reorder tabs' counts) reads the table on a read-only connection and pickles the result (numpy
columns and a few strings) through a pipe; the till loads it as it comes. The figures are the
same objects as in-process. If the child cannot run, the till reads them itself (and logs why).
"""

from __future__ import annotations

from pathlib import Path

from peewee import SqliteDatabase

from kassa_tui.core.clock import parse_utc
from kassa_tui.insight import apart
from kassa_tui.insight.figures import SalesFigures, sales_figures
from kassa_tui.insight.product_table import ProductTable, product_table


def sales_here(database: Path | str, now_utc: str, cutoff: int) -> SalesFigures:
    """The Sales tab's figures on a read-only connection of this thread: SQLite sums them, a
    few hundred rows come back (no child needed: the screen shows them at once)."""
    db = SqliteDatabase(str(database), pragmas={"query_only": 1})
    try:
        return sales_figures(db, parse_utc(now_utc), cutoff)
    finally:
        db.close()


def products_here(database: Path | str, now_utc: str, cutoff: int) -> ProductTable:
    """The Products tab's table on a read-only connection of this thread."""
    db = SqliteDatabase(str(database), pragmas={"query_only": 1})
    try:
        return product_table(db, parse_utc(now_utc), cutoff)
    finally:
        db.close()


def products_apart(database: Path | str, now_utc: str, cutoff: int) -> ProductTable:
    """products_here in a child process (its read's peak is the child's), read here (and
    logged) if the child fails."""
    found: ProductTable = apart.run_apart(
        "kassa_tui.insight.figures_apart:products_here", (str(database), now_utc, cutoff)
    )
    return found
