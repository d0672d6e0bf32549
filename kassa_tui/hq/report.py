"""`kassa hq report sales|products|stock`: what every till pushed, across shops (issue 15).

Made from the rows HQ derives from each transaction as it is ingested (0001_push.sql: sale,
sale_line, stock_delta; training receipts are left out, as on the Z), rolled up into day totals
per shop first (0006_report_days.sql: `hq_rollup`, called by every report; ingest is not
touched). Days are the tills'
business days (local_date, Oslo), `--from`/`--to` both included. Money in øre, quantities in
thousandths, as everywhere in kassa; the text form writes them the Norwegian way.

- sales: per day and shop: receipts, returns, total and VAT (the tills' Z to the øre, summed);
- products: per product code: quantity and amount sold in the period, best sellers first;
- stock: per shop and product: what moved in the period and the level at its end as the sum of
  every delta since the first (HQ keeps movements, never levels); a negative level is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from psycopg import Connection

KINDS = ("sales", "products", "stock")


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

_PRODUCTS = """
SELECT code, max(name) AS name, max(group_code) AS group_code,
       sum(qty_milli) AS qty_milli, sum(amount_ore) AS amount_ore
FROM product_day
WHERE local_date BETWEEN %(from)s AND %(to)s AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
GROUP BY code
ORDER BY sum(amount_ore) DESC, code
"""

_STOCK = """
SELECT v.shop_id, v.code, v.name,
       COALESCE(d.moved, 0) AS moved_milli,
       v.level_milli - COALESCE(d.after, 0) AS level_milli,
       v.level_milli - COALESCE(d.after, 0) < 0 AS negative
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
  AND (d.code IS NOT NULL OR v.level_milli <> 0)
ORDER BY v.shop_id, v.code
"""

_QUERIES = {
    "sales": (_SALES, ("date", "shop", "receipts", "returns", "total_ore", "vat_ore")),
    "products": (_PRODUCTS, ("code", "name", "group", "qty_milli", "amount_ore")),
    "stock": (_STOCK, ("shop", "code", "name", "moved_milli", "level_milli", "negative")),
}


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


def report(
    conn: Connection[Any], kind: str, first: date, last: date, shop: str | None = None
) -> Report:
    """One report over [first, last] (business days, both included)."""
    sql, columns = _QUERIES[kind]
    params = {"from": first.isoformat(), "to": last.isoformat(), "shop": shop}
    rollup(conn)
    rows = [
        tuple(int(v) if isinstance(v, Decimal) else v for v in r)
        for r in conn.execute(sql, params).fetchall()
    ]
    return Report(kind, columns, rows)
