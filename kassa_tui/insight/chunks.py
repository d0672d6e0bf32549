"""Forecasts a chunk of products at a time (issue 16, «Speed»: the till's peak memory ≤ 120 MB,
the Accuracy tab's child process and `kassa forecast` included).

`daily_demand` holds every product's half year at once (on the benchmark's year 49,074 products
× 182 days, several arrays of 71 MB each while they are made: the Accuracy tab's process peaked at
~510 MB). Here the sales are read once, ordered by product, and cut into chunks of
CHUNK_PRODUCTS products: each chunk is daily_demand's Demand for those products (the same rows,
missing days and stock-outs: demand._assemble), kept between the passes only as its units, in
float32 where that is exact (whole units), else float64.

The forecast's figures are the same as insight.forecast.forecast's on the whole: a product's
class, smoothing and path depend on its own row only; what depends on all products (the weekday
profile's pool per class and the shop's open weekdays; the smoothing constants chosen per class
by the least one-step error over the class) is added up over the chunks first, in the same
product order, and the smoothing's end states are kept for every constant of the grid (a few
floats per product) until the choice is made. The Accuracy's sums per group are added chunk by
chunk (float sums in another order: equal to the whole's to about 1e-12).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from kassa_tui.core.clock import DEFAULT_CUTOFF_HOUR, business_days_utc, utc_text
from kassa_tui.core.i18n import _
from kassa_tui.insight import demand as demand_module
from kassa_tui.insight.accuracy import HORIZON, MIN_TRAIN, Accuracy, GroupAccuracy
from kassa_tui.insight.demand import Demand, FloatArray, IntArray
from kassa_tui.insight.forecast import (
    CLASSES,
    ERRATIC,
    ES_GRID,
    INTERMITTENT,
    LUMPY,
    NEW,
    NEW_SALES,
    SMOOTH,
    TSB_GRID,
    Forecasts,
    _damped_es,
    _tsb,
    classify,
    profile_pool,
    profiles_of,
    seasonal_naive,
    weekday_sums,
)
from kassa_tui.insight.history import history_days

#: Products per chunk.
CHUNK_PRODUCTS = 1000
_CLASS = {k: k for k in CLASSES}
#: Profiles made this many products at a time.
PROFILE_ROWS = 5000
#: Rows of (product, day) fetched from SQLite at a time.
FETCH = 20_000


def demand_chunks(
    conn: sqlite3.Connection,
    first_day: str,
    last_day: str,
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
    min_sale_days: int = 1,
    products: int = CHUNK_PRODUCTS,
) -> Iterator[Demand]:
    """daily_demand(conn, first_day, last_day, cutoff_hour, min_sale_days=...) cut into Demands
    of at most `products` products each (fewer: those sold on too few days leave), in product
    order; the imported history's products join the chunk whose product ids they fall among."""
    days = demand_module._days(first_day, last_day)
    day_index = {d: i for i, d in enumerate(days)}
    start_utc, end_utc = business_days_utc(first_day, last_day, cutoff_hour)
    business_day = (
        "date(s.local_date, CASE WHEN s.local_time < :cut THEN '-1 day' ELSE '+0 days' END)"
    )
    params: dict[str, object] = {
        "cut": f"{cutoff_hour:02d}:00:00",
        "a": utc_text(start_utc),
        "b": utc_text(end_utc),
    }
    history = history_days(conn, first_day, last_day, cutoff_hour)
    h_pid = np.fromiter((r[0] for r in history), np.int64, len(history))
    h_col = np.fromiter((day_index.get(r[1], -1) for r in history), np.int64, len(history))
    h_qty = np.fromiter((r[2] for r in history), np.float64, len(history))
    h_amount = np.fromiter((r[3] for r in history), np.float64, len(history))
    history_open = {int(c) for c in h_col if c >= 0}
    by_pid = np.argsort(h_pid, kind="stable")  # a product's rows in the order read
    h_pid, h_col, h_qty, h_amount = h_pid[by_pid], h_col[by_pid], h_qty[by_pid], h_amount[by_pid]
    del history
    open_day = demand_module._open_days(
        conn, days, first_day, last_day, params, business_day, history_open
    )
    empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0)

    def chunk(lo: float, hi: float, rows: list[tuple[npt.NDArray[Any], ...]]) -> Demand | None:
        pid = np.concatenate([r[0] for r in rows]) if rows else empty_i
        col = np.concatenate([r[1] for r in rows]) if rows else empty_i
        qty = np.concatenate([r[2] for r in rows]) if rows else empty_f
        amount = np.concatenate([r[3] for r in rows]) if rows else empty_f
        a, b = np.searchsorted(h_pid, lo, "left"), np.searchsorted(h_pid, hi, "left")
        if b > a:  # the history's rows after the sales', as daily_demand adds them
            pid = np.concatenate([pid, h_pid[a:b]])
            col = np.concatenate([col, h_col[a:b]])
            qty = np.concatenate([qty, h_qty[a:b]])
            amount = np.concatenate([amount, h_amount[a:b]])
        if not len(pid):
            return None
        found = demand_module._assemble(
            conn, days, cutoff_hour, open_day, (pid, col, qty, amount), min_sale_days
        )
        return found if len(found) else None

    cursor = conn.execute(
        f"SELECT l.product_id, {business_day} AS day, SUM(l.qty_milli), SUM(l.amount_ore) "
        "FROM sale s JOIN sale_line l ON l.sale_id = s.id "
        "WHERE s.training = 0 AND s.completed_utc >= :a AND s.completed_utc < :b "
        "GROUP BY l.product_id, day ORDER BY l.product_id, day",
        params,
    )
    waiting: list[tuple[npt.NDArray[Any], ...]] = []  # read, not yet in a chunk: whole products
    lo: float = -np.inf
    while block := cursor.fetchmany(FETCH):
        pid_t, day_t, qty_t, amount_t = zip(*block, strict=True)
        n = len(block)
        waiting.append(
            (
                np.fromiter(pid_t, np.int64, n),
                np.fromiter((day_index.get(d, -1) for d in day_t), np.int64, n),
                np.fromiter(qty_t, np.float64, n) / 1000.0,
                np.fromiter(amount_t, np.float64, n),
            )
        )
        while True:
            pids = np.concatenate([w[0] for w in waiting])
            starts = np.flatnonzero(np.r_[True, pids[1:] != pids[:-1]])
            # A product's rows may go on in the next block: only those before the last are whole.
            if len(starts) <= products:
                break
            cut = int(starts[products])
            hi = int(pids[cut])
            joined = [np.concatenate([w[k] for w in waiting]) for k in range(4)]
            waiting = [tuple(part[cut:] for part in joined)]
            found = chunk(lo, hi, [tuple(part[:cut] for part in joined)])
            lo = hi
            if found is not None:
                yield found
    found = chunk(lo, np.inf, waiting)
    if found is not None:
        yield found


#: NaN (a missing day) in a chunk kept as whole units in int16.
GAP = np.int16(-32768)


def _compact(qty: FloatArray) -> npt.NDArray[Any]:
    """The units as small as they are exact: whole units within ±32,767 in int16 (NaN: GAP),
    else float32 if it holds them, else float64 (kg with grams)."""
    missing = np.isnan(qty)
    filled = np.where(missing, 0.0, qty)
    if np.array_equal(np.round(filled), filled) and (np.abs(filled) <= 32767).all():
        whole = filled.astype(np.int16)
        whole[missing] = GAP
        return whole
    small = qty.astype(np.float32)
    if np.array_equal(small.astype(np.float64), qty, equal_nan=True):
        return small
    return qty


def _units(kept: npt.NDArray[Any]) -> FloatArray:
    """_compact's units back in float64 (exactly those given it)."""
    if kept.dtype == np.int16:
        out = kept.astype(np.float64)
        out[kept == GAP] = np.nan
        return out
    return np.asarray(kept, np.float64)


@dataclass
class _Chunk:
    product_ids: IntArray
    qty: npt.NDArray[Any]  # _compact: every day read (the forecast's and the ones after)
    first: int  # the chunk's first row among all products


class ChunkedForecast:
    """insight.forecast.forecast over the first `train_days` days of every chunk, for `horizon`
    days after them; the chunks' units kept compact (see the module)."""

    def __init__(
        self,
        chunks: Iterator[Demand],
        days: list[str],
        horizon: int,
        train_days: int | None = None,
        groups: sqlite3.Connection | None = None,
    ) -> None:
        self.horizon = horizon
        self.days = days
        self.weekday: IntArray = np.array([date.fromisoformat(d).weekday() for d in days], np.int64)
        self.chunks: list[_Chunk] = []
        self.group_of: list[npt.NDArray[np.int32]] = []  # per chunk, into self.groups
        self.groups: dict[str, int] = {}
        klass: list[str] = []
        sums, counts, sale_days, adi, cv2 = [], [], [], [], []
        n = 0
        for d in chunks:
            t = len(days) if train_days is None else train_days
            train = d.qty[:, :t]
            k, a, c = classify(train)
            s, o, sd = weekday_sums(train, d.weekday[:t])
            klass += [_CLASS[x] for x in k]  # the constants, not a string per product
            adi.append(a)
            cv2.append(c)
            sums.append(s)
            counts.append(o)
            sale_days.append(sd)
            if groups is not None:
                from kassa_tui.insight.accuracy import product_groups

                names = product_groups(groups, [int(p) for p in d.product_ids])
                self.group_of.append(
                    np.array([self.groups.setdefault(g, len(self.groups)) for g in names], np.int32)
                )
            self.chunks.append(_Chunk(d.product_ids, _compact(d.qty), n))
            n += len(d)
        self.train_days = len(self.days) if train_days is None else train_days
        if not self.days:
            raise ValueError("no business days to forecast from")
        self.n = n
        self.klass = klass
        self.adi = np.concatenate(adi) if adi else np.zeros(0)
        self.cv2 = np.concatenate(cv2) if cv2 else np.zeros(0)
        all_sums = np.concatenate(sums) if sums else np.zeros((0, 7))
        all_counts = np.concatenate(counts) if counts else np.zeros((0, 7))
        all_days = np.concatenate(sale_days) if sale_days else np.zeros(0, np.int64)
        del sums, counts, sale_days
        pool = profile_pool(all_sums, all_counts, klass)
        # The profiles a block of rows at a time (each row's own; the pool is every product's).
        self.profile = np.zeros((n, 7))
        for lo in range(0, n, PROFILE_ROWS):
            hi = min(n, lo + PROFILE_ROWS)
            self.profile[lo:hi] = profiles_of(
                all_sums[lo:hi], all_counts[lo:hi], all_days[lo:hi], klass[lo:hi], pool
            )
        del all_sums, all_counts, all_days
        last = date.fromisoformat(self.days[self.train_days - 1])
        self.ahead = [(last + timedelta(days=i + 1)).isoformat() for i in range(horizon)]
        self.ahead_weekday = np.array(
            [date.fromisoformat(d).weekday() for d in self.ahead], np.int64
        )
        self._smooth()

    def train(self, c: _Chunk) -> FloatArray:
        return _units(c.qty[:, : self.train_days])

    def _smooth(self) -> None:
        """Every constant of the grid on every product of its class, a chunk at a time; the
        constants with the least one-step error over the class (as forecast's) are chosen."""
        kinds = np.array(self.klass, dtype=object)
        es = np.flatnonzero((kinds == SMOOTH) | (kinds == ERRATIC))
        tsb = np.flatnonzero((kinds == INTERMITTENT) | (kinds == LUMPY))
        # A product's place among its family's rows (ES or TSB).
        self.place = np.full(self.n, -1, np.int64)
        self.place[es] = np.arange(len(es))
        self.place[tsb] = np.arange(len(tsb))
        es_sse = np.zeros((len(es), len(ES_GRID)))
        self.es_level = np.zeros((len(es), len(ES_GRID)))
        self.es_trend = np.zeros((len(es), len(ES_GRID)))
        tsb_sse = np.zeros((len(tsb), len(TSB_GRID)))
        self.tsb_value = np.zeros((len(tsb), len(TSB_GRID)))
        weekday = self.weekday[: self.train_days]
        for c in self.chunks:
            qty = self.train(c)
            rows = np.arange(c.first, c.first + len(c.product_ids))
            day_profile = self.profile[rows][:, weekday]
            with np.errstate(divide="ignore", invalid="ignore"):
                deseasonalised = np.where(day_profile > 0, qty / day_profile, np.nan)
            del day_profile, qty
            kinds_c = kinds[rows]
            for family in ((SMOOTH, ERRATIC), (INTERMITTENT, LUMPY)):
                for k in family:
                    local = np.flatnonzero(kinds_c == k)
                    if len(local) == 0:
                        continue
                    y = deseasonalised[local]
                    at = self.place[rows[local]]
                    if k in (SMOOTH, ERRATIC):
                        for p, params in enumerate(ES_GRID):
                            level, trend, sse = _damped_es(y, *params)
                            es_sse[at, p], self.es_level[at, p], self.es_trend[at, p] = (
                                sse,
                                level,
                                trend,
                            )
                    else:
                        for p, tsb_params in enumerate(TSB_GRID):
                            size, chance, sse = _tsb(y, *tsb_params)
                            tsb_sse[at, p], self.tsb_value[at, p] = sse, size * chance
        self.choice: dict[str, int] = {}
        self.parameters: dict[str, tuple[float, ...]] = {}
        for k, sse_all, grid in (
            (SMOOTH, es_sse, ES_GRID),
            (ERRATIC, es_sse, ES_GRID),
            (INTERMITTENT, tsb_sse, TSB_GRID),
            (LUMPY, tsb_sse, TSB_GRID),
        ):
            at = self.place[np.flatnonzero(kinds == k)]
            if len(at) == 0:
                continue
            best: tuple[float, int] | None = None
            for p in range(len(grid)):
                score = float(sse_all[at, p].sum())  # the class's rows in order, as forecast's
                if best is None or score < best[0]:
                    best = (score, p)
            assert best is not None
            self.choice[k] = best[1]
            self.parameters[k] = grid[best[1]]

    def forecasts(self) -> Iterator[tuple[_Chunk, Forecasts]]:
        """Each chunk with its Forecasts (no codes or names: demand._labels has them)."""
        steps = np.arange(1, self.horizon + 1)
        kinds = np.array(self.klass, dtype=object)
        for c in self.chunks:
            rows = np.arange(c.first, c.first + len(c.product_ids))
            values = np.full((len(rows), self.horizon), np.nan)
            profile = self.profile[rows]
            for k, p in self.choice.items():
                local = np.flatnonzero(kinds[rows] == k)
                if len(local) == 0:
                    continue
                at = self.place[rows[local]]
                ahead = profile[local][:, self.ahead_weekday]
                if k in (SMOOTH, ERRATIC):
                    damp = np.cumsum(ES_GRID[p][2] ** steps)
                    level, trend = self.es_level[at, p], self.es_trend[at, p]
                    path = np.maximum(level[:, None] + trend[:, None] * damp[None, :], 0.0)
                    values[local] = path * ahead
                else:
                    values[local] = self.tsb_value[at, p][:, None] * ahead
            yield (
                c,
                Forecasts(
                    c.product_ids,
                    [],
                    [],
                    self.ahead,
                    values,
                    self.klass[c.first : c.first + len(rows)],
                    profile,
                    self.adi[rows],
                    self.cv2[rows],
                    self.parameters,
                ),
            )


def shop_accuracy_chunked(
    conn: sqlite3.Connection,
    last_day: str,
    cutoff_hour: int,
    history_days: int = 182,
    products: int = CHUNK_PRODUCTS,
) -> Accuracy:
    """accuracy.shop_accuracy_whole a chunk of products at a time (the same figures)."""
    first = (date.fromisoformat(last_day) - timedelta(days=history_days - 1)).isoformat()
    t_len = history_days
    if t_len < HORIZON + MIN_TRAIN:
        raise ValueError("not enough history for the accuracy")
    origin = t_len - HORIZON
    made = ChunkedForecast(
        demand_chunks(conn, first, last_day, cutoff_hour, NEW_SALES, products),
        demand_module._days(first, last_day),
        HORIZON,
        origin,
        groups=conn,
    )
    names = sorted(made.groups)
    # Per group (and the shop, last): products, units, |ours - sold|, ours, |naive - sold|, naive.
    sums = np.zeros((len(names) + 1, 6))
    index = {made.groups[g]: i for i, g in enumerate(names)}
    for n_chunk, (c, ours) in enumerate(made.forecasts()):
        train_days = made.days[:origin]
        train = Demand(
            c.product_ids,
            [],
            [],
            train_days,
            made.weekday[:origin],
            made.train(c),
            np.zeros((0, 0)),
            np.zeros(0, bool),
            np.zeros((0, 0), bool),
        )
        naive = seasonal_naive(train, HORIZON)
        actual = _units(c.qty[:, origin:])
        kept = np.array([k != NEW for k in ours.klass], bool)
        seen = ~np.isnan(actual)
        a = np.where(seen, actual, 0.0)
        f = np.where(seen, ours.values, 0.0)
        g = np.where(seen, naive, 0.0)
        per_row = np.stack(
            [
                np.ones(len(a)),
                a.sum(axis=1),
                np.abs(f - a).sum(axis=1),
                f.sum(axis=1),
                np.abs(g - a).sum(axis=1),
                g.sum(axis=1),
            ],
            axis=1,
        )[kept]
        group = np.array([index[x] for x in made.group_of[n_chunk]], np.int64)[kept]
        np.add.at(sums, group, per_row)
        sums[-1] += per_row.sum(axis=0)
    rows = [_group_row(name, sums[i]) for i, name in enumerate(names)]
    total = _group_row(_("The whole shop"), sums[-1])
    return Accuracy(made.days[origin], made.days[-1], rows, total)


def _group_row(name: str, s: FloatArray) -> GroupAccuracy:
    products, units = int(s[0]), float(s[1])
    if products == 0 or units <= 0:
        return GroupAccuracy(name, products, units, None, None, None, None)
    return GroupAccuracy(
        name,
        products,
        units,
        float(s[2]) / units,
        (float(s[3]) - units) / units,
        float(s[4]) / units,
        (float(s[5]) - units) / units,
    )


def top_forecasts(
    conn: sqlite3.Connection,
    first_day: str,
    last_day: str,
    cutoff_hour: int,
    horizon: int,
    limit: int,
    products: int = CHUNK_PRODUCTS,
) -> Forecasts:
    """`kassa forecast`'s products: forecast(daily_demand(..., min_sale_days=NEW_SALES)) of the
    `limit` products with the most units forecast (new ones last, as -1 a day), biggest first
    (ties in product order), a chunk at a time; codes and names filled in."""
    made = ChunkedForecast(
        demand_chunks(conn, first_day, last_day, cutoff_hour, NEW_SALES, products),
        demand_module._days(first_day, last_day),
        horizon,
    )
    totals = np.concatenate(
        [np.zeros(0)]
        + [np.nan_to_num(f.values, nan=-1.0).sum(axis=1) for _c, f in made.forecasts()]
    )
    chosen = np.argsort(-totals, kind="stable")[:limit]
    place = {int(row): i for i, row in enumerate(chosen)}
    k = len(chosen)
    ids = np.zeros(k, np.int64)
    values = np.full((k, horizon), np.nan)
    profile = np.zeros((k, 7))
    klass = [""] * k
    adi, cv2 = np.zeros(k), np.zeros(k)
    for c, f in made.forecasts():
        for local in range(len(c.product_ids)):
            at = place.get(c.first + local)
            if at is None:
                continue
            ids[at] = c.product_ids[local]
            values[at], profile[at] = f.values[local], f.profile[local]
            klass[at], adi[at], cv2[at] = f.klass[local], f.adi[local], f.cv2[local]
    codes, names = demand_module._labels(conn, ids)
    return Forecasts(
        ids, codes, names, made.ahead, values, klass, profile, adi, cv2, made.parameters
    )


def shop_accuracy(
    conn: sqlite3.Connection, last_day: str, cutoff_hour: int, history_days: int = 182
) -> Accuracy:
    """The accuracy of the four weeks up to `last_day` from the till's own sales, a chunk of
    products at a time (the figures of accuracy.shop_accuracy_whole, in bounded memory)."""
    return shop_accuracy_chunked(conn, last_day, cutoff_hour, history_days)
