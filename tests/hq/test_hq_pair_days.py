"""`kassa hq report pairs` from day totals (kassa_tui/hq/sql/0017_pair_days.sql, issue 16): on
generated sales of three shops over three weeks — baskets of one to six lines from a dozen
codes, a code scanned twice, names that change, training receipts, returns, pant and gift card
lines, a line taken back (negative quantity) — every figure of the report (baskets, each pair's
count, the baskets holding each side, confidence, lift, their order) equals what the baskets
themselves give (read_baskets, the way before) for every shop and one, over several periods,
with and without --min-count and --product; also for a sale a till pushes late, for a day
already rolled up, and for sales HQ held before the migration.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from kassa_tui.cli.hq_pairs import together
from kassa_tui.hq import migrations
from kassa_tui.hq.pairs import read_baskets, read_pairs

FIRST = date(2026, 3, 1)
DAYS = 21
SHOPS = ("SHOP1", "SHOP2", "SHOP3")
CODES = [f"70380100{i:05d}" for i in range(12)] + ["42", "7"]  # two PLUs among the barcodes


class Chain:
    """Sales written as ingest derives them (entry, sale, sale_line), two tills a shop."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.seq: dict[str, int] = {}
        for shop in SHOPS:
            conn.execute("INSERT INTO shop (shop_id, name) VALUES (%s, %s)", (shop, shop))
            for till in (1, 2):
                register = f"{shop}-K{till}"
                conn.execute(
                    "INSERT INTO register (register_id, shop_id, role) VALUES (%s, %s, %s)",
                    (register, shop, f"r_{register.lower().replace('-', '_')}"),
                )
                self.seq[register] = 0

    def sale(
        self,
        register: str,
        day: date,
        lines: list[tuple[str, str, int]],
        kind: str = "sale",
        training: bool = False,
    ) -> None:
        """One transaction of (code, group, qty_milli) lines; the register's last_seq moved."""
        seq = self.seq[register] = self.seq[register] + 1
        shop = register.split("-")[0]
        utc = f"{day}T10:00:00.000000Z"
        self.conn.execute(
            "INSERT INTO entry (register_id, seq, uuid, event_code, basic_id, utc, local_date,"
            " local_time, text, prev_hash, hash, payload)"
            " VALUES (%s, %s, %s, '13999', 'SALE', %s, %s, '11:00:00', '{}', '', '', '')",
            (register, seq, uuid.uuid4(), utc, day.isoformat()),
        )
        self.conn.execute(
            "INSERT INTO sale (register_id, seq, shop_id, receipt_nr, kind, training,"
            " total_ore, vat_ore, completed_utc, local_date, local_time)"
            " VALUES (%s, %s, %s, %s, %s, %s, 0, 0, %s, %s, '11:00:00')",
            (register, seq, shop, seq, kind, training, utc, day.isoformat()),
        )
        for nr, (code, group, qty) in enumerate(lines, 1):
            self.conn.execute(
                "INSERT INTO sale_line (register_id, seq, line_nr, code, name, group_code,"
                " qty_milli, unit_price_ore, discount_ore, amount_ore, vat_bp, vat_ore)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, 100, 0, 100, 2500, 20)",
                (register, seq, nr, code, _name(code, day), group, qty),
            )
        self.conn.execute(
            "UPDATE register SET last_seq = %s WHERE register_id = %s", (seq, register)
        )


def _name(code: str, day: date) -> str:
    """A product renamed half way (the report shows the latest day's name)."""
    return f"Vare {code[-3:]}" + (" ny" if day >= FIRST + timedelta(days=10) else "")


def generate(chain: Chain, first: date, days: int, salt: int) -> None:
    """Deterministic baskets: a shop's codes lean on a few favourites so pairs repeat."""
    for d in range(days):
        day = first + timedelta(days=d)
        for s, shop in enumerate(SHOPS):
            for till in (1, 2):
                for n in range((d * 3 + s * 5 + till + salt) % 7 + 2):
                    k = d * 31 + s * 17 + till * 7 + n * 13 + salt
                    size = k % 6 + 1
                    lines = [(CODES[(k * (i + 3) + i * i * s) % len(CODES)], "20", 1000)
                             for i in range(size)]  # fmt: skip
                    if k % 5 == 0:
                        lines.append((lines[0][0], "20", 2000))  # the same code scanned again
                    if k % 7 == 0:
                        lines.append(("PANT3", "PANT", 1000))
                    if k % 11 == 0:
                        lines.append(("GAVEKORT", "GAVEKORT", 1000))
                    if k % 13 == 0:
                        lines.append((CODES[(k + 5) % len(CODES)], "20", -1000))  # taken back
                    kind = "return" if k % 17 == 0 else "sale"
                    chain.sale(f"{shop}-K{till}", day, lines, kind, training=k % 19 == 0)


@pytest.fixture
def conn(hq_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(hq_dsn, autocommit=True) as c:
        yield c


def _report(chain: Any, product: str | None, min_count: int) -> dict[str, Any]:
    index = None if product is None else chain.index_of(product)
    if product is not None and index is None:
        index = -1
    found = together(chain, product=index, min_count=min_count, limit=None)
    return {
        "baskets": found.baskets,
        "min_count": found.min_count,
        "pairs": [p.as_dict() for p in found.pairs],
    }


PERIODS = [
    (FIRST, FIRST + timedelta(days=DAYS - 1)),  # all of it
    (FIRST + timedelta(days=3), FIRST + timedelta(days=12)),  # across the renaming
    (FIRST + timedelta(days=5), FIRST + timedelta(days=5)),  # one day
    (FIRST - timedelta(days=9), FIRST - timedelta(days=1)),  # before the data: nothing
]


def _same_as_the_baskets(c: psycopg.Connection[Any], periods: list[tuple[date, date]]) -> int:
    """Every period x shop x min_count x product: the day totals' report is the baskets'."""
    compared = 0
    for first, last in periods:
        for shop in (None, "SHOP2"):
            old = read_baskets(c, first, last, shop)
            for min_count in (1, 2, 3):
                new = read_pairs(c, first, last, shop, min_count)
                for product in (None, CODES[0], "42", "PANT3"):
                    mine = _report(new, product, min_count)
                    theirs = _report(old, product, min_count)
                    assert mine == theirs, (first, last, shop, min_count, product)
                    compared += len(theirs["pairs"])
    return compared


def test_the_day_totals_give_the_baskets_figures(conn: psycopg.Connection[Any]) -> None:
    migrations.upgrade(conn)
    chain = Chain(conn)
    generate(chain, FIRST, DAYS, salt=1)
    assert _same_as_the_baskets(conn, PERIODS) > 1000  # something to compare
    every = read_pairs(conn, *PERIODS[0])
    assert every.baskets > 300 and len(every.a) > 50
    # pant, gift cards and a line taken back are no choice of goods
    assert not {"PANT3", "GAVEKORT"} & set(every.codes)
    assert every.names[every.codes.index(CODES[1])] == "Vare 001 ny"  # the latest day's name
    # more sales, rolled up on top of the days already held (some of them the same days)
    generate(chain, FIRST + timedelta(days=DAYS - 3), 6, salt=4)
    periods = [*PERIODS, (FIRST, FIRST + timedelta(days=DAYS + 2))]
    _same_as_the_baskets(conn, periods)


def test_a_sale_pushed_late_for_a_day_already_rolled_up_counts(
    conn: psycopg.Connection[Any],
) -> None:
    migrations.upgrade(conn)
    chain = Chain(conn)
    generate(chain, FIRST, 6, salt=2)
    day = FIRST + timedelta(days=2)
    x, y = CODES[3], CODES[4]

    def pair(found: Any) -> int:
        a, b = sorted((found.codes.index(x), found.codes.index(y)))
        return int(found.n[(found.a == a) & (found.b == b)].sum())

    before = read_pairs(conn, day, day, "SHOP1")  # the day is rolled up now
    # a till that was offline pushes that day's sale five days later, after newer ones
    generate(chain, FIRST + timedelta(days=6), 3, salt=3)
    chain.sale("SHOP1-K2", day, [(x, "20", 1000), (y, "20", 1000), ("PANT3", "PANT", 1000)])
    after = read_pairs(conn, day, day, "SHOP1")
    assert after.baskets == before.baskets + 1
    assert pair(after) == pair(before) + 1
    assert _same_as_the_baskets(conn, [(day, day), (FIRST, FIRST + timedelta(days=8))]) > 0


def test_sales_held_before_the_migration_are_counted(
    conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = migrations.available()
    before = [m for m in everything if m.name not in ("pair_days", "product_keys")]
    monkeypatch.setattr(migrations, "available", lambda: before)
    migrations.upgrade(conn)
    chain = Chain(conn)
    generate(chain, FIRST, 8, salt=5)
    monkeypatch.setattr(migrations, "available", lambda: everything)
    assert {"0017_pair_days", "0020_product_keys"} <= set(migrations.upgrade(conn))
    # filled by 0017 (per code) and 0020 (per product)
    assert conn.execute("SELECT count(*) FROM basket_code_day").fetchone() != (0,)
    assert conn.execute("SELECT count(*) FROM pair_product_day").fetchone() != (0,)
    generate(chain, FIRST + timedelta(days=8), 4, salt=6)
    _same_as_the_baskets(conn, [(FIRST, FIRST + timedelta(days=11))])
