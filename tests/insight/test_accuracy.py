"""The Accuracy tab's figures (issue 16): per product group, how far kassa's forecast from four
weeks back was off (WAPE, in units) and how skewed (bias), beside "same as last week", and the
shop's total, in the owner's words; `kassa forecast accuracy` prints the same."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import numpy as np
import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.config import Config
from kassa_tui.core.i18n import set_language
from kassa_tui.insight import accuracy as accuracy_module
from kassa_tui.insight.accuracy import accuracy, product_groups
from kassa_tui.insight.chunks import shop_accuracy
from kassa_tui.insight.demand import Demand, daily_demand
from kassa_tui.insight.forecast import forecast as real_forecast
from tests.insight.shopdata import Shop

LEAD = "2\n2222\n"
START = date(2026, 1, 5)  # a Monday


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def _tiny() -> Demand:
    """Three products, 28 days to learn from and 28 to score, open every day.

    0 (Meieri): 2 a day, then 3 a day; out of stock on the first scored day (missing).
    1 (Brød): 5 a day, then 4 and 6 by turns.
    2 (Fisk): sold on two days only: new («order by hand»), so Fisk has too little history.
    """
    t_len = 56
    qty = np.zeros((3, t_len))
    qty[0, :28], qty[0, 28:] = 2, 3
    qty[0, 28] = np.nan
    qty[1, :28] = 5
    qty[1, 28:] = [4, 6] * 14
    qty[2, [10, 20]] = 1
    days = [(START + timedelta(days=i)).isoformat() for i in range(t_len)]
    weekday = np.array([(START + timedelta(days=i)).weekday() for i in range(t_len)])
    stockout = np.zeros(qty.shape, bool)
    stockout[0, 28] = True
    return Demand(
        np.arange(1, 4),
        ["1", "2", "3"],
        ["Melk", "Brød", "Laks"],
        days,
        weekday,
        qty,
        np.nan_to_num(qty) * 100,
        np.ones(t_len, bool),
        stockout,
    )


def test_the_figures_per_group_equal_the_hand_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """kassa's forecast pinned to 3.3 and 4.5 a day; same as last week is 2 and 5 a day."""

    def pinned(demand, horizon):  # type: ignore[no-untyped-def]
        made = real_forecast(demand, horizon)
        assert made.klass[2] == "new" and made.klass[0] != "new" and made.klass[1] != "new"
        made.values[0], made.values[1] = 3.3, 4.5
        return made

    monkeypatch.setattr(accuracy_module, "forecast", pinned)
    result = accuracy(_tiny(), ["Meieri", "Brød", "Fisk"])
    assert (result.first, result.last) == ("2026-02-02", "2026-03-01")
    rows = {row.group: row for row in result.groups}
    assert list(rows) == ["Brød", "Fisk", "Meieri"]
    milk = rows["Meieri"]  # 27 days seen, 81 sold; kassa 0.3 off a day, naive 1 short a day
    assert milk.units == pytest.approx(81)
    assert milk.wape == pytest.approx(8.1 / 81) and milk.bias == pytest.approx(8.1 / 81)
    assert milk.naive_wape == pytest.approx(27 / 81) and milk.naive_bias == pytest.approx(-27 / 81)
    bread = rows["Brød"]  # 140 sold; kassa 0.5 / 1.5 off, 14 short; naive 1 off, none short
    assert bread.wape == pytest.approx(28 / 140) and bread.bias == pytest.approx(-14 / 140)
    assert bread.naive_wape == pytest.approx(28 / 140) and bread.naive_bias == pytest.approx(0)
    assert not rows["Fisk"].enough and rows["Fisk"].products == 0
    total = result.total
    assert total.units == pytest.approx(221)
    assert total.wape == pytest.approx(36.1 / 221) and total.bias == pytest.approx(-5.9 / 221)
    assert total.naive_wape == pytest.approx(55 / 221)
    assert total.naive_bias == pytest.approx(-27 / 221)

    assert milk.sentence() == (
        "Meieri: off by ±10 % of units, 10 % too high; same as last week: ±33 %"
    )
    assert bread.sentence() == (
        "Brød: off by ±20 % of units, 10 % too low; same as last week: ±20 %"
    )
    assert rows["Fisk"].sentence() == "Fisk: too little history to say"
    assert accuracy_module.cells(milk) == [
        "Meieri",
        "±10 %",
        "+10 %",
        "±33 %",
        "better than last week",
    ]
    assert accuracy_module.cells(bread)[4] == "as last week"
    assert accuracy_module.cells(rows["Fisk"])[1:] == ["-", "-", "-", "too little history"]


def test_too_short_a_history_is_refused() -> None:
    short = _tiny().window(0, 50)
    with pytest.raises(ValueError):
        accuracy(short, ["Meieri", "Brød", "Fisk"])


def _generated(history: tuple[Config, Shop]):  # type: ignore[no-untyped-def]
    config, data = history
    with sqlite3.connect(config.database) as conn:
        demand = daily_demand(conn, data.days[0], data.days[-1], min_sale_days=4)
        groups = product_groups(conn, [int(p) for p in demand.product_ids])
    return accuracy(demand, groups)


def test_kassa_beats_same_as_last_week_on_the_generated_shop(
    history: tuple[Config, Shop],
) -> None:
    result = _generated(history)
    total = result.total
    assert total.enough and total.units > 1000
    assert total.wape is not None and total.naive_wape is not None and total.bias is not None
    assert total.wape < 0.9 * total.naive_wape, total
    assert abs(total.bias) < 0.1, total
    assert result.last == history[1].days[-1]
    assert all(row.enough for row in result.groups)


def test_zeros_are_worse_than_last_week(
    history: tuple[Config, Shop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison can fail: a forecast of nothing does not beat same as last week."""

    def zeros(demand, horizon):  # type: ignore[no-untyped-def]
        made = real_forecast(demand, horizon)
        made.values[:] = np.where(np.isnan(made.values), np.nan, 0.0)
        return made

    monkeypatch.setattr(accuracy_module, "forecast", zeros)
    total = _generated(history).total
    assert total.bias == pytest.approx(-1.0)
    assert accuracy_module.verdict(total) == "worse than last week"


def test_kassa_forecast_accuracy_prints_the_table(history: tuple[Config, Shop]) -> None:
    config, data = history
    last = data.days[-1]
    with sqlite3.connect(config.database) as conn:
        expected = shop_accuracy(conn, last, config.day_cutoff_hour)
    args = ["--config", data.config_path, "forecast", "accuracy"]
    # The till's clock is the demo's; the last whole business day may differ from the data's:
    # compare with what the command itself says it scored.
    result = CliRunner().invoke(main, [*args, "--json"], input=LEAD)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output[result.output.index("{") :])
    if shown["last"] == last:
        assert shown["total"]["wape"] == pytest.approx(expected.total.wape)
    assert shown["total"]["wape"] < shown["total"]["naive_wape"]
    result = CliRunner().invoke(main, args, input=LEAD)
    assert result.exit_code == 0, result.output
    assert "Group" in result.output and "Verdict" in result.output
    assert "The whole shop: off by ±" in result.output

    refused = CliRunner().invoke(main, args, input="1\n1111\n")
    assert refused.exit_code == 1 and "Verdict" not in refused.output
