"""Search as you type on the big catalog: kassa's service beside the same FTS5 queries, raw.

Each product name is "typed" a letter at a time (1, 2, 3 … letters, then the second word), and
every keystroke runs one search for the top 50, as the stock lookup screen does after its
debounce. The floor gets the FTS5 expression ready-made and fetches the same 50 rows.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

from benchlib import Row, Summary, verdict

SEARCH_P95_MS = 20.0
LIMIT = 50
SEARCH = "SELECT rowid FROM product_search WHERE product_search MATCH ? LIMIT ?"
ROWS = (
    "SELECT p.id, p.plu, p.name, g.code, g.name, p.vat_bp, p.price_ore, p.unit, p.active"
    " FROM product p JOIN product_group g ON g.id = p.group_id WHERE p.id IN ({marks})"
)


def keystrokes(names: list[str]) -> list[str]:
    """What the search box holds after each key, for every name typed in full."""
    typed: list[str] = []
    for name in names:
        words = name.split()[:2]
        text = ""
        for w, word in enumerate(words):
            for i in range(1, len(word) + 1):
                typed.append(text + word[:i])
            text += word + " "
            if w == 0 and len(words) > 1:
                typed.append(text)
    return typed


def search_bench(
    shop_cfg: Path, floor_db: Path, seed: int, names_n: int, results: list[Row]
) -> None:
    from kassa_tui.catalog.search import match_expression, terms
    from kassa_tui.composition import open_till
    from kassa_tui.config import load

    till = open_till(load(shop_cfg))
    rng = random.Random(seed)
    count = till.db.execute_sql("SELECT MAX(id) FROM product").fetchone()[0]
    names = []
    for product_id in rng.sample(range(1, count + 1), names_n):
        row = till.db.execute_sql("SELECT name FROM product WHERE id = ?", (product_id,)).fetchone()
        if row:
            names.append(row[0])
    queries = keystrokes(names)
    floor = sqlite3.connect(floor_db)
    # The floor gets kassa's two FTS5 stages ready-made: names starting with the first word,
    # then the words anywhere, each stopping at the limit.
    prepared: list[tuple[str, list[str]]] = []
    for query in queries:
        words = terms(query)
        if words:
            rest = "".join(f' AND "{word}"*' for word in words[1:])
            prepared.append(
                (query, [f'name : ^"{words[0]}"*' + rest, match_expression(query) or ""])
            )
    kassa_ms: list[float] = []
    floor_ms: list[float] = []
    for i, (query, stages) in enumerate(prepared):

        def kassa_once(query: str = query) -> None:
            t = time.perf_counter_ns()
            till.catalog.search(query, LIMIT)
            kassa_ms.append((time.perf_counter_ns() - t) / 1e6)

        def floor_once(stages: list[str] = stages) -> None:
            t = time.perf_counter_ns()
            ids: list[int] = []
            for expression in stages:
                if len(ids) >= LIMIT:
                    break
                ids += [r[0] for r in floor.execute(SEARCH, (expression, LIMIT)) if r[0] not in ids]
            if ids:
                ids = ids[:LIMIT]
                floor.execute(ROWS.format(marks=",".join("?" * len(ids))), ids).fetchall()
            floor_ms.append((time.perf_counter_ns() - t) / 1e6)

        for step in (kassa_once, floor_once) if i % 2 else (floor_once, kassa_once):
            step()
    floor.close()
    till.db.close()
    k, f = Summary.of(kassa_ms), Summary.of(floor_ms)
    results.append(
        Row(
            f"search as you type, top {LIMIT} ({len(names)} names typed), ms, n={k.n}",
            k,
            f,
            target=f"p95 ≤ {SEARCH_P95_MS:g} ms",
            verdict=verdict([("p95", k.p95 <= SEARCH_P95_MS)]),
        )
    )
