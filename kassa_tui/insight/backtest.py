"""How good the forecasts were: a rolling-origin backtest against "same as last week".

Origins: the last `origins` blocks of `horizon` days of the data, each forecast from everything
before it. Both kassa's forecast and seasonal naive (the same weekday last week) are scored on
the same products and days: the products kassa forecasts (not the new ones, which say "order by
hand"), the days the shop was open and the product in stock.

- weighted RMSSE (as M5): per product the root of the mean squared error over the horizon,
  divided by the mean squared one-step naive error in its training window (from its first
  sale); weighted by the product's revenue in the training window; averaged over the origins.
- WAPE: the sum of absolute errors over the sum of units sold, all products and days.
- bias: (units forecast − units sold) / units sold; positive = too high.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np

from kassa_tui.insight import demand as demand_module
from kassa_tui.insight.chunks import CHUNK_PRODUCTS, ChunkedForecast, _units, demand_chunks
from kassa_tui.insight.demand import Demand, FloatArray
from kassa_tui.insight.forecast import NEW, NEW_SALES, forecast, seasonal_naive


@dataclass(frozen=True)
class Score:
    rmsse: float  # weighted
    wape: float
    bias: float


@dataclass(frozen=True)
class Backtest:
    kassa: Score
    naive: Score
    origins: list[str]  # the first business day forecast, per origin
    horizon: int
    products: int  # products scored (averaged over the origins)
    new_products: int  # left out: "order by hand" (averaged over the origins)
    units: float  # units sold in the scored days, all origins

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _scale(train: FloatArray) -> FloatArray:
    """Mean squared one-step naive error per product over observed consecutive pairs from its
    first sale (missing days are skipped, the next seen value compared with the last)."""
    n, t_len = train.shape
    last = np.full(n, np.nan)
    started = np.zeros(n, bool)
    total = np.zeros(n)
    count = np.zeros(n)
    for t in range(t_len):
        value = train[:, t]
        seen = ~np.isnan(value)
        pair = seen & started & ~np.isnan(last)
        diff = np.where(pair, value - last, 0.0)
        total += diff * diff
        count += pair
        started |= seen & (np.nan_to_num(value) > 0)
        last = np.where(seen, value, last)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _score(
    actual: FloatArray, predicted: FloatArray, scale: FloatArray, weight: FloatArray
) -> tuple[float, float, float, float]:
    """(weighted RMSSE, sum |error|, sum forecast, sum actual) over the observed cells."""
    w_sum, w_rmsse, abs_error, forecast_sum, actual_sum = _score_parts(
        actual, predicted, scale, weight
    )
    weighted = w_rmsse / w_sum if w_sum > 0 else 0.0
    return weighted, abs_error, forecast_sum, actual_sum


def _score_parts(
    actual: FloatArray, predicted: FloatArray, scale: FloatArray, weight: FloatArray
) -> tuple[float, float, float, float, float]:
    """(sum of the weights, sum weight × RMSSE, sum |error|, sum forecast, sum actual) over the
    observed cells: sums, so they add up over chunks of products."""
    seen = ~np.isnan(actual)
    a = np.where(seen, actual, 0.0)
    f = np.where(seen, predicted, 0.0)
    error = f - a
    n_seen = seen.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mse = (error * error).sum(axis=1) / n_seen
        rmsse = np.sqrt(mse / scale)
    usable = (n_seen > 0) & np.isfinite(rmsse) & (scale > 0)
    w = np.where(usable, weight, 0.0)
    return (
        float(w.sum()),
        float((w * np.where(usable, rmsse, 0.0)).sum()),
        float(np.abs(error).sum()),
        float(f.sum()),
        float(a.sum()),
    )


def backtest(demand: Demand, horizon: int = 28, origins: int = 3) -> Backtest:
    """Forecast each of the last `origins` blocks of `horizon` days from the days before it."""
    t_len = len(demand.days)
    if t_len < horizon * origins + 28:
        raise ValueError("not enough history for the backtest")
    totals = {"kassa": [0.0, 0.0, 0.0], "naive": [0.0, 0.0, 0.0]}
    rmsse: dict[str, list[float]] = {"kassa": [], "naive": []}
    starts: list[str] = []
    products = new = 0
    for k in range(origins, 0, -1):
        origin = t_len - k * horizon
        train = demand.window(0, origin)
        test = demand.window(origin, origin + horizon)
        starts.append(test.days[0])
        ours = forecast(train, horizon)
        keep = np.array([c != NEW for c in ours.klass], bool)
        products += int(keep.sum())
        new += int((~keep).sum())
        scale = _scale(train.qty[keep])
        weight = train.revenue_ore[keep].sum(axis=1)
        actual = test.qty[keep]
        for name, predicted in (
            ("kassa", ours.values[keep]),
            ("naive", seasonal_naive(train, horizon)[keep]),
        ):
            w_rmsse, abs_error, forecast_sum, actual_sum = _score(actual, predicted, scale, weight)
            rmsse[name].append(w_rmsse)
            totals[name][0] += abs_error
            totals[name][1] += forecast_sum
            totals[name][2] += actual_sum

    def score(name: str) -> Score:
        abs_error, forecast_sum, actual_sum = totals[name]
        units = actual_sum or 1.0
        return Score(
            float(np.mean(rmsse[name])), abs_error / units, (forecast_sum - actual_sum) / units
        )

    return Backtest(
        score("kassa"),
        score("naive"),
        starts,
        horizon,
        products // origins,
        new // origins,
        totals["kassa"][2],
    )


def backtest_chunked(
    conn: sqlite3.Connection,
    first_day: str,
    last_day: str,
    cutoff_hour: int,
    horizon: int = 28,
    origins: int = 3,
    products: int = CHUNK_PRODUCTS,
) -> Backtest:
    """`backtest(daily_demand(conn, first_day, last_day, cutoff_hour, min_sale_days=NEW_SALES),
    horizon, origins)` a chunk of products at a time (insight.chunks; issue 16, «Speed»: `kassa
    forecast backtest` peaked at 1.5 GB on the benchmark's year done at once). Per origin the
    sales are read again in chunks; each product's forecast is insight.chunks's (the same as
    forecast's on the whole), its score's parts are sums, added up chunk by chunk (the weighted
    RMSSE, WAPE and bias equal the whole's to about 1e-12)."""
    days = demand_module._days(first_day, last_day)
    t_len = len(days)
    if t_len < horizon * origins + 28:
        raise ValueError("not enough history for the backtest")
    totals = {"kassa": [0.0, 0.0, 0.0], "naive": [0.0, 0.0, 0.0]}
    rmsse: dict[str, list[float]] = {"kassa": [], "naive": []}
    starts: list[str] = []
    scored = new = 0
    for k in range(origins, 0, -1):
        origin = t_len - k * horizon
        starts.append(days[origin])
        weights: list[FloatArray] = []  # per chunk: revenue before the origin

        def read(origin: int = origin, weights: list[FloatArray] = weights) -> Iterator[Demand]:
            for d in demand_chunks(conn, first_day, last_day, cutoff_hour, NEW_SALES, products):
                weights.append(d.revenue_ore[:, :origin].sum(axis=1))
                yield d

        made = ChunkedForecast(read(), days, horizon, origin)
        parts = {"kassa": np.zeros(5), "naive": np.zeros(5)}
        for n_chunk, (c, ours) in enumerate(made.forecasts()):
            keep = np.array([x != NEW for x in ours.klass], bool)
            scored += int(keep.sum())
            new += int((~keep).sum())
            qty = made.train(c)
            train = Demand(
                c.product_ids,
                [],
                [],
                days[:origin],
                made.weekday[:origin],
                qty,
                np.zeros((0, 0)),
                np.zeros(0, bool),
                np.zeros((0, 0), bool),
            )
            scale = _scale(qty[keep])
            weight = weights[n_chunk][keep]
            actual = _units(c.qty[:, origin : origin + horizon])[keep]
            for name, predicted in (
                ("kassa", ours.values[keep]),
                ("naive", seasonal_naive(train, horizon)[keep]),
            ):
                parts[name] += _score_parts(actual, predicted, scale, weight)
        for name in ("kassa", "naive"):
            w_sum, w_rmsse, abs_error, forecast_sum, actual_sum = parts[name].tolist()
            rmsse[name].append(w_rmsse / w_sum if w_sum > 0 else 0.0)
            totals[name][0] += abs_error
            totals[name][1] += forecast_sum
            totals[name][2] += actual_sum

    def score(name: str) -> Score:
        abs_error, forecast_sum, actual_sum = totals[name]
        units = actual_sum or 1.0
        return Score(
            float(np.mean(rmsse[name])), abs_error / units, (forecast_sum - actual_sum) / units
        )

    return Backtest(
        score("kassa"),
        score("naive"),
        starts,
        horizon,
        scored // origins,
        new // origins,
        totals["kassa"][2],
    )
