"""The insight screen at the head office (`kassa hq insight`, issue 16): its figures from HQ's
PostgreSQL, one shop or the whole chain.

- sales: today, this week and this month against the stretch before (as the till's Sales tab:
  kassa_tui.insight.figures.comparisons), the revenue of the last 90 days with its 7-day
  average, average basket, items per basket and receipts per weekday and hour;
- shops: per shop, revenue this week against the same days of last week, receipts, average
  basket, and its registers as `kassa hq status` shows them (kassa_tui.hq.admin.status);
- products: units and revenue per product (its codes summed, 0020) from `kassa hq report
  products`'s query (kassa_tui.hq.report), with the trend of the last 28 days against the 28
  before;
- forecast: the method chosen per product group by `kassa hq forecast` (forecast_choice) and
  the products' forecast it made (forecast_run, 0018: stored by the command, never made here).

Read from what the tills pushed (0001_push.sql: sale, sale_line), as the till reads its own
SQLite: training receipts are left out, returns are netted (negative), gift cards sold are no
revenue. Days are the tills' business days (sale.local_date). Money in øre.
This module only reads; the screen (screens.hq_insight) calls it in worker threads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from psycopg import Connection

from kassa_tui.core.periods import Comparison, Day, Period
from kassa_tui.hq import admin, report
from kassa_tui.hq.forecast import last_day, stored_choices

GIFT_GROUP = "GAVEKORT"
CHART_DAYS = 90
PRODUCT_DAYS = 90
TREND_DAYS = 28

# Per business day and hour: receipts, returns, net total (the sales alone: the busy hours count
# receipts). Then per business day: gift cards sold and items (as the till counts them: whole
# pieces, a weighed line one, a returned line minus one). Two queries: one over both grouped by
# day and hour took 6.2 s on a chain's quarter (2.4 M lines), these 1.1 s.
_HOURS = """
SELECT local_date, substr(local_time, 1, 2)::int AS hour,
       count(*) FILTER (WHERE kind = 'sale') AS receipts,
       count(*) FILTER (WHERE kind = 'return') AS returns, sum(total_ore) AS total
FROM sale
WHERE local_date BETWEEN %(from)s AND %(to)s AND NOT training
  AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
GROUP BY 1, 2
"""
_LINES = """
SELECT s.local_date,
       sum(CASE WHEN l.group_code = %(gift)s THEN l.amount_ore ELSE 0 END) AS gift,
       sum(CASE WHEN l.group_code = %(gift)s THEN 0
                WHEN l.qty_milli %% 1000 = 0 THEN l.qty_milli / 1000
                WHEN l.qty_milli < 0 THEN -1 ELSE 1 END) AS items
FROM sale s JOIN sale_line l ON l.register_id = s.register_id AND l.seq = s.seq
WHERE s.local_date BETWEEN %(from)s AND %(to)s AND NOT s.training
  AND (%(shop)s::text IS NULL OR s.shop_id = %(shop)s)
GROUP BY s.local_date
"""

# Per shop, this week and the same days of last week, from the day totals (0006: hq_rollup;
# training left out, returns netted) less the gift cards sold those days.
_SHOP_WEEKS = """
SELECT d.shop_id, d.local_date >= %(week)s AS this_week, sum(d.receipts) AS receipts,
       sum(d.total_ore) - COALESCE(sum(g.gift), 0) AS revenue
FROM sales_day d
LEFT JOIN (
    SELECT local_date, shop_id, sum(amount_ore) AS gift FROM product_day
    WHERE group_code = %(gift)s GROUP BY local_date, shop_id
) g ON g.local_date = d.local_date AND g.shop_id = d.shop_id
WHERE d.local_date BETWEEN %(week)s AND %(to)s
   OR d.local_date BETWEEN %(before)s AND %(before_to)s
GROUP BY d.shop_id, d.local_date >= %(week)s
"""


@dataclass(frozen=True)
class SalesFigures:
    today: str
    shop: str | None
    shops: tuple[str, ...]  # every shop HQ knows, sorted
    comparisons: tuple[Comparison, ...]
    days: tuple[Day, ...]
    #: [weekday 0 = Monday][hour 0-23] over the chart's days: receipts.
    hour_receipts: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class ShopRow:
    shop_id: str
    week_ore: int
    last_week_ore: int
    receipts: int  # this week
    registers: tuple[admin.RegisterStatus, ...]

    @property
    def change_pct(self) -> float | None:
        if not self.last_week_ore:
            return None
        return 100.0 * (self.week_ore - self.last_week_ore) / self.last_week_ore

    @property
    def average_basket_ore(self) -> int:
        return round(self.week_ore / self.receipts) if self.receipts else 0


@dataclass(frozen=True)
class ProductRow:
    code: str
    name: str
    group: str
    units_milli: int
    revenue_ore: int
    recent_milli: int  # the last TREND_DAYS
    earlier_milli: int  # the TREND_DAYS before

    @property
    def trend_pct(self) -> float | None:
        if not self.earlier_milli:
            return None
        return 100.0 * (self.recent_milli - self.earlier_milli) / self.earlier_milli


@dataclass(frozen=True)
class ProductFigures:
    first: str
    last: str
    shop: str | None
    rows: tuple[ProductRow, ...]  # best revenue first


@dataclass(frozen=True)
class GroupChoice:
    group: str
    chosen: str  # local, global, naive
    rows: int
    local_rmsse: float
    global_rmsse: float | None
    naive_rmsse: float


@dataclass(frozen=True)
class ForecastRow:
    shop: str
    code: str
    name: str
    model: str  # local, global, naive, new (order by hand: no forecast)
    units: tuple[float, ...] | None  # per day; None: a new product


@dataclass(frozen=True)
class ForecastChoices:
    last_day: str | None  # None: HQ holds no sales
    shop: str | None
    groups: tuple[GroupChoice, ...]  # empty: `kassa hq forecast` has not been run for it
    days: tuple[str, ...] = ()  # the days of the last forecast made (none: not made yet)
    rows: tuple[ForecastRow, ...] = ()  # its products, biggest first
    chain: bool = False  # one shop's rows and the groups' choice from the whole chain's run


def shops(conn: Connection[Any]) -> tuple[str, ...]:
    return tuple(str(r[0]) for r in conn.execute("SELECT shop_id FROM shop ORDER BY shop_id"))


def _shift_month(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError(day)


def spans(today: date) -> tuple[tuple[str, tuple[date, date], tuple[date, date]], ...]:
    """Today against the same weekday a week before; this week (Monday to today) against the
    same days of last week; this month (the 1st to today) against the same days of last month
    (as on the till)."""
    d = today
    week = d - timedelta(days=d.weekday())
    back = _shift_month(d, -1)
    return (
        ("today", (d, d), (d - timedelta(days=7), d - timedelta(days=7))),
        ("week", (week, d), (week - timedelta(days=7), d - timedelta(days=7))),
        ("month", (d.replace(day=1), d), (back.replace(day=1), back)),
    )


def sales_figures(
    conn: Connection[Any], today: date, shop: str | None = None, days: int = CHART_DAYS
) -> SalesFigures:
    """The Sales tab for the chain (shop None) or one shop, `today` the last business day."""
    start = today - timedelta(days=days - 1)
    early = min(start - timedelta(days=6), _shift_month(today, -1).replace(day=1))
    params = {"from": early.isoformat(), "to": today.isoformat(), "shop": shop, "gift": GIFT_GROUP}
    per_day: dict[str, list[int]] = {}  # revenue, receipts, returns, items
    hours = [[0] * 24 for _ in range(7)]
    first_day = start.isoformat()
    with conn.transaction():  # one snapshot; the join hashed in memory, no JIT for it
        conn.execute("SET LOCAL work_mem = '64MB'")
        conn.execute("SET LOCAL jit = off")
        by_hour = conn.execute(_HOURS, params).fetchall()
        by_day = conn.execute(_LINES, params).fetchall()
    for day, hour, receipts, returns, total in by_hour:
        row = per_day.setdefault(day, [0, 0, 0, 0])
        row[0] += int(total)
        row[1] += int(receipts)
        row[2] += int(returns)
        if day >= first_day and 0 <= int(hour) < 24:
            hours[date.fromisoformat(day).weekday()][int(hour)] += int(receipts)
    for day, gift, items in by_day:
        row = per_day.setdefault(day, [0, 0, 0, 0])
        row[0] -= int(gift)
        row[3] += int(items)

    def period(first: date, last: date) -> Period:
        sums = [0, 0, 0, 0]
        day = first
        while day <= last:
            found = per_day.get(day.isoformat())
            if found:
                sums = [a + b for a, b in zip(sums, found, strict=True)]
            day += timedelta(days=1)
        return Period(first.isoformat(), last.isoformat(), *sums)

    comparisons = tuple(
        Comparison(name, period(*now), period(*before)) for name, now, before in spans(today)
    )
    dates = [(start + timedelta(days=i - 6)).isoformat() for i in range(days + 6)]
    series = [per_day.get(d, [0])[0] for d in dates]
    chart = tuple(
        Day(
            dates[i],
            series[i],
            round(sum(series[i - 6 : i + 1]) / 7),
            per_day.get(dates[i], [0, 0])[1],
        )
        for i in range(6, days + 6)
    )
    return SalesFigures(
        today.isoformat(),
        shop,
        shops(conn),
        comparisons,
        chart,
        tuple(tuple(row) for row in hours),
    )


def shop_rows(conn: Connection[Any], today: date) -> tuple[ShopRow, ...]:
    """Per shop: this week (Monday to `today`) against the same days of last week, and its
    registers' sync state (`kassa hq status`)."""
    week = today - timedelta(days=today.weekday())
    params = {
        "week": week.isoformat(),
        "to": today.isoformat(),
        "before": (week - timedelta(days=7)).isoformat(),
        "before_to": (today - timedelta(days=7)).isoformat(),
        "gift": GIFT_GROUP,
    }
    report.rollup(conn)
    figures: dict[str, list[int]] = {}  # this week, last week, receipts this week
    for shop_id, this_week, receipts, revenue in conn.execute(_SHOP_WEEKS, params):
        row = figures.setdefault(str(shop_id), [0, 0, 0])
        if this_week:
            row[0] += int(revenue or 0)
            row[2] += int(receipts)
        else:
            row[1] += int(revenue or 0)
    registers: dict[str, list[admin.RegisterStatus]] = {}
    for status in admin.status(conn):
        registers.setdefault(status.shop_id, []).append(status)
    return tuple(
        ShopRow(
            shop_id,
            figures.get(shop_id, [0, 0, 0])[0],
            figures.get(shop_id, [0, 0, 0])[1],
            figures.get(shop_id, [0, 0, 0])[2],
            tuple(registers.get(shop_id, [])),
        )
        for shop_id in shops(conn)
    )


def product_figures(
    conn: Connection[Any], today: date, shop: str | None = None, days: int = PRODUCT_DAYS
) -> ProductFigures:
    """Units and revenue per product code over the `days` days to `today` (`kassa hq report
    products`' query), with the units of the last TREND_DAYS and the TREND_DAYS before."""
    first = today - timedelta(days=days - 1)
    whole = report.report(conn, "products", first, today, shop)
    recent = report.report(conn, "products", today - timedelta(days=TREND_DAYS - 1), today, shop)
    earlier = report.report(
        conn,
        "products",
        today - timedelta(days=2 * TREND_DAYS - 1),
        today - timedelta(days=TREND_DAYS),
        shop,
    )
    recent_units = {str(r[0]): int(r[3]) for r in recent.rows}
    earlier_units = {str(r[0]): int(r[3]) for r in earlier.rows}
    rows = tuple(
        ProductRow(
            str(code),
            str(name),
            str(group),
            int(qty),
            int(amount),
            recent_units.get(str(code), 0),
            earlier_units.get(str(code), 0),
        )
        for code, name, group, qty, amount, *_codes in whole.rows
        if group != GIFT_GROUP
    )
    return ProductFigures(first.isoformat(), today.isoformat(), shop, rows)


def ranked(rows: tuple[ProductRow, ...], key: str, *, worst_first: bool) -> list[ProductRow]:
    """Best (or worst) first by units or revenue; ties by name."""

    def measure(r: ProductRow) -> int:
        return r.units_milli if key == "units" else r.revenue_ore

    return sorted(rows, key=lambda r: (measure(r) if worst_first else -measure(r), r.name))


def forecast_choices(conn: Connection[Any], shop: str | None = None) -> ForecastChoices:
    """What `kassa hq forecast` (or its backtest) chose per group for the last day HQ holds,
    and the products' forecast it made. For one shop with nothing made for it alone: the whole
    chain's, that shop's rows."""
    last = last_day(conn)
    if last is None:
        return ForecastChoices(None, shop, ())
    groups = _choices(conn, last, shop)
    days, rows = stored_forecast(conn, last, shop)
    if shop is not None and not groups and not rows:
        groups = _choices(conn, last, None)
        days, every = stored_forecast(conn, last, None)
        rows = tuple(r for r in every if r.shop == shop)
        return ForecastChoices(last.isoformat(), shop, groups, days, rows, bool(groups or rows))
    return ForecastChoices(last.isoformat(), shop, groups, days, rows)


def _choices(conn: Connection[Any], last: date, shop: str | None) -> tuple[GroupChoice, ...]:
    found = stored_choices(conn, last, shop)
    groups = []
    for group, c in sorted(found.items()):
        scores = c["scores"]
        groups.append(
            GroupChoice(
                group,
                str(c["chosen"]),
                int(c["rows"]),
                float(scores["local"]["rmsse"]),
                float(scores["global"]["rmsse"]) if "global" in scores else None,
                float(scores["naive"]["rmsse"]),
            )
        )
    return tuple(groups)


def store_forecast(
    conn: Connection[Any],
    last: date,
    shop: str | None,
    group: str | None,
    days: list[str],
    rows: list[dict[str, Any]],
) -> None:
    """Keep what `kassa hq forecast` made (its --json rows) for the insight screen."""
    from psycopg.types.json import Jsonb

    rows = [
        {
            **r,
            "forecast": None
            if r.get("forecast") is None
            else [None if math.isnan(v) else v for v in r["forecast"]],
        }
        for r in rows
    ]
    with conn.transaction():
        conn.execute(
            "INSERT INTO forecast_run (last_day, shop_id, group_code, days, rows)"
            " VALUES (%s, %s, %s, %s, %s)",
            (last.isoformat(), shop, group, Jsonb(days), Jsonb(rows)),
        )


def stored_forecast(
    conn: Connection[Any], last: date, shop: str | None
) -> tuple[tuple[str, ...], tuple[ForecastRow, ...]]:
    """The latest forecast made for this last day and shop (or every shop), every group."""
    found = conn.execute(
        "SELECT days, rows FROM forecast_run WHERE last_day = %s"
        " AND shop_id IS NOT DISTINCT FROM %s AND group_code IS NULL"
        " ORDER BY made_at DESC, id DESC LIMIT 1",
        (last.isoformat(), shop),
    ).fetchone()
    if found is None:
        return (), ()
    days, rows = found
    return tuple(str(d) for d in days), tuple(
        ForecastRow(
            str(r["shop"]),
            str(r["code"]),
            str(r["name"]),
            str(r["model"]),
            None
            if r["forecast"] is None
            else tuple(math.nan if v is None else float(v) for v in r["forecast"]),
        )
        for r in rows
    )
