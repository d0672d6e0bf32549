"""The floor: the same durable work as kassa's scan and sale paths, in raw `sqlite3`.

It runs on its own copy of the throwaway shop's database (same schema, indexes and triggers) with
kassa's own pragmas (WAL, synchronous=FULL, foreign keys, cache size), so the difference to
kassa is what kassa's Python layers cost on top of SQLite and the disk — not a smaller database.

It writes under its own register ID, keeps the journal chain (sequence, previous hash) in memory
instead of re-reading it, and prepares nothing that SQLite does not need.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# The same SQL shape as kassa_tui/catalog/lookup.py's barcode lookup.
BY_BARCODE = (
    "SELECT p.id, p.plu, p.name, g.code, g.name, p.vat_bp, p.price_ore, p.unit, p.active"
    " FROM product p JOIN product_group g ON g.id = p.group_id"
    " JOIN barcode b ON b.product_id = p.id WHERE b.code = ?"
)
INSERT_LINE = (
    "INSERT INTO basket_line (basket_id, position, product_id, code, name, group_code, vat_bp,"
    " unit, unit_price_ore, list_price_ore, qty_milli, fixed_amount_ore, discount_ore,"
    " discount_bp, discount_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1000, NULL, 0, 0, '')"
)
INSERT_JOURNAL = (
    "INSERT INTO journal (register_id, seq, uuid, event_code, basic_id, user_number, utc,"
    " local_date, local_time, text, sale_id, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_SALE = (
    "INSERT INTO sale (register_id, receipt_nr, uuid, basket_uuid, user_id, kind, total_ore,"
    " vat_ore, discount_ore, rounding_ore, change_ore, completed_utc, local_date, local_time)"
    " VALUES (?, ?, ?, ?, ?, 'sale', ?, ?, 0, 0, 0, ?, ?, ?)"
)
INSERT_SALE_LINE = (
    "INSERT INTO sale_line (sale_id, line_nr, product_id, code, name, group_code, qty_milli,"
    " unit_price_ore, list_price_ore, discount_ore, amount_ore, vat_bp, vat_ore,"
    " price_overridden) VALUES (?, ?, ?, ?, ?, ?, 1000, ?, ?, 0, ?, ?, ?, 0)"
)
INSERT_STOCK = (
    "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, sale_id, register_id,"
    " created_utc) VALUES (?, ?, -1000, 'sale', ?, ?, ?)"
)
INSERT_PAYMENT = (
    "INSERT INTO payment (sale_id, method, amount_ore, tendered_ore) VALUES (?, 'card', ?, ?)"
)


@dataclass(frozen=True)
class Product:
    id: int
    code: str
    name: str
    group_code: str
    vat_bp: int
    price_ore: int
    unit: str


def raw_connection(path: Path, pragmas: dict[str, object]) -> sqlite3.Connection:
    """Autocommit (the caller writes BEGIN and COMMIT), kassa's pragmas, checked: WAL + FULL."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    for key, value in pragmas.items():
        conn.execute(f"PRAGMA {key} = {value}")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    if mode != "wal" or sync != 2:
        raise RuntimeError(f"floor connection is journal_mode={mode} synchronous={sync}")
    return conn


class RawTill:
    """One connection, explicit BEGIN IMMEDIATE … COMMIT, like kassa's `atomic("IMMEDIATE")`."""

    def __init__(
        self, path: Path, pragmas: dict[str, object], register_id: str, user_number: int
    ) -> None:
        self.conn = raw_connection(path, pragmas)
        self.register_id = register_id
        self.user_number = user_number
        self.user_id = self.conn.execute(
            "SELECT id FROM user WHERE number = ?", (user_number,)
        ).fetchone()[0]
        self.seq = 0
        self.prev_hash = "0" * 64
        self.receipt_nr = 0
        self.basket_id = 0
        self.position = 0
        self._new_basket()

    # -- helpers ------------------------------------------------------------------------------

    def _now(self) -> tuple[str, str, str]:
        now = datetime.now(UTC)
        return (
            now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            now.strftime("%Y-%m-%d"),
            now.strftime("%H:%M:%S"),
        )

    def _journal(self, basic_id: str, text: str, utc: str, day: str, clock: str) -> None:
        self.seq += 1
        fields = (
            self.register_id,
            self.seq,
            str(uuid.uuid4()),
            "13999",
            basic_id,
            self.user_number,
            utc,
            day,
            clock,
            text,
            None,
        )
        payload = json.dumps([self.prev_hash, *fields], separators=(",", ":"))
        digest = hashlib.sha256(payload.encode()).hexdigest()
        self.conn.execute(INSERT_JOURNAL, (*fields, self.prev_hash, digest))
        self.prev_hash = digest

    def _new_basket(self) -> None:
        utc, _, _ = self._now()
        self.conn.execute("BEGIN IMMEDIATE")
        cursor = self.conn.execute(
            "INSERT INTO basket (uuid, register_id, user_id, status, sale_discount_ore,"
            " sale_discount_bp, sale_discount_reason, created_utc)"
            " VALUES (?, ?, ?, 'open', 0, 0, '', ?)",
            (str(uuid.uuid4()), self.register_id, self.user_id, utc),
        )
        self.conn.execute("COMMIT")
        self.basket_id = int(cursor.lastrowid or 0)
        self.position = 0

    def lookup(self, code: str) -> Product:
        row = self.conn.execute(BY_BARCODE, (code,)).fetchone()
        if row is None:
            raise KeyError(code)
        return Product(row[0], code, row[2], row[3], row[5], row[6], row[7])

    # -- the measured operations ---------------------------------------------------------------

    def scan(self, code: str) -> None:
        """Lookup by barcode, then one durable transaction: the basket line + a journal row."""
        product = self.lookup(code)
        utc, day, clock = self._now()
        self.position += 1
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute(
            INSERT_LINE,
            (
                self.basket_id,
                self.position,
                product.id,
                code,
                product.name,
                product.group_code,
                product.vat_bp,
                product.unit,
                product.price_ore,
                product.price_ore,
            ),
        )
        self._journal("LINEADD", f'{{"code":"{code}","qty":1000}}', utc, day, clock)
        self.conn.execute("COMMIT")

    def finish_basket(self) -> None:
        """Untimed: close the basket the way a sale would and open the next one."""
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE basket SET status = 'sold' WHERE id = ?", (self.basket_id,))
        self.conn.execute("COMMIT")
        self._new_basket()

    def sale(self, products: list[Product]) -> None:
        """One durable transaction: sale header + a line and a stock movement each + payment."""
        utc, day, clock = self._now()
        total = sum(p.price_ore for p in products)
        vats = [p.price_ore * p.vat_bp // (10_000 + p.vat_bp) for p in products]
        self.receipt_nr += 1
        self.conn.execute("BEGIN IMMEDIATE")
        cursor = self.conn.execute(
            INSERT_SALE,
            (
                self.register_id,
                self.receipt_nr,
                str(uuid.uuid4()),
                str(uuid.uuid4()),
                self.user_id,
                total,
                sum(vats),
                utc,
                day,
                clock,
            ),
        )
        sale_id = cursor.lastrowid
        for nr, (product, vat) in enumerate(zip(products, vats, strict=True), start=1):
            self.conn.execute(
                INSERT_SALE_LINE,
                (
                    sale_id,
                    nr,
                    product.id,
                    product.code,
                    product.name,
                    product.group_code,
                    product.price_ore,
                    product.price_ore,
                    product.price_ore,
                    product.vat_bp,
                    vat,
                ),
            )
            self.conn.execute(
                INSERT_STOCK,
                (
                    str(uuid.uuid4()),
                    product.id,
                    sale_id,
                    self.register_id,
                    utc,
                ),
            )
        self.conn.execute(INSERT_PAYMENT, (sale_id, total, total))
        self.conn.execute("COMMIT")

    def bare_commit(self) -> None:
        """The smallest durable write: one tiny row, one fsync'd commit (context, not a floor)."""
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute(
            "INSERT OR REPLACE INTO setting (key, value) VALUES ('bench_probe', ?)",
            (str(self.seq),),
        )
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (safe even with a WAL beside the source)."""
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
