"""The stock report read from month totals (kassa_tui/hq/sql/0013_stock_month.sql, issue 15: HQ
reports p95 <= 1 s): on generated data of three shops over four months — sales and returns,
deliveries, counts, transfers between shops (one still in transit) — every figure of
`kassa hq report stock` equals what the query before it (whole days from stock_day) gives, for
periods of whole months, parts of months, one day, before and after the data, every shop and
one; again after more is rolled up, and for totals rolled up before the migration.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from kassa_tui.hq import migrations
from kassa_tui.hq.report import report

# The stock query as it was before 0013 (report.py at a4e1b88): sales and returns summed from
# stock_day, every day from --from on.
OLD_STOCK = """
WITH sold AS (
    SELECT v.shop_id, v.code, v.name,
           COALESCE(d.moved, 0) AS moved,
           v.level_milli - COALESCE(d.after, 0) AS level,
           d.code IS NOT NULL AS seen
    FROM stock_level v
    LEFT JOIN (
        SELECT shop_id, code,
               sum(delta_milli) FILTER (WHERE local_date <= %(to)s) AS moved,
               sum(delta_milli) FILTER (WHERE local_date > %(to)s) AS after
        FROM stock_day
        WHERE local_date >= %(from)s AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
        GROUP BY shop_id, code
    ) d ON d.shop_id = v.shop_id AND d.code = v.code
    WHERE (%(shop)s::text IS NULL OR v.shop_id = %(shop)s)
), other AS (
    SELECT shop_id, code, max(name) AS name,
           sum(delta_milli) FILTER (WHERE reason = 'delivery' AND local_date >= %(from)s
                                    AND local_date <= %(to)s) AS delivered,
           sum(delta_milli) FILTER (WHERE reason = 'count' AND local_date >= %(from)s
                                    AND local_date <= %(to)s) AS counted,
           sum(delta_milli) FILTER (WHERE reason = 'adjust' AND local_date >= %(from)s
                                    AND local_date <= %(to)s) AS adjusted,
           sum(delta_milli) FILTER (WHERE reason = 'transfer_in' AND local_date >= %(from)s
                                    AND local_date <= %(to)s) AS transfer_in,
           sum(delta_milli) FILTER (WHERE reason = 'transfer_out' AND local_date >= %(from)s
                                    AND local_date <= %(to)s) AS transfer_out,
           COALESCE(sum(delta_milli) FILTER (WHERE local_date <= %(to)s), 0) AS level,
           bool_or(local_date >= %(from)s) AS seen
    FROM stock_move
    WHERE (%(shop)s::text IS NULL OR shop_id = %(shop)s)
    GROUP BY shop_id, code
), joined AS (
    SELECT COALESCE(s.shop_id, o.shop_id) AS shop_id, COALESCE(s.code, o.code) AS code,
           COALESCE(s.name, o.name) AS name, COALESCE(s.moved, 0) AS sold,
           COALESCE(o.delivered, 0) AS delivered, COALESCE(o.counted, 0) AS counted,
           COALESCE(o.adjusted, 0) AS adjusted, COALESCE(o.transfer_in, 0) AS transfer_in,
           COALESCE(o.transfer_out, 0) AS transfer_out,
           COALESCE(s.level, 0) + COALESCE(o.level, 0) AS level,
           COALESCE(s.seen, false) OR COALESCE(o.seen, false) AS seen
    FROM sold s FULL JOIN other o ON o.shop_id = s.shop_id AND o.code = s.code
)
SELECT shop_id, code, name, sold AS sold_milli, delivered AS delivered_milli,
       counted AS counted_milli, adjusted AS adjusted_milli, transfer_in AS transfer_in_milli,
       transfer_out AS transfer_out_milli,
       sold + delivered + counted + adjusted + transfer_in + transfer_out AS moved_milli,
       level AS level_milli, level < 0 AS negative
FROM joined
WHERE seen OR level <> 0
ORDER BY shop_id, code
"""

SHOPS = ("OSLO1", "BERGEN1", "TROMSO1")
CODES = [f"70{n:011d}" for n in range(1, 13)]
FIRST = date(2026, 1, 20)

PERIODS = [
    (date(2026, 2, 1), date(2026, 2, 28)),  # one whole month
    (date(2026, 2, 1), date(2026, 3, 31)),  # two whole months
    (date(2026, 1, 25), date(2026, 3, 10)),  # parts around a whole month
    (date(2026, 2, 15), date(2026, 3, 14)),  # no whole month
    (date(2026, 3, 5), date(2026, 3, 5)),  # one day
    (date(2026, 3, 1), date(2026, 3, 31)),  # the month before the last
    (date(2026, 4, 1), date(2026, 4, 30)),  # the last month, in part
    (date(2026, 1, 1), date(2026, 4, 30)),  # everything
    (date(2025, 12, 1), date(2025, 12, 31)),  # before the data: the levels only
    (date(2026, 5, 1), date(2026, 5, 31)),  # after the data
]


class Chain:
    """Writes what ingest and the tills would have left at HQ: entries, sales, lines, stock
    deltas, and stock moves as the journal rows hq_stock_moves() derives them from."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.seq = dict.fromkeys(SHOPS, 0)
        for shop in SHOPS:
            conn.execute("INSERT INTO shop (shop_id, name) VALUES (%s, %s)", (shop, shop))
            conn.execute(
                "INSERT INTO register (register_id, shop_id, role) VALUES (%s, %s, %s)",
                (_register(shop), shop, f"r_{shop.lower()}"),
            )

    def _entry(self, shop: str, day: date, basic_id: str, text: str) -> int:
        self.seq[shop] += 1
        seq = self.seq[shop]
        self.conn.execute(
            "INSERT INTO entry (register_id, seq, uuid, event_code, basic_id, utc, local_date,"
            " local_time, text, prev_hash, hash, payload)"
            " VALUES (%s, %s, %s, '13999', %s, %s, %s, '11:00:00', %s, '', '', '')",
            (_register(shop), seq, uuid.uuid4(), basic_id, f"{day}T10:00:00.000000Z",
             day.isoformat(), text),
        )  # fmt: skip
        return seq

    def sale(self, shop: str, day: date, lines: list[tuple[str, int]]) -> None:
        seq = self._entry(shop, day, "SALE", "{}")
        kind = "return" if all(q < 0 for _c, q in lines) else "sale"
        self.conn.execute(
            "INSERT INTO sale (register_id, seq, shop_id, receipt_nr, kind, training, total_ore,"
            " vat_ore, completed_utc, local_date, local_time)"
            " VALUES (%s, %s, %s, %s, %s, false, 1000, 200, %s, %s, '11:00:00')",
            (_register(shop), seq, shop, seq, kind, f"{day}T10:00:00.000000Z", day.isoformat()),
        )
        for n, (code, qty) in enumerate(lines, 1):
            self.conn.execute(
                "INSERT INTO sale_line (register_id, seq, line_nr, code, name, group_code,"
                " qty_milli, unit_price_ore, discount_ore, amount_ore, vat_bp, vat_ore)"
                " VALUES (%s, %s, %s, %s, %s, '20', %s, 1000, 0, %s, 2500, 200)",
                (_register(shop), seq, n, code, f"Vare {code[-2:]}", qty, qty),
            )
            self.conn.execute(
                "INSERT INTO stock_delta (register_id, seq, line_nr, shop_id, code, delta_milli,"
                " reason) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (_register(shop), seq, n, shop, code, -qty, "return" if qty < 0 else "sale"),
            )

    def move(self, shop: str, day: date, basic_id: str, moves: list[tuple[str, int]],
             **details: str) -> None:  # fmt: skip
        text = json.dumps({**details, "moves": [[c, d, f"Vare {c[-2:]}"] for c, d in moves]})
        self._entry(shop, day, basic_id, text)

    def done(self) -> None:
        for shop in SHOPS:
            self.conn.execute(
                "UPDATE register SET last_seq = %s WHERE register_id = %s",
                (self.seq[shop], _register(shop)),
            )


def _register(shop: str) -> str:
    return f"{shop}-K1"


def _generate(chain: Chain, first: date, days: int, salt: int) -> None:
    for d in range(days):
        day = first + timedelta(days=d)
        for s, shop in enumerate(SHOPS):
            for n in range(3 + (d + s) % 3):
                k = (d * 7 + n * 5 + s * 3 + salt) % len(CODES)
                qty = 1000 * (1 + (d + n) % 3)
                if (d + n + s) % 11 == 0:
                    chain.sale(shop, day, [(CODES[k], -qty)])  # a return
                else:
                    chain.sale(shop, day, [(CODES[k], qty), (CODES[(k + 4) % len(CODES)], 500)])
            if (d + s) % 7 == 0:
                chain.move(shop, day, "DELIVERY", [(CODES[(d + s) % 12], 24000), (CODES[5], 6000)])
            if (d + s) % 13 == 5:
                chain.move(shop, day, "STOCKTAKE", [(CODES[(d * 3) % 12], -2000)])
            if (d + s) % 17 == 3:
                chain.move(shop, day, "STOCKADJ", [(CODES[(d + 1) % 12], -1000)])
        if d % 9 == 4:  # OSLO1 sends to BERGEN1, received 5 days later (unless at the end)
            transfer = str(uuid.uuid4())
            moves = [(CODES[d % 12], 3000), (CODES[(d + 6) % 12], 1000)]
            chain.move("OSLO1", day, "TRANSFEROUT", [(c, -q) for c, q in moves],
                       transfer=transfer, to="BERGEN1")  # fmt: skip
            if d + 5 < days:
                chain.move("BERGEN1", day + timedelta(days=5), "TRANSFERIN", moves,
                           transfer=transfer, sender="OSLO1")  # fmt: skip


def _old(conn: psycopg.Connection[Any], first: date, last: date, shop: str | None) -> list[Any]:
    params = {"from": first.isoformat(), "to": last.isoformat(), "shop": shop}
    rows = conn.execute(OLD_STOCK, params).fetchall()
    return [tuple(int(v) if isinstance(v, Decimal) else v for v in r) for r in rows]


def _same_as_before(conn: psycopg.Connection[Any]) -> int:
    compared = 0
    for first, last in PERIODS:
        for shop in (None, "BERGEN1"):
            new = report(conn, "stock", first, last, shop).rows  # rolls up first
            assert new == _old(conn, first, last, shop), (first, last, shop)
            compared += len(new)
    return compared


@pytest.fixture
def conn(hq_dsn: str) -> Callable[[], psycopg.Connection[Any]]:
    return lambda: psycopg.connect(hq_dsn, autocommit=True)


def test_the_stock_report_from_month_totals_equals_the_day_by_day_query(
    conn: Callable[[], psycopg.Connection[Any]],
) -> None:
    with conn() as c:
        migrations.upgrade(c)
        chain = Chain(c)
        _generate(chain, FIRST, 70, salt=0)
        chain.done()
        assert _same_as_before(c) > 100
        moves = c.execute("SELECT reason, count(*) FROM stock_move GROUP BY reason").fetchall()
        assert {r for r, _n in moves} == {
            "delivery", "count", "adjust", "transfer_out", "transfer_in"
        }  # fmt: skip
        in_transit = report(c, "transfers", FIRST, date(2026, 4, 30)).as_json()
        assert any(t["in_transit_milli"] > 0 for t in in_transit)
        assert c.execute("SELECT count(*) FROM stock_month").fetchone() != (0,)
        # more sales and moves, rolled up on top of the months already held
        _generate(chain, FIRST + timedelta(days=70), 15, salt=5)
        chain.done()
        _same_as_before(c)
        # a level that went below zero is flagged alike
        negative = report(c, "stock", FIRST, date(2026, 4, 30)).as_json()
        assert any(r["negative"] for r in negative)


def test_day_totals_rolled_up_before_the_month_totals_existed_are_counted(
    conn: Callable[[], psycopg.Connection[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = migrations.available()
    before = [m for m in everything if m.name != "stock_month"]
    with conn() as c:
        monkeypatch.setattr(migrations, "available", lambda: before)
        migrations.upgrade(c)
        chain = Chain(c)
        _generate(chain, FIRST, 45, salt=2)
        chain.done()
        c.execute("SELECT hq_rollup()")  # day totals as HQ held them before 0013
        monkeypatch.setattr(migrations, "available", lambda: everything)
        assert migrations.upgrade(c) == [f"{m.version:04d}_{m.name}" for m in everything
                                         if m.name == "stock_month"]  # fmt: skip
        _generate(chain, FIRST + timedelta(days=45), 30, salt=3)
        chain.done()
        _same_as_before(c)
