"""`kassa hq report sales|products|stock`: what every till pushed, across shops (issue 15).

Made from the rows HQ derives from each transaction as it is ingested (0001_push.sql: sale,
sale_line, stock_delta; training receipts are left out, as on the Z). Days are the tills'
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
SELECT s.local_date, s.shop_id,
       count(*) FILTER (WHERE s.kind = 'sale') AS receipts,
       count(*) FILTER (WHERE s.kind = 'return') AS returns,
       COALESCE(sum(s.total_ore), 0) AS total_ore,
       COALESCE(sum(s.vat_ore), 0) AS vat_ore
FROM sale s
WHERE NOT s.training AND s.local_date BETWEEN %(from)s AND %(to)s
  AND (%(shop)s::text IS NULL OR s.shop_id = %(shop)s)
GROUP BY s.local_date, s.shop_id
ORDER BY s.local_date, s.shop_id
"""

_PRODUCTS = """
SELECT l.code, max(l.name) AS name, max(l.group_code) AS group_code,
       sum(l.qty_milli) AS qty_milli, sum(l.amount_ore) AS amount_ore
FROM sale s JOIN sale_line l USING (register_id, seq)
WHERE NOT s.training AND s.local_date BETWEEN %(from)s AND %(to)s
  AND (%(shop)s::text IS NULL OR s.shop_id = %(shop)s)
GROUP BY l.code
ORDER BY sum(l.amount_ore) DESC, l.code
"""

_STOCK = """
SELECT d.shop_id, d.code, max(l.name) AS name,
       COALESCE(sum(d.delta_milli) FILTER (WHERE s.local_date >= %(from)s), 0) AS moved_milli,
       sum(d.delta_milli) AS level_milli,
       sum(d.delta_milli) < 0 AS negative
FROM stock_delta d
JOIN sale s ON s.register_id = d.register_id AND s.seq = d.seq
JOIN sale_line l ON l.register_id = d.register_id AND l.seq = d.seq AND l.line_nr = d.line_nr
WHERE s.local_date <= %(to)s AND (%(shop)s::text IS NULL OR d.shop_id = %(shop)s)
GROUP BY d.shop_id, d.code
ORDER BY d.shop_id, d.code
"""

_QUERIES = {
    "sales": (_SALES, ("date", "shop", "receipts", "returns", "total_ore", "vat_ore")),
    "products": (_PRODUCTS, ("code", "name", "group", "qty_milli", "amount_ore")),
    "stock": (_STOCK, ("shop", "code", "name", "moved_milli", "level_milli", "negative")),
}


def report(
    conn: Connection[Any], kind: str, first: date, last: date, shop: str | None = None
) -> Report:
    """One report over [first, last] (business days, both included)."""
    sql, columns = _QUERIES[kind]
    params = {"from": first.isoformat(), "to": last.isoformat(), "shop": shop}
    rows = [
        tuple(int(v) if isinstance(v, Decimal) else v for v in r)
        for r in conn.execute(sql, params).fetchall()
    ]
    return Report(kind, columns, rows)
