"""The Accuracy tab's figures computed in a child process are the in-process figures, exactly
(issue 16, «Speed»: the forecasts' arrays kept out of the till's memory)."""

from __future__ import annotations

import sqlite3

import pytest

from kassa_tui.config import Config
from kassa_tui.core.i18n import set_language
from kassa_tui.insight import accuracy_apart
from kassa_tui.insight.chunks import shop_accuracy
from tests.insight.shopdata import Shop


def test_the_child_process_gives_the_same_figures(history: tuple[Config, Shop]) -> None:
    config, data = history
    last = data.days[-1]
    set_language("nb")
    try:
        with sqlite3.connect(config.database) as conn:
            expected = shop_accuracy(conn, last, config.day_cutoff_hour)
        apart = accuracy_apart.compute_apart(config.database, last, config.day_cutoff_hour)
    finally:
        set_language("en")
    assert apart == expected  # every group's products, units, ±% and bias, bit for bit
    assert apart is not None and apart.total.group == "Hele butikken"
    assert apart.total.wape is not None and len(apart.groups) >= 1


def test_a_database_that_cannot_be_opened_is_an_error(history: tuple[Config, Shop]) -> None:
    config, data = history
    with pytest.raises(RuntimeError, match="accuracy process failed"):
        accuracy_apart.compute_apart(config.database.parent / "none.db", data.days[-1], 4)
