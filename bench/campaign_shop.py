"""Campaigns for the benchmark: a share of the catalog in running campaigns (issue 14).

`add_campaigns(db, share)` puts every third product (for share 1/3) into a running campaign,
in three kinds as a shop would have them: '3 for 2' on one product, '2 for a price' on one
product, and mix-and-match lists of 25 products ('any 3 for a price'). Written with plain
sqlite3 into the shop's database before the till opens it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MIX_LIST = 25
FROM = "2000-01-01T00:00:00.000000Z"


def add_campaigns(db: Path, share: float) -> tuple[int, int]:
    """Campaigns over `share` of the active products; returns (campaigns, products in them)."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT id, price_ore FROM product WHERE active = 1 AND unit = 'stk' AND price_ore > 0"
            " ORDER BY id"
        ).fetchall()
        step = max(1, round(1 / share)) if share > 0 else 0
        chosen = rows[::step] if step else []
        campaigns: list[tuple[object, ...]] = []
        members: list[tuple[int, int]] = []
        third = len(chosen) // 3
        next_id = (con.execute("SELECT COALESCE(MAX(id), 0) FROM campaign").fetchone()[0]) + 1
        for pid, _price in chosen[:third]:
            campaigns.append((next_id, f"bench 3 for 2 #{next_id}", "n_for_m", 3, 2, 0))
            members.append((pid, next_id))
            next_id += 1
        for pid, price in chosen[third : 2 * third]:
            pair = max(100, 2 * price - 1000)
            campaigns.append((next_id, f"bench 2 for #{next_id}", "n_for_price", 2, 0, pair))
            members.append((pid, next_id))
            next_id += 1
        rest = chosen[2 * third :]
        for start in range(0, len(rest), MIX_LIST):
            group = rest[start : start + MIX_LIST]
            dearest = sorted((p for _, p in group), reverse=True)[:3]
            price = max(100, sum(dearest) * 3 // 4)
            campaigns.append((next_id, f"bench any 3 #{next_id}", "n_for_price", 3, 0, price))
            members.extend((pid, next_id) for pid, _ in group)
            next_id += 1
        with con:
            con.executemany(
                "INSERT INTO campaign (id, name, kind, quantity, pay_for, price_ore,"
                " valid_from_utc, valid_to_utc, active, created_utc)"
                f" VALUES (?, ?, ?, ?, ?, ?, '{FROM}', NULL, 1, '{FROM}')",
                campaigns,
            )
            con.executemany(
                "INSERT INTO campaign_product (product_id, campaign_id) VALUES (?, ?)", members
            )
        return len(campaigns), len(members)
    finally:
        con.close()
