"""Power loss and a full disk, on a real till database.

1. A scripted selling loop runs in a separate Python process (the same services the TUI calls)
   and is killed with SIGKILL at random moments, hundreds of times. After every kill the
   database must be whole: integrity, complete sales, journal and signature chains, stock.
2. A disk that fills up in the middle of completing a sale must leave the basket as it was,
   with nothing half-written, and the same sale must complete once there is room again.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import peewee
import pytest

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people import users
from kassa_tui.records.journal import Journal
from kassa_tui.records.signing import chain_rows, verify_chain
from tests.reliability.figures import FIGURES
from tests.shop import REPO, demo_till, selling_codes

SEED = 20261127
KILLS = int(os.environ.get("KASSA_POWER_LOSS_KILLS", "200"))
#: The longest a child may take to report its next step; a till that stops selling fails.
STEP_TIMEOUT = 30.0
#: PINs hashed cheaply in this process are checked cheaply in the child too (the cost is stored
#: with the hash): the child still runs the real sign-in and approval code.
CHEAP_SCRYPT_N = 2**4

#: The pragmas the till process under test must really run with (read back from its live
#: connection, not from the configuration): a SIGKILL is not a power cut (the OS keeps its page
#: cache), so the loop cannot show that synchronous=FULL is needed; it can show it is in force.
PRAGMAS_UNDER_TEST = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}

#: The selling loop: argv = config path, JSON list of barcodes, seed.
#: Prints "pragmas <json>" (its live connection's), then "ready" once signed in, then
#: "line" / "parked" / "sale <nr>" / "return <nr>" / "z <nr>" after each commit. Around every
#: write transaction it prints "tx begin" (BEGIN has returned), "tx commit" (COMMIT is about to be
#: sent) and "tx end" (COMMIT or ROLLBACK has returned): a kill after "tx begin" and before
#: "tx commit" landed inside a transaction with its writes not yet committed.
SCRIPT = r"""
import json, random, sys
from datetime import UTC, datetime, timedelta
from devices.printer import MemoryPrinter
from devices.spooler import print_pending
from kassa_tui.core.clock import Clock
from kassa_tui.config import load
from kassa_tui.core.errors import Refused
from kassa_tui.composition import open_till

config = load(sys.argv[1])
codes = json.loads(sys.argv[2])
rng = random.Random(int(sys.argv[3]))
# Every Z closes a business day, so the clock runs one day further ahead per Z taken:
# the next Z is allowed and time never goes back across kills.
days = [0]
till = open_till(config, Clock(lambda: datetime.now(UTC) + timedelta(days=days[0])))
days[0] = till.db.execute_sql("SELECT COUNT(*) FROM z_report").fetchone()[0]
printer = MemoryPrinter()


def say(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


say("pragmas " + json.dumps({
    name: till.db.execute_sql(f"PRAGMA {name}").fetchone()[0]
    for name in ("journal_mode", "synchronous", "foreign_keys")
}))
# The markers around every write transaction (Peewee's outermost atomic() calls these).
begin, commit, rollback = till.db.begin, till.db.commit, till.db.rollback


def marked_begin(*args, **kwargs):
    begin(*args, **kwargs)
    say("tx begin")


def marked_commit():
    say("tx commit")
    commit()
    say("tx end")


def marked_rollback():
    rollback()
    say("tx end")


till.db.begin, till.db.commit, till.db.rollback = marked_begin, marked_commit, marked_rollback


def drain():
    print_pending(till.print_queue, printer, config.printer, till.drawer)


cashier = till.users.sign_in("1", "1111")
lead = till.users.sign_in("2", "2222")
# A receipt caught in 'sending' by the last kill: the shift lead looked, it printed.
for job in till.print_queue.uncertain():
    till.print_queue.resolve_uncertain(job, printed=True, user=2)
drain()
if till.baskets.current().uuid is None:
    parked = till.baskets.parked()
    if parked:
        till.baskets.resume(cashier, parked[0].uuid)
say("ready")
while True:
    for _ in range(rng.randint(1, 4)):
        till.baskets.add(cashier, rng.choice(codes))
        say("line")
    if rng.random() < 0.25:
        basket = till.baskets.current().uuid
        till.baskets.park(cashier)
        say("parked")
        till.baskets.resume(cashier, basket)
    if rng.random() < 0.5:
        done = till.sales.pay_card(cashier).completed
    else:
        done = till.sales.pay_cash(cashier, "").completed
    say(f"sale {done.receipt_nr}")
    drain()
    if rng.random() < 0.3:
        nrs = [r[0] for r in till.db.execute_sql(
            "SELECT receipt_nr FROM sale WHERE kind = 'sale' ORDER BY id DESC LIMIT 20")]
        sold = till.returns.find_sale(str(rng.choice(nrs)))
        left = [line for line in sold.lines if line.left_milli >= 1000]
        if left:
            line = rng.choice(left)
            back = till.returns.return_lines(
                cashier, sold.receipt_nr, [(line.line_nr, 1000)], "Defekt vare", "2", "2222"
            )
            say(f"return {back.receipt_nr}")
            drain()
    if rng.random() < 0.04:
        z = till.reports.z_report(lead, not_counted=True)
        days[0] += 1
        say(f"z {z.z_nr}")
        drain()
"""


@dataclass
class Tally:
    kills: int = 0
    children: int = 0
    reported: dict[int, str] = field(default_factory=dict)  # receipt nr → sale / return
    checks: int = 0
    z_reported: int = 0  # the highest Z number a child reported as taken
    lines: int = 0  # basket lines the children reported as added
    mid_transaction: int = 0  # kills after a child's "tx begin" and before its "tx commit"
    in_commit: int = 0  # kills after "tx commit" and before "tx end": COMMIT was under way
    lost: int = 0  # what the last check found lost


class Child:
    """One selling process; its stdout lines are collected by a thread so it never blocks."""

    def __init__(self, config: Path, codes: list[str], seed: int, log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.stderr = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(config), json.dumps(codes), str(seed)],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
            env=env,
        )
        self.log = log
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self.changed:
                self.lines.append(raw.decode().strip())
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def steps(self) -> list[str]:
        """What the loop reported doing ("ready", "line", "sale 12" …), without the markers."""
        return [text for text in self.lines if not text.startswith(("tx ", "pragmas "))]

    def pragmas(self) -> dict[str, object]:
        reported = [text for text in self.lines if text.startswith("pragmas ")]
        assert len(reported) == 1, f"the selling loop reported its pragmas {len(reported)} times"
        pragmas: dict[str, object] = json.loads(reported[0].partition(" ")[2])
        return pragmas

    def where_killed(self) -> str:
        """Where the kill landed: "mid-transaction", "in commit" or "outside"."""
        markers = [text for text in self.lines if text.startswith("tx ")]
        last = markers[-1] if markers else "tx end"
        return {"tx begin": "mid-transaction", "tx commit": "in commit"}.get(last, "outside")

    def wait_for_lines(self, count: int) -> None:
        """Wait until the loop has reported `count` steps (markers not counted)."""
        deadline = time.monotonic() + STEP_TIMEOUT
        with self.changed:
            while len(self.steps()) < count:
                if self.proc.poll() is not None and not self.reader.is_alive():
                    raise AssertionError(
                        f"the selling loop stopped by itself (exit {self.proc.returncode}):\n"
                        + self.log.read_text(errors="replace")[-3000:]
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no progress from the selling loop in {STEP_TIMEOUT} s")
                self.changed.wait(min(left, 0.5))

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=STEP_TIMEOUT)
        self.reader.join(timeout=STEP_TIMEOUT)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self.stderr.close()


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Till]:
    monkeypatch.setattr(users, "SCRYPT_N", CHEAP_SCRYPT_N)
    till = demo_till(tmp_path, idle_lock_seconds="0")
    yield till
    till.db.close()


def query(database: Path, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(database, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def on_hand(database: Path) -> dict[int, int]:
    return {
        int(pid): int(qty)  # type: ignore[call-overload]
        for pid, qty in query(database, "SELECT product_id, on_hand_milli FROM product_stock")
    }


def assert_whole(till: Till, public_key: bytes, opening: dict[int, int], tally: Tally) -> None:
    """Everything a power cut must never break, checked on the file the child wrote."""
    database = till.config.database
    # Data lost first, recorded in the figures before any assert: a loss shows in the table even
    # when this check (or a later one) stops the test.
    # No receipt a child reported as done may be missing.
    kinds = dict(query(database, "SELECT receipt_nr, kind FROM sale"))
    lost = {nr: kind for nr, kind in tally.reported.items() if kinds.get(nr) != kind}
    # Baskets are kept (open, parked or sold) with their lines: every line a child reported is
    # there, and at most one more per child (added, then killed before it could say so).
    lines = query(database, "SELECT COUNT(*) FROM basket_line")[0][0]
    assert isinstance(lines, int)
    z_taken = query(database, "SELECT COALESCE(MAX(z_nr), 0) FROM z_report")[0][0]
    assert isinstance(z_taken, int)
    tally.lost = len(lost) + max(0, tally.lines - lines) + max(0, tally.z_reported - z_taken)
    FIGURES.lost["power loss"] += tally.lost
    FIGURES.checks["power loss"] += 1
    assert lost == {}, f"after kill {tally.kills}: reported but lost: {lost}"
    assert tally.lines <= lines <= tally.lines + tally.children, (
        f"after kill {tally.kills}: {lines} basket lines, {tally.lines} reported"
    )
    assert z_taken >= tally.z_reported, f"after kill {tally.kills}: Z {tally.z_reported} lost"

    assert query(database, "PRAGMA integrity_check") == [("ok",)]
    assert query(database, "PRAGMA foreign_key_check") == []

    def none_of(what: str, sql: str) -> None:
        bad = query(database, sql)
        assert bad == [], f"after kill {tally.kills}: {what}: {bad[:5]}"

    # Aggregates joined once (no correlated subqueries): the checks stay linear as sales grow.
    per_sale = (
        # Pant lines (a deposit type's product) move no stock: only goods are counted.
        "WITH l AS (SELECT sale_id, COUNT(*) n, SUM(qty_milli) q FROM sale_line"
        " WHERE product_id NOT IN (SELECT product_id FROM deposit_type) GROUP BY sale_id),"
        " p AS (SELECT sale_id, SUM(amount_ore) a FROM payment GROUP BY sale_id),"
        " m AS (SELECT sale_id, COUNT(*) n, SUM(delta_milli) d FROM stock_movement"
        " WHERE sale_id IS NOT NULL GROUP BY sale_id),"
        " j AS (SELECT sale_id, SUM(basic_id = 'SALE') sale, SUM(basic_id = 'RETURN') ret"
        " FROM journal WHERE sale_id IS NOT NULL GROUP BY sale_id),"
        " q AS (SELECT sale_id, COUNT(*) n, SUM(status IN ('queued', 'sending', 'printed')) ok"
        " FROM print_job WHERE sale_id IS NOT NULL GROUP BY sale_id)"
        " SELECT s.id, s.kind FROM sale s LEFT JOIN l ON l.sale_id = s.id"
        " LEFT JOIN p ON p.sale_id = s.id LEFT JOIN m ON m.sale_id = s.id"
        " LEFT JOIN j ON j.sale_id = s.id LEFT JOIN q ON q.sale_id = s.id WHERE "
    )
    none_of("sales without lines", per_sale + "l.n IS NULL")
    none_of(
        "payments not summing to total + rounding",
        per_sale + "p.a IS NULL OR p.a != s.total_ore + s.rounding_ore",
    )
    none_of("stock movements not matching the lines", per_sale + "m.n IS NOT l.n OR m.d != -l.q")
    none_of(
        "sales without exactly one SALE/RETURN journal row",
        per_sale + "(CASE s.kind WHEN 'sale' THEN j.sale ELSE j.ret END) IS NOT 1",
    )
    none_of(
        "sales without exactly one print job (queued, sending or printed)",
        per_sale + "q.n IS NOT 1 OR q.ok IS NOT 1",
    )
    none_of(
        "receipt numbers with gaps",
        "SELECT COUNT(*), MAX(receipt_nr) FROM sale"
        " HAVING COUNT(*) != COALESCE(MAX(receipt_nr), 0)",
    )
    none_of(
        "more than one open basket",
        "SELECT COUNT(*) FROM basket WHERE status = 'open' HAVING COUNT(*) > 1",
    )
    none_of(
        "Z reports not numbered 1, 2, 3 … or not one per business day, in order",
        "SELECT COUNT(*), MAX(z_nr), COUNT(DISTINCT business_date) FROM z_report"
        " HAVING COUNT(*) != MAX(z_nr) OR COUNT(DISTINCT business_date) != COUNT(*)",
    )
    none_of(
        "a Z report's day or last sale before the one it follows",
        "SELECT b.z_nr FROM z_report a JOIN z_report b ON b.z_nr = a.z_nr + 1"
        " WHERE b.business_date <= a.business_date OR b.last_sale_id < a.last_sale_id",
    )
    none_of(
        "Z reports without exactly one ZREPORT journal row",
        "SELECT (SELECT COUNT(*) FROM z_report),"
        " (SELECT COUNT(*) FROM journal WHERE basic_id = 'ZREPORT')"
        " WHERE (SELECT COUNT(*) FROM z_report)"
        " != (SELECT COUNT(*) FROM journal WHERE basic_id = 'ZREPORT')",
    )
    none_of(
        "stock on hand not the sum of its movements",
        "WITH m AS (SELECT product_id, SUM(delta_milli) d FROM stock_movement GROUP BY product_id)"
        " SELECT p.id, s.on_hand_milli, m.d FROM product p"
        " LEFT JOIN product_stock s ON s.product_id = p.id LEFT JOIN m ON m.product_id = p.id"
        " WHERE COALESCE(s.on_hand_milli, 0) != COALESCE(m.d, 0)",
    )
    # Opening stock − sold + returned, from the sale lines (not the movements) of each product.
    moved = dict(
        query(
            database,
            "SELECT product_id, SUM(qty_milli) FROM sale_line"
            " WHERE product_id NOT IN (SELECT product_id FROM deposit_type) GROUP BY product_id",
        )
    )
    now = on_hand(database)
    for product_id, net_sold in moved.items():
        expected = opening.get(int(product_id), 0) - int(net_sold)  # type: ignore[call-overload]
        assert now.get(int(product_id), 0) == expected, (  # type: ignore[call-overload]
            f"after kill {tally.kills}: stock of product {product_id}"
        )
    assert Journal(till.db, till.config.register_id, till.clock).verify() is None
    assert verify_chain(chain_rows(till.db, till.config.register_id), public_key) is None
    tally.checks += 1


def test_sigkill_at_random_moments_never_breaks_the_database(shop: Till, tmp_path: Path) -> None:
    till = shop
    config_path = tmp_path / "kassa.toml"
    database = till.config.database
    codes = selling_codes(till)
    public_key_file = till.config.signing.public_key_file
    assert public_key_file is not None
    public_key = public_key_file.read_bytes()
    opening = on_hand(database)
    rng = random.Random(SEED)
    tally = Tally()
    started = time.monotonic()
    while tally.kills < KILLS:
        child = Child(config_path, codes, rng.randrange(2**32), tmp_path / "child.log")
        tally.children += 1
        try:
            # Let it reach "ready" and up to a few commits, then cut the power 0–300 ms later.
            child.wait_for_lines(rng.randint(1, 3))
            time.sleep(rng.uniform(0.0, 0.3))
        finally:
            child.kill()
        tally.kills += 1
        FIGURES.kills["selling loop"] += 1
        where = child.where_killed()
        if where == "mid-transaction":
            tally.mid_transaction += 1
            FIGURES.mid_transaction["selling loop"] += 1
        elif where == "in commit":
            tally.in_commit += 1
        for text in child.steps():
            kind, _, nr = text.partition(" ")
            if kind in ("sale", "return"):
                tally.reported[int(nr)] = kind
            elif kind == "line":
                tally.lines += 1
            elif kind == "z":
                tally.z_reported = max(tally.z_reported, int(nr))
        assert_whole(till, public_key, opening, tally)
        # The till under test ran with the durability it claims, read from its live connection.
        pragmas = child.pragmas()
        assert pragmas == PRAGMAS_UNDER_TEST, f"child {tally.children} ran with {pragmas}"
    elapsed = time.monotonic() - started

    sales = query(database, "SELECT kind, COUNT(*) FROM sale GROUP BY kind")
    counts = {str(k): int(n) for k, n in sales}  # type: ignore[call-overload]
    zs = query(database, "SELECT COUNT(*) FROM z_report")[0][0]
    summary = (
        f"power loss: {tally.kills} kills survived, {counts.get('sale', 0)} sales and"
        f" {counts.get('return', 0)} returns completed, {zs} Z reports taken,"
        f" {len(tally.reported)} reported by the children, {tally.mid_transaction} kills"
        f" mid-transaction (after BEGIN IMMEDIATE, before COMMIT) and {tally.in_commit} during"
        f" COMMIT, data lost {tally.lost}, {tally.checks} full checks, {elapsed:.1f} s"
    )
    print(summary)
    assert tally.kills >= KILLS and tally.checks == tally.kills
    # The kills really cut transactions in the middle: otherwise the test proves nothing about
    # a half-written sale.
    assert tally.mid_transaction > 0, summary
    # The loop really sold: a run that only ever started and died would prove nothing.
    assert counts.get("sale", 0) >= KILLS // 2, summary
    assert counts.get("return", 0) > 0, summary
    assert zs, summary


def test_a_full_disk_leaves_the_basket_as_it_was(shop: Till) -> None:
    till = shop
    cashier = till.users.sign_in("1", "1111")
    for code in selling_codes(till)[:3]:
        till.baskets.add(cashier, code)
    before = till.baskets.current()

    def counts() -> tuple[object, ...]:
        return tuple(
            till.db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in (
                "sale",
                "sale_line",
                "payment",
                "stock_movement",
                "print_job",
                "journal",
                "basket_payment",
            )
        )

    written = counts()
    FIGURES.faults["disk full"] += 1
    # No free pages left in the file: the sale's rows need new ones, as on a full disk.
    till.db.execute_sql("VACUUM")
    assert till.db.execute_sql("PRAGMA freelist_count").fetchone()[0] == 0
    pages = int(till.db.execute_sql("PRAGMA page_count").fetchone()[0])
    till.db.execute_sql(f"PRAGMA max_page_count = {pages}")
    # The service lets SQLite's "database or disk is full" through after rolling back; the
    # screen's guard turns it into the disk-full message (tests/app/test_sale_flow.py).
    with pytest.raises((peewee.OperationalError, Refused)) as failed:
        till.sales.pay_card(cashier)
    kept = till.baskets.current() == before
    FIGURES.lost["disk full"] += 0 if kept else 1  # recorded before any assert can stop the test
    print(f"disk full while completing a sale: {type(failed.value).__name__}: {failed.value}")
    assert isinstance(failed.value, Refused) or "full" in str(failed.value)
    assert kept, (till.baskets.current(), before)
    assert counts() == written
    assert Journal(till.db, till.config.register_id, till.clock).verify() is None

    till.db.execute_sql("PRAGMA max_page_count = 1073741823")
    done = till.sales.pay_card(cashier).completed
    assert done is not None and done.receipt_nr == 1 and done.total == before.priced.total
    assert till.baskets.current().uuid is None
    jobs = till.db.execute_sql("SELECT COUNT(*) FROM print_job WHERE sale_id = ?", (done.sale_id,))
    assert jobs.fetchone()[0] == 1
    assert Journal(till.db, till.config.register_id, till.clock).verify() is None
