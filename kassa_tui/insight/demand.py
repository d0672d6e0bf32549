"""Daily demand per product, from the till's own sales and, before them, the imported history.

One row per product sold in the window, one column per business day (the Oslo day turning at
kassa.toml's cut-off hour, as the Z counts it): units sold, returns netted off, training sales
left out. A day is MISSING (NaN), not zero demand, when

- the shop was closed: no sale at all that business day and no Z for it (a Z with no sales is
  an open day that sold nothing: zero demand), or
- the product was out of stock: its stock was at or below zero when the day began and it sold
  nothing that day. Stock is known only for products the shop keeps stock of (a delivery, a
  count, an opening or an import); a product only ever sold has no stock-outs to find.

Read with plain SQL, a chunk of rows at a time, into numpy arrays; only the products sold in
the window are read (the benchmark's shop has 200,000 products).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from kassa_tui.core.clock import DEFAULT_CUTOFF_HOUR, business_days_utc, utc_text
from kassa_tui.insight.history import history_days

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Rows fetched from SQLite at a time.
CHUNK = 200_000


@dataclass(frozen=True)
class Demand:
    """Units per product (rows) and business day (columns); NaN where the day is missing."""

    product_ids: IntArray  # (n,)
    codes: list[str]  # (n,) the product's code (PLU) as sold
    names: list[str]  # (n,)
    days: list[str]  # (T,) business dates, ISO
    weekday: IntArray  # (T,) 0 = Monday
    qty: FloatArray  # (n, T) units; NaN = missing
    revenue_ore: FloatArray  # (n, T) øre, VAT included; 0 where nothing was sold
    open_day: BoolArray  # (T,) the shop was open
    stockout: BoolArray  # (n, T) out of stock at the day's start and nothing sold

    def __len__(self) -> int:
        return len(self.product_ids)

    def window(self, start: int, stop: int) -> Demand:
        """The same products, days [start, stop)."""
        return Demand(
            self.product_ids,
            self.codes,
            self.names,
            self.days[start:stop],
            self.weekday[start:stop],
            self.qty[:, start:stop],
            self.revenue_ore[:, start:stop],
            self.open_day[start:stop],
            self.stockout[:, start:stop],
        )

    def rows(self, keep: BoolArray) -> Demand:
        """Only the products where `keep` is true."""
        index = np.flatnonzero(keep)
        return Demand(
            self.product_ids[index],
            [self.codes[i] for i in index],
            [self.names[i] for i in index],
            self.days,
            self.weekday,
            self.qty[index],
            self.revenue_ore[index],
            self.open_day,
            self.stockout[index],
        )


def _days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def daily_demand(
    conn: sqlite3.Connection,
    first_day: str,
    last_day: str,
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
    product_ids: list[int] | None = None,
    min_sale_days: int = 1,
    history: bool = True,
) -> Demand:
    """Demand per product and business day from `first_day` to `last_day` (inclusive).

    Only products sold on at least `min_sale_days` days of the window are in it (a forecast
    asks for as many as it needs to be more than "new": the rest stay out of memory).

    With `history` (the default) the days before kassa's first own sale are the imported
    history's (`kassa import sales`); from that day on, kassa's own sales alone: a day that
    has both is counted once, as kassa sold it."""
    days = _days(first_day, last_day)
    day_index = {d: i for i, d in enumerate(days)}
    start_utc, end_utc = business_days_utc(first_day, last_day, cutoff_hour)
    cut = f"{cutoff_hour:02d}:00:00"
    # The business day of a sale: its Oslo date, the evening before until the cut-off hour.
    business_day = (
        "date(s.local_date, CASE WHEN s.local_time < :cut THEN '-1 day' ELSE '+0 days' END)"
    )
    params: dict[str, object] = {"cut": cut, "a": utc_text(start_utc), "b": utc_text(end_utc)}
    only = ""
    if product_ids is not None:
        only = f" AND l.product_id IN ({','.join(str(int(p)) for p in product_ids) or 'NULL'})"
    sql = (
        f"SELECT l.product_id, {business_day} AS day, SUM(l.qty_milli), SUM(l.amount_ore) "
        "FROM sale s JOIN sale_line l ON l.sale_id = s.id "
        "WHERE s.training = 0 AND s.completed_utc >= :a AND s.completed_utc < :b"
        f"{only} GROUP BY l.product_id, day"
    )
    pids: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    qtys: list[npt.NDArray[np.float64]] = []
    amounts: list[npt.NDArray[np.float64]] = []
    cursor = conn.execute(sql, params)
    while chunk := cursor.fetchmany(CHUNK):
        pid, day, qty, amount = zip(*chunk, strict=True)
        pids.append(np.fromiter(pid, np.int64, len(chunk)))
        cols.append(np.fromiter((day_index.get(d, -1) for d in day), np.int64, len(chunk)))
        qtys.append(np.fromiter(qty, np.float64, len(chunk)) / 1000.0)
        amounts.append(np.fromiter(amount, np.float64, len(chunk)))
    pid_all = np.concatenate(pids) if pids else np.zeros(0, np.int64)
    col_all = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    qty_all = np.concatenate(qtys) if qtys else np.zeros(0)
    amount_all = np.concatenate(amounts) if amounts else np.zeros(0)
    # The old system's history, on the days before kassa's first own sale only (see
    # insight.history.history_days: a day is kassa's or the history's, never both).
    history_open: set[int] = set()
    if history:
        rows = history_days(conn, first_day, last_day, cutoff_hour, product_ids)
        if rows:
            h_pid, h_day, h_qty, h_amount = zip(*rows, strict=True)
            h_col = np.fromiter((day_index.get(d, -1) for d in h_day), np.int64, len(rows))
            history_open = {int(c) for c in h_col if c >= 0}
            pid_all = np.concatenate([pid_all, np.fromiter(h_pid, np.int64, len(rows))])
            col_all = np.concatenate([col_all, h_col])
            qty_all = np.concatenate([qty_all, np.fromiter(h_qty, np.float64, len(rows))])
            amount_all = np.concatenate([amount_all, np.fromiter(h_amount, np.float64, len(rows))])
    open_day = _open_days(conn, days, first_day, last_day, params, business_day, history_open)
    return _assemble(
        conn, days, cutoff_hour, open_day, (pid_all, col_all, qty_all, amount_all), min_sale_days
    )


def _open_days(
    conn: sqlite3.Connection,
    days: list[str],
    first_day: str,
    last_day: str,
    params: dict[str, object],
    business_day: str,
    history_open: set[int],
) -> BoolArray:
    """Open days: any sale (training or not: the shop was open), a Z for the day, or a day of
    the imported history with a row."""
    day_index = {d: i for i, d in enumerate(days)}
    open_day = np.zeros(len(days), bool)
    open_day[sorted(history_open)] = True
    for (day,) in conn.execute(
        f"SELECT DISTINCT {business_day} FROM sale s "
        "WHERE s.completed_utc >= :a AND s.completed_utc < :b",
        params,
    ):
        if day in day_index:
            open_day[day_index[day]] = True
    for (day,) in conn.execute(
        "SELECT business_date FROM z_report WHERE business_date BETWEEN ? AND ?",
        (first_day, last_day),
    ):
        open_day[day_index[day]] = True
    return open_day


def _assemble(
    conn: sqlite3.Connection,
    days: list[str],
    cutoff_hour: int,
    open_day: BoolArray,
    rows: tuple[IntArray, IntArray, FloatArray, FloatArray],
    min_sale_days: int,
) -> Demand:
    """The Demand of these (product, day column, units, øre) rows: the grid, the missing days,
    the labels (daily_demand's, and each chunk's of insight.chunks.demand_chunks)."""
    pid_all, col_all, qty_all, amount_all = rows
    n_days = len(days)
    inside = col_all >= 0
    pid_all, col_all = pid_all[inside], col_all[inside]
    qty_all, amount_all = qty_all[inside], amount_all[inside]

    ids, row_all = np.unique(pid_all, return_inverse=True)
    if min_sale_days > 1 and len(ids):
        sale_days = np.bincount(row_all, weights=qty_all > 0, minlength=len(ids))
        wanted = sale_days >= min_sale_days
        keep_row = wanted[row_all]
        pid_all, col_all = pid_all[keep_row], col_all[keep_row]
        qty_all, amount_all = qty_all[keep_row], amount_all[keep_row]
        ids, row_all = np.unique(pid_all, return_inverse=True)
    n = len(ids)
    qty_grid = np.zeros((n, n_days))
    revenue = np.zeros((n, n_days))
    np.add.at(qty_grid, (row_all, col_all), qty_all)
    np.add.at(revenue, (row_all, col_all), amount_all)

    stockout = _stockouts(conn, ids, days, cutoff_hour) & (qty_grid <= 0) & open_day
    qty_grid[:, ~open_day] = np.nan
    qty_grid[stockout] = np.nan

    codes, names = _labels(conn, ids)
    weekday = np.array([date.fromisoformat(d).weekday() for d in days], np.int64)
    return Demand(ids, codes, names, days, weekday, qty_grid, revenue, open_day, stockout)


def _chunks(ids: IntArray, size: int = 900) -> list[IntArray]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _labels(conn: sqlite3.Connection, ids: IntArray) -> tuple[list[str], list[str]]:
    position = {int(p): i for i, p in enumerate(ids)}
    codes = [""] * len(ids)
    names = [""] * len(ids)
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        for pid, plu, name in conn.execute(
            f"SELECT id, plu, name FROM product WHERE id IN ({marks})", [int(p) for p in part]
        ):
            codes[position[pid]] = plu or str(pid)
            names[position[pid]] = name
    return codes, names


#: Up to this many products, the products whose stock is kept are found by their own movements
#: (the index on product_id), not by one pass over every movement (a supplier's proposal,
#: kassa_tui.ordering: 0.1 s instead of 1.6 s on the benchmark's year).
FEW_PRODUCTS = 5000


def _kept_of(conn: sqlite3.Connection, ids: IntArray, before: str) -> set[int]:
    """Those of `ids` with a stock movement other than a sale or return before `before`."""
    kept: set[int] = set()
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        kept.update(
            pid
            for (pid,) in conn.execute(
                f"SELECT DISTINCT product_id FROM stock_movement WHERE product_id IN ({marks})"
                " AND reason <> 'sale' AND reason <> 'return' AND created_utc < ?",
                [*(int(p) for p in part), before],
            )
        )
    return kept


def _stockouts(
    conn: sqlite3.Connection, ids: IntArray, days: list[str], cutoff_hour: int
) -> BoolArray:
    """Out of stock (≤ 0) at the start of each business day, for products whose stock is kept."""
    n, n_days = len(ids), len(days)
    out = np.zeros((n, n_days), bool)
    if n == 0:
        return out
    # The first moment of each business day, as stored (sortable UTC text).
    starts = np.array([utc_text(business_days_utc(d, d, cutoff_hour)[0]) for d in days])
    position = {int(p): i for i, p in enumerate(ids)}
    level_step = np.zeros((n, n_days + 1))
    kept = np.zeros(n, bool)
    known_from = np.full(n, n_days + 1, np.int64)
    # Only products whose stock is kept can run out: one pass finds them, the movements of
    # those alone are read.
    if n <= FEW_PRODUCTS:  # a few (a supplier's): by their own movements
        stocked_ids = _kept_of(conn, ids, starts[-1])
    else:
        stocked_ids = {
            pid
            for (pid,) in conn.execute(
                "SELECT DISTINCT product_id FROM stock_movement "
                "WHERE reason <> 'sale' AND reason <> 'return' AND created_utc < ?",
                (starts[-1],),
            )
            if pid in position
        }
    for part in _chunks(np.array(sorted(stocked_ids), np.int64)):
        marks = ",".join("?" * len(part))
        rows = conn.execute(
            "SELECT product_id, created_utc, delta_milli, reason <> 'sale' AND reason <> 'return' "
            f"FROM stock_movement WHERE product_id IN ({marks}) AND created_utc < ?",
            [*(int(p) for p in part), starts[-1]],
        ).fetchall()
        if not rows:
            continue
        pid, when, delta, stocked = zip(*rows, strict=True)
        row = np.fromiter((position[p] for p in pid), np.int64, len(rows))
        # A movement before a day's start counts in that day's opening level and after.
        col = np.searchsorted(starts, np.array(when), side="right")
        np.add.at(level_step, (row, col), np.fromiter(delta, np.float64, len(rows)) / 1000.0)
        is_stock = np.fromiter(stocked, bool, len(rows))
        kept[np.unique(row[is_stock])] = True
        # Before the first delivery, count or opening the level is unknown, not zero (the
        # days of imported history before kassa kept stock are no stock-outs).
        np.minimum.at(known_from, row[is_stock], col[is_stock])
    level = np.cumsum(level_step, axis=1)[:, :n_days]
    known = np.arange(n_days)[None, :] >= known_from[:, None]
    out[kept] = (level[kept] <= 0) & known[kept]
    return out
