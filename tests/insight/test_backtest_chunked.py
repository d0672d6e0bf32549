"""`kassa forecast backtest` a chunk of products at a time (insight.backtest.backtest_chunked;
issue 16 «Speed»: 1.5 GB on the benchmark's year done at once) scores as the whole does: the
same origins, products, units, weighted RMSSE, WAPE and bias, for kassa and for "same as last
week", however the products are cut."""

from __future__ import annotations

import sqlite3

import pytest

from kassa_tui.config import Config
from kassa_tui.core.i18n import set_language
from kassa_tui.insight.backtest import Backtest, backtest, backtest_chunked
from kassa_tui.insight.demand import daily_demand
from kassa_tui.insight.forecast import NEW_SALES
from tests.insight.shopdata import Shop


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def same(chunked: Backtest, whole: Backtest) -> None:
    assert chunked.origins == whole.origins and chunked.horizon == whole.horizon
    assert (chunked.products, chunked.new_products) == (whole.products, whole.new_products)
    assert chunked.units == pytest.approx(whole.units, rel=1e-12)
    for ours, theirs in ((chunked.kassa, whole.kassa), (chunked.naive, whole.naive)):
        assert ours.rmsse == pytest.approx(theirs.rmsse, rel=1e-9)
        assert ours.wape == pytest.approx(theirs.wape, rel=1e-9)
        assert ours.bias == pytest.approx(theirs.bias, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("horizon", "origins"), [(28, 3), (14, 2)])
def test_chunked_scores_as_the_whole(
    history: tuple[Config, Shop], horizon: int, origins: int
) -> None:
    config, data = history
    first, last = data.days[0], data.days[-1]
    with sqlite3.connect(config.database) as conn:
        demand = daily_demand(conn, first, last, 4, min_sale_days=NEW_SALES)
        whole = backtest(demand, horizon, origins)
        assert whole.products > 100 and whole.units > 0 and whole.kassa.wape > 0
        for products in (37, 1000):  # many chunks (a product's rows cut between two), one
            same(backtest_chunked(conn, first, last, 4, horizon, origins, products), whole)


def test_too_little_history_is_said_as_the_whole_says_it(history: tuple[Config, Shop]) -> None:
    config, data = history
    with sqlite3.connect(config.database) as conn, pytest.raises(ValueError, match="not enough"):
        backtest_chunked(conn, data.days[-60], data.days[-1], 4, 28, 3)
