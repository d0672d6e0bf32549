"""`kassa hq report sales|products|stock`: what every till pushed, across shops (issue 15).

Made from the rows HQ derives from each transaction as it is ingested (0001_push.sql: sale,
sale_line, stock_delta; training receipts are left out, as on the Z), rolled up into day totals
per shop first (0006_report_days.sql: `hq_rollup`, called by every report; ingest is not
touched). Days are the tills'
business days (local_date, Oslo), `--from`/`--to` both included. Money in øre, quantities in
thousandths, as everywhere in kassa; the text form writes them the Norwegian way.

- sales: per day and shop: receipts, returns, total and VAT (the tills' Z to the øre, summed);
- products: per product code: quantity and amount sold in the period, best sellers first;
- stock: per shop and product: what moved in the period (sales and returns, deliveries, counts,
  adjustments, transfers in and out: 0009_stock.sql) and the level at its end as the sum of
  every delta since the first (HQ keeps movements, never levels); a negative level is flagged;
- transfers: per transfer id and product: sent, received, in transit (sent, not booked in yet),
  and the difference once booked in (received less sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from psycopg import Connection

KINDS = ("sales", "products", "stock", "transfers")


@dataclass(frozen=True)
class Report:
    kind: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def as_json(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


_SALES = """
SELECT local_date, shop_id, receipts, returns, total_ore, vat_ore
FROM sales_day
WHERE local_date BETWEEN %(from)s AND %(to)s AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
ORDER BY local_date, shop_id
"""

# Per product (0020_product_keys.sql): the codes it was sold under summed under its key (the
# till's: the PLU, else the smallest barcode), the catalog's name; a code the catalog does not
# know is its own product.
_PRODUCTS = """
SELECT g.code, COALESCE(p.name, g.name) AS name, g.group_code, g.qty_milli, g.amount_ore,
       g.codes
FROM (
    SELECT COALESCE(k.product, d.code) AS code, max(d.name) AS name,
           max(d.group_code) AS group_code, sum(d.qty_milli)::bigint AS qty_milli,
           sum(d.amount_ore)::bigint AS amount_ore,
           string_agg(d.code, ' ' ORDER BY d.code) AS codes
    FROM (
        -- per code first (a few thousand rows), then mapped
        SELECT code, max(name) AS name, max(group_code) AS group_code,
               sum(qty_milli) AS qty_milli, sum(amount_ore) AS amount_ore
        FROM product_day
        WHERE local_date BETWEEN %(from)s AND %(to)s
          AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
        GROUP BY code
    ) d LEFT JOIN product_key k ON k.code = d.code
    GROUP BY COALESCE(k.product, d.code)
) g LEFT JOIN catalog_product p ON p.product = g.code
ORDER BY g.amount_ore DESC, g.code
"""

# Sales and returns from the month levels (0019): the level from sales at the end of a day is
# its month's closing level (stock_month_level, one indexed read of a month's rows; a month past
# the last one held is the level now, stock_level) less what moved in that month after the day
# (stock_day); what was sold in the period is the level at --to less the level the day before
# --from. Everything else from stock_move (0009). A product is shown when it moved on or after
# --from (stock_last, stock_move) or its level is not zero, as before.
#
# Per PRODUCT (0020_product_keys.sql): every figure is a sum over the product's codes, so the
# sources' rows are put under one another (UNION ALL), each row already as what it adds to the
# product's sold, moved and level figures (which month's level counts is decided beforehand from
# the last month held: `_months`), their codes mapped to their product (product_key; a code the
# catalog does not know is its own) and summed per shop and product in one aggregate. Before,
# the sources were joined per shop and code: five joins and two sorts of ~98,000 rows for a month
# of every shop, and a product would have needed a third sort and a grouping on top.
_STOCK = """
WITH parts (shop_id, code, sold, level, seen) AS (
    -- the level now, where --to (or the day before --from) is past the last month held
    SELECT shop_id, code, level_milli * (%(to_now)s - %(before_now)s), level_milli * %(to_now)s,
           false
    FROM stock_level
    WHERE %(to_now)s + %(before_now)s > 0 AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
    UNION ALL
    -- --to's month: its closing level (and the level before --from, in or right before it)
    SELECT shop_id, code,
           level_milli - %(before_is_to)s * level_milli
             - %(before_is_prev)s * (level_milli - delta_milli),
           level_milli, false
    FROM stock_month_level
    WHERE month = %(to_month)s AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
    UNION ALL
    -- the closing level of the month before --from, when --to's rows do not give it
    SELECT shop_id, code, -level_milli, 0, false
    FROM stock_month_level
    WHERE month = %(before_month)s AND %(before_own)s = 1
      AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
    UNION ALL
    -- the days of a month in part: after --to in its month (not at --to yet), from --from in
    -- the month before it (moved in the period)
    SELECT shop_id, code,
           CASE WHEN local_date > %(to)s AND local_date <= %(to_month)s || '-99'
                THEN -delta_milli ELSE 0 END
           + CASE WHEN local_date >= %(from)s AND local_date <= %(before_month)s || '-99'
                  THEN delta_milli ELSE 0 END,
           CASE WHEN local_date > %(to)s AND local_date <= %(to_month)s || '-99'
                THEN -delta_milli ELSE 0 END,
           false
    FROM stock_day
    WHERE ((local_date > %(to)s AND local_date <= %(to_month)s || '-99')
           OR (local_date >= %(from)s AND local_date <= %(before_month)s || '-99'))
      AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
    UNION ALL
    -- sold or returned on or after --from
    SELECT shop_id, code, 0, 0, true
    FROM stock_last
    WHERE last_date >= %(from)s AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
    UNION ALL
    -- the other moves' part of the level (opening stock included), and moved since --from
    SELECT shop_id, code, 0, CASE WHEN local_date <= %(to)s THEN delta_milli ELSE 0 END,
           local_date >= %(from)s
    FROM stock_move
    WHERE (%(shop)s::text IS NULL OR shop_id = %(shop)s)
), products AS (
    SELECT p.shop_id, COALESCE(k.product, p.code) AS code, sum(p.sold)::bigint AS sold,
           sum(p.level)::bigint AS level, bool_or(p.seen) AS seen
    FROM parts p LEFT JOIN product_key k ON k.code = p.code
    GROUP BY p.shop_id, COALESCE(k.product, p.code)
), moves AS (
    -- deliveries, counts, adjustments, transfers in the period
    SELECT m.shop_id, COALESCE(k.product, m.code) AS code,
           sum(m.delta_milli) FILTER (WHERE m.reason = 'delivery')::bigint AS delivered,
           sum(m.delta_milli) FILTER (WHERE m.reason = 'count')::bigint AS counted,
           sum(m.delta_milli) FILTER (WHERE m.reason = 'adjust')::bigint AS adjusted,
           sum(m.delta_milli) FILTER (WHERE m.reason = 'transfer_in')::bigint AS transfer_in,
           sum(m.delta_milli) FILTER (WHERE m.reason = 'transfer_out')::bigint AS transfer_out
    FROM stock_move m LEFT JOIN product_key k ON k.code = m.code
    WHERE m.local_date BETWEEN %(from)s AND %(to)s
      AND (%(shop)s::text IS NULL OR m.shop_id = %(shop)s)
    GROUP BY m.shop_id, COALESCE(k.product, m.code)
), joined AS (
    SELECT g.shop_id, g.code, g.sold, COALESCE(o.delivered, 0) AS delivered,
           COALESCE(o.counted, 0) AS counted, COALESCE(o.adjusted, 0) AS adjusted,
           COALESCE(o.transfer_in, 0) AS transfer_in, COALESCE(o.transfer_out, 0) AS transfer_out,
           g.level
    FROM products g LEFT JOIN moves o ON o.shop_id = g.shop_id AND o.code = g.code
    WHERE g.seen OR g.level <> 0
)
-- the catalog's name; a code it does not know: the name it was sold under, else moved under
SELECT j.shop_id, j.code,
       COALESCE(c.name,
                (SELECT v.name FROM stock_level v WHERE v.shop_id = j.shop_id AND v.code = j.code),
                (SELECT max(m.name) FROM stock_move m
                 WHERE m.shop_id = j.shop_id AND m.code = j.code)) AS name,
       j.sold AS sold_milli, j.delivered AS delivered_milli, j.counted AS counted_milli,
       j.adjusted AS adjusted_milli, j.transfer_in AS transfer_in_milli,
       j.transfer_out AS transfer_out_milli,
       j.sold + j.delivered + j.counted + j.adjusted + j.transfer_in + j.transfer_out
         AS moved_milli,
       j.level AS level_milli, j.level < 0 AS negative
FROM joined j LEFT JOIN catalog_product c ON c.product = j.code
ORDER BY j.shop_id, j.code
"""

# Transfers between shops per transfer id and code, as of --to: what was sent and what the
# receiving shop booked in. Sent and not booked in yet is in transit; once the receiving shop has
# booked the transfer in (a receipt is final: a till books a transfer id in once), what it
# booked less what was sent is a difference (negative: short), no longer in transit — the
# receiving till asked a shift lead to approve it when HQ knew what was sent (0025). Shown when
# sent or booked in the period, or still in transit at its end.
_TRANSFERS = """
WITH moved AS (
    SELECT * FROM stock_move WHERE transfer_id IS NOT NULL AND local_date <= %(to)s
), booked AS (
    SELECT DISTINCT transfer_id FROM moved WHERE reason = 'transfer_in'
)
SELECT m.transfer_id::text AS transfer,
       max(m.shop_id) FILTER (WHERE m.reason = 'transfer_out') AS sent_from,
       COALESCE(max(m.peer_shop) FILTER (WHERE m.reason = 'transfer_out'),
                max(m.shop_id) FILTER (WHERE m.reason = 'transfer_in')) AS sent_to,
       m.code, max(m.name) AS name,
       min(m.local_date) FILTER (WHERE m.reason = 'transfer_out') AS sent_date,
       -COALESCE(sum(m.delta_milli) FILTER (WHERE m.reason = 'transfer_out'), 0) AS sent_milli,
       COALESCE(sum(m.delta_milli) FILTER (WHERE m.reason = 'transfer_in'), 0) AS received_milli,
       CASE WHEN b.transfer_id IS NULL THEN -COALESCE(sum(m.delta_milli), 0) ELSE 0 END
           AS in_transit_milli,
       CASE WHEN b.transfer_id IS NULL THEN 0 ELSE COALESCE(sum(m.delta_milli), 0) END
           AS difference_milli
FROM moved m LEFT JOIN booked b ON b.transfer_id = m.transfer_id
GROUP BY m.transfer_id, m.code, b.transfer_id
HAVING (%(shop)s::text IS NULL
        OR %(shop)s IN (max(m.shop_id) FILTER (WHERE m.reason = 'transfer_out'),
                        max(m.peer_shop) FILTER (WHERE m.reason = 'transfer_out'),
                        max(m.shop_id) FILTER (WHERE m.reason = 'transfer_in')))
   AND (bool_or(m.local_date >= %(from)s)
        OR (b.transfer_id IS NULL AND sum(m.delta_milli) <> 0))
ORDER BY min(m.local_date), m.transfer_id, m.code
"""

_QUERIES = {
    "sales": (_SALES, ("date", "shop", "receipts", "returns", "total_ore", "vat_ore")),
    "products": (_PRODUCTS, ("code", "name", "group", "qty_milli", "amount_ore", "codes")),
    "stock": (
        _STOCK,
        (
            "shop",
            "code",
            "name",
            "sold_milli",
            "delivered_milli",
            "counted_milli",
            "adjusted_milli",
            "transfer_in_milli",
            "transfer_out_milli",
            "moved_milli",
            "level_milli",
            "negative",
        ),
    ),
    "transfers": (
        _TRANSFERS,
        (
            "transfer",
            "from",
            "to",
            "code",
            "name",
            "sent_date",
            "sent_milli",
            "received_milli",
            "in_transit_milli",
            "difference_milli",
        ),
    ),
}


def _months(first: date, last: date, horizon: str) -> dict[str, Any]:
    """The months the stock query reads: --to's (its closing level), and the one holding the
    day before --from (the level the period starts from), and where each level comes from,
    given the last month held (`horizon`: stock_month_level's; '' when none): a month past it
    is the level now (stock_level); the level before --from is --to's month's (the same month),
    or that month's less its own delta (the month right before), or its own month's."""
    to_month = last.isoformat()[:7]
    prev_month = (last.replace(day=1) - timedelta(days=1)).isoformat()[:7]
    before_month = (first - timedelta(days=1)).isoformat()[:7]
    to_now = to_month > horizon
    before_now = before_month > horizon
    before_is_to = not before_now and before_month == to_month
    before_is_prev = not before_now and before_month == prev_month and not to_now
    before_own = not (before_now or before_is_to or before_is_prev) and before_month < to_month
    return {
        "to_month": to_month,
        "before_month": before_month,
        "to_now": int(to_now),
        "before_now": int(before_now),
        "before_is_to": int(before_is_to),
        "before_is_prev": int(before_is_prev),
        "before_own": int(before_own),
    }


def _horizon(conn: Connection[Any]) -> str:
    """The last month stock_month_level holds ('' when none)."""
    found = conn.execute("SELECT COALESCE(max(month), '') FROM stock_month_level").fetchone()
    return str(found[0]) if found else ""


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def rollup(conn: Connection[Any]) -> int:
    """Bring the day totals up to what HQ holds (0006_report_days.sql); returns how many
    registers had something new."""
    if conn.autocommit:
        with conn.transaction():
            found = conn.execute("SELECT hq_rollup()").fetchone()
    else:
        found = conn.execute("SELECT hq_rollup()").fetchone()
        conn.commit()
    return int(found[0]) if found else 0


def stock_moves(conn: Connection[Any]) -> int:
    """Derive deliveries, counts, adjustments and transfers from what HQ holds
    (0009_stock.sql); returns how many registers had something new."""
    if conn.autocommit:
        with conn.transaction():
            found = conn.execute("SELECT hq_stock_moves()").fetchone()
    else:
        found = conn.execute("SELECT hq_stock_moves()").fetchone()
        conn.commit()
    return int(found[0]) if found else 0


def report(
    conn: Connection[Any], kind: str, first: date, last: date, shop: str | None = None
) -> Report:
    """One report over [first, last] (business days, both included)."""
    sql, columns = _QUERIES[kind]
    params: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat(), "shop": shop}
    rollup(conn)
    if kind in ("stock", "transfers"):
        stock_moves(conn)
    with conn.transaction():
        if kind == "stock":
            params.update(_months(first, last, _horizon(conn)))
        # no JIT: compiling the stock query costs ~60 ms once its plan's cost passes PostgreSQL's
        # jit_above_cost (100,000: a month of every shop of bench_hq_report.py is at 99,500)
        conn.execute("SET LOCAL jit = off")
        if kind == "stock":
            # hash joins: a nested loop probing an index once per row (chosen when the month
            # rows' statistics lag behind the rollup) took 1.5-2.4 s of a month of every shop's
            # 0.35 s (0019); and the products summed in one hash aggregate in memory (~35 MB for
            # a month of every shop's ~196,000 rows), not sorted by shop and product first
            conn.execute("SET LOCAL enable_nestloop = off")
            conn.execute("SET LOCAL work_mem = '64MB'")
            conn.execute("SET LOCAL enable_sort = off")
        cursor = conn.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    # sums of bigint come as numeric (Decimal), whole numbers here: only those columns are
    # converted (a stock report of every shop has ~100,000 rows of 12 columns, cast in SQL)
    numeric = [i for i, c in enumerate(cursor.description or ()) if c.type_code == _NUMERIC]
    if numeric:
        rows = [_ints(r, numeric) for r in rows]
    return Report(kind, columns, rows)


_NUMERIC = 1700  # PostgreSQL's oid of numeric


def _ints(row: tuple[Any, ...], columns: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in columns:
        if isinstance(values[i], Decimal):
            values[i] = int(values[i])
    return tuple(values)
