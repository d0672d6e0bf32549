"""Forecasts and figures from the old system's history (`kassa import sales`), issue 16.

What the owner checks on a till that has just moved to kassa: `kassa forecast` gives forecasts
(not «order by hand») from 120 days of imported history and no sale of its own, the backtest
runs on it, and the insight screen's Sales and Products figures show the history's revenue,
units and trend. What the auditor checks: a day that has both history and kassa's own sales is
counted once, as kassa sold it (the history never doubles a day); the history stays out of X,
Z and SAF-T (tests/insight/test_sales_history.py).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import open_till
from kassa_tui.config import load
from kassa_tui.core.clock import Instant
from kassa_tui.insight.demand import daily_demand
from kassa_tui.insight.figures import sales_figures
from kassa_tui.insight.product_table import product_figures
from kassa_tui.people import users
from kassa_tui.store.database import connect
from tests.insight.shopdata import WEEKDAY, business_date_of
from tests.shop import SteppingClock, demo_till, write_config

LEAD = "2\n2222\n"
N_DAYS = 120
N_PRODUCTS = 12
ROMME = "7020164760728"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def today() -> date:
    """Today's business day on the system clock (the one the CLI runs on)."""
    return business_date_of(datetime.now(UTC))


def kassa(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], input=LEAD)
    return result.exit_code, result.output


def history_csv(folder: Path, plus: list[str], last: date, name: str = "gammel.csv") -> Path:
    """N_DAYS of the old system's sales up to `last`: a weekday rhythm, Sundays closed."""
    rng = np.random.default_rng(16)
    lines = ["Dato;Varekode;Antall;Beløp"]
    for k, plu in enumerate(plus):
        mean = 2 + 2 * k
        for i in range(N_DAYS):
            day = last - timedelta(days=N_DAYS - 1 - i)
            units = int(rng.poisson(mean * WEEKDAY[day.weekday()]))
            if units:
                lines.append(f"{day.strftime('%d.%m.%Y')};{plu};{units};{units * 10},00")
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def moved(tmp_path: Path) -> tuple[Path, list[str]]:
    """A demo till with no sale of its own and N_DAYS of history up to yesterday imported."""
    till = demo_till(tmp_path, language='"en"')
    plus = [
        str(plu)
        for (plu,) in till.db.execute_sql(
            "SELECT plu FROM product WHERE plu IS NOT NULL AND unit = 'stk' ORDER BY plu LIMIT ?",
            (N_PRODUCTS,),
        )
    ]
    till.db.close()
    config = tmp_path / "kassa.toml"
    path = history_csv(tmp_path, plus, today() - timedelta(days=1))
    code, out = kassa(config, "import", "sales", str(path))
    assert code == 0 and "Imported" in out, out
    return config, plus


def test_a_till_with_only_history_gets_forecasts(moved: tuple[Path, list[str]]) -> None:
    config, plus = moved
    code, out = kassa(config, "forecast", "--json")
    assert code == 0, out
    products = json.loads(out[out.index("{") :])["products"]
    assert sorted(p["code"] for p in products) == sorted(plus)
    for p in products:
        assert p["class"] != "new", p
        assert p["forecast"] is not None and sum(p["forecast"]) > 0, p
    # the biggest seller (2 + 2 * 11 a day on average) is forecast near its pace
    biggest = next(p for p in products if p["code"] == plus[-1])
    assert 14 * 24 * 0.7 < sum(biggest["forecast"]) < 14 * 24 * 1.3
    code, out = kassa(config, "forecast", "backtest", "--json")
    assert code == 0, out
    scores = json.loads(out[out.index("{") :])
    assert scores["products"] == N_PRODUCTS and scores["units"] > 0
    code, out = kassa(config, "forecast", "accuracy", "--json")
    assert code == 0, out


def test_without_the_history_they_would_be_new(moved: tuple[Path, list[str]]) -> None:
    """The same till with the history left out has nothing to forecast from."""
    config, _plus = moved
    # a product the demo keeps no stock of, sold every other day in the history; kassa
    # counted its stock ten days ago: the history's days before had no known level, so
    # its open days without a sale are zero demand, not stock-outs
    setup = connect(load(config).database)
    setup.execute_sql(
        "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active)"
        " SELECT '9901', 'Uten lager', group_id, 2500, 1000, 'stk', 1 FROM product LIMIT 1"
    )
    setup.close()
    rows = ["Dato;Varekode;Antall;Beløp"] + [
        f"{today() - timedelta(days=i)};9901;1;10,00" for i in range(12, 60, 2)
    ]
    path = config.parent / "uten.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out = kassa(config, "import", "sales", str(path))
    assert code == 0, out
    database = connect(load(config).database)
    try:
        last = (today() - timedelta(days=1)).isoformat()
        first = (today() - timedelta(days=182)).isoformat()
        conn = database.connection()
        assert len(daily_demand(conn, first, last, history=False)) == 0
        demand = daily_demand(conn, first, last)
        assert len(demand) == N_PRODUCTS + 1
        # history days are open days; Sundays (no row in the file) are closed: missing
        sundays = demand.weekday == 6
        assert np.isnan(demand.qty[:, sundays & ~demand.open_day]).all()
        assert demand.open_day[~sundays][-N_DAYS // 2 :].all()
        database.execute_sql(
            "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, register_id,"
            " created_utc) SELECT 'count-1', id, 5000, 'count', 'KASSE-1', ? FROM product"
            " WHERE plu = '9901'",
            (f"{today() - timedelta(days=10)}T12:00:00.000000Z",),
        )
        demand = daily_demand(conn, first, last)
        row = demand.codes.index("9901")
        zero_days = demand.open_day & (np.nan_to_num(demand.qty[row]) == 0)
        assert zero_days.sum() > 10 and not demand.stockout[row].any()
        assert (demand.qty[row, zero_days] == 0).all()
    finally:
        database.close()


def test_an_overlap_day_counts_once_as_kassa_sold_it(tmp_path: Path) -> None:
    """History imported up to today, then kassa sells today: today is kassa's own alone."""
    now = datetime.now(UTC)
    till = demo_till(tmp_path, clock=SteppingClock(now), language='"en"')
    till.db.close()
    config = tmp_path / "kassa.toml"
    day = today()
    lines = ["Dato;Varekode;Antall;Beløp"] + [
        f"{(day - timedelta(days=i)).isoformat()};{ROMME};5;124,50" for i in range(3)
    ]
    path = tmp_path / "romme.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = kassa(config, "import", "sales", str(path))
    assert code == 0, out
    till = open_till(load(config), SteppingClock(now))
    try:
        cashier = till.users.sign_in("1", "1111")
        till.baskets.add(cashier, ROMME)
        assert till.sales.pay_cash(cashier, "").completed is not None
        conn = till.db.connection()
        first = (day - timedelta(days=2)).isoformat()
        demand = daily_demand(conn, first, day.isoformat())
        assert len(demand) == 1
        # two days of history (5 each), then today: kassa's one Rømme, not 5 + 1
        assert demand.qty[0].tolist() == [5.0, 5.0, 1.0]
        assert demand.revenue_ore[0].tolist() == [12450.0, 12450.0, 2490.0]
        figures = sales_figures(till.db, Instant(now), first=first, last=day.isoformat())
        assert [d.revenue_ore for d in figures.days] == [12450, 12450, 2490]
    finally:
        till.db.close()


def test_the_insight_figures_read_the_history(moved: tuple[Path, list[str]]) -> None:
    config, plus = moved
    database = connect(load(config).database)
    try:
        now = Instant(datetime.now(UTC))
        units: dict[str, int] = {}
        revenue: dict[str, int] = {}
        last28: dict[str, int] = {}
        first90 = (today() - timedelta(days=89)).isoformat()
        t28 = (today() - timedelta(days=27)).isoformat()
        for plu, day, qty in database.execute_sql(
            "SELECT p.plu, h.local_date, h.qty_milli FROM sales_history h"
            " JOIN product p ON p.id = h.product_id"
        ):
            if day >= first90:
                units[plu] = units.get(plu, 0) + qty
                revenue[plu] = revenue.get(plu, 0) + qty  # 10 kr a unit: øre = thousandths
            if day >= t28:
                last28[plu] = last28.get(plu, 0) + qty
        figures = product_figures(database, now)
        rows = {r.plu: r for r in figures.rows if r.units_milli}
        assert sorted(rows) == sorted(plus)
        for plu in plus:
            assert rows[plu].units_milli == units[plu]
            assert rows[plu].revenue_ore == revenue[plu]
            assert rows[plu].last_28_milli == last28[plu]
            assert rows[plu].trend_pct is not None
            assert rows[plu].margin_ore is None  # the history has no VAT split nor cost
        assert rows[plus[-1]].abc == "A"
        sales = sales_figures(database, now)
        yesterday = (today() - timedelta(days=1)).isoformat()
        expected = database.execute_sql(
            "SELECT SUM(amount_ore) FROM sales_history WHERE local_date = ?", (yesterday,)
        ).fetchone()[0]
        assert sales.days[-2].date == yesterday and sales.days[-2].revenue_ore == expected > 0
        week = next(c for c in sales.comparisons if c.name == "week")
        assert week.before.revenue_ore > 0 and week.before.receipts == 0
        assert week.before.average_basket_ore == 0
    finally:
        database.close()


def test_the_demo_brings_an_old_systems_history(tmp_path: Path) -> None:
    """`kassa init --demo --imported 120`: 120 days of the old system's sales before today,
    imported as `kassa import sales` does (one IMPORT in the journal, no sale), and the
    forecasts work from them."""
    config = write_config(tmp_path, language='"en"')
    result = CliRunner().invoke(
        main, ["--config", str(config), "init", "--demo", "--imported", "120"]
    )
    assert result.exit_code == 0, result.output
    yesterday = today() - timedelta(days=1)
    first = yesterday - timedelta(days=119)
    assert f"Imported the old system's sales: {first} to {yesterday}, 40 products" in result.output
    database = connect(load(config).database)
    try:
        (sales,) = database.execute_sql("SELECT COUNT(*) FROM sale").fetchone()
        span = database.execute_sql(
            "SELECT MIN(local_date), MAX(local_date), COUNT(DISTINCT product_id) FROM sales_history"
        ).fetchone()
        imports = database.execute_sql(
            "SELECT COUNT(*) FROM journal WHERE basic_id = 'IMPORT' AND text LIKE '%sales_history%'"
        ).fetchone()
    finally:
        database.close()
    assert sales == 0 and imports == (1,)
    assert span == (first.isoformat(), yesterday.isoformat(), 40)
    code, out = kassa(config, "forecast", "--json", "--limit", "100")
    assert code == 0, out
    products = json.loads(out[out.index("{") :])["products"]
    assert len(products) == 40 and all(p["class"] != "new" for p in products)
    result = CliRunner().invoke(main, ["--config", str(config), "init", "--imported", "5"])
    assert result.exit_code != 0
