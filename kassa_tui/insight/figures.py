"""The insight screen's figures for one till, from its SQLite in plain SQL (issue 16).

Sales: today / this week / this month against the same stretch before, 90 days of revenue
with its 7-day average, and busy hours (business weekday x hour). Products: units, revenue
and margin per product over 90 days, ABC class, trend, days of cover and dead stock.

Everything is on the till's clock: business days turn at the cut-off hour ([day] cutoff_hour),
training receipts are left out, returns are netted (they are negative), and gift cards sold
are no revenue (the Z leaves them out too). Money is integer øre, quantities thousandths.

The old system's imported history (`kassa import sales`) counts on the days before kassa's
first own sale, never on a day kassa sold itself (insight.history.history_days): in revenue,
the chart and the products' units, revenue and trend; it has no receipts, hours, VAT or cost,
so baskets, busy hours and margins are kassa's own sales alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from peewee import SqliteDatabase

from kassa_tui.core.clock import DEFAULT_CUTOFF_HOUR, Instant, business_date, business_days_utc
from kassa_tui.core.clock import utc_text as to_utc_text
from kassa_tui.core.periods import Comparison, Day, Period
from kassa_tui.insight.history import history_days

#: Gift cards sold are a liability, not a sale (selling.gift_card_sales.GIFT_GROUP).
GIFT_GROUP = "GAVEKORT"
#: Days of revenue on the chart, and of product figures.
CHART_DAYS = 90
PRODUCT_DAYS = 90
#: The trend compares the last TREND_DAYS with the TREND_DAYS before.
TREND_DAYS = 28
#: Dead stock: on hand, and no sale in this many days.
DEAD_DAYS = 30
#: At most this many dead-stock products are listed (the most stock value first).
DEAD_LIMIT = 500

_VALID = "s.training = 0 AND s.completed_utc >= ? AND s.completed_utc < ?"


@dataclass(frozen=True)
class SalesFigures:
    as_of_utc: str
    business_date: str
    comparisons: tuple[Comparison, ...]
    days: tuple[Day, ...]
    #: [weekday 0 = Monday][hour 0-23] over the chart's days: receipts, and net revenue.
    hour_receipts: tuple[tuple[int, ...], ...]
    hour_revenue: tuple[tuple[int, ...], ...]


class ProductRow(NamedTuple):
    product_id: int
    plu: str
    name: str
    group_code: str
    unit: str
    units_milli: int
    revenue_ore: int
    margin_ore: int | None  # None: no cost price known
    abc: str  # A, B, C, or "-" (nothing sold)
    last_28_milli: int
    before_28_milli: int
    on_hand_milli: int
    last_sold_utc: str  # the last sale in the window, "" if none
    dead: bool

    @property
    def trend_pct(self) -> float | None:
        if not self.before_28_milli:
            return None
        return 100.0 * (self.last_28_milli - self.before_28_milli) / self.before_28_milli

    @property
    def cover_days(self) -> float | None:
        """Days the stock on hand lasts at the last 28 days' pace (None: nothing sold)."""
        if self.last_28_milli <= 0:
            return None
        return max(0, self.on_hand_milli) / (self.last_28_milli / TREND_DAYS)


@dataclass(frozen=True)
class ProductFigures:
    as_of_utc: str
    first: str
    last: str
    rows: tuple[ProductRow, ...]  # every product sold in the window, then dead stock
    dead_count: int  # every dead product, also those past DEAD_LIMIT


def ranked(
    rows: tuple[ProductRow, ...], key: str, *, worst_first: bool = False
) -> list[ProductRow]:
    """Best first by `key` (units, revenue, margin) among what sold in the window; worst
    first leaves out what did not sell at all; "dead": dead stock, the most on hand first."""
    if key == "dead":
        dead = [r for r in rows if r.dead]
        return sorted(dead, key=lambda r: (-r.on_hand_milli, r.name))
    chosen = [r for r in rows if r.units_milli or r.revenue_ore]
    if key == "margin":
        chosen = [r for r in chosen if r.margin_ore is not None]
    if worst_first:
        chosen = [r for r in chosen if r.units_milli > 0]

    def measure(r: ProductRow) -> int:
        if key == "units":
            return r.units_milli
        if key == "margin":
            return r.margin_ore or 0
        return r.revenue_ore

    return sorted(chosen, key=lambda r: (measure(r) if worst_first else -measure(r), r.name))


def _bday(cutoff: int) -> str:
    return f"date(s.local_date || ' ' || s.local_time, '-{int(cutoff)} hours')"


def _range(first: str, last: str, cutoff: int) -> tuple[str, str]:
    start, end = business_days_utc(first, last, cutoff)
    return to_utc_text(start), to_utc_text(end)


def period(db: SqliteDatabase, first: str, last: str, cutoff: int = DEFAULT_CUTOFF_HOUR) -> Period:
    """Business days `first` to `last` (ISO dates, both included)."""
    bounds = _range(first, last, cutoff)
    receipts, returns, total = db.execute_sql(
        "SELECT COALESCE(SUM(s.kind = 'sale'), 0), COALESCE(SUM(s.kind = 'return'), 0),"
        f" COALESCE(SUM(s.total_ore), 0) FROM sale s WHERE {_VALID}",
        bounds,
    ).fetchone()
    gift, items = db.execute_sql(
        "SELECT COALESCE(SUM(CASE WHEN l.group_code = ? THEN l.amount_ore END), 0),"
        " COALESCE(SUM(CASE WHEN l.group_code = ? THEN 0 WHEN l.qty_milli % 1000 = 0"
        " THEN l.qty_milli / 1000 WHEN l.qty_milli < 0 THEN -1 ELSE 1 END), 0)"
        f" FROM sale s JOIN sale_line l ON l.sale_id = s.id WHERE {_VALID}",
        (GIFT_GROUP, GIFT_GROUP, *bounds),
    ).fetchone()
    history = sum(row[3] for row in history_days(db, first, last, cutoff))
    return Period(
        first,
        last,
        int(total) - int(gift) + history,
        int(receipts),
        int(returns),
        int(items),
        history,
    )


def _shift_month(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError(day)


def comparisons(db: SqliteDatabase, today: str, cutoff: int) -> tuple[Comparison, ...]:
    """Today against the same weekday a week before; this week (Monday to today) against the
    same days of last week; this month (the 1st to today) against the same days of last month."""
    d = date.fromisoformat(today)
    week_start = d - timedelta(days=d.weekday())
    month_start = d.replace(day=1)
    prev_month_day = _shift_month(d, -1)
    spans = (
        ("today", (d, d), (d - timedelta(days=7), d - timedelta(days=7))),
        ("week", (week_start, d), (week_start - timedelta(days=7), d - timedelta(days=7))),
        ("month", (month_start, d), (prev_month_day.replace(day=1), prev_month_day)),
    )
    return tuple(
        Comparison(
            name,
            period(db, now[0].isoformat(), now[1].isoformat(), cutoff),
            period(db, before[0].isoformat(), before[1].isoformat(), cutoff),
        )
        for name, now, before in spans
    )


def sales_figures(
    db: SqliteDatabase,
    now: Instant,
    cutoff: int = DEFAULT_CUTOFF_HOUR,
    days: int = CHART_DAYS,
    *,
    first: str | None = None,
    last: str | None = None,
) -> SalesFigures:
    """The Sales tab: the comparisons for `last` (default: today's business day), the days
    `first` to `last` (default: the `days` days up to `last`), busy hours over those days."""
    today = last or business_date(now, cutoff)
    end = date.fromisoformat(today)
    start = date.fromisoformat(first) if first else end - timedelta(days=days - 1)
    days = (end - start).days + 1
    early = start - timedelta(days=6)  # the first day's 7-day average needs the week before
    bounds = _range(early.isoformat(), today, cutoff)
    bday = _bday(cutoff)
    revenue: dict[str, int] = {}
    count: dict[str, int] = {}
    receipts = [[0] * 24 for _ in range(7)]
    by_hour = [[0] * 24 for _ in range(7)]
    first_day = start.isoformat()
    for day, hour, n, total in db.execute_sql(
        f"SELECT {bday} d, CAST(substr(s.local_time, 1, 2) AS INTEGER),"
        " SUM(s.kind = 'sale'), SUM(s.total_ore)"
        f" FROM sale s WHERE {_VALID} GROUP BY 1, 2",
        bounds,
    ):
        revenue[day] = revenue.get(day, 0) + int(total)
        count[day] = count.get(day, 0) + int(n)
        if day >= first_day:
            weekday = date.fromisoformat(day).weekday()
            receipts[weekday][int(hour)] += int(n)
            by_hour[weekday][int(hour)] += int(total)
    for day, hour, gift in db.execute_sql(
        f"SELECT {bday}, CAST(substr(s.local_time, 1, 2) AS INTEGER), SUM(l.amount_ore)"
        f" FROM sale s JOIN sale_line l ON l.sale_id = s.id WHERE {_VALID}"
        " AND l.group_code = ? GROUP BY 1, 2",
        (*bounds, GIFT_GROUP),
    ):
        revenue[day] -= int(gift)
        if day >= first_day:
            by_hour[date.fromisoformat(day).weekday()][int(hour)] -= int(gift)
    for _pid, day, _units, amount in history_days(db, early.isoformat(), today, cutoff):
        revenue[day] = revenue.get(day, 0) + amount
    dates = [(early + timedelta(days=i)).isoformat() for i in range(days + 6)]
    series = [revenue.get(day, 0) for day in dates]
    chart = tuple(
        Day(dates[i], series[i], round(sum(series[i - 6 : i + 1]) / 7), count.get(dates[i], 0))
        for i in range(6, days + 6)
    )
    return SalesFigures(
        now.utc_text,
        today,
        comparisons(db, today, cutoff),
        chart,
        tuple(tuple(row) for row in receipts),
        tuple(tuple(row) for row in by_hour),
    )


def _day_back(last: date, back: int) -> str:
    return (last - timedelta(days=back - 1)).isoformat()


def _with_history(
    db: SqliteDatabase, sold: list[tuple[Any, ...]], first: str, today: str, cutoff: int, early: str
) -> list[tuple[Any, ...]]:
    """`sold` (product_figures' rows, best first) with the imported history's units, revenue and
    28-day trend added; products only in the history join (margin unknown). Unchanged (and no
    more than one indexed probe) when there is no history in the window."""
    history = history_days(db, early, today, cutoff)
    if not history:
        return sold
    last = date.fromisoformat(today)
    t28, t56 = _day_back(last, TREND_DAYS), _day_back(last, 2 * TREND_DAYS)
    extra: dict[int, list[int]] = {}  # units, revenue, last28, before28 (thousandths, øre)
    last_day: dict[int, str] = {}
    for pid, day, units, amount in history:
        add = extra.setdefault(pid, [0, 0, 0, 0])
        milli = round(units * 1000)
        if day >= first:
            add[0] += milli
            add[1] += amount
        if day >= t28:
            add[2] += milli
        elif day >= t56:
            add[3] += milli
        last_day[pid] = max(last_day.get(pid, ""), day)
    rows = [list(row) for row in sold]
    for row in rows:
        if add := extra.pop(int(row[0]), []):
            row[5] += add[0]
            row[6] += add[1]
            row[9] += add[2]
            row[10] += add[3]
    if extra:
        ids = sorted(extra)
        marks = ",".join("?" * len(ids))
        found = {
            int(pid): (plu, name, group, unit, on_hand)
            for pid, plu, name, group, unit, on_hand in db.execute_sql(
                "SELECT p.id, COALESCE(p.plu, ''), p.name, COALESCE(g.code, ''),"
                " COALESCE(p.unit, 'stk'), COALESCE(ps.on_hand_milli, 0) FROM product p"
                " LEFT JOIN product_group g ON g.id = p.group_id"
                " LEFT JOIN product_stock ps ON ps.product_id = p.id"
                f" WHERE p.id IN ({marks})",
                ids,
            )
        }
        dead_day = _day_back(last, DEAD_DAYS)
        for pid in ids:
            if pid not in found or found[pid][2] == GIFT_GROUP:
                continue
            plu, name, group, unit, on_hand = found[pid]
            add = extra[pid]
            dead = int(on_hand) > 0 and last_day[pid] < dead_day
            rows.append(
                [
                    pid,
                    plu,
                    name,
                    group,
                    unit,
                    add[0],
                    add[1],
                    None,
                    "-",
                    add[2],
                    add[3],
                    int(on_hand),
                    "",
                    dead,
                ]
            )
    rows.sort(key=lambda row: (-row[6], row[0]))
    return [tuple(row) for row in rows]


def abc_classes(revenues: dict[int, int]) -> dict[int, str]:
    """A: the best sellers making the first 80 % of revenue, B: the next 15 %, C: the rest."""
    total = sum(max(0, r) for r in revenues.values())
    classes: dict[int, str] = {}
    running = 0
    for product_id, revenue in sorted(revenues.items(), key=lambda item: (-item[1], item[0])):
        share = running / total if total else 1.0
        classes[product_id] = "A" if share < 0.80 else "B" if share < 0.95 else "C"
        running += max(0, revenue)
    return classes


# Per product in SQL (the benchmark's year sells 145,000 products in 90 days), best first by
# revenue; parameters: the window's first instant x3, 28 days back, 56 days back, 28 days back,
# the bounds, the gift card group, the dead-stock start. ABC in Python (a window function for it
# took longer than the whole aggregate).
SOLD_SQL = (
    "WITH a AS (SELECT l.product_id,"
    " SUM(CASE WHEN s.completed_utc >= ? THEN l.qty_milli ELSE 0 END) units,"
    " SUM(CASE WHEN s.completed_utc >= ? THEN l.amount_ore ELSE 0 END) revenue,"
    " SUM(CASE WHEN s.completed_utc >= ? THEN l.amount_ore - l.vat_ore ELSE 0 END) net,"
    " SUM(CASE WHEN s.completed_utc >= ? THEN l.qty_milli ELSE 0 END) last28,"
    " SUM(CASE WHEN s.completed_utc >= ? AND s.completed_utc < ? THEN l.qty_milli"
    " ELSE 0 END) before28, MAX(s.completed_utc) last_utc"
    f" FROM sale s JOIN sale_line l ON l.sale_id = s.id WHERE {_VALID}"
    " AND l.group_code != ? GROUP BY l.product_id)"
    " SELECT r.product_id, COALESCE(p.plu, ''), COALESCE(p.name, ''),"
    " COALESCE(g.code, ''), COALESCE(p.unit, 'stk'), r.units, r.revenue,"
    " CASE WHEN p.cost_ore IS NULL THEN NULL"
    " ELSE r.net - CAST(ROUND(p.cost_ore * r.units / 1000.0) AS INTEGER) END,"
    " '-',"
    " r.last28, r.before28, COALESCE(ps.on_hand_milli, 0), r.last_utc,"
    " COALESCE(ps.on_hand_milli, 0) > 0 AND r.last_utc < ?"
    " FROM a r LEFT JOIN product p ON p.id = r.product_id"
    " LEFT JOIN product_group g ON g.id = p.group_id"
    " LEFT JOIN product_stock ps ON ps.product_id = r.product_id"
    " ORDER BY r.revenue DESC, r.product_id"
)
