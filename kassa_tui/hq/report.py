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
- transfers: per transfer id and product: sent, received, in transit (sent, not yet received).
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
           string_agg(DISTINCT d.code, ' ' ORDER BY d.code) AS codes
    FROM product_day d LEFT JOIN product_key k ON k.code = d.code
    WHERE d.local_date BETWEEN %(from)s AND %(to)s
      AND (%(shop)s::text IS NULL OR d.shop_id = %(shop)s)
    GROUP BY COALESCE(k.product, d.code)
) g LEFT JOIN catalog_product p ON p.product = g.code
ORDER BY g.amount_ore DESC, g.code
"""

# Sales and returns from the month levels (0019): the level from sales at the end of a day is
# its month's closing level (stock_month_level, one indexed read of a month's rows; a month past
# the last one held is the level now, stock_level) less what moved in that month after the day
# (stock_day); what was sold in the period is the level at --to less the level the day before
# --from. Everything else from stock_move (0009), summed per shop and code. A pair is shown when
# it moved on or after --from (stock_last) or its level is not zero, as before.
_STOCK = """
WITH h AS (
    SELECT COALESCE(max(month), '') AS horizon FROM stock_month_level
), r AS (
    SELECT shop_id, code, delta_milli, level_milli
    FROM stock_month_level
    WHERE month = %(to_month)s AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
), f AS (
    SELECT shop_id, code, level_milli
    FROM stock_month_level
    WHERE month = %(before_month)s AND %(before_month)s < %(to_month)s
      AND (%(before_month)s < %(prev_month)s OR %(to_month)s > (SELECT horizon FROM h))
      AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
), days AS (
    SELECT shop_id, code,
           sum(delta_milli) FILTER (WHERE local_date > %(to)s
                                    AND local_date <= %(to_month)s || '-99')::bigint AS after_to,
           sum(delta_milli) FILTER (WHERE local_date >= %(from)s
                                    AND local_date <= %(before_month)s || '-99')::bigint AS rest
    FROM stock_day
    WHERE ((local_date > %(to)s AND local_date <= %(to_month)s || '-99')
           OR (local_date >= %(from)s AND local_date <= %(before_month)s || '-99'))
      AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
    GROUP BY shop_id, code
), ends AS (
    SELECT v.shop_id, v.code, v.name,
           CASE WHEN %(to_month)s > h.horizon THEN v.level_milli
                ELSE COALESCE(r.level_milli, 0) END - COALESCE(d.after_to, 0) AS level,
           CASE WHEN %(before_month)s > h.horizon THEN v.level_milli
                WHEN %(before_month)s = %(to_month)s THEN COALESCE(r.level_milli, 0)
                WHEN %(before_month)s = %(prev_month)s AND %(to_month)s <= h.horizon
                THEN COALESCE(r.level_milli - r.delta_milli, 0)
                ELSE COALESCE(f.level_milli, 0) END
             - COALESCE(d.rest, 0) AS level_before,
           COALESCE(t.last_date >= %(from)s, false) AS seen
    FROM h CROSS JOIN stock_level v
    LEFT JOIN r ON r.shop_id = v.shop_id AND r.code = v.code
    LEFT JOIN f ON f.shop_id = v.shop_id AND f.code = v.code
    LEFT JOIN days d ON d.shop_id = v.shop_id AND d.code = v.code
    LEFT JOIN stock_last t ON t.shop_id = v.shop_id AND t.code = v.code
    WHERE (%(shop)s::text IS NULL OR v.shop_id = %(shop)s)
), sold AS (
    SELECT shop_id, code, name, level - level_before AS moved, level, seen FROM ends
), other AS (
    SELECT shop_id, code, max(name) AS name,
           sum(delta_milli) FILTER (WHERE reason = 'delivery' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS delivered,
           sum(delta_milli) FILTER (WHERE reason = 'count' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS counted,
           sum(delta_milli) FILTER (WHERE reason = 'adjust' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS adjusted,
           sum(delta_milli) FILTER (WHERE reason = 'transfer_in' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS transfer_in,
           sum(delta_milli) FILTER (WHERE reason = 'transfer_out' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS transfer_out,
           COALESCE(sum(delta_milli) FILTER (WHERE local_date <= %(to)s), 0)::bigint AS level,
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
), products AS (
    -- per product (0020_product_keys.sql): its codes summed under its key
    SELECT j.shop_id, COALESCE(k.product, j.code) AS code, max(j.name) AS name,
           sum(j.sold)::bigint AS sold, sum(j.delivered)::bigint AS delivered,
           sum(j.counted)::bigint AS counted, sum(j.adjusted)::bigint AS adjusted,
           sum(j.transfer_in)::bigint AS transfer_in, sum(j.transfer_out)::bigint AS transfer_out,
           sum(j.level)::bigint AS level, bool_or(j.seen) AS seen
    FROM joined j LEFT JOIN product_key k ON k.code = j.code
    GROUP BY j.shop_id, COALESCE(k.product, j.code)
)
SELECT g.shop_id, g.code, COALESCE(p.name, g.name) AS name, g.sold AS sold_milli,
       g.delivered AS delivered_milli, g.counted AS counted_milli, g.adjusted AS adjusted_milli,
       g.transfer_in AS transfer_in_milli, g.transfer_out AS transfer_out_milli,
       g.sold + g.delivered + g.counted + g.adjusted + g.transfer_in + g.transfer_out
         AS moved_milli,
       g.level AS level_milli, g.level < 0 AS negative
FROM products g LEFT JOIN catalog_product p ON p.product = g.code
WHERE g.seen OR g.level <> 0
ORDER BY g.shop_id, g.code
"""

# Transfers between shops per transfer id and code, as of --to: what was sent and what the
# receiving shop booked in; sent and not (all) received is in transit. Shown when sent in the
# period or still in transit at its end.
_TRANSFERS = """
SELECT transfer_id::text AS transfer,
       max(shop_id) FILTER (WHERE reason = 'transfer_out') AS sent_from,
       COALESCE(max(peer_shop) FILTER (WHERE reason = 'transfer_out'),
                max(shop_id) FILTER (WHERE reason = 'transfer_in')) AS sent_to,
       code, max(name) AS name,
       min(local_date) FILTER (WHERE reason = 'transfer_out') AS sent_date,
       -COALESCE(sum(delta_milli) FILTER (WHERE reason = 'transfer_out'), 0) AS sent_milli,
       COALESCE(sum(delta_milli) FILTER (WHERE reason = 'transfer_in'), 0) AS received_milli,
       -COALESCE(sum(delta_milli) FILTER (WHERE reason = 'transfer_out'), 0)
         - COALESCE(sum(delta_milli) FILTER (WHERE reason = 'transfer_in'), 0) AS in_transit_milli
FROM stock_move
WHERE transfer_id IS NOT NULL AND local_date <= %(to)s
GROUP BY transfer_id, code
HAVING (%(shop)s::text IS NULL OR %(shop)s IN (max(shop_id) FILTER (WHERE reason = 'transfer_out'),
            max(peer_shop) FILTER (WHERE reason = 'transfer_out'),
            max(shop_id) FILTER (WHERE reason = 'transfer_in')))
   AND (bool_or(local_date >= %(from)s)
        OR sum(delta_milli) <> 0)
ORDER BY min(local_date), transfer_id, code
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
        ),
    ),
}


def _months(first: date, last: date) -> dict[str, str]:
    """The months the stock query reads: --to's (its closing level), the one before it, and
    the one holding the day before --from (the level the period starts from)."""
    return {
        "to_month": last.isoformat()[:7],
        "prev_month": (last.replace(day=1) - timedelta(days=1)).isoformat()[:7],
        "before_month": (first - timedelta(days=1)).isoformat()[:7],
    }


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
    if kind == "stock":
        params.update(_months(first, last))
    rollup(conn)
    if kind in ("stock", "transfers"):
        stock_moves(conn)
    with conn.transaction():
        # no JIT: compiling the stock query costs ~60 ms once its plan's cost passes PostgreSQL's
        # jit_above_cost (100,000: a month of every shop of bench_hq_report.py is at 99,500)
        conn.execute("SET LOCAL jit = off")
        if kind == "stock":
            # hash joins of a month's level rows with the levels: a nested loop probing the
            # month rows' index once per level (chosen when their statistics lag behind the
            # rollup) took 1.5-2.4 s of a month of every shop's 0.35 s
            conn.execute("SET LOCAL enable_nestloop = off")
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
