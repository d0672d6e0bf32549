"""`kassa hq forecast`: the daily demand per shop and product from HQ's PostgreSQL (issue 16).

One query reads product_day (the day totals 0006_report_days.sql rolls up from what the tills
pushed: training left out, returns netted) into numpy arrays, a row per product in a shop (its
codes summed under the product's key, 0020_product_keys.sql). The
tills' engine (kassa_tui.insight: numpy only, it never imports psycopg) forecasts and scores
them; the CLI hands it these arrays (kassa_tui.cli.hq_forecast).

Missing days, as on the till: a day the shop sold nothing at all is a closed day (NaN, not zero
demand); a day it was open and the product did not sell is zero. HQ keeps no stock levels per
day, so stock-outs are not found here (the till's forecast finds them from its movements).
Gift cards (group GAVEKORT) are no demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from psycopg import Connection

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Days of demand the forecasts read (26 weeks, as the till's `kassa forecast`).
HISTORY_DAYS = 182
GIFT_GROUP = "GAVEKORT"

# per product (0020_product_keys.sql): the codes it was sold under summed under its key, the
# catalog's name
_DEMAND = """
SELECT g.shop_id, g.code, COALESCE(p.name, g.name), g.group_code, g.local_date, g.qty_milli,
       g.amount_ore
FROM (
    SELECT d.shop_id, COALESCE(k.product, d.code) AS code, max(d.name) AS name,
           max(d.group_code) AS group_code, d.local_date, sum(d.qty_milli)::bigint AS qty_milli,
           sum(d.amount_ore)::bigint AS amount_ore
    FROM product_day d LEFT JOIN product_key k ON k.code = d.code
    WHERE d.local_date BETWEEN %(from)s AND %(to)s
      AND (%(shop)s::text IS NULL OR d.shop_id = %(shop)s)
      AND d.group_code <> %(gift)s
    GROUP BY d.shop_id, COALESCE(k.product, d.code), d.local_date
) g LEFT JOIN catalog_product p ON p.product = g.code
ORDER BY g.shop_id, g.code, g.local_date
"""


@dataclass(frozen=True)
class ChainDemand:
    """Units per (shop, product) row and business day (NaN: the shop was closed), revenue in
    øre, the price paid on the days it sold (øre per unit, VAT included; NaN where nothing
    sold), and each row's shop, code, name and product group."""

    days: list[str]
    shops: list[str]
    codes: list[str]
    names: list[str]
    groups: list[str]
    qty: FloatArray  # (n, T)
    revenue_ore: FloatArray  # (n, T)
    price_ore: FloatArray  # (n, T)

    def __len__(self) -> int:
        return len(self.shops)

    @property
    def shop_index(self) -> IntArray:
        """Each row's shop as a number (the shops sorted by id)."""
        ids = {s: i for i, s in enumerate(sorted(set(self.shops)))}
        return np.array([ids[s] for s in self.shops], np.int64)


def last_day(conn: Connection[Any]) -> date | None:
    """The last business day HQ holds sales for."""
    from kassa_tui.hq.report import rollup

    rollup(conn)
    row = conn.execute("SELECT max(local_date) FROM product_day").fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def read_demand(
    conn: Connection[Any],
    last: date,
    days: int = HISTORY_DAYS,
    shop: str | None = None,
    group: str | None = None,
) -> ChainDemand:
    """The `days` business days up to `last` (included), every shop or one, every group or
    one: one query, then numpy."""
    from kassa_tui.hq.report import rollup

    rollup(conn)
    first = last - timedelta(days=days - 1)
    day_list = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    day_index = {d: i for i, d in enumerate(day_list)}
    params = {"from": first.isoformat(), "to": last.isoformat(), "shop": shop, "gift": GIFT_GROUP}
    keys: dict[tuple[str, str], int] = {}
    names: list[str] = []
    groups: list[str] = []
    row_of: list[int] = []
    col_of: list[int] = []
    qty: list[int] = []
    amount: list[int] = []
    shop_days: set[tuple[str, int]] = set()
    with conn.cursor() as cursor:
        cursor.execute(_DEMAND, params)
        for shop_id, code, name, group_code, local_date, qty_milli, amount_ore in cursor:
            col = day_index[local_date]
            shop_days.add((shop_id, col))
            if group is not None and group_code != group:
                continue
            key = (shop_id, code)
            row = keys.get(key)
            if row is None:
                row = keys[key] = len(names)
                names.append(name)
                groups.append(group_code)
            else:  # the latest day's name and group
                names[row], groups[row] = name, group_code
            row_of.append(row)
            col_of.append(col)
            qty.append(int(qty_milli))
            amount.append(int(amount_ore))
    n = len(names)
    grid = np.zeros((n, days))
    revenue = np.zeros((n, days))
    rows = np.array(row_of, np.int64)
    cols = np.array(col_of, np.int64)
    np.add.at(grid, (rows, cols), np.array(qty, np.float64) / 1000.0)
    np.add.at(revenue, (rows, cols), np.array(amount, np.float64))
    shops = [key[0] for key in keys]
    codes = [key[1] for key in keys]
    # Closed days per shop: the shop sold nothing at all that day.
    shop_names = sorted({s for s, _ in shop_days} | set(shops))
    shop_index = {s: i for i, s in enumerate(shop_names)}
    open_shop = np.zeros((len(shop_names), days), bool)
    for s, col in shop_days:
        open_shop[shop_index[s], col] = True
    row_open = (
        open_shop[np.array([shop_index[s] for s in shops], np.int64)]
        if n
        else np.zeros((0, days), bool)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        price = np.where(grid > 0, revenue / grid, np.nan)
    grid[~row_open] = np.nan
    return ChainDemand(day_list, shops, codes, names, groups, grid, revenue, price)


_STORE = """
INSERT INTO forecast_choice (last_day, shop_id, group_code, scored_rows, chosen, local_rmsse,
                             global_rmsse, naive_rmsse, scores)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
"""

_STORED = """
SELECT DISTINCT ON (group_code) group_code, chosen, scored_rows, scores
FROM forecast_choice
WHERE last_day = %s AND shop_id IS NOT DISTINCT FROM %s
ORDER BY group_code, made_at DESC, id DESC
"""


def store_choices(
    conn: Connection[Any], last: date, shop: str | None, choices: list[dict[str, Any]]
) -> None:
    """Keep each group's backtest and choice (kassa_tui.insight.chain.GroupScore.to_dict())."""
    from psycopg.types.json import Jsonb

    with conn.transaction():
        for c in choices:
            scores = c["scores"]
            conn.execute(
                _STORE,
                (
                    last.isoformat(),
                    shop,
                    c["group"],
                    c["rows"],
                    c["chosen"],
                    scores["local"]["rmsse"],
                    scores["global"]["rmsse"] if "global" in scores else None,
                    scores["naive"]["rmsse"],
                    Jsonb(scores),
                ),
            )


def stored_choices(
    conn: Connection[Any], last: date, shop: str | None
) -> dict[str, dict[str, Any]]:
    """The latest choice per group made for this last day and shop (or every shop)."""
    return {
        group: {"group": group, "chosen": chosen, "rows": rows, "scores": scores}
        for group, chosen, rows, scores in conn.execute(_STORED, (last.isoformat(), shop))
    }
