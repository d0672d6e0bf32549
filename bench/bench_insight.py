#!/usr/bin/env python3
"""Insight on the till: demand forecasts for 5,000 active products (target <= 5 s), each beside a
plain-numpy floor in the same run.

    python bench/bench_insight.py [--products 5000] [--days 182] [--runs 5] [--year-db PATH]

- forecast, 5,000 products x 182 days: `kassa_tui.insight.forecast.forecast` (classes, weekday
  profiles, the smoothing grid per class, 14 days ahead) on a generated demand matrix of the
  shape the test shop has (fast movers with a weekday rhythm and trend, slow movers, lumpy
  ones, closed Sundays). The floor is plain numpy on the same matrix: one simple exponential
  smoothing pass (one alpha, no classes, no profile, no grid) and "same as last week".
- backtest, the same matrix: 3 origins x 28 days, kassa and seasonal naive scored.
- with --year-db (the benchmark's year, bench/results/year-200k.db; opened read-only):
  `daily_demand` of the last 182 days for the products sold on >= 4 days (what `kassa
  forecast` reads) and its forecast; the floor is the same GROUP BY in raw sqlite3 into a
  numpy matrix (no business days, no stock-outs, no labels).

Prints a markdown table like the other benchmarks. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from benchlib import Row, Summary, markdown_table, verdict

from kassa_tui.insight.backtest import backtest
from kassa_tui.insight.demand import Demand, daily_demand
from kassa_tui.insight.forecast import NEW_SALES, forecast, seasonal_naive

FORECAST_S = 5.0
HORIZON = 14
WEEKDAY = np.array([0.8, 0.85, 0.9, 1.0, 1.25, 1.6, 0.0])


def generated(n: int, days: int, seed: int = 16) -> Demand:
    """n products x days of demand: a third fast, half slow, the rest lumpy; Sundays closed."""
    rng = np.random.default_rng(seed)
    start = date(2026, 3, 2)
    weekday = np.array([(start + timedelta(days=i)).weekday() for i in range(days)])
    season = WEEKDAY[weekday][None, :]
    kind = rng.choice(3, n, p=[1 / 3, 1 / 2, 1 / 6])
    mean = np.where(kind == 0, rng.uniform(2, 30, n), rng.uniform(0.05, 0.6, n))[:, None]
    trend = 1 + rng.uniform(-0.3, 0.4, n)[:, None] * (np.arange(days) / days)[None, :]
    qty = rng.poisson(mean * trend * season).astype(float)
    lumpy = kind == 2
    qty[lumpy] = np.where(
        rng.random((lumpy.sum(), days)) < 0.1 * season, rng.integers(1, 15, (lumpy.sum(), days)), 0
    )
    qty[:, weekday == 6] = np.nan
    return Demand(
        np.arange(1, n + 1),
        [str(i) for i in range(n)],
        [f"Vare {i}" for i in range(n)],
        [(start + timedelta(days=i)).isoformat() for i in range(days)],
        weekday,
        qty,
        np.nan_to_num(qty) * 2990,
        weekday != 6,
        np.zeros(qty.shape, bool),
    )


def floor_forecast(demand: Demand, horizon: int) -> np.ndarray:
    """Plain numpy: one simple-exponential-smoothing pass over all products, and last week."""
    qty = demand.qty
    level = np.nan_to_num(qty[:, 0])
    for t in range(qty.shape[1]):
        value = qty[:, t]
        level = np.where(np.isnan(value), level, level + 0.1 * (value - level))
    naive = seasonal_naive(demand, horizon)
    return np.asarray(level[:, None] + 0 * naive)


def timed(action: Callable[[], Any], runs: int) -> tuple[Summary, Any]:
    seconds = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    return Summary.of(seconds, 100), result


def raw_group_by(conn: sqlite3.Connection, first: str, last: str) -> np.ndarray:
    """The floor of daily_demand: one GROUP BY by local date into a dense matrix."""
    rows = conn.execute(
        "SELECT l.product_id, s.local_date, SUM(l.qty_milli) FROM sale s "
        "JOIN sale_line l ON l.sale_id = s.id WHERE s.local_date BETWEEN ? AND ? "
        "GROUP BY l.product_id, s.local_date",
        (first, last),
    ).fetchall()
    pid = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    day = np.fromiter(
        ((date.fromisoformat(r[1]) - date.fromisoformat(first)).days for r in rows),
        np.int64,
        len(rows),
    )
    qty = np.fromiter((r[2] for r in rows), np.float64, len(rows)) / 1000
    ids, row = np.unique(pid, return_inverse=True)
    sale_days = np.bincount(row, minlength=len(ids))
    keep = sale_days[row] >= NEW_SALES
    ids, row = np.unique(pid[keep], return_inverse=True)
    grid = np.zeros((len(ids), (date.fromisoformat(last) - date.fromisoformat(first)).days + 1))
    np.add.at(grid, (row, day[keep]), qty[keep])
    return grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year-db", type=Path, default=None)
    args = parser.parse_args()
    notes: list[str] = []
    rows: list[Row] = []

    demand = generated(args.products, args.days)
    kassa, made = timed(lambda: forecast(demand, HORIZON), args.runs)
    floor, _ = timed(lambda: floor_forecast(demand, HORIZON), args.runs)
    rows.append(
        Row(
            f"forecast, {args.products} products x {args.days} days, {HORIZON} days ahead, s, "
            f"n={args.runs} (p99 col = max)",
            kassa,
            floor,
            target=f"≤ {FORECAST_S:.0f} s",
            verdict=verdict([("5 s", kassa.top <= FORECAST_S)]),
        )
    )
    classes = {k: made.klass.count(k) for k in sorted(set(made.klass))}
    notes.append(f"classes of the generated products: {classes}; chosen {made.parameters}")
    kassa_bt, result = timed(lambda: backtest(demand, 28, 3), max(1, args.runs // 2))
    rows.append(
        Row(
            f"backtest, {args.products} products, 3 origins x 28 days (kassa + naive), s",
            kassa_bt,
        )
    )
    notes.append(
        f"backtest on the generated matrix: kassa weighted RMSSE {result.kassa.rmsse:.3f}, "
        f"WAPE {result.kassa.wape:.1%}, bias {result.kassa.bias:+.1%}; same as last week "
        f"{result.naive.rmsse:.3f}, {result.naive.wape:.1%}, {result.naive.bias:+.1%}"
    )

    if args.year_db is not None:
        conn = sqlite3.connect(f"file:{args.year_db}?mode=ro", uri=True)
        last = conn.execute("SELECT MAX(business_date) FROM z_report").fetchone()[0]
        first = (date.fromisoformat(last) - timedelta(days=args.days - 1)).isoformat()
        read, year = timed(
            lambda: daily_demand(conn, first, last, min_sale_days=NEW_SALES), args.runs
        )
        raw, grid = timed(lambda: raw_group_by(conn, first, last), args.runs)
        rows.append(
            Row(
                f"daily demand read, year db, {first}–{last}, products sold on ≥ {NEW_SALES} "
                f"days ({len(year)}), s, n={args.runs} (p99 col = max)",
                read,
                raw,
            )
        )
        year_fc, year_made = timed(lambda: forecast(year, HORIZON), args.runs)
        rows.append(Row(f"forecast, year db ({len(year)} products), s", year_fc))
        notes.append(
            f"year db: {len(year)} products read (raw floor {grid.shape[0]}), classes "
            f"{ {k: year_made.klass.count(k) for k in sorted(set(year_made.klass))} }"
        )
        from bench_pairs import pair_rows  # what goes together (issue 16, "together")

        more, said = pair_rows(args.year_db, max(1, args.runs // 2))
        rows += more
        notes += said
        from bench_insight_tabs import tab_rows  # the insight screen's tabs (issue 16, "insight")

        more, said = tab_rows(args.year_db, max(1, args.runs // 2))
        rows += more
        notes += said
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    notes.append(f"peak RSS of this process (VmHWM): {peak:.0f} MB")
    print(markdown_table(rows))
    print()
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
