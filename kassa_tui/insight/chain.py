"""The till's forecasting engine over many shops' rows (issue 16: HQ's `kassa hq forecast`).

The head office reads its daily demand per shop and product from PostgreSQL
(kassa_tui.hq.forecast: arrays, no engine) and hands the arrays here: a row is one product in
one shop, with its product group. This module never touches a database.

`backtest_groups` is the till's rolling-origin backtest (insight.backtest: the same origins,
the same rows scored — those the local method forecasts, not the new ones — the same weighted
RMSSE, WAPE and bias) scored per product group, for the local method (insight.forecast), for
seasonal naive (same weekday last week) and for any other method given as a forecaster (HQ's
global model). `choose` picks per group: another method only where it clearly beats the local
one in that backtest (GATE), and never anything worse than seasonal naive.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from kassa_tui.insight.backtest import Score, _scale, _score
from kassa_tui.insight.demand import BoolArray, Demand, FloatArray
from kassa_tui.insight.forecast import NEW, forecast, seasonal_naive

LOCAL, NAIVE, GLOBAL = "local", "naive", "global"
#: Another method replaces the local one in a group only at this share of its RMSSE or less.
GATE = 0.90

#: (origin, horizon) -> (rows, horizon) units: a forecast of every row for the `horizon` days
#: from day index `origin`, made from the days before it only.
Forecaster = Callable[[int, int], FloatArray]


def as_demand(
    days: Sequence[str],
    codes: list[str],
    names: list[str],
    qty: FloatArray,
    revenue_ore: FloatArray,
) -> Demand:
    """A Demand from plain arrays: (rows, days) units (NaN = closed) and revenue in øre."""
    n = qty.shape[0]
    weekday = np.array([date.fromisoformat(d).weekday() for d in days], np.int64)
    open_day: BoolArray = np.asarray((~np.isnan(qty)).any(axis=0), bool)
    return Demand(
        np.arange(n, dtype=np.int64),
        codes,
        names,
        list(days),
        weekday,
        qty,
        revenue_ore,
        open_day,
        np.zeros(qty.shape, bool),
    )


@dataclass(frozen=True)
class GroupScore:
    """One product group's backtest: each method's score and the method chosen."""

    group: str
    rows: int  # rows scored (shop x product), averaged over the origins
    scores: dict[str, Score]
    chosen: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupScore:
        """Back from to_dict() (HQ keeps the choice: kassa_tui/hq/sql/0015_forecast_choice.sql)."""
        scores = {
            m: Score(float(v["rmsse"]), float(v["wape"]), float(v["bias"]))
            for m, v in data["scores"].items()
        }
        return cls(str(data["group"]), int(data["rows"]), scores, str(data["chosen"]))

    def to_dict(self) -> dict[str, object]:
        return {
            "group": self.group,
            "rows": self.rows,
            "chosen": self.chosen,
            "scores": {
                m: {"rmsse": s.rmsse, "wape": s.wape, "bias": s.bias}
                for m, s in self.scores.items()
            },
        }


def choose(scores: dict[str, Score], gate: float = GATE) -> str:
    """The local method, unless another method beats it clearly (a weighted RMSSE at most
    `gate` times the local method's: three origins are a small sample, a hair's difference is
    noise); then the best of those. Never worse than seasonal naive: if the pick is, same as
    last week."""
    allowed = [LOCAL] + [
        m
        for m, s in scores.items()
        if m not in (LOCAL, NAIVE) and s.rmsse <= gate * scores[LOCAL].rmsse
    ]
    chosen = min(allowed, key=lambda m: scores[m].rmsse)
    if scores[chosen].rmsse > scores[NAIVE].rmsse:
        return NAIVE
    return chosen


def backtest_groups(
    demand: Demand,
    groups: Sequence[str],
    horizon: int = 28,
    origins: int = 3,
    others: Mapping[str, Forecaster] | None = None,
) -> list[GroupScore]:
    """The backtest per group (groups[i] is row i's), every method on the same rows and days."""
    t_len = len(demand.days)
    if t_len < horizon * origins + 28:
        raise ValueError("not enough history for the backtest")
    kinds = np.array(list(groups), dtype=object)
    names = sorted(set(groups))
    methods = [LOCAL, NAIVE, *(others or {})]
    rmsse = {(g, m): list[float]() for g in names for m in methods}
    totals = {(g, m): [0.0, 0.0, 0.0] for g in names for m in methods}
    scored = dict.fromkeys(names, 0)
    for k in range(origins, 0, -1):
        origin = t_len - k * horizon
        train = demand.window(0, origin)
        test = demand.window(origin, origin + horizon)
        ours = forecast(train, horizon)
        keep = np.array([c != NEW for c in ours.klass], bool)
        predicted = {LOCAL: ours.values, NAIVE: seasonal_naive(train, horizon)}
        for m, forecaster in (others or {}).items():
            predicted[m] = forecaster(origin, horizon)
        scale = _scale(train.qty)
        weight = train.revenue_ore.sum(axis=1)
        for g in names:
            rows = keep & (kinds == g)
            if not rows.any():
                continue
            scored[g] += int(rows.sum())
            for m in methods:
                w, abs_error, f_sum, a_sum = _score(
                    test.qty[rows], predicted[m][rows], scale[rows], weight[rows]
                )
                rmsse[g, m].append(w)
                totals[g, m][0] += abs_error
                totals[g, m][1] += f_sum
                totals[g, m][2] += a_sum
    out = []
    for g in names:
        if not scored[g]:
            continue
        scores = {}
        for m in methods:
            abs_error, f_sum, a_sum = totals[g, m]
            units = a_sum or 1.0
            scores[m] = Score(
                float(np.mean(rmsse[g, m])), abs_error / units, (f_sum - a_sum) / units
            )
        out.append(GroupScore(g, scored[g] // origins, scores, choose(scores)))
    return out
