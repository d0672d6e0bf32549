"""The insight screen's Products table read in a child process (insight.figures_apart; issue 16
«Speed»: the read's peak kept out of the till) is the table read in-process; a child that cannot
run leaves the till to read it itself."""

from __future__ import annotations

import sys

import pytest

from kassa_tui.config import Config
from kassa_tui.insight import figures_apart
from tests.insight.shopdata import Shop


def now_of(data: Shop) -> str:
    return f"{data.days[-1]}T11:00:00.000000Z"


def test_the_child_reads_the_same_figures(history: tuple[Config, Shop]) -> None:
    config, data = history
    sales = figures_apart.sales_here(config.database, now_of(data), 4)
    table = figures_apart.products_here(config.database, now_of(data), 4)
    apart_table = figures_apart.products_apart(config.database, now_of(data), 4)
    assert sum(d.revenue_ore for d in sales.days) > 0
    assert apart_table.figures() == table.figures() and len(table) > 200
    assert apart_table.ordered("units", search="vare", limit=9) == table.ordered(
        "units", search="vare", limit=9
    )


@pytest.mark.parametrize("python", ["/bin/false", "/no/such/python"])
def test_a_child_that_fails_leaves_the_read_here(
    history: tuple[Config, Shop], monkeypatch: pytest.MonkeyPatch, python: str
) -> None:
    config, data = history
    expected = figures_apart.products_here(config.database, now_of(data), 4)
    monkeypatch.setattr(sys, "executable", python)
    table = figures_apart.products_apart(config.database, now_of(data), 4)
    assert table.figures() == expected.figures()
