"""How long applying a large HQ catalog revision holds the till's write lock (issue 15).

The running till's sync child applies a revision in ONE SQLite transaction
(kassa_tui.sync.pull.apply_revision, BEGIN IMMEDIATE … COMMIT); a cashier's scan that writes
waits that long for the lock. This builds a throwaway demo till (`kassa init --demo`), makes a
price file of N products as HQ publishes it (kassa_tui.hq.catalog.product_rows: the rows of a
revision's pages), and times:

- revision 1: N new products (each a product, a barcode, a 13021 MASTERDATA row);
- revision 2: the same N products, every price changed (a 13021 PRICECHANGE row each): a shop's
  new price list;

beside the floor: raw `sqlite3` on a copy of the same empty shop, the same N products and
barcodes inserted with executemany, then every price updated, each in one transaction.

No PostgreSQL is needed: the rows are what the pages hold, the network and parsing happen
before the transaction (the child fetches and spools the pages first).

    .venv/bin/python bench/bench_catalog_apply.py [--rows 20000]
    .venv/bin/python bench/bench_catalog_apply.py --write prisliste.csv   # a price list to try
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kassa_tui.composition import open_till  # noqa: E402
from kassa_tui.config import load  # noqa: E402
from kassa_tui.core.clock import Clock  # noqa: E402
from kassa_tui.hq.catalog import product_rows  # noqa: E402
from kassa_tui.sync.large import Prepared, apply_prepared  # noqa: E402
from kassa_tui.sync.pull import Interrupted, apply_revision  # noqa: E402


def _ean(i: int) -> str:
    """An EAN-13 in the shop's own 200 range, with its check digit."""
    body = f"200{i:09d}"
    total = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _price_file(path: Path, n: int, krone: int, romme: str = "") -> Path:
    lines = ["plu;ean;name;group;vat;price;unit"]
    if romme:  # the demo shop's rømme at a new price, and n - 1 new products
        lines.append(f"2025;7020164760728;Rømme 18 % 3 dl;20;15;{romme};stk")
        n -= 1
    for i in range(n):
        ean = _ean(i)
        lines.append(f"{50000 + i};{ean};Vare {i};20;15;{krone + i % 90},{i % 100:02d};stk")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _floor(database: Path, n: int) -> tuple[float, float]:
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    group = conn.execute("SELECT id FROM product_group WHERE code = '20'").fetchone()[0]
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active)"
        " VALUES (?, ?, ?, 1500, ?, 'stk', 1)",
        [(str(50000 + i), f"Vare {i}", group, 1000 + i) for i in range(n)],
    )
    conn.executemany(
        "INSERT INTO barcode (code, product_id) SELECT ?, id FROM product WHERE plu = ?",
        [(_ean(i), str(50000 + i)) for i in range(n)],
    )
    conn.execute("COMMIT")
    new = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "UPDATE product SET price_ore = ? WHERE plu = ?",
        [(2000 + i, str(50000 + i)) for i in range(n)],
    )
    conn.execute("COMMIT")
    changed = time.perf_counter() - started
    conn.close()
    return new, changed


def _keys_in_the_middle(
    db: Any, config: Any, rows: list[dict[str, Any]], seconds: float, keys: int
) -> list[float]:
    """The cashier's key at a random moment of an idle apply (kassa_tui.sync.large): ms from the
    key (another thread, as the child's stdin reader) to the transaction rolled back; each
    time nothing of the revision may be left."""
    db.execute_sql(
        "CREATE TEMP TABLE IF NOT EXISTS hq_catalog_spool (n INTEGER PRIMARY KEY, body TEXT)"
    )
    db.execute_sql("DELETE FROM temp.hq_catalog_spool")
    db.cursor().executemany(
        "INSERT INTO temp.hq_catalog_spool (n, body) VALUES (?, ?)",
        [(i, json.dumps(row, ensure_ascii=False)) for i, row in enumerate(rows)],
    )
    prepared = Prepared(3, "products", "r3.csv", len(rows))
    count = "SELECT (SELECT count(*) FROM journal), (SELECT max(revision) FROM catalog_pull)"
    before = db.execute_sql(count).fetchone()
    waits: list[float] = []
    for _key in range(keys):
        busy = threading.Event()
        pressed = [0.0]

        def press(event: threading.Event = busy, at: list[float] = pressed) -> None:
            at[0] = time.perf_counter()
            event.set()

        key = threading.Timer(random.uniform(0, seconds * 0.9), press)
        key.start()
        try:
            apply_prepared(db, config, Clock(), prepared, busy.is_set)
        except Interrupted:
            waits.append((time.perf_counter() - pressed[0]) * 1000)
            assert db.execute_sql(count).fetchone() == before, "half applied"
            continue
        finally:
            key.cancel()
            key.join()
        break  # applied before the key came: it holds the revision now
    return waits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--keys", type=int, default=40, help="keys in the middle of an apply")
    parser.add_argument("--write", type=Path, help="only write the price list there (to try)")
    args = parser.parse_args()
    n = args.rows
    if args.write is not None:  # `kassa hq publish` it, and watch a till take it when idle
        _price_file(args.write, n, 10, romme="33,00")
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config_path = work / "kassa.toml"
        text = (REPO / "kassa.toml").read_text(encoding="utf-8")
        config_path.write_text(
            text.replace('path = "var/kassa.db"', f'path = "{work / "kassa.db"}"'),
            encoding="utf-8",
        )
        kassa = [str(Path(sys.executable).parent / "kassa"), "--config", str(config_path)]
        subprocess.run([*kassa, "init", "--demo"], check=True, capture_output=True)
        config = load(config_path)
        floor_db = work / "floor.db"
        shutil.copyfile(config.database, floor_db)
        till = open_till(config)
        times: list[tuple[str, float]] = []
        for revision, krone in ((1, 10), (2, 20)):
            rows = product_rows(_price_file(work / f"r{revision}.csv", n, krone), config)
            started = time.perf_counter()
            done = apply_revision(till.db, till.journal, config, revision, "products", "r", rows)
            times.append((f"revision {revision}", time.perf_counter() - started))
            assert not done.rejected, done.rejected[:3]
        rows = product_rows(_price_file(work / "r3.csv", n, 30), config)
        waits = _keys_in_the_middle(till.db, config, rows, times[1][1], args.keys)
        till.db.close()
        new, changed = _floor(floor_db, n)
    print(f"{n:,} rows, one SQLite transaction each (the write lock held that long):")
    print(f"  new products      kassa {times[0][1]:6.2f} s   raw sqlite3 floor {new:6.2f} s")
    print(f"  every price new   kassa {times[1][1]:6.2f} s   raw sqlite3 floor {changed:6.2f} s")
    if waits:
        waits.sort()
        print(
            f"  a key at a random moment of the apply (the sync child's idle apply), {len(waits)}"
            f" keys: rolled back {waits[len(waits) // 2]:.1f} ms after it (median),"
            f" p95 {waits[int(len(waits) * 0.95)]:.1f} ms, max {waits[-1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
