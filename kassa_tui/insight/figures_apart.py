"""The insight screen's Sales and Products figures read in a process of their own (issue 16,
«Speed»: the till's peak memory with the insight screen open).

On the benchmark's year the Products read (insight.product_table) takes the process's RSS up by
~61 MB at its peak while what it keeps is 24.6 MB: SQLite's sort of 145,662 rows and the heap
the fetched rows leave behind. Here a child process (kassa_tui.insight.apart, as the Together
and Reorder tabs' counts) reads them on a read-only connection and pickles the result (numpy
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


def compute_here(
    database: Path | str, now_utc: str, cutoff: int
) -> tuple[SalesFigures, ProductTable]:
    """Both tabs' figures on a read-only connection of this thread."""
    db = SqliteDatabase(str(database), pragmas={"query_only": 1})
    try:
        now = parse_utc(now_utc)
        return sales_figures(db, now, cutoff), product_table(db, now, cutoff)
    finally:
        db.close()


def compute_apart(
    database: Path | str, now_utc: str, cutoff: int
) -> tuple[SalesFigures, ProductTable]:
    """compute_here in a child process, its result pickled through a pipe (insight.apart; no
    file: /tmp may be memory on the till); read in this process (and logged) if the child fails."""
    found: tuple[SalesFigures, ProductTable] = apart.run_apart(
        "kassa_tui.insight.figures_apart:compute_here", (str(database), now_utc, cutoff)
    )
    return found
