"""`kassa hq report pairs`: what goes together, per shop and across shops at HQ (issue 16).

Two tills in two shops sell through their own services and push to a throwaway PostgreSQL
(R rømme, T toothpaste, V VG, A apples):

    OSLO1 (KASSE-1):   R T   R T V   R V   T   R R T   A   (+ a training R T, a return of 1)
    BERGEN1 (KASSE-2): R T   R T     T V   R T V

What the head office checks: one shop's pairs at HQ are that till's own `kassa report pairs`
to the digit (count, baskets, confidence, lift, order); across shops the counts add up (R+T:
3 in Oslo + 3 in Bergen); --product narrows to one product's partners; a bad date or an unknown
product is refused with a clear word (exit 2).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.core.clock import Clock, business_date
from kassa_tui.insight.pairs import find_product
from kassa_tui.sync import link, push
from tests.unit.conftest import APPLES_PLU, ROMME, TOOTHPASTE, VG, SteeredTime, print_waiting

from .pushing import Hq, make_hq, make_till

LEAD = "2\n2222\n"
OSLO = [[ROMME, TOOTHPASTE], [ROMME, TOOTHPASTE, VG], [ROMME, VG], [TOOTHPASTE]]
OSLO += [[ROMME, ROMME, TOOTHPASTE], [APPLES_PLU]]
#: The till keys a product by its PLU; HQ by the same key once its catalog is published
#: (tests/hq/test_hq_product_keys.py), here none is: by the code it was sold under (scanned).
HQ_CODE: dict[str, str] = {}
#: A kassa.toml in English for the hq commands (a till's: they read none of it but the language).
ENGLISH: list[str] = []
BERGEN = [[ROMME, TOOTHPASTE], [ROMME, TOOTHPASTE], [TOOTHPASTE, VG], [ROMME, TOOTHPASTE, VG]]


def sell(till: Till, codes: list[str]) -> int:
    lead = till.users.sign_in("2", "2222")
    for code in codes:
        till.baskets.add(lead, code)
    done = till.sales.pay_cash(lead, "")
    assert done.completed is not None
    print_waiting(till)
    return done.completed.receipt_nr


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
            yield build(make_hq(dsn), tmp_path_factory.mktemp("hqpairs"))
    finally:
        users.SCRYPT_N = saved


def build(hq: Hq, root: Path) -> tuple[Hq, dict[str, Path], str]:
    """Both tills sell and push; each till's config, the day they sold."""
    configs: dict[str, Path] = {}
    day = ""
    HQ_CODE.clear()
    ENGLISH.clear()
    for register, shop, baskets in (("KASSE-1", "OSLO1", OSLO), ("KASSE-2", "BERGEN1", BERGEN)):
        folder = root / register
        till = make_till(folder, Clock(source=SteeredTime()), register)
        settings = hq.add(register, shop, folder)
        receipts = [sell(till, codes) for codes in baskets]
        if shop == "OSLO1":  # never counted: a training receipt, a return
            lead = till.users.sign_in("2", "2222")
            till.receipts.training_on(lead)
            sell(till, [ROMME, TOOTHPASTE])
            till.receipts.training_off(lead)
            till.returns.return_lines(lead, receipts[0], [(1, 1000)], "Feil vare", "2", "2222")
            print_waiting(till)
        result = push.push(till.db, register, till.clock, partial(link.connect, settings))
        assert result.status == "ok", result.message
        day = business_date(till.clock.now())
        configs[shop] = till.config.source
        ENGLISH[:] = ["--config", str(till.config.source)]
        for code in (ROMME, TOOTHPASTE, VG, APPLES_PLU):  # the till's key (PLU) → HQ's (as sold)
            found = find_product(till.db, code)
            assert found is not None
            HQ_CODE[found.code] = code
        till.db.close()
    return hq, configs, day


def hq_pairs(hq: Hq, day: str, *args: str) -> Any:
    result = CliRunner().invoke(
        main,
        [*ENGLISH, "hq", "report", "pairs", "--from", day, "--to", day, "--dsn", hq.dsn, *args],
    )
    return result


def till_pairs(config: Path, day: str, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        main,
        ["--config", str(config), "report", "pairs", "--from", day, "--to", day, *args],
        input=LEAD,
    )
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.output[result.output.index("{") :])
    for pair in found["pairs"]:
        pair["product"], pair["partner"] = HQ_CODE[pair["product"]], HQ_CODE[pair["partner"]]
    return found


def test_one_shops_pairs_at_hq_are_the_tills_own(chain: tuple[Hq, dict[str, Path], str]) -> None:
    hq, configs, day = chain
    for shop, config in configs.items():
        for extra in (["--min-count", "1"], ["--min-count", "2"]):
            mine = till_pairs(config, day, *extra, "--limit", "100", "--json")
            result = hq_pairs(hq, day, "--shop", shop, *extra, "--limit", "100", "--json")
            assert result.exit_code == 0, result.output
            theirs = json.loads(result.output)
            assert theirs["shop"] == shop
            assert (theirs["baskets"], theirs["min_count"]) == (mine["baskets"], mine["min_count"])
            assert theirs["pairs"] == mine["pairs"]
            assert theirs["pairs"]  # something to compare
    # Oslo by hand: 6 baskets (training and return left out), R in 4, T in 4, R+T in 3
    oslo = json.loads(hq_pairs(hq, day, "--shop", "OSLO1", "--json").output)
    assert oslo["baskets"] == 6
    rt = [p for p in oslo["pairs"] if (p["product"], p["partner"]) == (ROMME, TOOTHPASTE)]
    assert [(p["count"], p["confidence"], p["lift"]) for p in rt] == [(3, 0.75, 1.125)]


def test_across_shops_the_counts_add_up(chain: tuple[Hq, dict[str, Path], str]) -> None:
    hq, configs, day = chain
    result = hq_pairs(hq, day, "--min-count", "1", "--limit", "100", "--json")
    assert result.exit_code == 0, result.output
    every = json.loads(result.output)
    shops = [
        till_pairs(c, day, "--min-count", "1", "--limit", "100", "--json") for c in configs.values()
    ]
    assert every["shop"] is None
    assert every["baskets"] == sum(s["baskets"] for s in shops) == 10

    def counts(found: dict[str, Any]) -> dict[tuple[str, str], int]:
        return {(p["product"], p["partner"]): p["count"] for p in found["pairs"]}

    summed: dict[tuple[str, str], int] = {}
    for shop in shops:
        for key, n in counts(shop).items():
            summed[key] = summed.get(key, 0) + n
    assert counts(every) == summed
    assert summed[(ROMME, TOOTHPASTE)] == 6  # 3 in Oslo, 3 in Bergen
    rt = next(p for p in every["pairs"] if (p["product"], p["partner"]) == (ROMME, TOOTHPASTE))
    # R in 4 + 3 baskets, T in 4 + 4, of 10: confidence 6/7, lift 6*10/(7*8)
    assert (rt["product_baskets"], rt["partner_baskets"]) == (7, 8)
    assert rt["lift"] == round(60 / 56, 4) and rt["confidence"] == round(6 / 7, 4)


def test_product_narrows_csv_and_text(chain: tuple[Hq, dict[str, Path], str]) -> None:
    hq, _configs, day = chain
    result = hq_pairs(hq, day, "--product", VG, "--min-count", "1", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output), delimiter=";"))
    assert {r["product"] for r in rows} == {VG}
    # V in 4 baskets: with R in 3 (Oslo 2, Bergen 1), with T in 3 (Oslo 1, Bergen 2)
    assert sorted((r["partner"], r["count"]) for r in rows) == sorted(
        [(ROMME, "3"), (TOOTHPASTE, "3")]
    )
    result = hq_pairs(hq, day, "--product", VG, "--shop", "BERGEN1", "--min-count", "2")
    assert result.exit_code == 0, result.output
    assert "4 receipts" in result.output and "n=2, 100 %" in result.output
    assert result.output.count("n=") == 1  # only VG's partner on two receipts (T)


def test_bad_input_is_refused_with_a_word(chain: tuple[Hq, dict[str, Path], str]) -> None:
    hq, _configs, day = chain
    result = hq_pairs(hq, day, "--product", "7038010009990")
    assert result.exit_code == 2
    assert "no sale of a product with code 7038010009990" in result.output
    result = CliRunner().invoke(
        main, [*ENGLISH, "hq", "report", "pairs", "--from", "2026-13-01", "--dsn", hq.dsn]
    )
    assert result.exit_code == 2 and "2026-13-01" in result.output
    result = CliRunner().invoke(
        main,
        [*ENGLISH, "hq", "report", "pairs", "--from", day, "--to", "2026-01-01", "--dsn", hq.dsn],
    )
    assert result.exit_code == 2 and "is after" in result.output
