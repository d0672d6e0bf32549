"""What to order from a supplier, per product, and why: a proposal, never an order.

For each active product of the supplier, over the horizon H = lead time + review period (days):

- forecast F: kassa's forecast (kassa_tui.insight.forecast) summed over the next H days;
- safety stock S = z × σ_H, z the standard normal quantile of the service level ([ordering]
  service_level in kassa.toml, 0.95 → z = 1.645). σ_H is estimated from kassa's own forecast
  error: the same forecast made HOLDOUT_DAYS before the last day, compared with what sold on
  each open, in-stock day since (missing days skipped), gives the daily error's root mean square
  σ₁; daily errors taken as independent, σ_H = σ₁ × √H;
- target T = ⌈F + S⌉; on hand (the stock level, whole units) and on order (confirmed purchase
  orders not yet received, kassa_tui.ordering.orders);
- short = T − on hand − on order (a negative level counts as 0: it says the count is off,
  not that goods are owed to the shelf); when positive, the suggestion is `short` rounded UP
  to whole packs, and at least the least order (also in whole packs); otherwise 0.

A product without a forecast (new, or too few sales: the forecast's class "new") gets no
suggestion and the reason "new product: order by hand". Quantities are whole units; cost in
øre where the cost price is known.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np

from kassa_tui.core.clock import Clock, business_date, parse_utc
from kassa_tui.core.i18n import _
from kassa_tui.insight.demand import Demand, FloatArray, daily_demand
from kassa_tui.insight.forecast import NEW, forecast
from kassa_tui.ordering.orders import on_order
from kassa_tui.ordering.suppliers import Supplier

#: Days of sales the forecast learns from (as `kassa forecast`).
HISTORY_DAYS = 182
#: Days held out to measure the forecast's error for the safety stock.
HOLDOUT_DAYS = 28


@dataclass(frozen=True)
class SuggestedLine:
    product_id: int
    plu: str
    ean: str
    supplier_code: str
    name: str
    klass: str  # the forecast's class; "new": order by hand
    forecast: float  # units over the horizon
    safety: float  # units
    target: int
    on_hand: int
    on_order: int
    pack_size: int
    min_order: int
    suggested: int  # units, whole packs; 0: nothing to order
    cost_ore: int | None  # per unit
    reason: str

    @property
    def by_hand(self) -> bool:
        return self.klass == NEW


@dataclass(frozen=True)
class Suggestion:
    supplier: Supplier
    horizon_days: int
    service_level: float
    lines: list[SuggestedLine]
    last_day: str  # the last business day the forecast learned from

    @property
    def to_order(self) -> list[SuggestedLine]:
        return [line for line in self.lines if line.suggested > 0]


def z_value(service_level: float) -> float:
    """The standard normal quantile: 0.95 → 1.645."""
    return NormalDist().inv_cdf(service_level)


def round_to_pack(short: int, pack_size: int, min_order: int) -> int:
    """`short` units rounded up to whole packs, at least `min_order` (itself in whole packs);
    0 when nothing is short."""
    if short <= 0:
        return 0
    qty = -(-short // pack_size) * pack_size
    least = -(-min_order // pack_size) * pack_size
    return max(qty, least)


def plan(
    forecast_units: float, safety: float, on_hand: int, on_order: int, pack_size: int, least: int
) -> tuple[int, int, int]:
    """(target, short, suggested) for one product: the formula of this module's docstring."""
    # Up to whole units, from tenths: a float's last digits never add a unit.
    target = math.ceil(round(forecast_units + safety, 1))
    short = target - max(on_hand, 0) - on_order
    return target, short, round_to_pack(short, pack_size, least)


def reason_text(short: int, pack_size: int, min_order: int, qty: int, target: int) -> str:
    """In the shop's words: 'below target by 7; pack 6 → 12'."""
    if short <= 0:
        return _("enough: target {target}, {over} over").format(target=target, over=-short)
    text = _("below target by {short}; pack {pack} → {qty}").format(
        short=short, pack=pack_size, qty=qty
    )
    if min_order and qty == -(-min_order // pack_size) * pack_size and qty > short:
        text += _("; least order {least}").format(least=min_order)
    return text


def _products(conn: sqlite3.Connection, supplier_id: int) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT p.id, COALESCE(p.plu, ''), p.name, ps.supplier_code, ps.pack_size, ps.min_order,"
        " p.cost_ore, COALESCE(s.on_hand_milli, 0),"
        " COALESCE((SELECT MIN(code) FROM barcode b WHERE b.product_id = p.id), '')"
        " FROM product_supplier ps JOIN product p ON p.id = ps.product_id"
        " LEFT JOIN product_stock s ON s.product_id = p.id"
        " WHERE ps.supplier_id = ? AND p.active = 1 ORDER BY p.name",
        (supplier_id,),
    ).fetchall()


def _sigma_one_day(demand: Demand) -> FloatArray:
    """Per product: the root mean square of kassa's daily forecast error over the last
    HOLDOUT_DAYS days (forecast made before them), over the open, in-stock days."""
    n_days = len(demand.days)
    if n_days <= HOLDOUT_DAYS + 28:
        return np.full(len(demand), np.nan)
    past = demand.window(0, n_days - HOLDOUT_DAYS)
    held = demand.qty[:, n_days - HOLDOUT_DAYS :]
    guess = forecast(past, HOLDOUT_DAYS).values
    error = held - guess
    seen = ~np.isnan(error)
    with np.errstate(invalid="ignore", divide="ignore"):
        mse = np.where(seen, error * error, 0.0).sum(axis=1) / seen.sum(axis=1)
    return np.asarray(np.sqrt(mse), dtype=np.float64)


def suggest(
    conn: sqlite3.Connection,
    clock: Clock,
    supplier: Supplier,
    service_level: float = 0.95,
    cutoff_hour: int = 4,
) -> Suggestion:
    """The proposal for `supplier` now (reads only: safe on a read-only connection)."""
    rows = _products(conn, supplier.id)
    horizon = supplier.lead_days + supplier.review_days
    today = business_date(clock.now(), cutoff_hour)
    last = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    first = (date.fromisoformat(last) - timedelta(days=HISTORY_DAYS - 1)).isoformat()
    ids = [int(str(r[0])) for r in rows]
    demand = daily_demand(conn, first, last, cutoff_hour, ids) if ids else None
    totals: dict[int, tuple[str, float, float]] = {}
    if demand is not None and len(demand):
        made = forecast(demand, horizon)
        sigma = _sigma_one_day(demand) * math.sqrt(horizon) * z_value(service_level)
        for i, pid in enumerate(demand.product_ids):
            klass = made.klass[i]
            if klass == NEW or np.isnan(made.values[i]).any():
                totals[int(pid)] = (NEW, 0.0, 0.0)
                continue
            safety = float(sigma[i]) if np.isfinite(sigma[i]) else 0.0
            totals[int(pid)] = (klass, float(made.values[i].sum()), max(safety, 0.0))
    ordered = on_order(conn, ids)
    lines: list[SuggestedLine] = []
    for pid_, plu, name, supplier_code, pack, least, cost, on_hand_milli, ean in rows:
        pid = int(str(pid_))
        pack_size, min_order = int(str(pack)), int(str(least))
        klass, total, safety = totals.get(pid, (NEW, 0.0, 0.0))
        on_hand = math.floor(int(str(on_hand_milli)) / 1000)
        coming = ordered.get(pid, 0)
        if klass == NEW:
            target, qty, reason = 0, 0, _("new product: order by hand")
        else:
            target, short, qty = plan(total, safety, on_hand, coming, pack_size, min_order)
            reason = reason_text(short, pack_size, min_order, qty, target)
        lines.append(
            SuggestedLine(
                pid,
                str(plu),
                str(ean),
                str(supplier_code),
                str(name),
                klass,
                total,
                safety,
                target,
                on_hand,
                coming,
                pack_size,
                min_order,
                qty,
                None if cost is None else int(str(cost)),
                reason,
            )
        )
    lines.sort(key=lambda line: (line.suggested == 0, not line.by_hand, line.name))
    return Suggestion(supplier, horizon, service_level, lines, last)


def suggest_at(
    database_path: str, now_utc: str, supplier: Supplier, service_level: float, cutoff_hour: int
) -> Suggestion:
    """`suggest` at the moment `now_utc` on a read-only connection of its own: what the insight
    screen's Reorder tab runs in a child process (insight.apart; issue 16)."""
    moment = parse_utc(now_utc).utc
    conn = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True, timeout=5.0)
    try:
        return suggest(conn, Clock(lambda: moment), supplier, service_level, cutoff_hour)
    finally:
        conn.close()
