"""Opening stock reaches HQ (issue 15): the levels a till starts from, journaled per product.

The demo shop's shelf and `kassa import stock`'s levels are journaled as OPENINGSTOCK rows whose
`moves` carry each product's delta (kassa_tui.stock.opening), like a delivery's. A till with the
demo's stock, an import, sales and a delivery pushes to a real PostgreSQL, and `kassa hq report
stock` has, per product, exactly the till's own level.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import psycopg
import pytest

from kassa_tui.core.clock import Clock
from kassa_tui.hq.report import report
from kassa_tui.stock.importing import STOCK_COLUMNS, import_stock, read_table
from kassa_tui.stock.moves import stock_code
from kassa_tui.sync import link, push
from tests.unit.conftest import ROMME, TOOTHPASTE, SteeredTime, print_waiting

from .pushing import Hq, make_hq, make_till

DAY = date(2026, 11, 27)  # SteeredTime's day (Oslo)


@pytest.fixture
def hq(hq_dsn: str) -> Hq:
    return make_hq(hq_dsn)


def test_hq_stock_equals_the_tills_levels_with_opening_import_sales_and_delivery(
    hq: Hq, tmp_path: Path
) -> None:
    till = make_till(tmp_path / "till", Clock(source=SteeredTime()), "KASSE-A")
    settings = hq.add("KASSE-A", "OSLO1", tmp_path / "till")
    romme = till.catalog.by_barcode(ROMME)
    paste = till.catalog.by_barcode(TOOTHPASTE)
    assert stock_code(till.db, romme.id) == ROMME  # sales are keyed by the code scanned
    # the demo's shelf is journaled per product
    opening = [json.loads(r.text) for r in till.journal.rows() if r.basic_id == "OPENINGSTOCK"]
    assert opening and opening[0]["source"] == "demo"
    demo_moves = {code: delta for row in opening for code, delta, _name in row["moves"]}
    assert len(demo_moves) > 50
    # kassa import stock: rømme to 25, toothpaste to 7, a product with no demo stock to 3
    empty = till.db.execute_sql(
        "SELECT p.plu FROM product p LEFT JOIN product_stock s ON s.product_id = p.id"
        " WHERE p.unit = 'stk' AND p.active AND COALESCE(s.on_hand_milli, 0) = 0"
        " AND p.plu IS NOT NULL ORDER BY p.plu LIMIT 1"
    ).fetchone()[0]
    csv = tmp_path / "lager.csv"
    csv.write_text(f"ean;plu;antall\n{ROMME};;25\n{TOOTHPASTE};;7\n;{empty};3\n", encoding="utf-8")
    table = read_table(csv, STOCK_COLUMNS)
    done = import_stock(till.db, till.journal, table, till.config)
    assert done.changed == 3 and not done.rejected
    imported = [json.loads(r.text) for r in till.journal.rows() if r.basic_id == "OPENINGSTOCK"]
    assert imported[-1]["source"] == "import lager.csv"
    assert len(imported[-1]["moves"]) == 3
    # sales and a delivery
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME, qty_milli=3_000)
    till.baskets.add(cashier, TOOTHPASTE)
    till.sales.pay_cash(cashier, "")
    print_waiting(till)
    lead = till.users.sign_in("2", "2222")
    till.stock.receive(lead, [(paste.id, 12_000, 1500)], "Colgate 17")
    result = push.push(till.db, "KASSE-A", till.clock, lambda: link.connect(settings))
    assert result.status == "ok", result.message
    levels = {
        stock_code(till.db, int(pid)): int(level)
        for pid, level in till.db.execute_sql(
            "SELECT product_id, on_hand_milli FROM product_stock WHERE on_hand_milli <> 0"
        ).fetchall()
    }
    till.db.close()
    assert levels[ROMME] == 22_000 and levels[TOOTHPASTE] == 18_000
    with psycopg.connect(hq.dsn, autocommit=True) as conn:
        rows = report(conn, "stock", DAY, DAY, shop="OSLO1").as_json()
    at_hq = {r["code"]: r["level_milli"] for r in rows if r["level_milli"] != 0}
    assert at_hq == levels  # every product: HQ's ledger sums to the till's own level
