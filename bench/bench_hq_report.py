#!/usr/bin/env python3
"""`kassa hq report` on a head office's worth of sales: p50/p95 per report (target p95 <= 1 s).

    python bench/bench_hq_report.py [--shops 20] [--tills 3] [--days 90] [--sales 150] [--runs 20]
                                    [--load]

Starts a throwaway PostgreSQL (bench_hq.Cluster), applies HQ's migrations and generates, with
SQL, what `ingest` would have derived from shops x tills x days x sales a day (3 lines each):
the entries (a stand-in row each: this measures the reports, not ingest, which bench_hq.py
measures), sales, lines and stock deltas, then ANALYZE, and rolls them up into the day totals
the reports read (hq_rollup: timed apart, once; a report afterwards rolls up only what is
new). Each report runs `--runs` times through `kassa_tui.hq.report.report`, the function the
command calls: sales over a month for every shop, sales over a day for one shop, products over
a month, stock over a month; and pairs over the 90 days (kassa hq report pairs: the read and
the till's math, `--runs` / 4 times): from the pair day totals (0017: read_pairs, as the
command does; hq_pair_rollup timed apart, once), beside the way before (every basket read:
read_baskets) and the floor (the day totals' three sums in SQL alone, nothing in Python).
`--load` runs a busy loop on one core beside the measurements (a machine doing something else)
and prints the load average. Prints a markdown table. A benchmark, not a test: it asserts
nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from bench_hq import Cluster
from benchlib import percentile
from hq_stock_0013 import STOCK_0013, _months_0013

from kassa_tui.cli.hq_pairs import together
from kassa_tui.hq import migrations
from kassa_tui.hq.pairs import _BASKET_COUNT, _HELD, _PAIRS, pair_rollup, read_baskets, read_pairs
from kassa_tui.hq.report import _STOCK, _horizon, _months, report, rollup

FIRST = date(2026, 1, 1)

_GENERATE = """
INSERT INTO shop (shop_id, name)
SELECT 'SHOP' || s, 'Butikk ' || s FROM generate_series(1, %(shops)s) s;
INSERT INTO register (register_id, shop_id, role)
SELECT 'S' || s || 'K' || t, 'SHOP' || s, 'bench_' || s || '_' || t
FROM generate_series(1, %(shops)s) s, generate_series(1, %(tills)s) t;
CREATE TEMP TABLE gen AS
SELECT r.register_id, r.shop_id, (d * %(sales)s + n)::bigint AS seq, d, n
FROM register r, generate_series(0, %(days)s - 1) d, generate_series(1, %(sales)s) n;
INSERT INTO entry (register_id, seq, uuid, event_code, basic_id, utc, local_date, local_time,
                   text, prev_hash, hash, payload)
SELECT register_id, seq, gen_random_uuid(), '13999', 'SALE',
       to_char(%(first)s::date + d, 'YYYY-MM-DD') || 'T10:00:00.000000Z',
       to_char(%(first)s::date + d, 'YYYY-MM-DD'), '11:00:00', '{}', '', '', ''
FROM gen;
INSERT INTO sale (register_id, seq, shop_id, receipt_nr, kind, training, total_ore, vat_ore,
                  completed_utc, local_date, local_time)
SELECT register_id, seq, shop_id, seq, CASE WHEN n %% 50 = 0 THEN 'return' ELSE 'sale' END,
       n %% 97 = 0, 3 * (1990 + (seq %% 40) * 100), 3 * 398,
       to_char(%(first)s::date + d, 'YYYY-MM-DD') || 'T10:00:00.000000Z',
       to_char(%(first)s::date + d, 'YYYY-MM-DD'), '11:00:00'
FROM gen;
INSERT INTO sale_line (register_id, seq, line_nr, code, name, group_code, qty_milli,
                       unit_price_ore, discount_ore, amount_ore, vat_bp, vat_ore)
SELECT register_id, seq, l, lpad(((seq * 7 + l * 131) %% 5000)::text, 13, '7'),
       'Vare ' || ((seq * 7 + l * 131) %% 5000), '20', 1000,
       1990 + (seq %% 40) * 100, 0, 1990 + (seq %% 40) * 100, 2500, 398
FROM gen, generate_series(1, 3) l;
INSERT INTO stock_delta (register_id, seq, line_nr, shop_id, code, delta_milli, reason)
SELECT register_id, seq, l, shop_id, lpad(((seq * 7 + l * 131) %% 5000)::text, 13, '7'), -1000,
       'sale'
FROM gen, generate_series(1, 3) l;
UPDATE register r SET last_seq = %(days)s * %(sales)s;
"""

# HQ's catalog (0020_product_keys.sql): the 5,000 codes sold are the barcodes of 5,000 products
# with a PLU each (1 to 5000), so every report maps every code to its product, as in a chain
# whose tills sell the published catalog. Published as `kassa hq publish` stores a file: one
# revision, pages of 1,000 rows.
_CATALOG = """
SELECT catalog_publish('products', 'bench_products.csv', jsonb_agg(page ORDER BY p))
FROM (
    SELECT i / 1000 AS p,
           jsonb_agg(jsonb_build_object('plu', (i + 1)::text,
                                        'ean', lpad(i::text, 13, '7'),
                                        'name', 'Vare ' || i) ORDER BY i) AS page
    FROM generate_series(0, 4999) i GROUP BY i / 1000
) pages
"""


def _slowest(times: list[float]) -> str:
    """The slowest run and its number: the first is the one on a cold cache."""
    worst = max(range(len(times)), key=times.__getitem__)
    return f"{times[worst]:.0f} ({worst + 1})"


def _busy() -> None:
    """One core kept busy (the load beside the measurements)."""
    while True:
        pass


def _floor(conn: psycopg.Connection[Any], params: dict[str, Any]) -> None:
    """The pair day totals' three sums, rows fetched, nothing else."""
    with conn.transaction():
        conn.execute("SET LOCAL work_mem = '64MB'")
        conn.execute("SET LOCAL jit = off")
        for sql in (_BASKET_COUNT, _HELD, _PAIRS):
            conn.execute(sql, params).fetchall()


def _stock_sql(
    conn: psycopg.Connection[Any],
    how: str,
    sql: str,
    months: dict[str, Any],
    first: date,
    last: date,
    shop: str | None,
) -> int:
    """A stock query on its own: the rows fetched (the query before 0019), or counted in SQL
    (the floor: nothing leaves the server but a count)."""
    params: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat(), "shop": shop}
    params.update(months)
    with conn.transaction():
        conn.execute("SET LOCAL jit = off")
        if sql is _STOCK:  # as report() runs it
            conn.execute("SET LOCAL enable_nestloop = off")
            conn.execute("SET LOCAL work_mem = '64MB'")
            conn.execute("SET LOCAL enable_sort = off")
        if how.startswith("floor"):
            found = conn.execute(f"SELECT count(*) FROM ({sql}) q", params).fetchone()
            return int(found[0]) if found else 0
        return len(conn.execute(sql, params).fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--tills", type=int, default=3)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--sales", type=int, default=150)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load", action="store_true", help="a busy loop on one core beside")
    parser.add_argument("--only-stock", action="store_true", help="the stock reports alone")
    parser.add_argument("--only-pairs", action="store_true", help="the pairs reports alone")
    args = parser.parse_args()
    cluster = Cluster()
    busy: multiprocessing.Process | None = None
    try:
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench_hq")
        with psycopg.connect(cluster.dsn("bench_hq"), autocommit=True) as conn:
            migrations.upgrade(conn)
            started = time.monotonic()
            params = {
                "shops": args.shops,
                "tills": args.tills,
                "days": args.days,
                "sales": args.sales,
                "first": FIRST.isoformat(),
            }
            with conn.transaction():
                for statement in _GENERATE.split(";\n"):
                    if statement.strip():
                        conn.execute(statement, params)
                conn.execute(_CATALOG)
            conn.execute("ANALYZE")
            made = time.monotonic() - started
            started = time.monotonic()
            rollup(conn)  # the day totals for everything generated; reports add only new
            rolled = time.monotonic() - started
            started = time.monotonic()
            pair_rollup(conn)  # the pair day totals (0017), likewise
            paired = time.monotonic() - started
            if args.load:
                busy = multiprocessing.Process(target=_busy, daemon=True)
                busy.start()
                time.sleep(5)  # let the load average see it
            sales = conn.execute("SELECT count(*) FROM sale").fetchone()
            lines = conn.execute("SELECT count(*) FROM sale_line").fetchone()
            assert sales is not None and lines is not None
            month = (date(2026, 2, 1), date(2026, 2, 28))
            last_month = (date(2026, 3, 1), date(2026, 3, 31))  # the data ends on 31 March
            cases = [
                ("sales, a month, every shop", "sales", month, None),
                ("sales, a day, one shop", "sales", (month[0], month[0]), "SHOP7"),
                ("products, a month, every shop", "products", month, None),
                ("stock, a month, every shop", "stock", month, None),
                ("stock, a month, one shop", "stock", month, "SHOP7"),
                ("stock, the last month, every shop", "stock", last_month, None),
            ]
            print(
                f"{args.shops} shops x {args.tills} tills x {args.days} days x {args.sales} sales:"
                f" {sales[0]:,} sales, {lines[0]:,} lines (generated in {made:.0f} s; day totals"
                f" rolled up in {rolled:.1f} s, pair day totals in {paired:.1f} s, once)"
            )
            print(
                f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
                + (" (a busy loop on one core beside)" if args.load else "")
                + "\n"
            )
            print("| report | rows | p50 ms | p95 ms | slowest ms (run) | load |")
            print("|---|---:|---:|---:|---:|---:|")
            if args.only_stock:
                cases = [c for c in cases if c[1] == "stock"]
            if args.only_pairs:
                cases = []
            for label, kind, (first, last), shop in cases:
                times: list[float] = []
                rows = 0
                for _ in range(args.runs):
                    t = time.perf_counter()
                    rows = len(report(conn, kind, first, last, shop).rows)
                    times.append((time.perf_counter() - t) * 1000)
                print(
                    f"| {label} | {rows:,} | {percentile(times, 50):.0f} |"
                    f" {percentile(times, 95):.0f} | {_slowest(times)}"
                    f" | {os.getloadavg()[0]:.1f} |"
                )
                if kind == "stock":  # before 0019 (the 0013 query), and the SQL alone
                    horizon = _horizon(conn)
                    for how, sql, months in (
                        ("before (0013 query, per code)", STOCK_0013, _months_0013),
                        (
                            "floor: the query in SQL, no rows out",
                            _STOCK,
                            partial(_months, horizon=horizon),
                        ),
                    ):
                        times = []
                        for _ in range(args.runs):
                            t = time.perf_counter()
                            rows = _stock_sql(
                                conn, how, sql, months(first, last), first, last, shop
                            )
                            times.append((time.perf_counter() - t) * 1000)
                        print(
                            f"| {label}: {how} | {rows:,} | {percentile(times, 50):.0f} |"
                            f" {percentile(times, 95):.0f} | {_slowest(times)}"
                            f" | {os.getloadavg()[0]:.1f} |"
                        )
            # `kassa hq report pairs` (target <= 5 s): the day totals summed, then the till's
            # math; the baskets read as before; the floor (the sums in SQL alone)
            quarter = (FIRST, date(2026, 3, 31))
            for label, (first, last), shop in (
                ()
                if args.only_stock
                else (
                    ("pairs, 90 days, every shop", quarter, None),
                    ("pairs, 90 days, one shop", quarter, "SHOP7"),
                    ("pairs, a month, every shop", month, None),
                )
            ):
                for how in ("day totals", "baskets (before)", "floor: the sums in SQL"):
                    if how.startswith("baskets") and first != FIRST:
                        continue  # the read before, on a month: minutes (a plan gone wrong)
                    times = []
                    runs = max(1, args.runs // 4) if how.startswith("baskets") else args.runs
                    for _ in range(runs):
                        t = time.perf_counter()
                        if how == "day totals":
                            found = read_pairs(conn, first, last, shop, 3)
                            rows = len(together(found, product=None, min_count=3, limit=50).pairs)
                        elif how.startswith("baskets"):
                            chain = read_baskets(conn, first, last, shop)
                            rows = len(together(chain, product=None, min_count=3, limit=50).pairs)
                        else:
                            params = {
                                "from": first.isoformat(),
                                "to": last.isoformat(),
                                "shop": shop,
                                "min": 3,
                            }
                            _floor(conn, params)
                        times.append((time.perf_counter() - t) * 1000)
                    print(
                        f"| {label}: {how} | {rows:,} | {percentile(times, 50):.0f} |"
                        f" {percentile(times, 95):.0f} | {_slowest(times)}"
                        f" | {os.getloadavg()[0]:.1f} |"
                    )
    finally:
        if busy is not None:
            busy.terminate()
        cluster.stop()


if __name__ == "__main__":
    main()
