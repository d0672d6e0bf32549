"""The forecast's parts as an owner would check them: which class a product is in and why, the
weekday profile it uses (Saturday busiest, Sunday closed: 0), and levels that match the sales."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from kassa_tui.insight.demand import Demand
from kassa_tui.insight.forecast import (
    ERRATIC,
    INTERMITTENT,
    LUMPY,
    NEW,
    SMOOTH,
    _damped_es,
    _tsb,
    classify,
    forecast,
    seasonal_naive,
)

START = date(2026, 3, 2)  # a Monday
PROFILE = np.array([0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 0.0])  # mean 1 over Monday..Saturday


def _demand(qty: np.ndarray) -> Demand:
    n, t_len = qty.shape
    days = [(START + timedelta(days=i)).isoformat() for i in range(t_len)]
    weekday = np.array([(START + timedelta(days=i)).weekday() for i in range(t_len)])
    qty = qty.astype(float)
    qty[:, weekday == 6] = np.nan  # closed on Sundays
    return Demand(
        np.arange(1, n + 1),
        [f"P{i}" for i in range(n)],
        [f"Vare {i}" for i in range(n)],
        days,
        weekday,
        qty,
        np.nan_to_num(qty) * 100,
        weekday != 6,
        np.zeros(qty.shape, bool),
    )


def test_the_four_classes_and_new() -> None:
    rng = np.random.default_rng(1)
    t_len = 140
    smooth = np.full(t_len, 10.0)
    erratic = rng.choice([1.0, 30.0], t_len)
    intermittent = np.where(np.arange(t_len) % 4 == 0, 2.0, 0.0)
    lumpy = np.where(np.arange(t_len) % 4 == 0, rng.choice([1.0, 40.0], t_len), 0.0)
    new = np.where(np.arange(t_len) >= t_len - 10, 3.0, 0.0)
    klass, adi, cv2 = classify(_demand(np.array([smooth, erratic, intermittent, lumpy, new])).qty)
    assert klass == [SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NEW]
    assert adi[0] == 1.0 and cv2[0] == 0.0
    assert 3.5 < adi[2] < 4.5  # a sale every fourth day


def test_a_smooth_product_gets_its_weekday_profile_and_level() -> None:
    t_len = 140
    weekday = np.array([(START + timedelta(days=i)).weekday() for i in range(t_len)])
    qty = np.array([20.0 * PROFILE[weekday]])
    result = forecast(_demand(qty), 14)
    assert result.klass == [SMOOTH]
    assert "weekday profile" in result.method(0)
    np.testing.assert_allclose(result.profile[0], PROFILE, atol=0.01)
    ahead = np.array([date.fromisoformat(d).weekday() for d in result.days])
    np.testing.assert_allclose(result.values[0], 20.0 * PROFILE[ahead], rtol=0.02)
    assert (result.values[0][ahead == 6] == 0).all()  # closed on Sundays: nothing to sell


def test_an_intermittent_product_forecasts_its_rate_not_its_last_sale() -> None:
    t_len = 168
    qty = np.array([np.where(np.arange(t_len) % 3 == 0, 3.0, 0.0)])
    result = forecast(_demand(qty), 28)
    assert result.klass == [INTERMITTENT] and result.method(0).startswith("TSB")
    # About a third of the days sell 3: one unit a day on average, every open day.
    assert abs(np.nansum(result.values[0]) / 24 - 1.0) < 0.15
    assert np.count_nonzero(result.values[0]) == 24  # not a spike on one day


def test_a_new_product_says_order_by_hand() -> None:
    qty = np.zeros((1, 140))
    qty[0, -5:] = 4.0
    result = forecast(_demand(qty), 7)
    assert result.klass == [NEW] and result.method(0) == "order by hand"
    assert np.isnan(result.values[0]).all()


def test_seasonal_naive_is_the_same_weekday_last_week() -> None:
    qty = np.arange(1, 29, dtype=float)[None, :]
    naive = seasonal_naive(_demand(qty), 14)
    # Forecasting from a Sunday (day 28 is a Sunday, closed): Monday is day 22's 22 again.
    assert list(naive[0, :7]) == [22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 0.0]
    assert list(naive[0, 7:]) == list(naive[0, :7])


def test_tsb_and_smoothing_agree_with_statsforecast() -> None:
    """A development-only reference (skipped where statsforecast is not installed): on a long
    series, where the start is forgotten, kassa's numpy TSB and smoothing (no trend) give
    statsforecast's forecasts."""
    models = pytest.importorskip(
        "statsforecast.models",
        reason="optional cross-check: statsforecast (a development-only reference, not a"
        " dependency of kassa) is not installed; kassa's own forecast tests ran",
    )
    rng = np.random.default_rng(3)
    slow = np.where(rng.random(3000) < 0.25, rng.integers(1, 6, 3000), 0).astype(float)
    theirs = models.TSB(alpha_d=0.15, alpha_p=0.05).forecast(y=slow, h=3)["mean"]
    size, chance, _ = _tsb(slow[None, :], 0.15, 0.05)
    np.testing.assert_allclose(size * chance, theirs[:1], rtol=1e-9)

    fast = rng.poisson(10, 3000).astype(float)
    theirs = models.SimpleExponentialSmoothing(alpha=0.1).forecast(y=fast, h=3)["mean"]
    level, trend, _ = _damped_es(fast[None, :], 0.1, 0.0, 0.9)
    np.testing.assert_allclose(level, theirs[:1], rtol=1e-9)
    assert trend[0] == 0.0
