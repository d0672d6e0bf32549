"""HQ's forecast backtest on a generated chain (issue 16: `kassa hq forecast backtest`).

The arrays `kassa_tui.hq.forecast.read_demand` hands over (a row per product in a shop, 266
days, Sundays closed; half the groups with chain-wide campaign weeks: price -30 %, demand x2.5),
made in numpy here (reading them is one query at HQ, not timed), then the per-group backtest
(kassa_tui.insight.chain: 3 origins x 28 days) with the local method and same as last week
alone, and with the global model (kassa_tui.hq.global_model: one LightGBM model per origin).

    python bench/bench_insight_hq.py [--shops 10] [--products 100] [--groups 4]
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import numpy as np

from kassa_tui.hq.global_model import ChainModel
from kassa_tui.insight.chain import GLOBAL, as_demand, backtest_groups

WEEKDAY = np.array([0.8, 0.85, 0.9, 1.0, 1.25, 1.6, 0.0])
N_DAYS = 266
LAST = date(2026, 11, 28)


def chain(shops: int, products: int, groups: int, seed: int = 16) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    first = LAST - timedelta(days=N_DAYS - 1)
    days = [(first + timedelta(days=i)).isoformat() for i in range(N_DAYS)]
    weekday = WEEKDAY[[(first + timedelta(days=i)).weekday() for i in range(N_DAYS)]]
    campaign = np.zeros(N_DAYS, bool)
    for start in range(10, N_DAYS - 6, 33):
        campaign[start : start + 6] = True
    n = shops * products
    qty = np.zeros((n, N_DAYS))
    price = np.zeros((n, N_DAYS))
    codes, shop_of, group_of = [], [], []
    for p in range(products):
        group = p % groups
        base = rng.uniform(0.3, 14)
        list_price = int(rng.integers(15, 60)) * 100
        promoted = group % 2 == 0
        for s in range(shops):
            i = p * shops + s
            rate = base * (0.6 + 0.8 * s / max(1, shops - 1)) * weekday
            paid = np.full(N_DAYS, float(list_price))
            if promoted:
                rate = np.where(campaign, rate * 2.5, rate)
                paid = np.where(campaign, list_price * 0.7, paid)
            qty[i] = rng.poisson(rate)
            price[i] = paid
            codes.append(f"{p:06d}")
            shop_of.append(f"S{s:02d}")
            group_of.append(f"G{group}")
    qty[:, weekday == 0] = np.nan  # Sundays closed
    revenue = np.nan_to_num(qty) * price
    price = np.where(np.nan_to_num(qty) > 0, price, np.nan)
    return {
        "days": days,
        "codes": codes,
        "shops": shop_of,
        "groups": group_of,
        "qty": qty,
        "revenue": revenue,
        "price": price,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shops", type=int, default=10)
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--groups", type=int, default=4)
    args = parser.parse_args()
    data = chain(args.shops, args.products, args.groups)
    qty, days = data["qty"], data["days"]
    assert isinstance(qty, np.ndarray) and isinstance(days, list)
    codes, shops, groups = data["codes"], data["shops"], data["groups"]
    assert isinstance(codes, list) and isinstance(shops, list) and isinstance(groups, list)
    demand = as_demand(days, codes, codes, qty, data["revenue"])  # type: ignore[arg-type]
    started = time.perf_counter()
    backtest_groups(demand, groups, 28, 3)
    local_s = time.perf_counter() - started
    started = time.perf_counter()
    model = ChainModel.of(qty, data["price"], codes, shops, groups, days)  # type: ignore[arg-type]
    scores = backtest_groups(demand, groups, 28, 3, {GLOBAL: model.forecaster})
    global_s = time.perf_counter() - started
    rows = len(codes)
    print(
        f"HQ backtest, {args.shops} shops x {args.products} products = {rows} rows x {N_DAYS} days"
    )
    print(f"  local + same as last week: {local_s:.2f} s")
    print(f"  with the global model (3 LightGBM trainings): {global_s:.2f} s")
    for g in scores:
        r = {m: round(s.rmsse, 2) for m, s in g.scores.items()}
        print(f"  {g.group}: chosen {g.chosen}, weighted RMSSE {r}")


if __name__ == "__main__":
    main()
