"""Daily demand as the owner would count it from the receipts: per business day, returns netted,
training left out, closed days and stock-out days missing (not zero)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from kassa_tui.config import Config
from kassa_tui.core.clock import OSLO, utc_text
from kassa_tui.insight.demand import Demand, daily_demand
from tests.insight.shopdata import STOCKOUT_PRODUCT, Shop


def _demand(history: tuple[Config, Shop]) -> tuple[Shop, Demand]:
    config, data = history
    with sqlite3.connect(config.database) as conn:
        return data, daily_demand(conn, data.days[0], data.days[-1])


def test_units_per_business_day_net_of_returns_without_training(
    history: tuple[Config, Shop],
) -> None:
    data, demand = _demand(history)
    assert len(demand) == len(data.product_ids)
    row = {pid: i for i, pid in enumerate(demand.product_ids)}
    for (i, day), units in data.sold.items():
        assert demand.qty[row[data.product_ids[i]], demand.days.index(day)] == units, (i, day)
    # Every open, in-stock day without a sale is zero demand.
    assert np.nansum(demand.qty) == sum(data.sold.values())


def test_closed_days_are_missing_not_zero(history: tuple[Config, Shop]) -> None:
    data, demand = _demand(history)
    assert len(data.closed) > len(data.days) // 7  # Sundays and the holidays
    for t, day in enumerate(demand.days):
        closed = day in data.closed
        assert demand.open_day[t] == (not closed), day
        assert np.isnan(demand.qty[:, t]).all() == closed, day


def test_stock_out_days_are_missing(history: tuple[Config, Shop]) -> None:
    data, demand = _demand(history)
    i = list(demand.product_ids).index(data.product_ids[STOCKOUT_PRODUCT])
    first, last = data.stockout
    out = [d for t, d in enumerate(demand.days) if demand.stockout[i, t]]
    assert out == [
        d for d in demand.days if first <= d <= last and demand.open_day[demand.days.index(d)]
    ]
    assert np.isnan(demand.qty[i, demand.days.index(first)])
    # Nothing else is out of stock: the other products' stock is not kept.
    assert demand.stockout.sum() == len(out)


def test_a_sale_after_midnight_belongs_to_the_evening_before(
    history: tuple[Config, Shop], tmp_path: Path
) -> None:
    config, data = history
    copy = tmp_path / "till.db"
    shutil.copy(config.database, copy)
    last = [d for d in data.days if d not in data.closed][-1]
    # Stored as the till stores it: the UTC instant of 01:30 Oslo time the night after.
    when = datetime.combine(date.fromisoformat(_next(last)), time(1, 30), OSLO)
    with sqlite3.connect(copy) as conn:
        before = daily_demand(conn, last, last)
        # A copy of a sale of the last day, completed at 01:30 the night after (Oslo time).
        conn.execute(
            "INSERT INTO sale (register_id, receipt_nr, uuid, basket_uuid, user_id, kind,"
            " total_ore, vat_ore, discount_ore, rounding_ore, change_ore, completed_utc,"
            " local_date, local_time, training)"
            " SELECT register_id, receipt_nr + 100000, uuid || 'x', basket_uuid || 'x',"
            " user_id, kind, total_ore, vat_ore, 0, 0, 0, ?, ?, '01:30:00', 0 FROM sale"
            " WHERE training = 0 AND kind = 'sale' AND local_date = ? LIMIT 1",
            (utc_text(when), _next(last), last),
        )
        new_id = conn.execute("SELECT MAX(id) FROM sale").fetchone()[0]
        conn.execute(
            "INSERT INTO sale_line (sale_id, line_nr, product_id, code, name, group_code,"
            " qty_milli, unit_price_ore, list_price_ore, discount_ore, amount_ore, vat_bp, vat_ore,"
            " price_overridden) SELECT ?, line_nr, product_id, code, name, group_code, 2000,"
            " unit_price_ore, list_price_ore, 0, amount_ore, vat_bp, vat_ore, 0 FROM sale_line"
            " WHERE sale_id = (SELECT id FROM sale WHERE local_date = ? AND kind = 'sale'"
            " AND training = 0 LIMIT 1) LIMIT 1",
            (new_id, last),
        )
        after = daily_demand(conn, last, _next(last))
    assert np.nansum(after.qty[:, 0]) == np.nansum(before.qty) + 2
    assert not after.open_day[1]  # nothing sold in the next business day itself


def _next(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
