"""How good the forecasts were in the last four weeks, per product group, in the owner's words.

One origin: kassa's forecast (kassa_tui.insight.forecast) made from everything before the last
`horizon` business days, compared with what was sold in them; beside it "same as last week"
(seasonal naive) on the same products and days. Per group and for the whole shop:

- off by ± (WAPE): the sum of absolute errors over the units sold, in %;
- bias: (units forecast − units sold) / units sold; positive = too high.

Only the products kassa forecasts count (new ones say "order by hand") and only the days the
shop was open and the product in stock (demand.py's missing days). A group with no such
product, or nothing sold in the four weeks, has too little history to say.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass

import numpy as np

from kassa_tui.core.i18n import _
from kassa_tui.insight.demand import Demand
from kassa_tui.insight.forecast import NEW, forecast, seasonal_naive

HORIZON = 28
#: Days before the origin the forecast needs at least (as the backtest).
MIN_TRAIN = 28


@dataclass(frozen=True)
class GroupAccuracy:
    group: str
    products: int  # forecast products in the group
    units: float  # units sold in the four weeks (scored days)
    wape: float | None  # kassa; None = too little history
    bias: float | None
    naive_wape: float | None
    naive_bias: float | None

    @property
    def enough(self) -> bool:
        return self.wape is not None

    def sentence(self) -> str:
        """«Meieri: off by ±18 % of units, 3 % too high; same as last week: ±25 %»."""
        return f"{self.group}: {describe(self)}"


@dataclass(frozen=True)
class Accuracy:
    first: str  # the first business day compared
    last: str
    groups: list[GroupAccuracy]
    total: GroupAccuracy

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def describe(row: GroupAccuracy) -> str:
    if row.wape is None or row.bias is None or row.naive_wape is None:
        return _("too little history to say")
    # The per cent sign goes with the number: gettext's checker reads «% o» as a format.
    wape, bias = f"{round(row.wape * 100)} %", f"{round(abs(row.bias) * 100)} %"
    naive = f"{round(row.naive_wape * 100)} %"
    if row.bias >= 0:
        text = _("off by ±{wape} of units, {bias} too high; same as last week: ±{naive}")
    else:
        text = _("off by ±{wape} of units, {bias} too low; same as last week: ±{naive}")
    return text.format(wape=wape, bias=bias, naive=naive)


def verdict(row: GroupAccuracy) -> str:
    if row.wape is None or row.naive_wape is None:
        return _("too little history")
    ours, naive = round(row.wape * 100), round(row.naive_wape * 100)
    if ours < naive:
        return _("better than last week")
    if ours > naive:
        return _("worse than last week")
    return _("as last week")


def product_groups(conn: sqlite3.Connection, product_ids: list[int]) -> list[str]:
    """Each product's group name (in the order given)."""
    names: dict[int, str] = {}
    for i in range(0, len(product_ids), 900):
        part = product_ids[i : i + 900]
        marks = ",".join("?" * len(part))
        for pid, name in conn.execute(
            "SELECT p.id, g.name FROM product p JOIN product_group g ON g.id = p.group_id "
            f"WHERE p.id IN ({marks})",
            part,
        ):
            names[pid] = name
    return [names.get(p, "?") for p in product_ids]


def _row(
    name: str, rows: np.ndarray, actual: np.ndarray, ours: np.ndarray, naive: np.ndarray
) -> GroupAccuracy:
    seen = ~np.isnan(actual[rows])
    a = np.where(seen, actual[rows], 0.0)
    units = float(a.sum())
    if len(rows) == 0 or units <= 0:
        return GroupAccuracy(name, len(rows), units, None, None, None, None)
    scores: list[float] = []
    for predicted in (ours, naive):
        f = np.where(seen, predicted[rows], 0.0)
        scores += [float(np.abs(f - a).sum()) / units, (float(f.sum()) - units) / units]
    return GroupAccuracy(name, len(rows), units, *scores)


def accuracy(demand: Demand, groups: list[str], horizon: int = HORIZON) -> Accuracy:
    """Forecast the last `horizon` days of `demand` from the days before; score per group."""
    t_len = len(demand.days)
    if t_len < horizon + MIN_TRAIN:
        raise ValueError("not enough history for the accuracy")
    origin = t_len - horizon
    train = demand.window(0, origin)
    test = demand.window(origin, t_len)
    ours = forecast(train, horizon)
    naive = seasonal_naive(train, horizon)
    forecast_kept = np.array([k != NEW for k in ours.klass], bool)
    actual = test.qty
    names = np.array(groups, dtype=object)
    rows: list[GroupAccuracy] = []
    for name in sorted(set(groups)):
        in_group = np.flatnonzero((names == name) & forecast_kept)
        rows.append(_row(name, in_group, actual, ours.values, naive))
    total = _row(_("The whole shop"), np.flatnonzero(forecast_kept), actual, ours.values, naive)
    return Accuracy(test.days[0], test.days[-1], rows, total)


def shop_accuracy_whole(
    conn: sqlite3.Connection, last_day: str, cutoff_hour: int, history_days: int = 182
) -> Accuracy:
    """shop_accuracy with every product's half year in memory at once (the reference)."""
    from datetime import date, timedelta

    from kassa_tui.insight.demand import daily_demand
    from kassa_tui.insight.forecast import NEW_SALES

    first = (date.fromisoformat(last_day) - timedelta(days=history_days - 1)).isoformat()
    demand = daily_demand(conn, first, last_day, cutoff_hour, min_sale_days=NEW_SALES)
    groups = product_groups(conn, [int(p) for p in demand.product_ids])
    return accuracy(demand, groups)


def percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:+.0f} %" if signed else f"±{value * 100:.0f} %"


def cells(row: GroupAccuracy) -> list[str]:
    """Group, kassa ±%, bias, same as last week ±%, verdict: as on the screen."""
    return [
        row.group,
        percent(row.wape),
        percent(row.bias, signed=True),
        percent(row.naive_wape),
        verdict(row),
    ]


def headings() -> list[str]:
    return [_("Group"), _("kassa"), _("Bias"), _("Last week"), _("Verdict")]


def table_lines(result: Accuracy) -> list[str]:
    """The table as `kassa forecast accuracy` prints it, then a sentence per group."""
    lines = [
        _("Forecast accuracy {first} to {last} (kassa's forecast from the day before)").format(
            first=result.first, last=result.last
        )
    ]
    rows = [*result.groups, result.total]
    table = [headings(), *(cells(r) for r in rows)]
    widths = [max(len(t[c]) for t in table) for c in range(5)]
    for t in table:
        lines.append(
            "  ".join(
                t[c].ljust(widths[c]) if c in (0, 4) else t[c].rjust(widths[c]) for c in range(5)
            ).rstrip()
        )
    lines.append("")
    lines += [r.sentence() for r in rows]
    return lines
