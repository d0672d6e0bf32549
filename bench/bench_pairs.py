#!/usr/bin/env python3
"""What goes together on the benchmark's year (issue 16: the pair analysis <= 5 s), beside a
floor in the same run; bench/bench_insight.py prints these rows with its own when given
--year-db, or run alone:

    python bench/bench_pairs.py --year-db bench/results/year-200k.db [--runs 3]

- kassa: `kassa_tui.insight.pairs.together` over the last 90 and 365 days (the period's sales,
  training and returns out, pant and gift cards out, each product once per receipt; numpy pair
  count; counts per product; names of the pairs kept), all pairs and one product's partners
  (what the Together tab asks).
- the same count as an SQL self-join (`pair_counts_sql`): the other way it could be done.
- floor: plain numpy on a raw read of every (sale_id, product_id) of sale_line, no filter, no
  names: the read and the pair count alone.

The database is opened read-only. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from benchlib import Row, Summary, markdown_table, verdict
from peewee import SqliteDatabase

from kassa_tui.insight import pairs

PAIRS_S = 5.0


def timed(action: Callable[[], Any], runs: int) -> tuple[Summary, Any]:
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    return Summary.of(seconds, 100), result


def floor(path: Path) -> int:
    """Every sale line's (sale, product), read raw and paired by plain numpy."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        table = np.array(conn.execute("SELECT sale_id, product_id FROM sale_line").fetchall())
    finally:
        conn.close()
    order = np.lexsort((table[:, 1], table[:, 0]))
    _a, _b, n = pairs.pair_counts(table[order, 0], table[order, 1])
    return len(n)


def pair_rows(year_db: Path, runs: int) -> tuple[list[Row], list[str]]:
    database = SqliteDatabase(f"file:{year_db}?mode=ro", uri=True)
    database.connect()
    rows: list[Row] = []
    notes: list[str] = []
    try:
        last = database.execute_sql("SELECT MAX(local_date) FROM sale").fetchone()[0]
        raw, _ = timed(lambda: floor(year_db), runs)
        top = database.execute_sql(
            "SELECT product_id FROM sale_line GROUP BY product_id ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()[0]
        for days in (90, 365):
            first, end = pairs.window(last, days)
            kassa, report = timed(
                lambda f=first, e=end: pairs.together(database, f, e, min_count=2), runs
            )
            rows.append(
                Row(
                    f"pairs, all, last {days} days ({report.baskets} receipts), s, n={runs}"
                    " (p99 col = max)",
                    kassa,
                    raw,
                    target=f"≤ {PAIRS_S:.0f} s",
                    verdict=verdict([("5 s", kassa.top <= PAIRS_S)]),
                )
            )
            notes.append(f"{days} days: {len(report.pairs)} rules on >= 2 receipts")
            sql, counted = timed(
                lambda f=first, e=end: pairs.pair_counts_sql(database, f, e, 2), runs
            )
            rows.append(
                Row(f"pairs as an SQL self-join, last {days} days, s", sql, raw, target="—")
            )
            notes.append(f"{days} days: SQL self-join {len(counted)} pairs on >= 2 receipts")
        first, end = pairs.window(last, 365)
        one, _ = timed(
            lambda: pairs.together(database, first, end, product_id=top, min_count=2), runs
        )
        rows.append(
            Row(
                "pairs, one product's partners (the Together tab), last 365 days, s",
                one,
                raw,
                target=f"≤ {PAIRS_S:.0f} s",
                verdict=verdict([("5 s", one.top <= PAIRS_S)]),
            )
        )
        notes.append("pairs floor: every sale line read raw and paired by numpy, no filter")
    finally:
        database.close()
    return rows, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year-db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows, notes = pair_rows(args.year_db, args.runs)
    print(markdown_table(rows))
    print()
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
