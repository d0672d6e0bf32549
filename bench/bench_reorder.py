"""The insight screen's Reorder tab on the benchmark's year (issue 16, "orders"): the proposal
for one supplier of the 2,000 products sold most often in the last 90 days (lead 2 + review 7
days), as the tab computes it (kassa_tui.ordering.suggest: half a year of daily demand, the
forecast twice: ahead and for the error's 28 days), beside a raw-SQL floor (the same products'
units per day over the same half year, fetched). The year's database is opened read-only; the
supplier and the (empty) purchase orders live in an attached in-memory database.
Target: <= 1 s (read in a worker thread: the till never waits).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchlib import Row, Summary, verdict

from kassa_tui.core.clock import Clock, parse_utc
from kassa_tui.ordering.suggest import HISTORY_DAYS, suggest
from kassa_tui.ordering.suppliers import Supplier

TAB_S = 1.0
PRODUCTS = 2000

_TABLES = (
    "CREATE TABLE o.supplier (id INTEGER PRIMARY KEY, code TEXT, name TEXT, lead_days INTEGER,"
    " review_days INTEGER, email TEXT DEFAULT '', phone TEXT DEFAULT '')",
    "CREATE TABLE o.product_supplier (product_id INTEGER PRIMARY KEY, supplier_id INTEGER,"
    " supplier_code TEXT DEFAULT '', pack_size INTEGER DEFAULT 1, min_order INTEGER DEFAULT 0)",
    "CREATE TABLE o.purchase_order (id INTEGER PRIMARY KEY, register_id TEXT, number INTEGER,"
    " supplier_id INTEGER, user_number INTEGER, created_utc TEXT, local_date TEXT)",
    "CREATE TABLE o.purchase_order_line (id INTEGER PRIMARY KEY, order_id INTEGER,"
    " product_id INTEGER, qty INTEGER, pack_size INTEGER, cost_ore INTEGER, suggested INTEGER,"
    " reason TEXT)",
    "CREATE TABLE o.purchase_order_event (id INTEGER PRIMARY KEY, order_id INTEGER, status TEXT,"
    " user_number INTEGER, created_utc TEXT)",
    "CREATE TABLE o.purchase_order_receipt (id INTEGER PRIMARY KEY, order_id INTEGER,"
    " delivery_id INTEGER, product_id INTEGER, qty INTEGER, created_utc TEXT)",
)


def _timed(action: Callable[[], Any], runs: int) -> Summary:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return Summary.of(seconds, 100)


def reorder_rows(year_db: Path, runs: int) -> tuple[list[Row], list[str]]:
    conn = sqlite3.connect(f"file:{year_db}?mode=ro", uri=True)
    conn.execute("ATTACH ':memory:' AS o")
    for sql in _TABLES:
        conn.execute(sql)
    last_utc = conn.execute("SELECT MAX(completed_utc) FROM sale").fetchone()[0]
    now = parse_utc(last_utc)
    since = (now.utc - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%S")
    top = [
        pid
        for (pid,) in conn.execute(
            "SELECT l.product_id FROM sale s JOIN sale_line l ON l.sale_id = s.id"
            " WHERE s.completed_utc >= ? GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT ?",
            (since, PRODUCTS),
        )
    ]
    conn.execute("INSERT INTO o.supplier VALUES (1, 'BIG', 'Grossisten', 2, 7, '', '')")
    conn.executemany("INSERT INTO o.product_supplier VALUES (?, 1, '', 6, 0)", [(p,) for p in top])
    supplier = Supplier(1, "BIG", "Grossisten", 2, 7)
    clock = Clock(lambda: now.utc + timedelta(hours=8))  # the next morning
    half_year = (now.utc - timedelta(days=HISTORY_DAYS)).strftime("%Y-%m-%dT%H:%M:%S")
    marks = ",".join(str(p) for p in top)

    def floor() -> None:
        conn.execute(
            "SELECT l.product_id, s.local_date, SUM(l.qty_milli) FROM sale s"
            " JOIN sale_line l ON l.sale_id = s.id WHERE s.training = 0"
            f" AND s.completed_utc >= ? AND l.product_id IN ({marks}) GROUP BY 1, 2",
            (half_year,),
        ).fetchall()

    proposal = suggest(conn, clock, supplier)
    kassa = _timed(lambda: suggest(conn, clock, supplier), runs)
    rows = [
        Row(
            f"insight Reorder tab, one supplier of {len(top)} products, year db, s, n={runs}"
            " (p99 col = max)",
            kassa,
            _timed(floor, runs),
            target=f"≤ {TAB_S:.0f} s",
            verdict=verdict([("1 s", kassa.top <= TAB_S)]),
        )
    ]
    notes = [
        f"insight Reorder tab: {len(proposal.to_order)} of {len(proposal.lines)} products "
        "proposed (half a year of demand, two forecasts)"
    ]
    conn.close()
    return rows, notes


if __name__ == "__main__":
    import sys

    for row in reorder_rows(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)[0]:
        print(row.measure, row.kassa, row.floor, row.verdict)
