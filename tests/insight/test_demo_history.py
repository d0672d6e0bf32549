"""`kassa init --demo --history DAYS`: a past sold through the till's own services, so every
insight tab has something to show on a fresh install (issue 16).

What an owner and an auditor would check: sales on the open days only (never on a Sunday),
every open day closed by its Z, the journal and signatures intact, today left open, the
together tab's taco pair, and 30 days made in well under 30 s.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.config import load
from kassa_tui.core.clock import Clock, business_date
from kassa_tui.insight.pairs import find_product, together, window
from kassa_tui.people import users
from kassa_tui.store.database import connect
from tests.shop import write_config

TECH = "9\n9999\n"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def kassa(config: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], input=input)
    return result.exit_code, result.output


def test_thirty_days_of_history_sold_by_the_till(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    started = time.perf_counter()
    code, out = kassa(config, "init", "--demo", "--history", "30")
    took = time.perf_counter() - started
    assert code == 0, out
    assert took < 40, took  # about 9 s on this machine; room for a busy CI
    assert "Demo history: 30 days" in out and "each day closed with a Z" in out
    today = date.fromisoformat(business_date(Clock().now()))
    database = connect(load(config).database)
    try:
        days = [
            date.fromisoformat(d)
            for (d,) in database.execute_sql(
                "SELECT DISTINCT local_date FROM sale ORDER BY 1"
            ).fetchall()
        ]
        assert days[0] >= today - timedelta(days=30) and days[-1] < today
        assert len(days) >= 20 and all(d.weekday() != 6 for d in days)  # closed on Sundays
        zs = [d for (d,) in database.execute_sql("SELECT business_date FROM z_report").fetchall()]
        assert sorted(date.fromisoformat(z) for z in zs) == days  # each open day its Z
        receipts = database.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0]
        assert receipts > 1500
        first, last = window(today.isoformat(), 90)
        taco = find_product(database, "5054")  # Santa Maria Taco Shells
        assert taco is not None
        partners = together(database, first, last, product_id=taco.id, min_count=5)
        names = [p.b.name for p in partners.pairs[:4]]
        assert any("Taco" in n or "Kjøttdeig" in n or "Rømme" in n for n in names), names
        assert partners.pairs[0].lift > 5
        # goods arrived twice a week with a cost: no shelf below zero, margins known
        negative, costed = database.execute_sql(
            "SELECT (SELECT COUNT(*) FROM product_stock WHERE on_hand_milli < 0),"
            " (SELECT COUNT(*) FROM product WHERE cost_ore IS NOT NULL)"
        ).fetchone()
        deliveries = [
            date.fromisoformat(d)
            for (d,) in database.execute_sql("SELECT local_date FROM delivery").fetchall()
        ]
        assert negative == 0 and costed > 300
        assert len(deliveries) >= 6 and {d.weekday() for d in deliveries} == {0, 3}
        # members come back: some receipts are theirs, some joined at the till
        members, linked = database.execute_sql(
            "SELECT (SELECT COUNT(*) FROM member),"
            " (SELECT COUNT(DISTINCT member_id) FROM member_sale)"
        ).fetchone()
        member_receipts = database.execute_sql("SELECT COUNT(*) FROM member_sale").fetchone()[0]
        assert members > 2 and linked > 2 and 0.05 < member_receipts / receipts < 0.25
    finally:
        database.close()
    code, out = kassa(config, "journal", "verify", input=TECH)
    assert code == 0, out
    code, out = kassa(config, "init", "--history", "3")
    assert code != 0


def test_history_needs_the_demo(tmp_path: Path) -> None:
    config = write_config(tmp_path, language='"en"')
    code, out = kassa(config, "init", "--technician", "Tor", "--history", "3", input="9999\n")
    assert code == 2 and "--history needs --demo" in out
