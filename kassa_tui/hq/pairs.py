"""`kassa hq report pairs`: what goes together, per shop or across every shop (issue 16).

The report sums day totals (`read_pairs`): per shop and business day, the baskets, each code's
baskets and each pair's (0017_pair_days.sql), rolled up first by `pair_rollup` from what is new
since the last report, so a chain's quarter is a sum of small rows, not two million lines.

`read_baskets` is the way it was done before, kept for the tests and the benchmark (the day
totals must give the same figures to the digit): one query reads the baskets of the period from
what the tills pushed (0001_push.sql: sale, sale_line): a basket is one completed sale (kind
'sale'; training receipts and returns left out), holding each product once, pant and gift card
lines left out, exactly as the till's kassa_tui.insight.pairs reads its own SQLite. Products
are keyed as the till keys them (0020_product_keys.sql): a code the published catalog gives a
product counts as that product (its PLU, else its smallest barcode), whichever of its codes it
was sold under, each product once a basket; a code the catalog does not know is its own key.

This module only reads (HQ never imports the tills' insight room): it hands numpy arrays to the
till's pure pair math (kassa_tui.insight.pairs.pair_counts and Pair), which the CLI puts
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
    SELECT s.register_id, s.seq, s.local_date, COALESCE(k.product, l.code) AS code, l.name
    FROM sale s JOIN sale_line l ON l.register_id = s.register_id AND l.seq = s.seq
    LEFT JOIN product_key k ON k.code = l.code
    WHERE s.local_date BETWEEN %(from)s AND %(to)s
      AND (%(shop)s::text IS NULL OR s.shop_id = %(shop)s)
      AND s.kind = 'sale' AND NOT s.training
      AND l.qty_milli > 0 AND l.group_code <> ALL (%(left_out)s)
), code AS (
    SELECT g.code, COALESCE(p.name, g.name) AS name, g.idx
    FROM (
        SELECT code, (max(ARRAY[local_date, name]))[2] AS name,
               (row_number() OVER (ORDER BY code))::int - 1 AS idx
        FROM line GROUP BY code
    ) g LEFT JOIN catalog_product p ON p.product = g.code
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


@dataclass(frozen=True)
class ChainPairs:
    """The period's counts summed from the day totals: `baskets`, per code (index into
    `codes`/`names`, sorted by code) the baskets holding it, and the pairs (a < b) on at least
    `min_count` baskets with their count: what `ChainBaskets.counts` finds, without the
    baskets (the CLI's `together` counts those with the till's pair_counts)."""

    first: str
    last: str
    shop: str | None
    baskets: int
    codes: list[str]
    names: list[str]
    holding: IntArray
    a: IntArray
    b: IntArray
    n: IntArray

    def index_of(self, code: str) -> int | None:
        """A product's index by its code as HQ holds it (None: not sold in the period)."""
        text = code.strip()
        try:
            return self.codes.index(text)
        except ValueError:
            return None

    def counts(self) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        return self.holding, self.a, self.b, self.n


def pair_rollup(conn: Connection[Any]) -> int:
    """Bring the pair day totals up to what HQ holds (0017_pair_days.sql); returns how many
    registers had something new."""
    if conn.autocommit:
        with conn.transaction():
            found = conn.execute("SELECT hq_pair_rollup()").fetchone()
    else:
        found = conn.execute("SELECT hq_pair_rollup()").fetchone()
        conn.commit()
    return int(found[0]) if found else 0


_WHERE = "local_date BETWEEN %(from)s AND %(to)s AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)"
# per product (0020_product_keys.sql): its key (the till's: the PLU, else the smallest barcode),
# the catalog's name (else the latest day's name it was sold under), the baskets holding it
_HELD = f"""
SELECT c.code, COALESCE(p.name, h.name), h.baskets
FROM (
    SELECT product_id, (max(ARRAY[local_date, name]))[2] AS name, sum(baskets)::bigint AS baskets
    FROM basket_product_day WHERE {_WHERE} GROUP BY product_id
) h JOIN pair_code c ON c.id = h.product_id
LEFT JOIN catalog_product p ON p.product = c.code
ORDER BY c.code
"""
_PAIRS = f"""
SELECT ca.code, cb.code, p.n
FROM (
    SELECT a, b, sum(n)::bigint AS n FROM pair_product_day WHERE {_WHERE}
    GROUP BY a, b HAVING sum(n) >= %(min)s
) p JOIN pair_code ca ON ca.id = p.a JOIN pair_code cb ON cb.id = p.b
"""
_BASKET_COUNT = f"SELECT COALESCE(sum(baskets), 0)::bigint FROM basket_day WHERE {_WHERE}"


def product_of(conn: Connection[Any], code: str) -> str:
    """The product key of a code as typed (a PLU or any of a product's barcodes): the
    catalog's (0020_product_keys.sql), else the code itself."""
    text = code.strip()
    row = conn.execute(
        "SELECT product FROM product_key WHERE code = %s OR code = ltrim(%s, '0')"
        " ORDER BY code = %s DESC LIMIT 1",
        (text, text, text),
    ).fetchone()
    return str(row[0]) if row else text


def read_pairs(
    conn: Connection[Any], first: date, last: date, shop: str | None = None, min_count: int = 1
) -> ChainPairs:
    """The counts of the business days `first` to `last` (both included), one shop or all,
    pairs on fewer than `min_count` baskets left out: rolled up first, then three sums read
    in one snapshot."""
    pair_rollup(conn)
    params = {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "shop": shop,
        "min": max(1, min_count),
    }
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_BASKET_COUNT, params)
        row = cursor.fetchone()
        baskets = int(row[0]) if row else 0
        cursor.execute(_HELD, params)
        held = cursor.fetchall()
        cursor.execute(_PAIRS, params)
        pairs = cursor.fetchall()
    # a code's index is its place in the database's order of codes, as read_baskets numbers them
    codes = [str(r[0]) for r in held]
    names = [str(r[1]) for r in held]
    holding = np.fromiter((int(r[2]) for r in held), np.int64, len(held))
    index = {code: i for i, code in enumerate(codes)}
    x = np.fromiter((index[r[0]] for r in pairs), np.int64, len(pairs))
    y = np.fromiter((index[r[1]] for r in pairs), np.int64, len(pairs))
    n = np.fromiter((int(r[2]) for r in pairs), np.int64, len(pairs))
    a, b = np.minimum(x, y), np.maximum(x, y)
    sort = np.lexsort((b, a))
    return ChainPairs(
        first.isoformat(),
        last.isoformat(),
        shop,
        baskets,
        codes,
        names,
        holding,
        a[sort],
        b[sort],
        n[sort],
    )


def known_code(conn: Connection[Any], code: str) -> bool:
    """Has any till ever sold a product with this code (any day, any shop)? The pair day totals'
    codes first (an index: every code a basket held), then every line (pant, returns: a scan)."""
    text = code.strip()
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pair_code WHERE code = %s)"
        " OR EXISTS (SELECT 1 FROM sale_line WHERE code = %s)",
        (text, text),
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
