"""HQ's global forecasting model: one gradient-boosting model over every shop and product
(issue 16, "AI-driven forecasting" as it should mean: measured, explainable, never worse than
the simple baseline).

One LightGBM regressor (the `hq` extra; imported only when a model is trained: the till never
needs it) learns a product's demand on a day, divided by the product's own level in that shop
(its mean over the 28 open days before the forecast is made), from what is known when the
forecast is made:

- calendar: weekday, week of the year, a Norwegian public holiday (python-holidays, as the
  till's beer hours use), days to the next and since the last holiday (capped at 14);
- price: the product's price that day (the median paid across the shops: HQ's prices and
  campaigns are chain-wide) and that price relative to its median over the 28 days before (a
  campaign is a price well below 1);
- lags: the demand 7, 14 and 28 days before, where that day was before the forecast was made
  (else missing: LightGBM handles it), and the mean of the last 7 and 28 open days;
- the shop and product group, and how many days ahead.

`ChainModel.forecaster(origin, horizon)` forecasts every row for the `horizon` days from day
index `origin`, trained on the days before `origin` only: the shape the backtest
(kassa_tui.insight.chain) takes, so the global model is scored exactly as the local method is.
Pure numpy and LightGBM: no database here (kassa_tui.hq.forecast reads the arrays).

Prices of days to come: the price on the day is the one paid that day; for days not sold yet
(a real forecast) the last price is carried forward — HQ's campaign plan is not read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

LAGS = (7, 14, 28)
#: The calendar reaches this many days past the data (the longest forecast).
AHEAD_MAX = 91
LEVEL_DAYS = 28
#: Pseudo-origins for training: one a week through the training window.
STEP = 7
#: At most this many training samples (row x day) per model: a big chain's rows are sampled.
MAX_SAMPLES = 600_000
HOLIDAY_CAP = 14
FEATURES = (
    "weekday",
    "week",
    "holiday",
    "to_holiday",
    "from_holiday",
    "price",
    "relative_price",
    *(f"lag_{k}" for k in LAGS),
    "mean_7",
    "mean_28",
    "shop",
    "group",
    "ahead",
)
ROUNDS = 120
PARAMS: dict[str, Any] = {
    "objective": "regression",
    "learning_rate": 0.1,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "feature_fraction": 0.9,
    "seed": 16,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "max_bin": 63,
    "verbosity": -1,
}


def calendar(days: list[str]) -> dict[str, FloatArray]:
    """Per day: weekday, ISO week, a Norwegian public holiday, days to/from the nearest ones."""
    import holidays

    dates = [date.fromisoformat(d) for d in days]
    years = range(dates[0].year - 1, dates[-1].year + 2)
    found = sorted(holidays.country_holidays("NO", years=list(years)))
    ordinals = np.array([d.toordinal() for d in found], np.int64)
    at = np.array([d.toordinal() for d in dates], np.int64)
    nxt = np.searchsorted(ordinals, at, side="left")
    prv = np.searchsorted(ordinals, at, side="right") - 1
    to_next = ordinals[np.minimum(nxt, len(ordinals) - 1)] - at
    from_last = at - ordinals[np.maximum(prv, 0)]
    return {
        "weekday": np.array([d.weekday() for d in dates], np.float64),
        "week": np.array([d.isocalendar()[1] for d in dates], np.float64),
        "holiday": np.isin(at, ordinals).astype(np.float64),
        "to_holiday": np.minimum(to_next, HOLIDAY_CAP).astype(np.float64),
        "from_holiday": np.minimum(from_last, HOLIDAY_CAP).astype(np.float64),
    }


def chain_price(codes: list[str], price_ore: FloatArray) -> FloatArray:
    """(rows, days) the product's price each day: the median paid across its shops that day,
    the last one carried forward (and the first one back) where no shop sold it."""
    out = np.full(price_ore.shape, np.nan)
    by_code: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        by_code.setdefault(code, []).append(i)
    for rows in by_code.values():
        block = price_ore[rows]
        with np.errstate(all="ignore"):
            seen = ~np.isnan(block).all(axis=0)
            day = np.full(block.shape[1], np.nan)
            day[seen] = np.nanmedian(block[:, seen], axis=0)
        out[rows] = _fill(day)[None, :]
    return out


def _fill(series: FloatArray) -> FloatArray:
    """Carry the last value forward, the first one back; 1 if there is none."""
    seen = ~np.isnan(series)
    if not seen.any():
        return np.ones_like(series)
    index = np.where(seen, np.arange(len(series)), 0)
    np.maximum.accumulate(index, out=index)
    filled = series[index]
    filled[: np.argmax(seen)] = series[np.argmax(seen)]
    return np.asarray(filled)


def _relative(price: FloatArray) -> FloatArray:
    """Each day's price over the median of the 28 days before (1 for the first day)."""
    n, t_len = price.shape
    out = np.ones((n, t_len))
    for t in range(1, t_len):
        median = np.median(price[:, max(0, t - LEVEL_DAYS) : t], axis=1)
        out[:, t] = np.where(median > 0, price[:, t] / median, 1.0)
    return out


@dataclass
class ChainModel:
    """The chain's arrays, ready for training at any origin."""

    qty: FloatArray  # (n, T) units, NaN: closed
    price: FloatArray  # (n, T) chain price, filled
    relative: FloatArray  # (n, T)
    shop: IntArray  # (n,)
    group: IntArray  # (n,)
    days: dict[str, FloatArray]  # the calendar, (T,) each

    @classmethod
    def of(
        cls,
        qty: FloatArray,
        price_ore: FloatArray,
        codes: list[str],
        shops: list[str],
        groups: list[str],
        days: list[str],
    ) -> ChainModel:
        price = chain_price(codes, price_ore)
        shop_ids = {s: i for i, s in enumerate(sorted(set(shops)))}
        group_ids = {g: i for i, g in enumerate(sorted(set(groups)))}
        return cls(
            qty,
            price,
            _relative(price),
            np.array([shop_ids[s] for s in shops], np.int64),
            np.array([group_ids[g] for g in groups], np.int64),
            calendar(days + future_days(days[-1], AHEAD_MAX)),
        )

    def _block(
        self, origin: int, horizon: int, rows: IntArray | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Features (n * horizon, F), targets scaled by the level (NaN: not observed), and
        each row's level, for the `horizon` days from `origin` as known at `origin`."""
        every = np.arange(self.qty.shape[0]) if rows is None else rows
        qty, shop, group = self.qty[every], self.shop[every], self.group[every]
        n, t_len = qty.shape
        past = qty[:, max(0, origin - LEVEL_DAYS) : origin]
        seen = ~np.isnan(past)
        with np.errstate(all="ignore"):
            level = np.where(seen.any(axis=1), np.nanmean(past, axis=1), 0.0)
            mean_7 = np.nanmean(qty[:, max(0, origin - 7) : origin], axis=1)
        scale = np.maximum(level, 0.1)
        columns: dict[str, FloatArray] = {}
        t = origin + np.arange(horizon)
        inside = np.minimum(t, t_len - 1)
        for name, values in self.days.items():
            columns[name] = np.broadcast_to(values[t], (n, horizon))
        # A day beyond the data (a real forecast) keeps the last price.
        columns["price"] = self.price[every][:, inside]
        columns["relative_price"] = self.relative[every][:, inside]
        for k in LAGS:
            src = t - k
            known = src < origin
            lag = qty[:, np.clip(src, 0, t_len - 1)] / scale[:, None]
            columns[f"lag_{k}"] = np.where(known[None, :], lag, np.nan)
        columns["mean_7"] = np.broadcast_to((mean_7 / scale)[:, None], (n, horizon))
        columns["mean_28"] = np.broadcast_to((level / scale)[:, None], (n, horizon))
        columns["shop"] = np.broadcast_to(shop[:, None], (n, horizon)).astype(np.float64)
        columns["group"] = np.broadcast_to(group[:, None], (n, horizon)).astype(np.float64)
        columns["ahead"] = np.broadcast_to(np.arange(horizon, dtype=np.float64), (n, horizon))
        x = np.stack([np.asarray(columns[f], np.float64).reshape(-1) for f in FEATURES], axis=1)
        target = np.full((n, horizon), np.nan)
        within = t < t_len
        target[:, within] = qty[:, t[within]] / scale[:, None]
        target[level <= 0] = np.nan  # nothing sold before: not a case to learn from
        return x, target.reshape(-1), level

    def fit(self, origin: int, horizon: int) -> Any:
        """A model trained on pseudo-origins a week apart, every target before `origin`."""
        import lightgbm

        xs, ys = [], []
        origins = list(range(LEVEL_DAYS, origin - horizon + 1, STEP))
        n = self.qty.shape[0]
        # A big chain: a random sample of its rows at each pseudo-origin, MAX_SAMPLES in all.
        per_origin = max(1, MAX_SAMPLES // max(1, len(origins)) // horizon)
        rng = np.random.default_rng(16)
        for o in origins:
            rows = None if n <= per_origin else np.sort(rng.choice(n, per_origin, replace=False))
            x, y, _level = self._block(o, horizon, rows)
            keep = ~np.isnan(y)
            xs.append(x[keep])
            ys.append(y[keep])
        if not xs or sum(len(y) for y in ys) < 50:
            raise ValueError("not enough history for the global model")
        data = lightgbm.Dataset(
            np.concatenate(xs),
            np.concatenate(ys),
            feature_name=list(FEATURES),
            categorical_feature=["shop", "group", "weekday"],
            free_raw_data=True,
        )
        return lightgbm.train(PARAMS, data, num_boost_round=ROUNDS)

    def forecaster(self, origin: int, horizon: int) -> FloatArray:
        """(rows, horizon) units from `origin`, trained on the days before it only; 0 on a
        weekday the shop was closed every time in the last 28 days (as the local method)."""
        model = self.fit(origin, horizon)
        return self.predict(model, origin, horizon)

    def predict(self, model: Any, origin: int, horizon: int) -> FloatArray:
        n = self.qty.shape[0]
        x, _y, level = self._block(origin, horizon)
        scaled = np.maximum(np.asarray(model.predict(x), np.float64), 0.0).reshape(n, horizon)
        values = scaled * np.maximum(level, 0.1)[:, None]
        values[level <= 0] = 0.0
        # closed weekdays: no sale expected
        past = self.qty[:, max(0, origin - LEVEL_DAYS) : origin]
        weekdays = self.days["weekday"]
        past_weekday = weekdays[max(0, origin - LEVEL_DAYS) : origin]
        ahead_weekday = weekdays[origin + np.arange(horizon)]
        for w in range(7):
            cols = past_weekday == w
            closed = ~(~np.isnan(past[:, cols])).any(axis=1) if cols.any() else np.ones(n, bool)
            values[np.ix_(closed, ahead_weekday == w)] = 0.0
        return values


def future_days(last: str, horizon: int) -> list[str]:
    start = date.fromisoformat(last)
    return [(start + timedelta(days=i + 1)).isoformat() for i in range(horizon)]
