"""`kassa hq report pairs`: what goes together, per shop or across every shop (issue 16).

One query reads the baskets of the period from what the tills pushed (0001_push.sql: sale,
sale_line): a basket is one completed sale (kind 'sale'; training receipts and returns left
out), holding each product once, pant and gift card lines left out, exactly as the till's
kassa_tui.insight.pairs reads its own SQLite. Products are keyed as HQ keys them, by code.

This module only reads (HQ never imports the tills' insight room): it hands numpy arrays to
the till's pure pair math (kassa_tui.insight.pairs.pair_counts and Pair), which the CLI puts
together (kassa_tui.cli.hq_pairs), so a shop's pairs at HQ are the till's to the digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from psycopg import Connection

IntArray = npt.NDArray[np.int64]

#: What is no choice of goods: the pant a drink brings with it, a gift card sold.
LEFT_OUT = ("PANT", "GAVEKORT")

# Each basket's products once; the name of a code is its latest line's (ORDER BY local_date).
_BASKETS = """
SELECT s.register_id, s.seq, l.code, max(l.name) AS name, max(s.local_date) AS local_date
FROM sale s JOIN sale_line l ON l.register_id = s.register_id AND l.seq = s.seq
WHERE s.local_date BETWEEN %(from)s AND %(to)s
  AND (%(shop)s::text IS NULL OR s.shop_id = %(shop)s)
  AND s.kind = 'sale' AND NOT s.training
  AND l.qty_milli > 0 AND l.group_code <> ALL (%(left_out)s)
GROUP BY s.register_id, s.seq, l.code
ORDER BY max(s.local_date), s.register_id, s.seq, l.code
"""


@dataclass(frozen=True)
class ChainBaskets:
    """The period's baskets as the till's pair math wants them: `sales` (a number per basket)
    and `products` (an index into `codes`/`names`), sorted by basket then product, each
    product once per basket."""

    first: str
    last: str
    shop: str | None
    sales: IntArray
    products: IntArray
    codes: list[str]
    names: list[str]

    @property
    def baskets(self) -> int:
        return len(np.unique(self.sales))

    def index_of(self, code: str) -> int | None:
        """A product's index by its code as HQ holds it (None: not sold in the period)."""
        text = code.strip()
        try:
            return self.codes.index(text)
        except ValueError:
            return None


def known_code(conn: Connection[Any], code: str) -> bool:
    """Has any till ever sold a product with this code (any day, any shop)?"""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM sale_line WHERE code = %s)", (code.strip(),)
    ).fetchone()
    return bool(row and row[0])


def read_baskets(
    conn: Connection[Any], first: date, last: date, shop: str | None = None
) -> ChainBaskets:
    """The baskets of the business days `first` to `last` (both included), one shop or all:
    one query, then numpy."""
    params = {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "shop": shop,
        "left_out": list(LEFT_OUT),
    }
    code_index: dict[str, int] = {}
    names: list[str] = []
    basket_of: dict[tuple[str, int], int] = {}
    sales: list[int] = []
    products: list[int] = []
    with conn.cursor() as cursor:
        cursor.execute(_BASKETS, params)
        for register_id, seq, code, name, _day in cursor:
            key = (register_id, int(seq))
            basket = basket_of.get(key)
            if basket is None:
                basket = basket_of[key] = len(basket_of)
            index = code_index.get(code)
            if index is None:
                index = code_index[code] = len(names)
                names.append(name)
            else:  # the latest day's name
                names[index] = name
            sales.append(basket)
            products.append(index)
    sale_array = np.array(sales, dtype=np.int64)
    product_array = np.array(products, dtype=np.int64)
    order = np.lexsort((product_array, sale_array))
    return ChainBaskets(
        first.isoformat(),
        last.isoformat(),
        shop,
        sale_array[order],
        product_array[order],
        list(code_index),
        names,
    )
