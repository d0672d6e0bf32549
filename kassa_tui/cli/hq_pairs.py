"""`kassa hq report pairs`: the till's pairs (kassa report pairs) over what the tills pushed.

HQ sums its day totals of baskets and pairs (kassa_tui.hq.pairs.read_pairs; 0017_pair_days.sql);
the till's pair math (kassa_tui.insight.pairs.Pair) scores them, so the figures are the
till's own: count, confidence, lift, best lift first. The command is a kind of `kassa hq
report` (kassa_tui.cli.hq_catalog).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from kassa_tui.cli.base import bad_input
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from psycopg import Connection

    from kassa_tui.hq.pairs import ChainBaskets, ChainPairs
    from kassa_tui.insight.pairs import PairReport


def together(
    chain: ChainBaskets | ChainPairs, *, product: int | None, min_count: int, limit: int | None
) -> PairReport:
    """The rules «with A: B» of the chain's counts (summed from the day totals, or counted
    from the baskets), as kassa_tui.insight.pairs.together makes them on a till: with
    `product`, only that product's partners; else both ways."""
    import numpy as np

    from kassa_tui.hq.pairs import ChainPairs
    from kassa_tui.insight.pairs import Pair, PairReport, Product, pair_counts

    baskets = chain.baskets
    min_count = max(1, min_count)
    if isinstance(chain, ChainPairs):
        held, a, b, n = chain.counts()
    else:  # each product once a basket: its rows are the baskets holding it
        held = np.bincount(chain.products, minlength=len(chain.codes))
        a, b, n = pair_counts(chain.sales, chain.products)
    holding = dict(enumerate(held.tolist()))
    keep = n >= min_count
    if product is not None:
        keep &= (a == product) | (b == product)
    rules: list[tuple[int, int, int]] = []
    for x, y, count in zip(a[keep].tolist(), b[keep].tolist(), n[keep].tolist(), strict=True):
        if product is None or x == product:
            rules.append((x, y, count))
        if product is None or y == product:
            rules.append((y, x, count))
    named = {i: Product(i, chain.codes[i], chain.names[i]) for rule in rules for i in rule[:2]}
    pairs = [
        Pair(named[x], named[y], count, holding[x], holding[y], baskets) for x, y, count in rules
    ]
    pairs.sort(key=lambda p: (-p.lift, -p.count, p.a.name, p.b.name))
    if limit is not None:
        pairs = pairs[:limit]
    return PairReport(chain.first, chain.last, baskets, min_count, tuple(pairs))


def print_pairs(
    conn: Connection[Any],
    first: date,
    last: date,
    shop: str | None,
    product: str | None,
    min_count: int,
    limit: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    from kassa_tui.hq import pairs as hq_pairs
    from kassa_tui.insight.pairs import CSV_FIELDS

    if first > last:
        bad_input(
            _("--from {first} is after --to {last}").format(
                first=first.isoformat(), last=last.isoformat()
            )
        )
    if product is not None and not hq_pairs.known_code(conn, product):
        bad_input(_("HQ holds no sale of a product with code {code}").format(code=product))
    chain = hq_pairs.read_pairs(conn, first, last, shop, min_count)
    # any of the product's codes names it: its partners are the product's (0020)
    index = None if product is None else chain.index_of(hq_pairs.product_of(conn, product))
    if product is not None and index is None:
        index = -1  # sold, but not in this period: no partners
    result = together(chain, product=index, min_count=min_count, limit=limit)
    rows = [pair.as_dict() for pair in result.pairs]
    if as_json:
        found = {
            "from": result.first,
            "to": result.last,
            "shop": shop,
            "baskets": result.baskets,
            "min_count": result.min_count,
            "pairs": rows,
        }
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, list(CSV_FIELDS), delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
        return
    click.echo(
        _("Bought together {first} to {last}: {baskets} receipts, pairs on at least {n}").format(
            first=result.first, last=result.last, baskets=result.baskets, n=result.min_count
        )
        + (f" ({shop})" if shop else "")
    )
    if not result.pairs:
        click.echo(_("No pair is on that many receipts."))
    for pair in result.pairs:
        click.echo("  " + pair.sentence())
