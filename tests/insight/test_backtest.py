"""The CI gate: on half a year of a realistic shop's sales, written into a real till database,
kassa's forecast beats "same as last week" honestly (weighted RMSSE at most 0.80 of seasonal
naive's on the same products and days) and is not skewed (|bias| < 5 %); the owner reads it as
`kassa forecast backtest` prints it."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.config import Config
from kassa_tui.core.i18n import set_language
from kassa_tui.insight import forecast as forecast_module
from kassa_tui.insight.backtest import backtest
from kassa_tui.insight.demand import daily_demand
from tests.insight.shopdata import Shop

LEAD = "2\n2222\n"


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def _backtest(history: tuple[Config, Shop]):  # type: ignore[no-untyped-def]
    config, data = history
    with sqlite3.connect(config.database) as conn:
        demand = daily_demand(conn, data.days[0], data.days[-1])
    return backtest(demand, horizon=28, origins=3)


def test_kassa_beats_same_as_last_week_without_bias(history: tuple[Config, Shop]) -> None:
    result = _backtest(history)
    assert len(result.origins) == 3 and result.horizon == 28
    assert result.products > 250  # the new products (order by hand) are few
    assert result.kassa.rmsse <= 0.80 * result.naive.rmsse, result
    assert abs(result.kassa.bias) < 0.05, result
    assert result.kassa.wape < result.naive.wape, result


def test_without_a_weekday_profile_the_gate_is_red(
    history: tuple[Config, Shop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate can fail: a forecast that ignores the week (Saturday as busy as Monday) does
    not pass it."""
    monkeypatch.setattr(
        forecast_module, "weekday_profiles", lambda qty, weekday, klass: np.ones((len(qty), 7))
    )
    result = _backtest(history)
    assert not result.kassa.rmsse <= 0.80 * result.naive.rmsse, result


def test_zeros_are_red(history: tuple[Config, Shop], monkeypatch: pytest.MonkeyPatch) -> None:
    real = forecast_module.forecast

    def zeros(demand, horizon):  # type: ignore[no-untyped-def]
        made = real(demand, horizon)
        made.values[:] = np.where(np.isnan(made.values), np.nan, 0.0)
        return made

    monkeypatch.setattr("kassa_tui.insight.backtest.forecast", zeros)
    result = _backtest(history)
    assert not abs(result.kassa.bias) < 0.05
    assert not result.kassa.rmsse <= 0.80 * result.naive.rmsse


def test_kassa_forecast_backtest_prints_the_table_and_the_sentence(
    history: tuple[Config, Shop],
) -> None:
    _, data = history
    args = ["--config", data.config_path, "forecast", "backtest"]
    result = CliRunner().invoke(main, [*args, "--json"], input=LEAD)
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output[result.output.index("{") :])
    assert scores["kassa"]["rmsse"] <= 0.80 * scores["naive"]["rmsse"]
    assert len(scores["origins"]) == 3

    result = CliRunner().invoke(main, args, input=LEAD)
    assert result.exit_code == 0, result.output
    wape = round(scores["kassa"]["wape"] * 100)
    naive = round(scores["naive"]["wape"] * 100)
    bias = round(abs(scores["kassa"]["bias"]) * 100)
    side = "high" if scores["kassa"]["bias"] >= 0 else "low"
    assert (
        f"kassa's forecast was off by ±{wape} % (in units), {bias} % too {side}; "
        f"same as last week: ±{naive} %." in result.output
    )
    assert "weighted RMSSE" in result.output and "same as last week" in result.output


def test_a_shift_lead_or_technician_only(history: tuple[Config, Shop]) -> None:
    _, data = history
    result = CliRunner().invoke(
        main, ["--config", data.config_path, "forecast", "backtest"], input="1\n1111\n"
    )
    assert result.exit_code == 1
    assert "RMSSE" not in result.output


def test_kassa_forecast_shows_class_method_profile_and_days(history: tuple[Config, Shop]) -> None:
    _, data = history
    args = ["--config", data.config_path, "forecast"]
    result = CliRunner().invoke(main, [*args, "--json", "--days", "7", "--limit", "5"], input=LEAD)
    assert result.exit_code == 0, result.output
    made = json.loads(result.output[result.output.index("{") :])
    assert len(made["days"]) == 7 and len(made["products"]) == 5
    first = made["products"][0]
    assert first["class"] in ("smooth", "erratic") and "weekday profile" in first["method"]
    assert len(first["weekday_profile"]) == 7 and first["weekday_profile"][6] == 0  # Sundays
    totals = [sum(p["forecast"]) for p in made["products"]]
    assert totals == sorted(totals, reverse=True)  # the biggest first

    code = data.codes[0]
    result = CliRunner().invoke(main, [*args, "--product", code, "--days", "7"], input=LEAD)
    assert result.exit_code == 0, result.output
    assert code in result.output and "weekday profile: Mo" in result.output
    assert result.output.count("\n  20") == 7  # one line per day ahead

    result = CliRunner().invoke(main, [*args, "--product", "4242424242"], input=LEAD)
    assert result.exit_code == 2 and "no product with PLU or barcode 4242424242" in result.output
