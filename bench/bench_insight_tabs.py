"""The insight screen's tabs on the benchmark's year (issue 16, "insight"): the figures each tab
reads (kassa_tui.insight.figures) beside a raw-SQL floor, in bench_insight.py's run.

- Sales tab: `sales_figures` (3 comparisons = 6 periods, 90 days, busy hours); floor: one
  GROUP BY per business day over the same 90 days in raw sqlite3 (no gift cards, no hours).
- Products tab: `product_figures` (90 days per product, trend, cover, ABC, dead stock); floor:
  the per-product GROUP BY of the same lines in raw sqlite3, fetched (no stock, no ABC).
Target: each tab <= 1 s. The screen reads them in a worker thread: the till never waits.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from benchlib import Row, Summary, verdict
from peewee import SqliteDatabase

from kassa_tui.core.clock import Instant, parse_utc
from kassa_tui.insight import figures
from kassa_tui.insight.product_table import product_figures, product_table

TAB_S = 1.0


def _timed(action: Callable[[], Any], runs: int) -> Summary:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return Summary.of(seconds, 100)


def tab_rows(year_db: Path, runs: int) -> tuple[list[Row], list[str]]:
    db = SqliteDatabase(f"file:{year_db}?mode=ro", uri=True)
    conn = sqlite3.connect(f"file:{year_db}?mode=ro", uri=True)
    last_utc = conn.execute("SELECT MAX(completed_utc) FROM sale").fetchone()[0]
    now: Instant = parse_utc(last_utc)
    start = datetime.fromtimestamp(now.utc.timestamp() - 89 * 86400).strftime("%Y-%m-%d")
    bounds = (f"{start}T03:00:00.000000Z", last_utc + "~")

    def sales_floor() -> None:
        conn.execute(
            "SELECT date(local_date || ' ' || local_time, '-4 hours'), SUM(total_ore)"
            " FROM sale WHERE training = 0 AND completed_utc >= ? AND completed_utc < ?"
            " GROUP BY 1",
            bounds,
        ).fetchall()

    def products_floor() -> None:
        conn.execute(
            "SELECT l.product_id, SUM(l.qty_milli), SUM(l.amount_ore), MAX(s.completed_utc)"
            " FROM sale s JOIN sale_line l ON l.sale_id = s.id WHERE s.training = 0"
            " AND s.completed_utc >= ? AND s.completed_utc < ? GROUP BY l.product_id",
            bounds,
        ).fetchall()

    sales = _timed(lambda: figures.sales_figures(db, now), runs)
    # What the tab reads (insight.product_table, held compactly); `kassa report products`
    # makes a ProductRow of each row on top (product_table.product_figures), timed beside it.
    products = _timed(lambda: product_table(db, now), runs)
    report = _timed(lambda: product_figures(db, now), runs)
    found = product_table(db, now)
    rows = [
        Row(
            f"insight Sales tab figures, year db, 90 days, s, n={runs} (p99 col = max)",
            sales,
            _timed(sales_floor, runs),
            target=f"≤ {TAB_S:.0f} s",
            verdict=verdict([("1 s", sales.top <= TAB_S)]),
        ),
        Row(
            f"insight Products tab figures, year db, 90 days, s, n={runs} (p99 col = max)",
            products,
            _timed(products_floor, runs),
            target=f"≤ {TAB_S:.0f} s",
            verdict=verdict([("1 s", products.top <= TAB_S)]),
        ),
        Row(
            f"kassa report products' figures (every row a ProductRow), year db, s, n={runs}"
            " (p99 col = max)",
            report,
            _timed(products_floor, runs),
            target="—",
            verdict="—",
        ),
    ]
    notes = [
        f"insight Products tab: {len(found)} products listed (sold in 90 days, then dead "
        f"stock), {found.dead_count} with dead stock"
    ]
    from bench_reorder import reorder_rows  # the Reorder tab (issue 16, "orders")

    more, said = reorder_rows(year_db, runs)
    rows += more
    notes += said
    db.close()
    conn.close()
    return rows, notes
