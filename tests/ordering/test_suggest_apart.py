"""The Reorder tab's proposal worked out in a child process (insight.apart; issue 16 «Speed»:
its read's peak kept out of the till) is the proposal worked out in-process, reasons in the
till's language; a child that cannot run leaves the till to work it out itself."""

from __future__ import annotations

import sys

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.i18n import set_language
from kassa_tui.insight import apart
from kassa_tui.ordering.suggest import suggest
from kassa_tui.ordering.suppliers import find_supplier
from screens import insight_reorder

from .conftest import STEADY


def test_the_child_proposes_the_same(shop: Till) -> None:
    supplier = find_supplier(shop.db, "TEST")
    here = suggest(shop.db.connection(), shop.clock, supplier, 0.95, 4)
    child = insight_reorder.compute(shop.config.database, shop.clock, supplier, 0.95, 4)
    assert child == here and len(here.lines) >= 3
    steady = {line.plu: line for line in child.lines}[STEADY]
    assert (steady.suggested, steady.reason) == (18, "below target by 16; pack 6 → 18")
    # Another service level is another proposal: the child was given it.
    higher = apart.run_child(
        "kassa_tui.ordering.suggest:suggest_at",
        (str(shop.config.database), shop.clock.now().utc_text, supplier, 0.99, 4),
    )
    assert higher == suggest(shop.db.connection(), shop.clock, supplier, 0.99, 4) != here


def test_the_reason_comes_back_in_the_tills_language(shop: Till) -> None:
    supplier = find_supplier(shop.db, "TEST")
    set_language("nb")
    try:
        child = insight_reorder.compute(shop.config.database, shop.clock, supplier, 0.95, 4)
        here = suggest(shop.db.connection(), shop.clock, supplier, 0.95, 4)
    finally:
        set_language("en")
    assert child == here
    assert {line.plu: line for line in child.lines}[STEADY].reason != (
        "below target by 16; pack 6 → 18"
    )


@pytest.mark.parametrize("python", ["/bin/false", "/no/such/python"])
def test_a_child_that_fails_leaves_the_proposal_here(
    shop: Till, monkeypatch: pytest.MonkeyPatch, python: str
) -> None:
    supplier = find_supplier(shop.db, "TEST")
    here = suggest(shop.db.connection(), shop.clock, supplier, 0.95, 4)
    monkeypatch.setattr(sys, "executable", python)
    assert insight_reorder.compute(shop.config.database, shop.clock, supplier, 0.95, 4) == here
