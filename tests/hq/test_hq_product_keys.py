"""HQ keys products, stock and pairs by PRODUCT, as the tills do (0020_product_keys.sql, issue 15).

HQ publishes the demo's product file (data/demo_products.csv, the one the tills load), so it
knows that Tine Helmelk 1 l is PLU 2003 with two barcodes. Two tills in two shops sell it
scanned under either barcode and typed by its PLU, twice in one basket under two codes:

    OSLO1 (KASSE-1):   A R   P R   A B R   B T   R P A   R
    BERGEN1 (KASSE-2): P R   A     B T     A A T

(A, B: the milk's barcodes, P: its PLU, R rømme, T toothpaste.) What the auditor compares: HQ's
`kassa hq report products` has one row per product whose figures are the sum of the tills' own
`kassa report products --json`, each shop's stock level per product is that till's own level,
and one shop's `kassa hq report pairs` is that till's own `kassa report pairs` to the digit (a
basket holding the milk under two codes holds it once). Then HQ publishes a revision that gives
barcode B to another product: the reports follow at once, the pair totals already rolled up
are counted again (the rule in 0020), and equal what the baskets give.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.cli.hq_pairs import together
from kassa_tui.composition import Till
from kassa_tui.core.clock import Clock, business_date
from kassa_tui.core.paths import data_dir
from kassa_tui.hq.catalog import publish, publish_file
from kassa_tui.hq.pairs import read_baskets, read_pairs
from kassa_tui.sync import link, push
from tests.unit.conftest import ROMME, TOOTHPASTE, SteeredTime, print_waiting

from .pushing import Hq, make_hq, make_till

LEAD = "2\n2222\n"
MILK = "2003"  # Tine Helmelk 1 l: its PLU, the till's key and HQ's
A, B = "7034452743195", "7034452368985"  # its two barcodes
ROMME_PLU, TOOTHPASTE_PLU = "2025", "8002"
OSLO = [[A, ROMME], [MILK, ROMME], [A, B, ROMME], [B, TOOTHPASTE], [ROMME, MILK, A], [ROMME]]
BERGEN = [[MILK, ROMME], [A], [B, TOOTHPASTE], [A, A, TOOTHPASTE]]
SHOPS = {"OSLO1": ("KASSE-1", OSLO), "BERGEN1": ("KASSE-2", BERGEN)}


def sell(till: Till, codes: list[str]) -> None:
    lead = till.users.sign_in("2", "2222")
    for code in codes:
        till.baskets.add(lead, code)
    assert till.sales.pay_cash(lead, "").completed is not None
    print_waiting(till)


@pytest.fixture(scope="module")
def chain(
    pg_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Hq, dict[str, Path], str]]:
    from kassa_tui.people import users
    from tests.hq.conftest import _database

    saved = users.SCRYPT_N
    users.SCRYPT_N = 2**8
    try:
        for dsn in _database(pg_server):  # dropped when the module is done
            yield build(make_hq(dsn), tmp_path_factory.mktemp("hqkeys"))
    finally:
        users.SCRYPT_N = saved


def build(hq: Hq, root: Path) -> tuple[Hq, dict[str, Path], str]:
    configs: dict[str, Path] = {}
    day = ""
    for shop, (register, baskets) in SHOPS.items():
        till = make_till(root / register, Clock(source=SteeredTime()), register)
        if not configs:  # HQ's catalog: the file the tills loaded
            with hq.connect() as conn:
                publish_file(conn, data_dir() / "demo_products.csv", till.config)
        settings = hq.add(register, shop, root / register)
        for codes in baskets:
            sell(till, codes)
        result = push.push(till.db, register, till.clock, partial(link.connect, settings))
        assert result.status == "ok", result.message
        day = business_date(till.clock.now())
        configs[shop] = till.config.source
        till.db.close()
    return hq, configs, day


def cli(*args: str, config: Path | None = None) -> Any:
    where = ["--config", str(config)] if config else []
    result = CliRunner().invoke(main, [*where, *args], input=LEAD)
    assert result.exit_code == 0, result.output
    text = result.output
    return json.loads(text[min(i for i in (text.find("{"), text.find("[")) if i >= 0) :])


def till_products(config: Path, day: str) -> dict[str, dict[str, Any]]:
    found = cli("report", "products", "--from", day, "--to", day, "--json", config=config)
    return {p["plu"]: p for p in found["products"] if p["units_milli"] or p["revenue_ore"]}


def hq_report(hq: Hq, config: Path, kind: str, day: str, *args: str) -> Any:
    return cli(
        "hq",
        "report",
        kind,
        "--from",
        day,
        "--to",
        day,
        "--dsn",
        hq.dsn,
        *args,
        "--json",
        config=config,
    )


def test_products_one_row_per_product_the_sum_of_the_tills(
    chain: tuple[Hq, dict[str, Path], str],
) -> None:
    hq, configs, day = chain
    summed: dict[str, tuple[int, int]] = {}
    for config in configs.values():
        for plu, p in till_products(config, day).items():
            units, revenue = summed.get(plu, (0, 0))
            summed[plu] = (units + p["units_milli"], revenue + p["revenue_ore"])
    rows = hq_report(hq, next(iter(configs.values())), "products", day)
    assert {r["code"]: (r["qty_milli"], r["amount_ore"]) for r in rows} == summed
    (milk,) = [r for r in rows if r["code"] == MILK]  # one row, under every code it was sold
    assert milk["codes"] == " ".join(sorted([MILK, A, B]))
    assert milk["name"] == "Tine Helmelk 1 l"
    assert milk["qty_milli"] == 12000  # Oslo 1 + 1 + 2 + 1 + 2, Bergen 1 + 1 + 1 + 2
    assert not {A, B, ROMME} & {r["code"] for r in rows}  # rømme is its PLU, 2025


def test_stock_per_shop_and_product_is_the_tills_level(
    chain: tuple[Hq, dict[str, Path], str],
) -> None:
    hq, configs, day = chain
    for shop, config in configs.items():
        mine = till_products(config, day)
        rows = hq_report(hq, config, "stock", day, "--shop", shop)
        levels = {r["code"]: r["level_milli"] for r in rows}
        sold = {r["code"]: r["sold_milli"] for r in rows}
        assert len(levels) == len(rows)  # one row a product
        for plu, p in mine.items():
            assert (levels[plu], -sold[plu]) == (p["on_hand_milli"], p["units_milli"]), plu
        assert not {A, B} & set(levels)


def till_pairs(config: Path, day: str) -> dict[str, Any]:
    args = ("--from", day, "--to", day, "--min-count", "1", "--limit", "100", "--json")
    found: dict[str, Any] = cli("report", "pairs", *args, config=config)
    return found


def test_one_shops_pairs_at_hq_are_the_tills_own(chain: tuple[Hq, dict[str, Path], str]) -> None:
    hq, configs, day = chain
    for shop, config in configs.items():
        mine = till_pairs(config, day)
        theirs = hq_report(
            hq, config, "pairs", day, "--shop", shop, "--min-count", "1", "--limit", "100"
        )
        assert (theirs["baskets"], theirs["pairs"]) == (mine["baskets"], mine["pairs"])
        assert theirs["pairs"]
    oslo = hq_report(hq, configs["OSLO1"], "pairs", day, "--shop", "OSLO1", "--min-count", "1")
    milk_romme = [p for p in oslo["pairs"] if (p["product"], p["partner"]) == (MILK, ROMME_PLU)]
    # milk in 5 baskets (A B once), rømme in 5, together in 4 (A R, P R, A B R, R P A)
    assert [(p["count"], p["product_baskets"]) for p in milk_romme] == [(4, 5)]
    # --product by any of its codes
    by_barcode = hq_report(
        hq, configs["OSLO1"], "pairs", day, "--shop", "OSLO1", "--min-count", "1", "--product", B
    )
    assert {p["product"] for p in by_barcode["pairs"]} == {MILK}


def test_insight_products_and_the_forecasts_demand_per_product(
    chain: tuple[Hq, dict[str, Path], str],
) -> None:
    """HQ's insight screen (Products tab) and `kassa hq forecast` read the same day totals."""
    from datetime import date

    from kassa_tui.hq.forecast import read_demand
    from kassa_tui.hq.insight import product_figures

    hq, _configs, day = chain
    today = date.fromisoformat(day)
    with hq.connect() as conn:
        figures = product_figures(conn, today)
        demand = read_demand(conn, today, days=7)
    (milk,) = [r for r in figures.rows if r.code == MILK]
    assert (milk.name, milk.units_milli, milk.recent_milli) == ("Tine Helmelk 1 l", 12000, 12000)
    assert not {A, B} & {r.code for r in figures.rows}
    pairs = list(zip(demand.shops, demand.codes, strict=True))
    assert pairs.count(("OSLO1", MILK)) == pairs.count(("BERGEN1", MILK)) == 1  # one row each
    rows = {(shop, code): i for i, (shop, code) in enumerate(pairs)}
    assert not {A, B} & set(demand.codes)
    oslo, bergen = demand.qty[rows[("OSLO1", MILK)]], demand.qty[rows[("BERGEN1", MILK)]]
    assert oslo[-1] * 5 == bergen[-1] * 7  # Oslo 7, Bergen 5 (the same unit)
    assert demand.names[rows[("OSLO1", MILK)]] == "Tine Helmelk 1 l"


def _as_the_baskets_say(hq: Hq, day: str, shop: str | None) -> tuple[int, list[Any]]:
    from datetime import date

    first = date.fromisoformat(day)
    with hq.connect() as conn:
        summed = together(
            read_pairs(conn, first, first, shop), product=None, min_count=1, limit=None
        )
        counted = together(
            read_baskets(conn, first, first, shop), product=None, min_count=1, limit=None
        )
    assert summed.baskets == counted.baskets
    assert [p.as_dict() for p in summed.pairs] == [p.as_dict() for p in counted.pairs]
    return summed.baskets, [p.as_dict() for p in summed.pairs]


def test_a_barcode_given_to_another_product_later(
    chain: tuple[Hq, dict[str, Path], str],
) -> None:
    hq, configs, day = chain
    config = configs["OSLO1"]
    for shop in (None, "OSLO1", "BERGEN1"):
        _as_the_baskets_say(hq, day, shop)  # rolled up with B as the milk
    before = {r["code"]: r["qty_milli"] for r in hq_report(hq, config, "products", day)}
    row = {
        "plu": "9902",
        "ean": B,
        "name": "Melk annen 1 l",
        "group": "20",
        "vat": "15",
        "price_ore": "2790",
        "unit": "stk",
    }
    with hq.connect() as conn:
        publish(conn, "products", "moved.csv", [row])
    after = {r["code"]: r["qty_milli"] for r in hq_report(hq, config, "products", day)}
    # B sold 1 + 1 in Oslo, 1 in Bergen: now the other product's
    assert (after[MILK], after["9902"]) == (before[MILK] - 3000, 3000)
    assert sum(after.values()) == sum(before.values())
    stock = hq_report(hq, config, "stock", day, "--shop", "OSLO1")
    assert {r["code"]: r["sold_milli"] for r in stock}["9902"] == -2000
    for shop in (None, "OSLO1", "BERGEN1"):
        _as_the_baskets_say(hq, day, shop)  # counted again, as now mapped
    oslo = hq_report(hq, config, "pairs", day, "--shop", "OSLO1", "--min-count", "1")
    found = {(p["product"], p["partner"]): p["count"] for p in oslo["pairs"]}
    # A B R is now milk + the other + rømme; B T the other + toothpaste
    assert found[("9902", MILK)] == 1 and found[("9902", TOOTHPASTE_PLU)] == 1
    assert found[(MILK, ROMME_PLU)] == 4


def test_codes_are_read_as_the_tills_importer_reads_them(hq_dsn: str) -> None:
    """A PLU without its leading zeros, a UPC-A as its EAN-13, a product without a PLU keyed by
    its smallest barcode (the till's Product.code), a later revision winning."""
    hq = make_hq(hq_dsn)
    rows = [
        {"plu": "0042", "ean": "7034452743195", "name": "Med  PLU"},
        {"plu": "", "ean": "7034452743201|036000291452", "name": "Uten PLU"},
    ]
    with hq.connect() as conn:
        publish(conn, "products", "a.csv", rows)
        keys = dict(conn.execute("SELECT code, product FROM product_key").fetchall())
        assert keys == {
            "42": "42",
            "7034452743195": "42",
            "7034452743201": "0036000291452",
            "0036000291452": "0036000291452",
        }
        names = dict(conn.execute("SELECT product, name FROM catalog_product").fetchall())
        assert names == {"42": "Med PLU", "0036000291452": "Uten PLU"}
        publish(conn, "products", "b.csv", [{"plu": "43", "ean": "7034452743195", "name": "Ny"}])
        found = conn.execute("SELECT product FROM product_key WHERE code = '7034452743195'")
        assert found.fetchone() == ("43",)
        assert conn.execute("SELECT product FROM product_key WHERE code = '42'").fetchone() == (
            "42",
        )
