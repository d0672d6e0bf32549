"""Catalog import of the whole generated catalog: `kassa import products` beside raw sqlite3.

The catalog is exported from the benchmark shop (`kassa export products`) and imported into a
fresh, empty shop — every row new, one transaction. The floor parses the same CSV with the
csv module and inserts products and barcodes with executemany into a copy of the empty shop.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from benchlib import Row, Summary, verdict

IMPORT_S = 30.0
#: The demo technician (number and PIN, as stdin lines): the CLI's export and import ask for them.
TECHNICIAN = "9\n9999\n"


def import_bench(
    shop_cfg: Path,
    make_shop: Callable[[Path], Path],
    kassa: list[str],
    env: dict[str, str],
    workdir: Path,
    results: list[Row],
) -> None:
    catalog = workdir / "catalog.csv"
    technician = TECHNICIAN
    run(
        [*kassa, "--config", str(shop_cfg), "export", "products", "-o", str(catalog)],
        env,
        technician,
    )
    rows = sum(1 for _ in catalog.open(encoding="utf-8")) - 1

    empty_cfg = make_shop(workdir / "import")
    # An empty shop with its first technician (the demo's number and PIN), who runs the import.
    run([*kassa, "--config", str(empty_cfg), "init", "--technician", "Bench"], env, "9999\n")
    floor_db = workdir / "import-floor.db"
    shutil.copyfile(workdir / "import" / "kassa.db", floor_db)

    started = time.perf_counter()
    run(
        [*kassa, "--config", str(empty_cfg), "import", "products", str(catalog), "--create-groups"],
        env,
        technician,
    )
    kassa_s = time.perf_counter() - started

    started = time.perf_counter()
    floor_import(floor_db, catalog)
    floor_s = time.perf_counter() - started
    results.append(
        Row(
            f"catalog import, {rows} rows (CSV, all new, one transaction), s",
            Summary.single(kassa_s),
            Summary.single(floor_s),
            target=f"≤ {IMPORT_S:g} s",
            verdict=verdict([("time", kassa_s <= IMPORT_S)]),
        )
    )


def run(argv: list[str], env: dict[str, str], stdin: str = "") -> None:
    """Run a `kassa` command; `stdin` answers its sign-in (number and PIN, a line each)."""
    done = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")


def floor_import(database: Path, catalog: Path) -> None:
    """The fastest plain way: parse, insert groups, products and barcodes, commit once."""
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = 2")
    conn.execute("BEGIN IMMEDIATE")
    groups: dict[str, int] = {}
    with catalog.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        batch: list[dict[str, str]] = []
        for record in reader:
            batch.append(record)
            if len(batch) == 5000:
                _insert(conn, batch, groups)
                batch = []
        _insert(conn, batch, groups)
    conn.execute("COMMIT")
    conn.close()


def _insert(conn: sqlite3.Connection, batch: list[dict[str, str]], groups: dict[str, int]) -> None:
    for record in batch:
        code = record["group"]
        if code not in groups:
            cursor = conn.execute(
                "INSERT INTO product_group (code, name, saft_group) VALUES (?, ?, '04999')",
                (code, code),
            )
            groups[code] = int(cursor.lastrowid or 0)
    for record in batch:
        price = int(record["price"].replace(",", ""))
        cursor = conn.execute(
            "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active)"
            " VALUES (?, ?, ?, ?, ?, ?, 1)",
            (
                record["plu"] or None,
                record["name"],
                groups[record["group"]],
                int(record["vat"]) * 100,
                price,
                record["unit"] or "stk",
            ),
        )
        product_id = cursor.lastrowid
        conn.executemany(
            "INSERT INTO barcode (code, product_id) VALUES (?, ?)",
            [(code, product_id) for code in record["ean"].split("|") if code],
        )
