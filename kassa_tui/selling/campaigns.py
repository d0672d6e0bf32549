"""Multi-buys and mix-and-match: the best combination of campaigns for the customer (issue 14).

Pure: `best_combination` takes the basket's lines and the campaigns that touch them and returns
what each campaign takes off, with each line's share, so VAT per line stays right (the shares
are the lines' discounts; X, Z and SAF-T count them as discounts). The screen, the receipt and
the stored sale all price through `catalog.pricing.price`, which takes these shares.

Two kinds, each over a list of products (one product: '3 for 2'; many: mix-and-match):
- ``n_for_m``: any N units of the list, the customer pays for the M dearest ('3 for 2').
- ``n_for_price``: any N units of the list for a fixed price ('2 for 50 kr', 'any 3 for 99 kr').

A unit takes part in at most one group of one campaign. Lines sold by weight, with a price in
the barcode, with a price override or with a discount of their own never take part.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.pricing import CampaignHit, Line
from kassa_tui.club.campaigns import members_only
from kassa_tui.core.money import QTY_ONE, allocate

KINDS = ("n_for_m", "n_for_price")
#: Up to this many campaigns touching one basket, every order of applying them is tried; above
#: it, the campaigns are tried dearest saving first (a basket rarely meets more than a few).
_EXHAUSTIVE = 6


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    kind: str  # one of KINDS
    quantity: int  # N units make a group
    pay_for: int = 0  # n_for_m: the customer pays for this many of the N
    price_ore: int = 0  # n_for_price: what the N cost together
    product_ids: frozenset[int] = field(default_factory=frozenset)

    def group_saving(self, prices: list[int]) -> tuple[int, list[int]]:
        """What a group of units (dearest first) saves, and each unit's share of it."""
        if self.kind == "n_for_m":
            free = self.quantity - self.pay_for
            shares = [0] * (len(prices) - free) + prices[len(prices) - free :]
            return sum(shares), shares
        saving = sum(prices) - self.price_ore
        if saving <= 0:
            return 0, [0] * len(prices)
        return saving, allocate(saving, prices)


@dataclass(frozen=True)
class _Unit:
    line_id: int
    product_id: int
    price: int


def takes_part(line: Line) -> bool:
    """Whole units at the catalog's price, without a discount of their own."""
    return (
        line.unit != "kg"
        and line.fixed_amount_ore is None
        and not line.overridden
        and not line.discount_ore
        and not line.discount_bp
        and line.qty_milli > 0
        and line.qty_milli % QTY_ONE == 0
        and line.unit_price_ore > 0
    )


def _units(lines: Iterable[Line], wanted: set[int]) -> list[_Unit]:
    units = [
        _Unit(ln.id, ln.product_id, ln.unit_price_ore)
        for ln in lines
        if ln.product_id in wanted and takes_part(ln)
        for _ in range(ln.qty_milli // QTY_ONE)
    ]
    # Dearest first; the same price in basket order, so the result never depends on chance.
    units.sort(key=lambda u: (-u.price, u.line_id))
    return units


def _apply(campaign: Campaign, units: list[_Unit]) -> tuple[CampaignHit | None, list[_Unit]]:
    """Groups of the dearest units while a group still saves; returns the units left over."""
    eligible = [u for u in units if u.product_id in campaign.product_ids]
    taken: set[int] = set()
    shares: dict[int, int] = {}
    groups = 0
    total = 0
    n = campaign.quantity
    for start in range(0, len(eligible) - n + 1, n):
        group = eligible[start : start + n]
        saving, unit_shares = campaign.group_saving([u.price for u in group])
        if saving <= 0:
            break
        groups += 1
        total += saving
        for unit, share in zip(group, unit_shares, strict=True):
            taken.add(id(unit))
            shares[unit.line_id] = shares.get(unit.line_id, 0) + share
    if not groups:
        return None, units
    hit = CampaignHit(campaign.id, campaign.name, groups, total, shares)
    return hit, [u for u in units if id(u) not in taken]


def best_combination(lines: list[Line], campaigns: list[Campaign]) -> list[CampaignHit]:
    """The campaigns that save the customer the most together.

    Only campaigns that share a product in the basket compete for its units: the basket's
    campaigns are split into such groups, and each group's best order is found on its own
    (every order while the group is small), so unrelated campaigns never multiply the work.
    """
    wanted = {pid for c in campaigns for pid in c.product_ids}
    units = _units(lines, wanted)
    if not units:
        return []
    # A campaign that cannot make one group from the whole basket never helps.
    alone: dict[int, int] = {}
    touching: list[Campaign] = []
    for campaign in campaigns:
        hit = _apply(campaign, units)[0] if campaign.quantity > 0 else None
        if hit is not None:
            alone[campaign.id] = hit.discount_ore
            touching.append(campaign)
    best: list[CampaignHit] = []
    for group in _competing(touching, {u.product_id for u in units}):
        products = {pid for c in group for pid in c.product_ids}
        best.extend(_best_order(group, [u for u in units if u.product_id in products], alone))
    return best


def _competing(campaigns: list[Campaign], present: set[int]) -> list[list[Campaign]]:
    """The campaigns in groups that share a product present in the basket (in input order)."""
    groups: list[tuple[set[int], list[Campaign]]] = []
    for campaign in campaigns:
        mine = campaign.product_ids & present
        joined = [g for g in groups if g[0] & mine]
        products, members = set(mine), [campaign]
        for g in joined:
            products |= g[0]
            members = g[1] + members
            groups.remove(g)
        groups.append((products, sorted(members, key=campaigns.index)))
    groups.sort(key=lambda g: campaigns.index(g[1][0]))
    return [g[1] for g in groups]


def _best_order(
    group: list[Campaign], units: list[_Unit], alone: dict[int, int]
) -> list[CampaignHit]:
    if len(group) == 1:
        hit = _apply(group[0], units)[0]
        return [hit] if hit is not None else []
    if len(group) <= _EXHAUSTIVE:
        orders: Iterable[tuple[Campaign, ...]] = itertools.permutations(group)
    else:
        orders = [tuple(sorted(group, key=lambda c: (-alone[c.id], c.id)))]
    best: list[CampaignHit] = []
    best_total = 0
    for order in orders:
        left = units
        hits: list[CampaignHit] = []
        for campaign in order:
            hit, left = _apply(campaign, left)
            if hit is not None:
                hits.append(hit)
        total = sum(h.discount_ore for h in hits)
        if total > best_total:
            best, best_total = hits, total
    return best


_ACTIVE_FOR_PRODUCTS = (
    "SELECT c.id, c.name, c.kind, c.quantity, c.pay_for, c.price_ore, cp.product_id"
    " FROM campaign_product cp JOIN campaign c ON c.id = cp.campaign_id"
    " WHERE cp.product_id IN ({marks}) AND c.active = 1 AND c.valid_from_utc <= ?"
    " AND (c.valid_to_utc IS NULL OR c.valid_to_utc > ?)"
)


def active_for(db: SqliteDatabase, now_utc: str, product_ids: Iterable[int]) -> list[Campaign]:
    """The campaigns running at `now_utc` that take any of these products (only those of their
    products: the rest cannot be in the basket). One indexed query: this is the scan path."""
    ids = sorted(set(product_ids))
    if not ids:
        return []
    rows = db.execute_sql(
        _ACTIVE_FOR_PRODUCTS.format(marks=",".join("?" * len(ids))), (*ids, now_utc, now_utc)
    ).fetchall()
    found: dict[int, tuple[tuple[Any, ...], set[int]]] = {}
    for row in rows:
        found.setdefault(int(row[0]), (row, set()))[1].add(int(row[6]))
    return [
        Campaign(int(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4]), int(r[5]), frozenset(p))
        for r, p in found.values()
    ]


def campaigns_for(
    db: SqliteDatabase, now_utc: str, lines: list[Line], member: bool = False
) -> list[CampaignHit]:
    """The best combination of the running campaigns for these basket lines; members-only
    campaigns (kassa_tui.club.campaigns) only when a member is on the basket."""
    wanted = [ln.product_id for ln in lines if takes_part(ln)]
    if not wanted:
        return []
    running = active_for(db, now_utc, wanted)
    if running and not member:
        only = members_only(db, (c.id for c in running))
        running = [c for c in running if c.id not in only]
    return best_combination(lines, running)


def record_campaigns(
    db: SqliteDatabase, sale_id: int, hits: Iterable[CampaignHit]
) -> dict[str, Any]:
    """Keep what each campaign took off a completed sale (sale_campaign, per campaign, for later
    reports), inside the caller's transaction; returns the sale journal row's `campaigns` detail
    (none when no campaign applied)."""
    rows = [(sale_id, h.campaign_id, h.name, h.groups, h.discount_ore) for h in hits]
    if not rows:
        return {}
    db.execute_sql(
        "INSERT INTO sale_campaign (sale_id, campaign_id, name, groups, discount_ore)"
        f" VALUES {', '.join(['(?, ?, ?, ?, ?)'] * len(rows))}",
        [value for row in rows for value in row],
    )
    return {"campaigns": [[r[1], r[2], r[3], r[4]] for r in rows]}
