"""The stock report read from month levels (kassa_tui/hq/sql/0019_stock_month_level.sql, issue
15: HQ reports p95 <= 1 s, also on a busy machine): on generated data of three shops over four
months — sales and returns, deliveries, counts, transfers, rolled up in several goes, a day's
totals rolled up in two goes (stock_day updated), and late rows (a till's sale for an earlier
month pushed after later months were rolled up) — every figure of `kassa hq report stock`
equals what the query before 0019 gives (month totals, 0013), for whole months, parts of
months, periods crossing months, one shop and every shop; and every month level HQ keeps is
the sum of the day deltas up to that month's end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

import tests.hq.test_report_stock_month as base
from bench.hq_stock_0013 import STOCK_0013, _months_0013
from kassa_tui.hq import migrations
from kassa_tui.hq.report import report

PERIODS = [
    *base.PERIODS,
    (date(2026, 3, 1), date(2026, 4, 30)),  # two whole months ending at the last one
    (date(2026, 1, 1), date(2026, 1, 31)),  # the first month (late rows land in it)
    (date(2026, 2, 10), date(2026, 4, 5)),  # crossing three months, both ends in part
    (date(2026, 1, 20), date(2026, 2, 28)),  # from the first day, to a month's end
    (date(2026, 2, 28), date(2026, 3, 1)),  # two days across a month's end
    (date(2026, 4, 1), date(2026, 6, 30)),  # past the last month held
]


def _old(conn: psycopg.Connection[Any], first: date, last: date, shop: str | None) -> list[Any]:
    params = {"from": first.isoformat(), "to": last.isoformat(), "shop": shop}
    params.update(_months_0013(first, last))
    rows = conn.execute(STOCK_0013, params).fetchall()
    return [tuple(int(v) if isinstance(v, Decimal) else v for v in r) for r in rows]


def _same_as_before(conn: psycopg.Connection[Any]) -> int:
    compared = 0
    for first, last in PERIODS:
        for shop in (None, "BERGEN1"):
            new = report(conn, "stock", first, last, shop).rows  # rolls up first
            assert new == _old(conn, first, last, shop), (first, last, shop)
            compared += len(new)
    return compared


def _levels_are_sums(conn: psycopg.Connection[Any]) -> None:
    """Every month row's delta and level against stock_day summed; the last month's level is
    stock_level's; no pair misses a month between its first and the last one held."""
    wrong = conn.execute(
        """
        SELECT l.month, l.shop_id, l.code, l.delta_milli, l.level_milli,
               (SELECT COALESCE(sum(d.delta_milli), 0) FROM stock_day d
                WHERE d.shop_id = l.shop_id AND d.code = l.code
                  AND left(d.local_date, 7) = l.month),
               (SELECT COALESCE(sum(d.delta_milli), 0) FROM stock_day d
                WHERE d.shop_id = l.shop_id AND d.code = l.code
                  AND left(d.local_date, 7) <= l.month)
        FROM stock_month_level l
        """
    ).fetchall()
    assert wrong, "no month levels"
    assert [r for r in wrong if (r[3], r[4]) != (r[5], r[6])] == []
    last = conn.execute(
        "SELECT count(*) FROM stock_level v LEFT JOIN stock_month_level l"
        " ON l.shop_id = v.shop_id AND l.code = v.code"
        " AND l.month = (SELECT max(month) FROM stock_month_level)"
        " WHERE l.level_milli IS DISTINCT FROM v.level_milli"
    ).fetchone()
    assert last == (0,)
    gaps = conn.execute(
        "SELECT shop_id, code FROM stock_month_level GROUP BY shop_id, code"
        " HAVING count(*) <> 1 + (extract(year FROM age(to_date(max(month), 'YYYY-MM'),"
        " to_date(min(month), 'YYYY-MM'))) * 12 + extract(month FROM age("
        " to_date(max(month), 'YYYY-MM'), to_date(min(month), 'YYYY-MM'))))::int"
        " OR max(month) <> (SELECT max(month) FROM stock_month_level)"
    ).fetchall()
    assert gaps == []


@pytest.fixture
def conn(hq_dsn: str) -> Callable[[], psycopg.Connection[Any]]:
    return lambda: psycopg.connect(hq_dsn, autocommit=True)


def test_the_stock_report_from_month_levels_equals_the_query_before(
    conn: Callable[[], psycopg.Connection[Any]],
) -> None:
    first = base.FIRST  # 20 January 2026
    with conn() as c:
        migrations.upgrade(c)
        chain = base.Chain(c)
        base._generate(chain, first, 40, salt=0)
        chain.done()
        assert _same_as_before(c) > 100
        _levels_are_sums(c)
        # the same day again (its totals rolled up in two goes: stock_day updated), then more
        # days into a new month (levels carried forward)
        day = first + timedelta(days=39)
        chain.sale("OSLO1", day, [(code, 1000 + n * 500) for n, code in enumerate(base.CODES)])
        assert c.execute(
            "SELECT count(*) FROM stock_day WHERE shop_id = 'OSLO1' AND local_date = %s",
            (day.isoformat(),),
        ).fetchone() != (0,)  # rows of that day already held: updated, not inserted
        base._generate(chain, first + timedelta(days=40), 30, salt=4)
        chain.done()
        _same_as_before(c)
        _levels_are_sums(c)
        # late rows: a till pushes sales for January and February after April was rolled up,
        # one of a product that shop never sold before (a pair whose first month is earlier
        # than the others')
        base._generate(chain, first + timedelta(days=70), 15, salt=5)
        chain.done()
        report(c, "stock", first, first)  # April rolled up
        chain.sale("BERGEN1", date(2026, 1, 25), [(base.CODES[1], 5000)])
        chain.sale("BERGEN1", date(2026, 2, 3), [(base.CODES[2], -3000), (base.CODES[1], 1000)])
        chain.sale("TROMSO1", date(2026, 1, 22), [("7000000000099", 2000)])
        # sold and returned: level 0, shown for the periods it moved in or before
        chain.sale("TROMSO1", date(2026, 2, 10), [("7000000000088", 1000)])
        chain.sale("TROMSO1", date(2026, 2, 12), [("7000000000088", -1000)])
        chain.done()
        assert _same_as_before(c) > 100
        _levels_are_sums(c)
        late = report(c, "stock", date(2026, 1, 1), date(2026, 1, 31), "TROMSO1").as_json()
        assert [r["level_milli"] for r in late if r["code"] == "7000000000099"] == [-2000]
        feb = report(c, "stock", date(2026, 2, 1), date(2026, 2, 28), "TROMSO1").as_json()
        assert [(r["sold_milli"], r["level_milli"]) for r in feb
                if r["code"] == "7000000000088"] == [(0, 0)]  # fmt: skip
        march = report(c, "stock", date(2026, 3, 1), date(2026, 3, 31), "TROMSO1").as_json()
        assert [r for r in march if r["code"] == "7000000000088"] == []
        april = report(c, "stock", date(2026, 4, 1), date(2026, 4, 30), "TROMSO1").as_json()
        assert [r["level_milli"] for r in april if r["code"] == "7000000000099"] == [-2000]


def test_day_totals_rolled_up_before_the_month_levels_existed_are_counted(
    conn: Callable[[], psycopg.Connection[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = migrations.available()
    before = [m for m in everything if m.name != "stock_month_level"]
    with conn() as c:
        monkeypatch.setattr(migrations, "available", lambda: before)
        migrations.upgrade(c)
        chain = base.Chain(c)
        base._generate(chain, base.FIRST, 60, salt=6)
        chain.done()
        c.execute("SELECT hq_rollup()")  # day totals as HQ held them before 0019
        monkeypatch.setattr(migrations, "available", lambda: everything)
        assert migrations.upgrade(c) == [
            f"{m.version:04d}_{m.name}" for m in everything if m.name == "stock_month_level"
        ]
        _levels_are_sums(c)
        _same_as_before(c)
        chain.sale("OSLO1", date(2026, 1, 21), [(base.CODES[7], 4000)])  # late, after backfill
        base._generate(chain, base.FIRST + timedelta(days=60), 20, salt=7)
        chain.done()
        _same_as_before(c)
        _levels_are_sums(c)
