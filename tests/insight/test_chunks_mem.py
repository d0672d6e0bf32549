"""Forecasts a chunk of products at a time (insight.chunks; issue 16 «Speed»: the Accuracy tab's
process and `kassa forecast` in bounded memory) give the whole computation's figures, on the
generated half year: the chunks hold every product once, the forecasts are bit for bit the
whole's, the accuracy the whole's to float rounding, and `kassa forecast --json` the same list."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import numpy as np
import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.config import Config
from kassa_tui.insight import chunks
from kassa_tui.insight.accuracy import shop_accuracy_whole
from kassa_tui.insight.chunks import shop_accuracy
from kassa_tui.insight.demand import _days, daily_demand
from kassa_tui.insight.forecast import NEW_SALES, forecast
from tests.insight.shopdata import Shop


def window(data: Shop) -> tuple[str, str]:
    last = data.days[-1]
    return (date.fromisoformat(last) - timedelta(days=181)).isoformat(), last


@pytest.mark.parametrize("products", [1, 7, 64, 5000])
def test_the_chunks_hold_every_product_once(history: tuple[Config, Shop], products: int) -> None:
    config, data = history
    first, last = window(data)
    with sqlite3.connect(config.database) as conn:
        whole = daily_demand(conn, first, last, 4, min_sale_days=NEW_SALES)
        parts = list(chunks.demand_chunks(conn, first, last, 4, NEW_SALES, products))
    assert len(whole) > 200 and all(0 < len(p) <= products for p in parts)
    ids = np.concatenate([p.product_ids for p in parts])
    assert ids.tolist() == whole.product_ids.tolist()  # none dropped, none twice, in order
    for name in ("qty", "revenue_ore", "stockout"):
        joined = np.concatenate([getattr(p, name) for p in parts])
        assert np.array_equal(joined, getattr(whole, name), equal_nan=True), name
    assert [c for p in parts for c in p.codes] == whole.codes
    assert [n for p in parts for n in p.names] == whole.names
    assert all(np.array_equal(p.open_day, whole.open_day) for p in parts)
    assert np.isnan(whole.qty).any() and whole.stockout.any()  # missing days to carry over


def test_the_forecasts_are_the_wholes(
    history: tuple[Config, Shop], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, data = history
    first, last = window(data)
    monkeypatch.setattr(chunks, "PROFILE_ROWS", 11)  # the profiles a few rows at a time too
    with sqlite3.connect(config.database) as conn:
        whole = forecast(daily_demand(conn, first, last, 4, min_sale_days=NEW_SALES), 14)
        made = chunks.ChunkedForecast(
            chunks.demand_chunks(conn, first, last, 4, NEW_SALES, 7), _days(first, last), 14
        )
    found = list(made.forecasts())
    assert len(found) > 20
    values = np.concatenate([f.values for _c, f in found])
    assert np.array_equal(values, whole.values, equal_nan=True)  # bit for bit
    assert np.array_equal(np.concatenate([f.profile for _c, f in found]), whole.profile)
    assert [k for _c, f in found for k in f.klass] == whole.klass
    assert made.parameters == whole.parameters and len(set(whole.klass)) >= 4


def test_the_accuracy_is_the_wholes(history: tuple[Config, Shop]) -> None:
    config, data = history
    last = data.days[-1]
    with sqlite3.connect(config.database) as conn:
        expected = shop_accuracy_whole(conn, last, config.day_cutoff_hour)
        found = chunks.shop_accuracy_chunked(conn, last, config.day_cutoff_hour, products=7)
        assert shop_accuracy(conn, last, config.day_cutoff_hour) == chunks.shop_accuracy_chunked(
            conn, last, config.day_cutoff_hour
        )
    assert (found.first, found.last) == (expected.first, expected.last)
    rows = [*zip(found.groups, expected.groups, strict=True), (found.total, expected.total)]
    for ours, theirs in rows:
        assert (ours.group, ours.products) == (theirs.group, theirs.products)
        assert ours.products > 0 and ours.wape is not None
        for name in ("units", "wape", "bias", "naive_wape", "naive_bias"):
            assert getattr(ours, name) == pytest.approx(getattr(theirs, name), rel=1e-12), name


def test_kassa_forecast_lists_the_wholes_top(history: tuple[Config, Shop]) -> None:
    config, data = history
    result = CliRunner().invoke(
        main,
        ["--config", data.config_path, "forecast", "--json", "--limit", "25", "--days", "7"],
        input="2\n2222\n",
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output[result.output.index("{") :])
    # The CLI's last day is yesterday on the wall clock: the whole forecast of the same window.
    first, last = (date.fromisoformat(d) for d in (listed["days"][0], listed["days"][-1]))
    end = (first - timedelta(days=1)).isoformat()
    start = (first - timedelta(days=182)).isoformat()
    with sqlite3.connect(config.database) as conn:
        whole = forecast(daily_demand(conn, start, end, 4, min_sale_days=NEW_SALES), 7)
    totals = np.nan_to_num(whole.values, nan=-1.0).sum(axis=1)
    top = [int(i) for i in np.argsort(-totals, kind="stable")][:25]
    assert [p["code"] for p in listed["products"]] == [whole.codes[i] for i in top]
    assert [p["forecast"] for p in listed["products"]] == [
        None if whole.klass[i] == "new" else [round(float(v), 3) for v in whole.values[i]]
        for i in top
    ]
    assert listed["parameters"] == json.loads(json.dumps(whole.parameters))
    assert (last - first).days == 6


@pytest.mark.parametrize(
    "units",
    [
        [[1.0, np.nan, 0.0, -2.0, 32767.0]],  # whole units: int16
        [[0.5, np.nan, 1.25, 40000.0]],  # halves: float32
        [[1.234, np.nan, 0.001]],  # grams: float64
    ],
)
def test_the_kept_units_are_exactly_those_read(units: list[list[float]]) -> None:
    qty = np.array(units)
    kept = chunks._compact(qty)
    assert np.array_equal(chunks._units(kept), qty, equal_nan=True)
    assert kept.itemsize <= qty.itemsize
