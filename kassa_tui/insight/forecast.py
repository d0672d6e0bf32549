"""Forecasts per product: a class, a cheap method for the class, and a weekday profile.

Products are classed as Syntetos and Boylan do, from the days the shop was open and the product
in stock: ADI (average days between days with a sale) and CV² (of the amounts on those days).

- smooth (ADI < 1.32, CV² < 0.49) and erratic (ADI < 1.32, CV² ≥ 0.49): damped-trend exponential
  smoothing of the demand divided by the weekday profile, times the profile again;
- intermittent (ADI ≥ 1.32, CV² < 0.49) and lumpy (ADI ≥ 1.32, CV² ≥ 0.49): TSB (the chance of
  a sale and its size, each smoothed), times the weekday profile;
- new: fewer than NEW_DAYS open days since its first sale, or fewer than NEW_SALES days with a
  sale: no forecast, "order by hand".

The smoothing constants are chosen per class on the training window (a small grid, the one
with the lowest one-step error over all the class's products). The weekday profile is the
product's own, shrunk towards its class's where it has few sales; a weekday the shop was
never open on gets 0. Everything is numpy over all products at once: the loop is over days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from kassa_tui.insight.demand import BoolArray, Demand, FloatArray, IntArray

ADI_CUT = 1.32
CV2_CUT = 0.49
NEW_DAYS = 28
NEW_SALES = 4
#: Days with a sale at which a product's own weekday profile counts as much as its class's.
PROFILE_SHRINK = 20.0

SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NEW = "smooth", "erratic", "intermittent", "lumpy", "new"
CLASSES = (SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NEW)
METHODS = {
    SMOOTH: "damped exponential smoothing × weekday profile",
    ERRATIC: "damped exponential smoothing × weekday profile",
    INTERMITTENT: "TSB × weekday profile",
    LUMPY: "TSB × weekday profile",
    NEW: "order by hand",
}

#: (alpha, beta, phi) for level, trend, damping.
ES_GRID = [(a, b, 0.9) for a in (0.03, 0.08, 0.15, 0.3) for b in (0.0, 0.05)]
#: (alpha for the size, beta for the chance of a sale).
TSB_GRID = [(a, b) for a in (0.05, 0.15, 0.3) for b in (0.02, 0.05, 0.15)]


@dataclass(frozen=True)
class Forecasts:
    """Forecasts for `days` ahead of every product of a Demand; NaN rows for new products."""

    product_ids: IntArray
    codes: list[str]
    names: list[str]
    days: list[str]  # (h,) the business days forecast
    values: FloatArray  # (n, h) units per day
    klass: list[str]  # (n,) smooth, erratic, intermittent, lumpy or new
    profile: FloatArray  # (n, 7) Monday..Sunday, mean 1 over the days the shop opens
    adi: FloatArray
    cv2: FloatArray
    parameters: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def method(self, i: int) -> str:
        return METHODS[self.klass[i]]


def classify(qty: FloatArray) -> tuple[list[str], FloatArray, FloatArray]:
    """Each product's class, ADI and CV² from its observed days (NaN = missing)."""
    observed = ~np.isnan(qty)
    sold = np.nan_to_num(qty) > 0
    # Open days from the first sale on (a product listed later is not intermittent before).
    started = np.cumsum(sold, axis=1) > 0
    days_seen = (observed & started).sum(axis=1)
    n_sales = sold.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(n_sales > 0, days_seen / np.maximum(n_sales, 1), np.inf)
        sizes = np.where(sold, np.nan_to_num(qty), np.nan)
        mean = np.nanmean(np.where(n_sales[:, None] > 0, sizes, 0.0), axis=1)
        var = np.nanvar(np.where(n_sales[:, None] > 0, sizes, 0.0), axis=1)
        cv2 = np.where(mean > 0, var / mean**2, 0.0)
    klass = np.where(
        adi < ADI_CUT,
        np.where(cv2 < CV2_CUT, SMOOTH, ERRATIC),
        np.where(cv2 < CV2_CUT, INTERMITTENT, LUMPY),
    ).astype(object)
    klass[(days_seen < NEW_DAYS) | (n_sales < NEW_SALES)] = NEW
    return [str(k) for k in klass], adi, cv2


def weekday_profiles(qty: FloatArray, weekday: IntArray, klass: list[str]) -> FloatArray:
    """(n, 7) multiplicative weekday profiles, mean 1 over the weekdays the shop opens."""
    return profiles_of(*weekday_sums(qty, weekday), klass)


def weekday_sums(qty: FloatArray, weekday: IntArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Each product's units and observed days per weekday (n, 7), and its days with a sale: all
    a profile needs of the demand (insight.chunks adds them up a chunk of products at a time)."""
    n = qty.shape[0]
    observed = ~np.isnan(qty)
    values = np.nan_to_num(qty)
    sums = np.zeros((n, 7))
    counts = np.zeros((n, 7))
    for w in range(7):
        on = weekday == w
        sums[:, w] = values[:, on].sum(axis=1)
        counts[:, w] = observed[:, on].sum(axis=1)
    return sums, counts, (values > 0).sum(axis=1)


def profiles_of(
    sums: FloatArray,
    counts: FloatArray,
    sale_days: IntArray,
    klass: list[str],
    pool: tuple[BoolArray, dict[str, FloatArray]] | None = None,
) -> FloatArray:
    """weekday_profiles from weekday_sums' figures; `pool` (profile_pool's, of every product)
    when these are only some of the products (insight.chunks)."""
    n = sums.shape[0]
    opens, pooled_of = pool or profile_pool(sums, counts, klass)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(counts > 0, sums / counts, 0.0)
        own = _normalise(own, opens)
        kinds = np.array(klass, dtype=object)
        pooled = np.ones((n, 7))
        for k in set(klass):
            pooled[kinds == k] = pooled_of[k]
        n_sales = sale_days[:, None]
        weight = n_sales / (n_sales + PROFILE_SHRINK)
        profile = weight * own + (1 - weight) * pooled
    profile = _normalise(np.where(np.isfinite(profile), profile, 1.0), opens)
    profile[:, ~opens] = 0.0
    return profile


def profile_pool(
    sums: FloatArray, counts: FloatArray, klass: list[str]
) -> tuple[BoolArray, dict[str, FloatArray]]:
    """The weekdays the shop opens, and each class's own profile (its products' pool)."""
    opens = counts.sum(axis=0) > 0
    kinds = np.array(klass, dtype=object)
    pooled: dict[str, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in set(klass):
            rows = kinds == k
            per_day = np.where(counts[rows].sum(0) > 0, sums[rows].sum(0) / counts[rows].sum(0), 0)
            pooled[k] = _normalise(per_day[None, :], opens)
    return opens, pooled


def _normalise(profile: FloatArray, opens: BoolArray) -> FloatArray:
    mean = profile[:, opens].mean(axis=1, keepdims=True) if opens.any() else np.ones((1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(mean > 0, profile / mean, 1.0)
    out[:, ~opens] = 0.0
    return np.asarray(out)


def _damped_es(
    y: FloatArray, alpha: float, beta: float, phi: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Damped-trend smoothing over columns, skipping NaN; returns level, trend, one-step SSE."""
    n, t_len = y.shape
    observed = ~np.isnan(y)
    # Start at the mean of the first four weeks seen.
    seen_first = observed[:, :28]
    first_sum = np.where(seen_first, np.nan_to_num(y[:, :28]), 0.0).sum(axis=1)
    level = first_sum / np.maximum(seen_first.sum(axis=1), 1)
    trend = np.zeros(n)
    sse = np.zeros(n)
    for t in range(t_len):
        seen = observed[:, t]
        value = y[:, t]
        guess = level + phi * trend
        error = np.where(seen, value - guess, 0.0)
        sse += error * error
        new_level = guess + alpha * error
        new_trend = phi * trend + beta * alpha * error
        level = np.where(seen, new_level, level)
        trend = np.where(seen, new_trend, trend)
    return level, trend, sse


def _tsb(y: FloatArray, alpha: float, beta: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """TSB over columns, skipping NaN: the size of a sale and the chance of one; one-step SSE."""
    n, t_len = y.shape
    observed = ~np.isnan(y)
    values = np.nan_to_num(y)
    sold = values > 0
    n_seen = np.maximum(observed.sum(axis=1), 1)
    chance = sold.sum(axis=1) / n_seen
    size = np.where(sold.any(axis=1), values.sum(axis=1) / np.maximum(sold.sum(axis=1), 1), 0.0)
    # Warm up on the whole window's averages, then smooth through it.
    sse = np.zeros(n)
    for t in range(t_len):
        seen = observed[:, t]
        value = values[:, t]
        error = np.where(seen, value - chance * size, 0.0)
        sse += error * error
        hit = sold[:, t]
        size = np.where(hit, size + alpha * (value - size), size)
        chance = np.where(seen, chance + beta * (hit - chance), chance)
    return size, chance, sse


def forecast(demand: Demand, horizon: int) -> Forecasts:
    """Forecast each product of `demand` for the `horizon` business days after its last day."""
    qty = demand.qty
    n = qty.shape[0]
    klass, adi, cv2 = classify(qty)
    profile = weekday_profiles(qty, demand.weekday, klass)
    if not demand.days:  # daily_demand always spans its window; an empty one is a bug
        raise ValueError("no business days to forecast from")
    last = date.fromisoformat(demand.days[-1])
    days = [(last + timedelta(days=i + 1)).isoformat() for i in range(horizon)]
    ahead_weekday = np.array([date.fromisoformat(d).weekday() for d in days], np.int64)
    values = np.full((n, horizon), np.nan)
    kinds = np.array(klass, dtype=object)
    parameters: dict[str, tuple[float, ...]] = {}
    steps = np.arange(1, horizon + 1)
    # Demand on each day divided by the product's profile for that weekday.
    day_profile = profile[:, demand.weekday]
    with np.errstate(divide="ignore", invalid="ignore"):
        deseasonalised = np.where(day_profile > 0, qty / day_profile, np.nan)
    for k in (SMOOTH, ERRATIC):
        rows = np.flatnonzero(kinds == k)
        if len(rows) == 0:
            continue
        y = deseasonalised[rows]
        best: tuple[float, tuple[float, float, float], FloatArray] | None = None
        for params in ES_GRID:
            level, trend, sse = _damped_es(y, *params)
            phi = params[2]
            damp = np.cumsum(phi**steps)
            path = np.maximum(level[:, None] + trend[:, None] * damp[None, :], 0.0)
            score = float(sse.sum())
            if best is None or score < best[0]:
                best = (score, params, path)
        assert best is not None
        parameters[k] = best[1]
        values[rows] = best[2] * profile[rows][:, ahead_weekday]
    for k in (INTERMITTENT, LUMPY):
        rows = np.flatnonzero(kinds == k)
        if len(rows) == 0:
            continue
        y = deseasonalised[rows]
        best_tsb: tuple[float, tuple[float, float], FloatArray] | None = None
        for tsb_params in TSB_GRID:
            size, chance, sse = _tsb(y, *tsb_params)
            score = float(sse.sum())
            if best_tsb is None or score < best_tsb[0]:
                best_tsb = (score, tsb_params, size * chance)
        assert best_tsb is not None
        parameters[k] = best_tsb[1]
        values[rows] = best_tsb[2][:, None] * profile[rows][:, ahead_weekday]
    return Forecasts(
        demand.product_ids,
        demand.codes,
        demand.names,
        days,
        values,
        klass,
        profile,
        adi,
        cv2,
        parameters,
    )


def seasonal_naive(demand: Demand, horizon: int) -> FloatArray:
    """Same weekday last week: the last open, in-stock value seen on each weekday (0 if none)."""
    qty = demand.qty
    n = qty.shape[0]
    last_seen = np.zeros((n, 7))
    for w in range(7):
        cols = np.flatnonzero(demand.weekday == w)
        if len(cols) == 0:
            continue
        block = qty[:, cols]
        observed = ~np.isnan(block)
        # The index of the last observed column per row (or -1).
        idx = np.where(
            observed.any(axis=1), observed.shape[1] - 1 - np.argmax(observed[:, ::-1], 1), -1
        )
        last_seen[:, w] = np.where(idx >= 0, block[np.arange(n), np.maximum(idx, 0)], 0.0)
    last = date.fromisoformat(demand.days[-1])
    ahead = [(last + timedelta(days=i + 1)).weekday() for i in range(horizon)]
    return np.nan_to_num(last_seen[:, ahead])
