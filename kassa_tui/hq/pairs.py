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

# The period's lines once (a materialized CTE), then in one answer: each code with its index and
# name (the latest day's: max of [day, name], so a hash aggregate), and each line as a basket
# key (the register's number << 32 | seq) and its code's index: integers, not text, cross the
# wire for the two million lines of a chain's quarter. Each product once a basket: numpy.
_BASKETS = """
WITH line AS MATERIALIZED (
    SELECT s.register_id, s.seq, s.local_date, l.code, l.name
    FROM sale s JOIN sale_line l ON l.register_id = s.register_id AND l.seq = s.seq
    WHERE s.local_date BETWEEN %(from)s AND %(to)s
      AND (%(shop)s::text IS NULL OR s.shop_id = %(shop)s)
      AND s.kind = 'sale' AND NOT s.training
      AND l.qty_milli > 0 AND l.group_code <> ALL (%(left_out)s)
), code AS (
    SELECT code, (max(ARRAY[local_date, name]))[2] AS name,
           (row_number() OVER (ORDER BY code))::int - 1 AS idx
    FROM line GROUP BY code
), reg AS (
    SELECT register_id, (row_number() OVER (ORDER BY register_id))::bigint AS n FROM register
)
SELECT NULL::bigint AS basket, code.idx, code.code, code.name FROM code
UNION ALL
SELECT reg.n * 4294967296 + line.seq, code.idx, NULL, NULL
FROM line JOIN code ON code.code = line.code JOIN reg ON reg.register_id = line.register_id
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
        """How many baskets (`sales` is sorted: a new basket where the number changes)."""
        return int(np.count_nonzero(np.diff(self.sales))) + 1 if len(self.sales) else 0

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
    with conn.transaction(), conn.cursor() as cursor:
        # a chain's quarter is two million lines: hash them in memory, and no JIT for one query
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_BASKETS, params)
        rows = cursor.fetchall()
    named = sorted((int(idx), str(code), str(name)) for key, idx, code, name in rows if key is None)
    keys = np.fromiter((r[0] for r in rows if r[0] is not None), np.int64)
    indexes = np.fromiter((r[1] for r in rows if r[0] is not None), np.int64)
    width = max(1, len(named))
    if not len(keys) or int(keys.max()) < 2**62 // width:
        # one sort: (basket, product) as one number, each once (a chain's quarter: 0.4 s less)
        both = np.unique(keys * width + indexes)
        sales, products = both // width, both % width
    else:  # too many registers and codes for one int64: sort by basket, then product
        _keys, dense = np.unique(keys, return_inverse=True)
        dense = dense.astype(np.int64).reshape(-1)
        order = np.lexsort((indexes, dense))
        sales, products = dense[order], indexes[order]
        first_of = np.ones(len(sales), dtype=bool)
        first_of[1:] = (sales[1:] != sales[:-1]) | (products[1:] != products[:-1])
        sales, products = sales[first_of], products[first_of]
    return ChainBaskets(
        first.isoformat(),
        last.isoformat(),
        shop,
        sales,
        products,
        [code for _i, code, _n in named],
        [name for _i, _c, name in named],
    )
