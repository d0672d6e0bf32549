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


def test_a_business_days_figures_are_kept_beside_the_database(
    history: tuple[Config, Shop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first opening of the tab in a day computes (a child); every later one, after a
    restart too, reads the file; another day, language or history import computes again."""
    import sys

    config, data = history
    last, before = data.days[-1], data.days[-2]
    first = accuracy_apart.compute_apart(config.database, last, config.day_cutoff_hour)
    assert accuracy_apart.kept_path(config.database).exists()
    monkeypatch.setattr(sys, "executable", "/bin/false")  # no child can run from here on
    again = accuracy_apart.compute_apart(config.database, last, config.day_cutoff_hour)
    assert again == first and again is not None and again.total.wape is not None
    with pytest.raises(RuntimeError, match="accuracy process failed"):  # another day
        accuracy_apart.compute_apart(config.database, before, config.day_cutoff_hour)
    set_language("nb")
    try:  # the group names are the language's
        with pytest.raises(RuntimeError, match="accuracy process failed"):
            accuracy_apart.compute_apart(config.database, last, config.day_cutoff_hour)
    finally:
        set_language("en")
    with sqlite3.connect(config.database) as conn:  # an import of the old system's sales
        conn.execute(
            "INSERT INTO sales_history_import (file, sha256, row_count, first_date, last_date,"
            " qty_milli, amount_ore, user_number, imported_utc) VALUES ('old.csv', 'x', 0,"
            " '2025-01-01', '2025-01-01', 0, 0, 9, '2026-01-01T00:00:00.000000Z')"
        )
    with pytest.raises(RuntimeError, match="accuracy process failed"):
        accuracy_apart.compute_apart(config.database, last, config.day_cutoff_hour)


def test_the_figures_are_computed_ahead_after_the_z(
    history: tuple[Config, Shop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """keep_later (the day close calls it after a Z) computes and keeps the day's figures in
    a process of its own, not waited for; the next opening of the tab reads them."""
    import sys
    import time

    config, data = history
    last = data.days[-1]
    with sqlite3.connect(config.database) as conn:
        expected = shop_accuracy(conn, last, config.day_cutoff_hour)
    path = accuracy_apart.kept_path(config.database)
    path.unlink(missing_ok=True)  # the shop is the module's: another test may have kept it
    accuracy_apart.keep_later(config.database, last, config.day_cutoff_hour)
    deadline = time.monotonic() + 60
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # no child from here on
    assert accuracy_apart.compute_apart(config.database, last, config.day_cutoff_hour) == expected
