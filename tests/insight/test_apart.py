"""The Together tab's pair count in a child process (insight.apart; issue 16 «Speed»: the
count's peak kept out of the till) is the count made in-process, for the whole shop and for one
product, 90 and 365 days; a child that cannot run leaves the till to count itself."""

from __future__ import annotations

import sys

import pytest

from kassa_tui.config import Config
from kassa_tui.insight import apart, pairs
from screens import insight_together
from tests.insight.shopdata import Shop

TARGET = "kassa_tui.insight.pairs:report_at"


def args(config: Config, data: Shop, product_id: int | None, days: int) -> tuple[object, ...]:
    share = insight_together.OVERVIEW_SHARE if product_id is None else 0.0
    return (str(config.database), data.days[-1], product_id, days, 3, share, 200)


def test_the_child_counts_the_same_pairs(history: tuple[Config, Shop]) -> None:
    config, data = history
    overview = apart.run_here(TARGET, args(config, data, None, 90))
    assert overview.baskets > 100 and len(overview.pairs) > 5
    best = overview.pairs[0].a.id
    for product_id in (None, best):
        for days in pairs.WINDOWS:
            here = apart.run_here(TARGET, args(config, data, product_id, days))
            child = apart.run_child(TARGET, args(config, data, product_id, days))
            assert child == here and here.pairs
            assert (child.first, child.last) == pairs.window(data.days[-1], days)
    # What the tab asks for is what it shows: its own compute is the child's.
    shown = insight_together.compute(config.database, data.days[-1], best, 365)
    assert shown == apart.run_here(TARGET, args(config, data, best, 365))
    assert {pair.a.id for pair in shown.pairs} == {best}
    assert insight_together.compute(config.database, data.days[-1], None, 90) == overview


def test_a_child_given_a_wrong_argument_says_so(history: tuple[Config, Shop]) -> None:
    config, data = history
    with pytest.raises(apart.ChildFailed, match=r"unable to open"):
        apart.run_child(
            TARGET,
            (str(config.database.parent / "none.db"), data.days[-1], None, 90, 3, 0.0, 200),
        )
    with pytest.raises(ValueError, match="not a kassa_tui function"):
        apart.run_child("os:system", ("true",))


@pytest.mark.parametrize("python", ["/bin/false", "/no/such/python"])
def test_a_child_that_fails_leaves_the_count_here(
    history: tuple[Config, Shop], monkeypatch: pytest.MonkeyPatch, python: str
) -> None:
    config, data = history
    expected = apart.run_here(TARGET, args(config, data, None, 90))
    monkeypatch.setattr(sys, "executable", python)
    assert apart.run_apart(TARGET, args(config, data, None, 90)) == expected
