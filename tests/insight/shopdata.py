"""A shop's history written into a real till database, as selling.sales writes it.

Products with a weekday rhythm (Saturday busiest), a trend, noise; slow movers that sell now and
then; lumpy ones (a big order now and then); promotion weeks no forecast can know; Sundays and
a few holidays closed; one product out of stock for ten days (its stock movements say so); a
few returns and training sales, which must not count. Rows go straight in with SQL that mirrors
the sale, sale_line and stock_movement rows a sale writes (the services would take minutes for
half a year); the database is the one `kassa init --demo` makes.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from kassa_tui.core.clock import OSLO, Instant, business_date, utc_text

#: Monday..Saturday relative demand; Sunday closed.
WEEKDAY = np.array([0.8, 0.85, 0.9, 1.0, 1.25, 1.6, 0.0])
#: Days (counted from the first) the shop is closed besides Sundays: holidays.
HOLIDAYS = (61, 74, 78, 86)
STOCKOUT_PRODUCT = 0  # the index of the product out of stock for 10 days
STOCKOUT_DAYS = 10


@dataclass
class Shop:
    days: list[str]
    closed: set[str]
    product_ids: list[int]
    codes: list[str]
    #: (product index, business day) -> units sold, returns netted, no training
    sold: dict[tuple[int, str], float] = field(default_factory=dict)
    stockout: tuple[str, str] = ("", "")  # first and last business day out of stock
    config_path: str = ""  # the shop's kassa.toml (set by the fixture)


def _demand(rng: np.random.Generator, n_days: int, weekday: np.ndarray) -> np.ndarray:
    """(products, days) units sold: the truth of the generated shop."""
    rows = []
    season = WEEKDAY[weekday]
    t = np.arange(n_days) / n_days
    # Fast movers: smooth and erratic.
    for i in range(120):
        mean = rng.uniform(2, 30)
        trend = 1 + rng.uniform(-0.3, 0.4) * t
        rate = mean * trend * (season * rng.uniform(0.85, 1.15, 7)[weekday])
        if i % 6 == 0:  # a promotion week: three times the demand
            start = rng.integers(20, n_days - 10)
            rate[start : start + 7] *= 3
        shape = rng.choice([50.0, 3.0])  # Poisson-like or overdispersed (erratic)
        rows.append(rng.poisson(rng.gamma(shape, rate / shape)))
    # Slow movers: intermittent.
    for _ in range(140):
        rate = rng.uniform(0.05, 0.6) * season
        rows.append(rng.poisson(rate))
    # Lumpy: a big order now and then.
    for _ in range(40):
        chance = rng.uniform(0.03, 0.2) * season
        size = rng.integers(1, 15, n_days)
        rows.append(np.where(rng.random(n_days) < chance, size, 0))
    return np.array(rows, dtype=np.int64)


def yesterday() -> date:
    """The last whole business day on the system clock (the one `kassa forecast` reads)."""
    return business_date_of(datetime.now(UTC)) - timedelta(days=1)


def business_date_of(moment: datetime) -> date:
    return date.fromisoformat(business_date(Instant(moment)))


def write_history(
    db_path: str, n_days: int = 196, seed: int = 16, last_day: date | None = None
) -> Shop:
    """Write `n_days` business days of sales into the till database, up to `last_day`: by
    default the last Saturday before today, so the weeks fall the same way on every run."""
    rng = np.random.default_rng(seed)
    if last_day is None:
        last_day = yesterday() - timedelta(days=(yesterday().weekday() - 5) % 7)
    first_day = last_day - timedelta(days=n_days - 1)
    days = [first_day + timedelta(days=i) for i in range(n_days)]
    weekday = np.array([d.weekday() for d in days])
    truth = _demand(rng, n_days, weekday)
    closed = np.array([d.weekday() == 6 or i in HOLIDAYS for i, d in enumerate(days)])
    truth[:, closed] = 0
    out_from = n_days - 60
    truth[STOCKOUT_PRODUCT, out_from : out_from + STOCKOUT_DAYS] = 0

    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous = OFF")
    group_id, group_code = conn.execute("SELECT id, code FROM product_group LIMIT 1").fetchone()
    user_id = conn.execute("SELECT id FROM user ORDER BY id LIMIT 1").fetchone()[0]
    n_products = truth.shape[0]
    prices = rng.integers(1000, 20000, n_products) // 10 * 10
    ids = []
    codes = []
    for i in range(n_products):
        code = f"9{i:05d}"
        cur = conn.execute(
            "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active) "
            "VALUES (?, ?, ?, 2500, ?, 'stk', 1)",
            (code, f"Vare {i}", group_id, int(prices[i])),
        )
        ids.append(int(cur.lastrowid or 0))
        codes.append(code)
    shop = Shop(
        [d.isoformat() for d in days],
        {d.isoformat() for d, c in zip(days, closed, strict=True) if c},
        ids,
        codes,
    )
    shop.stockout = (days[out_from].isoformat(), days[out_from + STOCKOUT_DAYS - 1].isoformat())

    receipt = conn.execute("SELECT COALESCE(MAX(receipt_nr), 0) FROM sale").fetchone()[0]

    def moment(day: date, hour: int, minute: int) -> tuple[str, str, str]:
        local = datetime.combine(day, time(hour, minute), OSLO)
        return utc_text(local.astimezone(UTC)), local.date().isoformat(), local.strftime("%H:%M:%S")

    def sale(
        day: date, hour: int, lines: list[tuple[int, int]], kind: str = "sale", training: int = 0
    ) -> None:
        nonlocal receipt
        receipt += 1
        when, local_date, local_time = moment(day, hour, int(rng.integers(0, 60)))
        amounts = [int(prices[i]) * q for i, q in lines]
        total = sum(amounts)
        vat = total // 5
        cur = conn.execute(
            "INSERT INTO sale (register_id, receipt_nr, uuid, basket_uuid, user_id, kind, "
            "total_ore, vat_ore, discount_ore, rounding_ore, change_ore, completed_utc, "
            "local_date, local_time, training) VALUES ('KASSE-1', ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, "
            "?, ?, ?, ?)",
            (
                receipt,
                str(uuid.uuid4()),
                str(uuid.uuid4()),
                user_id,
                kind,
                total,
                vat,
                when,
                local_date,
                local_time,
                training,
            ),
        )
        sale_id = cur.lastrowid
        conn.executemany(
            "INSERT INTO sale_line (sale_id, line_nr, product_id, code, name, group_code, "
            "qty_milli, unit_price_ore, list_price_ore, discount_ore, amount_ore, vat_bp, "
            "vat_ore, price_overridden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 2500, ?, 0)",
            [
                (
                    sale_id,
                    nr + 1,
                    ids[i],
                    codes[i],
                    f"Vare {i}",
                    group_code,
                    q * 1000,
                    int(prices[i]),
                    int(prices[i]),
                    amount,
                    amount // 5,
                )
                for nr, ((i, q), amount) in enumerate(zip(lines, amounts, strict=True))
            ],
        )
        if not training:
            conn.executemany(
                "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, sale_id, "
                "register_id, created_utc) VALUES (?, ?, ?, ?, ?, 'KASSE-1', ?)",
                [(str(uuid.uuid4()), ids[i], -q * 1000, kind, sale_id, when) for i, q in lines],
            )
            for i, q in lines:
                key = (i, day.isoformat())
                shop.sold[key] = shop.sold.get(key, 0) + q

    # The stock-out product's stock is kept: what it opens with runs out on the day before
    # its stock-out, and a delivery ends it.
    before = int(truth[STOCKOUT_PRODUCT, :out_from].sum())
    first_moment = moment(days[0], 7, 0)[0]
    conn.execute(
        "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, register_id, "
        "created_utc) VALUES (?, ?, ?, 'opening', 'KASSE-1', ?)",
        (str(uuid.uuid4()), ids[STOCKOUT_PRODUCT], before * 1000, first_moment),
    )
    conn.execute(
        "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, register_id, "
        "created_utc) VALUES (?, ?, ?, 'delivery', 'KASSE-1', ?)",
        (
            str(uuid.uuid4()),
            ids[STOCKOUT_PRODUCT],
            100_000,
            moment(days[out_from + STOCKOUT_DAYS], 7, 0)[0],
        ),
    )

    for d_i, day in enumerate(days):
        if closed[d_i]:
            continue
        sold = np.flatnonzero(truth[:, d_i])
        for start in range(0, len(sold), 12):
            chunk = sold[start : start + 12]
            sale(day, 9 + (start // 12) % 11, [(int(i), int(truth[i, d_i])) for i in chunk])
        others = sold[sold != STOCKOUT_PRODUCT]
        if d_i % 9 == 4 and len(others):  # a return: one of the day's units back
            sale(day, 20, [(int(others[0]), -1)], kind="return")
        if d_i % 11 == 3 and len(sold):  # a training sale: not demand
            sale(day, 12, [(int(sold[-1]), 50)], training=1)
    conn.commit()
    conn.close()
    return shop
