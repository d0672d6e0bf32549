#!/usr/bin/env python3
"""A year of sales on the benchmark shop, made by kassa's own services on a steered clock.

    python bench/year_of_sales.py --config SHOP/kassa.toml --days 365 --lines 1000000 \
        --busy 3000 --stats stats.json

Every receipt goes through the till's services, as at the counter: `till.baskets.add()` per
line, `till.sales.pay_card()` or `pay_cash()`, the receipt (and the drawer kick of a cash sale)
taken by a printer that accepts everything (`mark_sending` / `mark_printed`, as the spooler does),
now and then a copy receipt. Each closed day has an opening float, a cash count and a Z report
(`till.reports.z_report()`). So the data is real: signature chain, hash-chained journal, stock
movements, print jobs, Z reports. The last day is the busy day, left open (no Z).

What makes it fast is only this process's connection: `PRAGMA synchronous = OFF`, a bigger page
cache, and several receipts in one outer transaction (the services' own transactions become
savepoints inside it). No ANALYZE is run, so the database the benchmark measures has exactly
kassa's own schema and query plans. kassa's code is not changed. (Before schema v5 this needed
two helper indexes, or every scan read every basket ever sold: the benchmark found that.) The clock
is steered like the tests steer it: it stands still until moved, so every row carries the day
and hour it would have had.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

#: The open, busy day; the closed days are the `days` days before it. A fixed date, so a cached
#: database is the same whenever it was made (and before the machine's clock, which the
#: benchmark's own sales then follow).
BUSY_DAY = date(2026, 10, 30)
LINES_PER_RECEIPT = (1, 9)  # uniform: 5 on average
CASH_SHARE = 0.35
COPY_EVERY = 250  # about one receipt in this many gets its copy
BATCH = 50  # receipts per outer transaction
OPENS, CLOSES = 9, 21  # Oslo hours of a normal day; the busy day runs 08–22
FLOAT_ORE = 200_000
NOTES = (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100)
#: Raise when what the generator makes changes: a cached --year-db of another version is remade.
VERSION = 1


@dataclass(frozen=True)
class Plan:
    """What a generated year is made of: the cache key of a `--year-db`."""

    products: int
    seed: int
    days: int
    lines: int
    busy: int
    busy_day: str = BUSY_DAY.isoformat()
    version: int = VERSION

    @property
    def receipts(self) -> int:
        return max(self.days, round(self.lines / 5))


class SteeredTime:
    """The till's clock source: stands still until moved (as in tests/unit/conftest.py)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def at_least(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


def eligible_codes(database: Any, classify: Callable[[str], Any]) -> list[str]:
    """Barcodes a scanner could add with no quantity first: active, sold per piece, plain EAN."""
    from kassa_tui.core.errors import Refused

    rows = database.execute_sql(
        "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id"
        " WHERE p.active = 1 AND p.unit = 'stk' ORDER BY b.code"
    ).fetchall()
    codes = []
    for (code,) in rows:
        try:
            if classify(code).kind == "ean":
                codes.append(code)
        except Refused:  # a code kassa refuses is simply not scanned
            continue
    return codes


def day_sizes(plan: Plan, rng: random.Random) -> list[int]:
    """Receipts per closed day: ±40 % around the mean, Saturdays busier, summing to the plan."""
    start = BUSY_DAY - timedelta(days=plan.days)
    weights = []
    for i in range(plan.days):
        day = start + timedelta(days=i)
        weights.append(rng.uniform(0.6, 1.4) * (1.5 if day.weekday() == 5 else 1.0))
    scale = plan.receipts / sum(weights)
    sizes = [max(1, round(w * scale)) for w in weights]
    sizes[-1] = max(1, sizes[-1] + plan.receipts - sum(sizes))
    return sizes


def cash_pieces(amount_ore: int) -> dict[int, int]:
    """An amount as notes and coins, largest first (for the count at day close)."""
    pieces = {}
    for value in NOTES:
        pieces[value], amount_ore = divmod(amount_ore, value)
    return pieces


class Generator:
    def __init__(
        self, config_path: Path, plan: Plan, log: Callable[[str], None], first_day: date
    ) -> None:
        from kassa_tui.composition import open_till
        from kassa_tui.config import load
        from kassa_tui.core.clock import OSLO, Clock

        self.plan = plan
        self.log = log
        self.oslo = OSLO
        self.time = SteeredTime(self.at(first_day, OPENS - 1))
        self.till = open_till(load(config_path), clock=Clock(source=self.time))
        db = self.till.db
        db.execute_sql("PRAGMA synchronous = OFF")  # this connection only: generation speed
        db.execute_sql("PRAGMA cache_size = -262144")  # 256 MB
        self.cashier = self.till.users.sign_in("1", "1111")
        self.lead = self.till.users.sign_in("2", "2222")
        self.codes = eligible_codes(db, self.till.baskets.classify)
        self.rng = random.Random(plan.seed)
        self.receipts = 0
        self.lines = 0
        self.copies = 0
        self.zs = 0
        self.last_receipt_nr = 0

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.oslo).astimezone(
            UTC
        )

    def print_all(self) -> None:
        """A printer that takes every job: the spooler's bookkeeping, without the bytes."""
        queue = self.till.print_queue
        for job in queue.pending():
            if queue.mark_sending(job):
                queue.mark_printed(job)
                if job.kick_drawer:
                    self.till.drawer.kicked()

    def receipt(self) -> None:
        till, rng = self.till, self.rng
        for code in rng.sample(self.codes, rng.randint(*LINES_PER_RECEIPT)):
            till.baskets.add(self.cashier, code)
            self.lines += 1
            self.time.advance(rng.uniform(1.0, 4.0))
        self.time.advance(rng.uniform(3.0, 10.0))
        if rng.random() < CASH_SHARE:
            done = till.sales.pay_cash(self.cashier)
        else:
            done = till.sales.pay_card(self.cashier)
        if done.completed is None:
            raise SystemExit("year_of_sales: a payment left the sale open")
        self.last_receipt_nr = done.completed.receipt_nr
        self.print_all()
        self.receipts += 1
        if rng.randrange(COPY_EVERY) == 0:
            self.time.advance(20)
            till.receipts.copy(self.cashier, self.last_receipt_nr)
            self.print_all()
            self.copies += 1

    def day(self, day: date, receipts: int, opens: int, closes: int, *, close: bool) -> None:
        till = self.till
        self.time.at_least(self.at(day, opens))
        till.cash.opening_float(self.lead, FLOAT_ORE)
        self.print_all()
        start = self.at(day, opens, 5)
        gap = (closes - opens) * 3600 / receipts
        for first in range(0, receipts, BATCH):
            with till.db.atomic("IMMEDIATE"):  # the services' transactions become savepoints
                for i in range(first, min(first + BATCH, receipts)):
                    self.time.at_least(start + timedelta(seconds=i * gap))
                    self.receipt()
        if not close:
            return
        self.time.at_least(self.at(day, closes, 30))
        till.cash.count(self.lead, cash_pieces(till.cash.expected_cash()))
        self.time.advance(60)
        till.reports.z_report(self.lead, not_counted=True)
        self.print_all()
        self.zs += 1

    def close(self) -> None:
        """Checkpoint: one file."""
        db = self.till.db
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()

    def run(self) -> dict[str, Any]:
        plan = self.plan
        sizes = day_sizes(plan, random.Random(plan.seed + 7))
        first = BUSY_DAY - timedelta(days=plan.days)
        started = time.perf_counter()
        for i, receipts in enumerate(sizes):
            self.day(first + timedelta(days=i), receipts, OPENS, CLOSES, close=True)
            if (i + 1) % 10 == 0 or i + 1 == len(sizes):
                elapsed = time.perf_counter() - started
                self.log(
                    f"  day {i + 1}/{plan.days}: {self.receipts} receipts, {self.lines} lines,"
                    f" {elapsed:.0f} s ({self.receipts / elapsed:.0f} receipts/s)"
                )
        year_s = time.perf_counter() - started
        before = (self.receipts, self.lines)
        busy_started = time.perf_counter()
        self.day(BUSY_DAY, plan.busy, OPENS - 1, CLOSES + 1, close=False)
        busy_s = time.perf_counter() - busy_started
        db = self.till.db
        counts = {
            table: int(db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in ("sale", "sale_line", "journal", "stock_movement", "print_job")
        }
        self.close()
        return {
            "plan": asdict(plan),
            "closed_days": len(sizes),
            "receipts": before[0],
            "lines": before[1],
            "busy_receipts": self.receipts - before[0],
            "busy_lines": self.lines - before[1],
            "copies": self.copies,
            "z_reports": self.zs,
            "year_s": year_s,
            "busy_s": busy_s,
            "rows": counts,
            "last_closed_day": (BUSY_DAY - timedelta(days=1)).isoformat(),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True, help="the shop's kassa.toml")
    parser.add_argument("--products", type=int, required=True, help="catalog size (cache key)")
    parser.add_argument("--days", type=int, default=365, help="closed days, each with a Z")
    parser.add_argument("--lines", type=int, default=1_000_000, help="sale lines in those days")
    parser.add_argument("--busy", type=int, default=3000, help="receipts on the open busy day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", type=Path, required=True, help="write the counts here (JSON)")
    args = parser.parse_args(argv)
    plan = Plan(args.products, args.seed, args.days, args.lines, args.busy)
    first = BUSY_DAY - timedelta(days=plan.days)
    stats = Generator(args.config, plan, lambda text: print(text, flush=True), first).run()
    args.stats.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
