"""What goes together: products bought on the same receipt, by lift, count and confidence.

A basket is one completed sale of the period (kind 'sale'; training receipts and returns left
out), holding each product once however many were scanned. For products A and B:

- count n: the baskets holding both;
- confidence P(B|A) = n / baskets holding A (of those who buy A, the share who buy B too);
- lift = n * baskets / (baskets holding A * baskets holding B): how much more often they go
  together than if customers chose them independently (1.0: no link; 3.1: three times as often).

Pairs below `min_count` are left out: a lift from two baskets says nothing. The counting is
numpy on the (sale, product) rows of the period, each pair once as a key a * M + b counted by
`numpy.unique` (`pair_counts`); `pair_counts_sql` is the same count as an SQL self-join, kept
for the benchmark (bench/bench_insight.py measures both). Imported history (kassa_tui.insight.
history) has no receipts, so it takes no part here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from peewee import SqliteDatabase

from kassa_tui.catalog.deposits import PANT_GROUP
from kassa_tui.core.i18n import _

#: A gift card sold is no choice of goods (kassa_tui.selling.gift_card_sales.GIFT_GROUP; that
#: room is above this one). Nor is the pant a drink brings with it (PANT_GROUP).
GIFT_GROUP = "GAVEKORT"
#: What the Together tab and `kassa report pairs` offer: the last 90 or 365 days.
WINDOWS = (90, 365)
DEFAULT_MIN_COUNT = 3
CSV_FIELDS = (
    "product",
    "product_name",
    "partner",
    "partner_name",
    "count",
    "product_baskets",
    "partner_baskets",
    "baskets",
    "confidence",
    "lift",
)

_BASKET_ROWS = (
    "SELECT DISTINCT l.sale_id, l.product_id FROM sale s JOIN sale_line l ON l.sale_id = s.id"
    " WHERE s.local_date BETWEEN ? AND ? AND s.kind = 'sale' AND s.training = 0"
    " AND l.qty_milli > 0 AND l.group_code NOT IN ('PANT', 'GAVEKORT')"
)


@dataclass(frozen=True)
class Product:
    id: int
    code: str  # the PLU, else the first barcode
    name: str


@dataclass(frozen=True)
class Pair:
    """A rule «with A: B»: B bought in `count` of the baskets holding A."""

    a: Product
    b: Product
    count: int
    a_baskets: int
    b_baskets: int
    baskets: int

    @property
    def confidence(self) -> float:
        """P(B|A): of the baskets holding A, the share that hold B too."""
        return self.count / self.a_baskets

    @property
    def lift(self) -> float:
        return self.count * self.baskets / (self.a_baskets * self.b_baskets)

    def sentence(self) -> str:
        """What the owner reads: «with Kaffe Friele: Filterpapir ×3.1, n=212, 41 %»."""
        return _("with {a}: {b} ×{lift}, n={count}, {confidence} %").format(
            a=self.a.name,
            b=self.b.name,
            lift=f"{self.lift:.1f}",
            count=self.count,
            confidence=round(self.confidence * 100),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": self.a.code,
            "product_name": self.a.name,
            "partner": self.b.code,
            "partner_name": self.b.name,
            "count": self.count,
            "product_baskets": self.a_baskets,
            "partner_baskets": self.b_baskets,
            "baskets": self.baskets,
            "confidence": round(self.confidence, 4),
            "lift": round(self.lift, 4),
        }


@dataclass(frozen=True)
class PairReport:
    first: str  # local dates, both included
    last: str
    baskets: int
    min_count: int
    pairs: tuple[Pair, ...]  # best lift first, then count


def window(today: str, days: int) -> tuple[str, str]:
    """The `days` days ending with `today` (both local dates, included)."""
    last = date.fromisoformat(today)
    return (last - timedelta(days=days - 1)).isoformat(), last.isoformat()


#: Sale lines fetched from SQLite at a time.
FETCH_ROWS = 50_000


def basket_rows(database: SqliteDatabase, first: str, last: str) -> tuple[np.ndarray, np.ndarray]:
    """(sale ids, product ids) of the period's baskets, sorted by sale then product, each
    product once per sale; pant and gift card lines left out (a drink's pant always goes with
    it: that says nothing).

    The lines are read by sale id range (the period's first to last sale: sale ids grow with
    time) and kept only for the period's own sales: a join on the date reads the lines in a
    slower order (3 s against 1 s on the benchmark's year)."""
    empty = np.zeros(0, dtype=np.int64)
    valid = np.array(
        [
            row[0]
            for row in database.execute_sql(
                "SELECT id FROM sale WHERE local_date BETWEEN ? AND ? AND kind = 'sale'"
                " AND training = 0",
                (first, last),
            ).fetchall()
        ],
        dtype=np.int64,
    )
    if not len(valid):
        return empty, empty
    cursor = database.execute_sql(
        "SELECT sale_id, product_id FROM sale_line WHERE sale_id BETWEEN ? AND ?"
        " AND qty_milli > 0 AND group_code NOT IN (?, ?)",
        (int(valid.min()), int(valid.max()), PANT_GROUP, GIFT_GROUP),
    )
    # A block of rows at a time into numpy (a year's lines as Python tuples at once took the
    # count's process to 231 MB on the benchmark's year; issue 16).
    blocks = []
    while block := cursor.fetchmany(FETCH_ROWS):
        part = np.array(block, dtype=np.int64)
        blocks.append(part[np.isin(part[:, 0], valid)])
    if not blocks:
        return empty, empty
    table = np.concatenate(blocks)
    del blocks
    order = np.lexsort((table[:, 1], table[:, 0]))
    sales, products = table[order, 0], table[order, 1]
    first_of = np.ones(len(sales), dtype=bool)
    first_of[1:] = (sales[1:] != sales[:-1]) | (products[1:] != products[:-1])
    return sales[first_of], products[first_of]


def pair_counts(
    sales: np.ndarray, products: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every unordered pair (a < b) in the same basket and the baskets holding it.

    `sales`/`products` sorted by sale then product, each product once per sale: the pairs of a
    basket are its rows i < j, found offset by offset (row i with row i + d of the same sale)."""
    if len(sales) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    modulus = int(products.max()) + 1
    keys = []
    for offset in range(1, len(sales)):
        same = sales[:-offset] == sales[offset:]
        if not same.any():
            break
        keys.append(products[:-offset][same] * modulus + products[offset:][same])
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    unique, counts = np.unique(np.concatenate(keys), return_counts=True)
    return unique // modulus, unique % modulus, counts


def pair_counts_sql(
    database: SqliteDatabase, first: str, last: str, min_count: int
) -> list[tuple[int, int, int]]:
    """The same count as an SQL self-join (for the benchmark): (a, b, count), a < b."""
    return [
        (int(a), int(b), int(n))
        for a, b, n in database.execute_sql(
            f"WITH basket AS ({_BASKET_ROWS})"
            " SELECT x.product_id, y.product_id, COUNT(*) FROM basket x JOIN basket y"
            " ON y.sale_id = x.sale_id AND y.product_id > x.product_id"
            " GROUP BY 1, 2 HAVING COUNT(*) >= ?",
            (first, last, min_count),
        ).fetchall()
    ]


def products_by_id(database: SqliteDatabase, ids: Sequence[int]) -> dict[int, Product]:
    found: dict[int, Product] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for pid, plu, name, code in database.execute_sql(
            "SELECT p.id, p.plu, p.name, (SELECT MIN(b.code) FROM barcode b"
            f" WHERE b.product_id = p.id) FROM product p WHERE p.id IN ({marks})",
            chunk,
        ).fetchall():
            found[int(pid)] = Product(int(pid), plu or code or str(pid), name)
    return found


def find_product(database: SqliteDatabase, code: str) -> Product | None:
    """A product by PLU or barcode (as typed or scanned)."""
    text = code.strip()
    row = database.execute_sql(
        "SELECT id FROM product WHERE plu = ? UNION ALL"
        " SELECT product_id FROM barcode WHERE code = ? LIMIT 1",
        (text.lstrip("0") or "0" if text.isdigit() and len(text) <= 6 else text, text),
    ).fetchone()
    if row is None:
        return None
    return products_by_id(database, [int(row[0])]).get(int(row[0]))


def together(
    database: SqliteDatabase,
    first: str,
    last: str,
    *,
    product_id: int | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    min_share: float = 0.0,
    limit: int | None = None,
) -> PairReport:
    """The rules «with A: B» of the period, best lift first (then count, then names).

    With `product_id`, only rules with that product as A (its partners); without, every rule
    in both directions (A→B and B→A: their confidences differ, their lift is the same).
    `min_share`: the pairs also need this share of the period's receipts (the best pairs of a
    busy shop: two receipts of 20,000 give a huge lift by chance)."""
    sales, products = basket_rows(database, first, last)
    baskets = len(np.unique(sales))
    min_count = max(1, min_count, math.ceil(baskets * min_share))
    ids, holding_counts = np.unique(products, return_counts=True)
    holding = dict(zip(ids.tolist(), holding_counts.tolist(), strict=True))
    a, b, n = pair_counts(sales, products)
    keep = n >= min_count
    if product_id is not None:
        keep &= (a == product_id) | (b == product_id)
    a, b, n = a[keep], b[keep], n[keep]
    rules: list[tuple[int, int, int]] = []
    for x, y, count in zip(a.tolist(), b.tolist(), n.tolist(), strict=True):
        if product_id is None or x == product_id:
            rules.append((x, y, count))
        if product_id is None or y == product_id:
            rules.append((y, x, count))
    named = products_by_id(database, sorted({pid for rule in rules for pid in rule[:2]}))
    pairs = [
        Pair(named[x], named[y], count, holding[x], holding[y], baskets)
        for x, y, count in rules
        if x in named and y in named
    ]
    pairs.sort(key=lambda p: (-p.lift, -p.count, p.a.name, p.b.name))
    if limit is not None:
        pairs = pairs[:limit]
    return PairReport(first, last, baskets, min_count, tuple(pairs))


def report_at(
    database_path: str,
    today: str,
    product_id: int | None,
    days: int,
    min_count: int,
    min_share: float,
    limit: int | None,
) -> PairReport:
    """`together` of the last `days` days on a read-only connection of its own: what the
    insight screen's Together tab runs in a child process (insight.apart; issue 16)."""
    database = SqliteDatabase(
        f"file:{database_path}?mode=ro", uri=True, pragmas={"busy_timeout": 5000}
    )
    database.connect()
    try:
        first, last = window(today, days)
        return together(
            database,
            first,
            last,
            product_id=product_id,
            min_count=min_count,
            min_share=min_share,
            limit=limit,
        )
    finally:
        database.close()
