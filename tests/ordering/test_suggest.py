"""The reorder proposal, counted by hand on a steady shop (tests/ordering/conftest.py).

Horizon 7 days (lead 2 + review 5). STEADY sells 3 a day: forecast 21, no forecast error, so no
safety stock: target 21; 5 on hand: 16 short, packs of 6 → 18. BULK sells 2 a day: target 14,
13 on hand: 1 short, packs of 6 → 6, but its least order is 24 → 24. NEW: order by hand.
"""

from __future__ import annotations

import math

import pytest

from kassa_tui.composition import Till
from kassa_tui.ordering.orders import Wanted, confirm
from kassa_tui.ordering.suggest import (
    SuggestedLine,
    plan,
    reason_text,
    round_to_pack,
    suggest,
    z_value,
)
from kassa_tui.ordering.suppliers import find_supplier
from kassa_tui.people.person import Person

from .conftest import BULK, NEW, STEADY


def lines(shop: Till, level: float = 0.95) -> dict[str, SuggestedLine]:
    made = suggest(shop.db.connection(), shop.clock, find_supplier(shop.db, "TEST"), level)
    assert made.horizon_days == 7
    return {line.plu: line for line in made.lines}


def test_the_formula_on_a_steady_product(shop: Till) -> None:
    steady = lines(shop)[STEADY]
    assert steady.klass == "smooth"
    assert steady.forecast == pytest.approx(21, abs=1e-3)
    assert steady.safety == pytest.approx(0, abs=0.01)
    assert (steady.target, steady.on_hand, steady.on_order) == (21, 5, 0)
    assert steady.suggested == 18
    assert steady.reason == "below target by 16; pack 6 → 18"
    assert steady.cost_ore == 1000
    assert (steady.supplier_code, steady.ean) == (f"T-{STEADY}", f"70{STEADY}0")


def test_the_least_order_wins_over_one_pack(shop: Till) -> None:
    bulk = lines(shop)[BULK]
    assert (bulk.target, bulk.on_hand, bulk.suggested) == (14, 13, 24)
    assert bulk.reason == "below target by 1; pack 6 → 24; least order 24"
    assert bulk.cost_ore is None


def test_a_new_product_is_ordered_by_hand(shop: Till) -> None:
    new = lines(shop)[NEW]
    assert new.by_hand and new.suggested == 0
    assert new.reason == "new product: order by hand"


def test_what_is_on_order_lowers_the_suggestion(shop: Till) -> None:
    lead = Person(2, "Siri", "shift_lead")  # the demo's shift lead
    supplier = find_supplier(shop.db, "TEST")
    pid = shop.ids[STEADY]  # type: ignore[attr-defined]
    confirm(
        shop.db,
        shop.journal,
        shop.print_queue,
        shop.config,
        shop.clock,
        lead,
        supplier.id,
        [Wanted(pid, 12)],
    )
    steady = lines(shop)[STEADY]
    assert steady.on_order == 12
    # 21 - 5 - 12 = 4 short: one pack.
    assert (steady.suggested, steady.reason) == (6, "below target by 4; pack 6 → 6")


def test_enough_on_hand_suggests_nothing(shop: Till) -> None:
    from .conftest import set_stock

    set_stock(shop, shop.ids[STEADY], 30)  # type: ignore[attr-defined]
    steady = lines(shop)[STEADY]
    assert steady.suggested == 0
    assert steady.reason == "enough: target 21, 9 over"


def test_a_negative_level_counts_as_none_on_hand(shop: Till) -> None:
    from .conftest import set_stock

    set_stock(shop, shop.ids[STEADY], -40)  # type: ignore[attr-defined]
    steady = lines(shop)[STEADY]
    assert steady.on_hand == -40
    assert steady.suggested == 24  # 21 short → 4 packs, not 61 → 66


def test_safety_stock_grows_with_the_forecast_error_and_the_service_level() -> None:
    assert z_value(0.95) == pytest.approx(1.6449, abs=1e-4)
    assert z_value(0.99) > z_value(0.95)
    # forecast 20.3 + safety 3.2 = 23.5 → target 24; 4 on hand, 2 on order: 18 short → 3 × 6.
    assert plan(20.3, 3.2, 4, 2, 6, 0) == (24, 18, 18)
    assert plan(20.3, 3.2, 4, 2, 5, 0) == (24, 18, 20)
    assert plan(20.3, 3.2, 4, 2, 5, 30) == (24, 18, 30)
    assert reason_text(18, 5, 30, 30, 24) == "below target by 18; pack 5 → 30; least order 30"


@pytest.mark.parametrize("short", range(-7, 40))
@pytest.mark.parametrize(("pack", "least"), [(1, 0), (6, 0), (6, 24), (12, 5), (24, 24)])
def test_never_a_negative_or_broken_pack_quantity(short: int, pack: int, least: int) -> None:
    qty = round_to_pack(short, pack, least)
    assert qty >= 0 and qty % pack == 0
    if short <= 0:
        assert qty == 0
    else:
        assert qty >= short and qty >= least and qty - short < max(pack, least)


def test_a_product_that_varies_gets_safety_stock_for_the_service_level(shop: Till) -> None:
    from datetime import timedelta

    from kassa_tui.ordering.suppliers import set_product_supplier

    from .conftest import DAYS, LAST_DAY, add_product, sell

    pid = add_product(shop, "990004", "Varies 1 kg")
    set_product_supplier(shop.db, shop.journal, None, pid, find_supplier(shop.db, "TEST"), 1)
    for i in range(DAYS):  # 1, 5, 1, 5 …: 3 a day on average, ±2 every day
        sell(shop, pid, LAST_DAY - timedelta(days=i), 1 if i % 2 else 5)
    varies = lines(shop)["990004"]
    assert varies.forecast == pytest.approx(21, abs=3)
    # σ₁ ≈ 2 a day, σ₇ ≈ 2√7 ≈ 5.3; at 95 % z = 1.645: about 8.7 units.
    assert 5 < varies.safety < 13
    assert lines(shop, 0.99)["990004"].safety > varies.safety * 1.3
    total = varies.forecast + varies.safety  # rounded up to whole units, from tenths
    assert varies.target == math.ceil(round(total, 1)) and varies.target >= int(total)


def test_few_products_find_their_kept_stock_as_the_whole_pass_does(
    shop: Till, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proposal's demand reads a supplier's products' own movements (insight.demand's
    FEW_PRODUCTS); the stock-outs are the same as with the pass over every movement."""
    import numpy as np

    from kassa_tui.insight import demand

    # NEW's stock is kept from August (none), and it sold only on the last two days.
    shop.db.execute_sql(
        "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, register_id,"
        " created_utc) VALUES ('kept', ?, 0, 'opening', 'KASSE-1', '2026-08-01T06:00:00.000000Z')",
        (shop.ids[NEW],),  # type: ignore[attr-defined]
    )
    conn = shop.db.connection()
    some = [int(p) for p in shop.ids.values()]  # type: ignore[attr-defined]
    few = demand.daily_demand(conn, "2026-09-01", "2026-11-27", product_ids=some)
    monkeypatch.setattr(demand, "FEW_PRODUCTS", 0)
    whole = demand.daily_demand(conn, "2026-09-01", "2026-11-27", product_ids=some)
    assert few.stockout.any() and np.array_equal(few.stockout, whole.stockout)
