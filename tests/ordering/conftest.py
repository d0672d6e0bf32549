"""A demo till with a steady, hand-countable sales history for the ordering tests.

Three products of a supplier TEST (lead 2 + review 5 days = a 7-day horizon), sold every day
for 70 days up to the day before the till's clock, straight into the tables a sale writes:
STEADY 3 a day (pack 6), BULK 2 a day (pack 6, least order 24), and NEW sold on two days only
(too new for a forecast). Constant demand makes the forecast exact and its error 0, so every
figure of a suggestion can be counted by hand.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.clock import OSLO, utc_text
from kassa_tui.ordering.suppliers import Supplier, add_supplier, set_product_supplier
from kassa_tui.people import users
from tests.shop import SteppingClock, demo_till

#: The till's clock: business day 2026-11-27, so sales run up to 2026-11-26.
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LAST_DAY = date(2026, 11, 26)
DAYS = 70
STEADY, BULK, NEW = "990001", "990002", "990003"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def add_product(till: Till, plu: str, name: str, cost_ore: int | None = 1000) -> int:
    group = till.db.execute_sql("SELECT id FROM product_group WHERE code = '50'").fetchone()[0]
    cur = till.db.execute_sql(
        "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active, cost_ore)"
        " VALUES (?, ?, ?, 1500, 2990, 'stk', 1, ?)",
        (plu, name, group, cost_ore),
    )
    pid = int(cur.lastrowid)
    till.db.execute_sql("INSERT INTO barcode (code, product_id) VALUES (?, ?)", (f"70{plu}0", pid))
    return pid


def sell(till: Till, pid: int, day: date, qty: int) -> None:
    """A sale of `qty` units at noon on `day`, as the sale and its stock movement are stored."""
    local = datetime.combine(day, time(12, 0), OSLO)
    when = utc_text(local.astimezone(UTC))
    receipt = till.db.execute_sql("SELECT COALESCE(MAX(receipt_nr), 0) + 1 FROM sale").fetchone()
    cur = till.db.execute_sql(
        "INSERT INTO sale (register_id, receipt_nr, uuid, basket_uuid, user_id, kind, total_ore,"
        " vat_ore, discount_ore, rounding_ore, change_ore, completed_utc, local_date, local_time,"
        " training) VALUES ('KASSE-1', ?, ?, ?, 1, 'sale', ?, 0, 0, 0, 0, ?, ?, '12:00:00', 0)",
        (receipt[0], str(uuid.uuid4()), str(uuid.uuid4()), 2990 * qty, when, day.isoformat()),
    )
    till.db.execute_sql(
        "INSERT INTO sale_line (sale_id, line_nr, product_id, code, name, group_code, qty_milli,"
        " unit_price_ore, list_price_ore, discount_ore, amount_ore, vat_bp, vat_ore,"
        " price_overridden) VALUES (?, 1, ?, 'x', 'x', '50', ?, 2990, 2990, 0, ?, 1500, 0, 0)",
        (cur.lastrowid, pid, qty * 1000, 2990 * qty),
    )
    till.db.execute_sql(
        "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, sale_id, register_id,"
        " created_utc) VALUES (?, ?, ?, 'sale', ?, 'KASSE-1', ?)",
        (str(uuid.uuid4()), pid, -qty * 1000, cur.lastrowid, when),
    )


def set_stock(till: Till, pid: int, units: int) -> None:
    """A count after the history: the product has `units` on hand."""
    have = till.db.execute_sql(
        "SELECT COALESCE(SUM(delta_milli), 0) FROM stock_movement WHERE product_id = ?", (pid,)
    ).fetchone()[0]
    till.db.execute_sql(
        "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, register_id,"
        " created_utc) VALUES (?, ?, ?, 'count', 'KASSE-1', ?)",
        (str(uuid.uuid4()), pid, units * 1000 - have, utc_text(NOW - timedelta(hours=1))),
    )


@pytest.fixture
def shop(tmp_path: Path) -> Till:
    """The demo till with supplier TEST and its three products (ids in shop.ids)."""
    return steady_shop(demo_till(tmp_path, SteppingClock(NOW), language='"en"'))


def steady_shop(till: Till) -> Till:
    """`till` (a demo till on the clock NOW) with supplier TEST, its products and sales."""
    with till.db.atomic():
        supplier = add_supplier(
            till.db, till.journal, None, Supplier(0, "TEST", "Testgrossisten AS", 2, 5)
        )
        ids = {
            STEADY: add_product(till, STEADY, "Steady 1 l"),
            BULK: add_product(till, BULK, "Bulk 500 g", cost_ore=None),
            NEW: add_product(till, NEW, "Brand new 200 g"),
        }
        for code, pack, least in ((STEADY, 6, 0), (BULK, 6, 24), (NEW, 6, 0)):
            set_product_supplier(
                till.db, till.journal, None, ids[code], supplier, pack, least, f"T-{code}"
            )
        for i in range(DAYS):
            day = LAST_DAY - timedelta(days=i)
            sell(till, ids[STEADY], day, 3)
            sell(till, ids[BULK], day, 2)
        sell(till, ids[NEW], LAST_DAY, 1)
        sell(till, ids[NEW], LAST_DAY - timedelta(days=1), 1)
        set_stock(till, ids[STEADY], 5)
        set_stock(till, ids[BULK], 13)
        set_stock(till, ids[NEW], 0)
    till.ids = ids  # type: ignore[attr-defined]
    return till
