"""`kassa hq insight`: the insight screen at the head office, on a real PostgreSQL (issue 16).

Two tills in two shops sell known baskets through their own services and push (R rømme
24,90, T toothpaste 39,90, V VG 40,00):

    OSLO1 (KASSE-1):   R T   R T V   R V   T        (+ a training R T, never counted;
                                                     the first receipt's R returned)
    BERGEN1 (KASSE-2): R T   R T     T V

What the owner checks on the screen at 80x24: the chain's today is the sum of both tills' own
figures to the øre, each shop's after F8; the Shops tab lists both registers with the last seq
HQ holds; the Products tab's top seller is `kassa hq report products`' first row; Together
shows `kassa hq report pairs`' best pair; Forecast says which command makes it; a database
that cannot be reached is said in words (no traceback), and F2 tries again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.cli.hq_pairs import together
from kassa_tui.composition import Till
from kassa_tui.core.clock import Clock, business_date
from kassa_tui.insight import figures as till_figures
from kassa_tui.sync import link, push
from screens.hq_insight import HqInsightApp, HqInsightScreen, HqSource
from screens.insight_sales import whole_kr
from tests.app.screen_text import screen_lines
from tests.unit.conftest import ROMME, TOOTHPASTE, VG, SteeredTime, print_waiting

from .conftest import _free_port
from .pushing import Hq, make_hq, make_till

OSLO = [[ROMME, TOOTHPASTE], [ROMME, TOOTHPASTE, VG], [ROMME, VG], [TOOTHPASTE]]
BERGEN = [[ROMME, TOOTHPASTE], [ROMME, TOOTHPASTE], [TOOTHPASTE, VG]]


class Chain:
    def __init__(self, hq: Hq) -> None:
        self.hq = hq
        self.day = ""
        self.config = Path()
        #: per shop: the till's own Today figures (revenue øre, receipts, items)
        self.today: dict[str, tuple[int, int, int]] = {}


def sell(till: Till, codes: list[str]) -> int:
    lead = till.users.sign_in("2", "2222")
    for code in codes:
        till.baskets.add(lead, code)
    done = till.sales.pay_cash(lead, "")
    assert done.completed is not None
    print_waiting(till)
    return done.completed.receipt_nr


@pytest.fixture(scope="module")
def chain(pg_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    from kassa_tui.people import users
    from tests.hq.conftest import _database

    saved = users.SCRYPT_N
    users.SCRYPT_N = 2**8
    try:
        for dsn in _database(pg_server):
            yield build(make_hq(dsn), tmp_path_factory.mktemp("hqinsight"))
    finally:
        users.SCRYPT_N = saved


def build(hq: Hq, root: Path) -> Chain:
    found = Chain(hq)
    for register, shop, baskets in (("KASSE-1", "OSLO1", OSLO), ("KASSE-2", "BERGEN1", BERGEN)):
        folder = root / register
        till = make_till(folder, Clock(source=SteeredTime()), register)
        settings = hq.add(register, shop, folder)
        receipts = [sell(till, codes) for codes in baskets]
        if shop == "OSLO1":  # a training receipt (never counted) and a return (netted)
            lead = till.users.sign_in("2", "2222")
            till.receipts.training_on(lead)
            sell(till, [ROMME, TOOTHPASTE])
            till.receipts.training_off(lead)
            till.returns.return_lines(lead, receipts[0], [(1, 1000)], "Feil vare", "2", "2222")
            print_waiting(till)
        result = push.push(till.db, register, till.clock, partial(link.connect, settings))
        assert result.status == "ok", result.message
        now = till.clock.now()
        found.day = business_date(now)
        mine = till_figures.sales_figures(till.db, now).comparisons[0].now
        found.today[shop] = (mine.revenue_ore, mine.receipts, mine.items)
        found.config = till.config.source
        till.db.close()
    return found


def source(chain: Chain, dsn: str | None = None) -> HqSource:
    return HqSource(dsn or chain.hq.dsn, together, Clock(source=SteeredTime()))


def cli(chain: Chain, *args: str) -> Any:
    result = CliRunner().invoke(
        main,
        ["--config", str(chain.config), "hq", "report", *args, "--dsn", chain.hq.dsn, "--json"],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def read(app: HqInsightApp) -> bool:
    """The screen is up and has read every tab's figures for its shop, or said it cannot."""
    screen = app.screen
    if not isinstance(screen, HqInsightScreen) or not screen.is_mounted:
        return False
    if screen.query_one("#stock-message").has_class("error"):
        return True
    kept = screen.kept.get(screen.shop)
    return kept is not None and kept.forecast is not None


async def settle(app: HqInsightApp, pilot: Any) -> None:
    """Wait (for the state, not a time) until the figures are read; a loaded machine may take
    a while to mount the screen and start its worker."""
    for _ in range(400):
        await pilot.pause()
        await app.workers.wait_for_complete()
        if read(app):
            break
        await pilot.pause(0.05)
    await pilot.pause()


def text(app: HqInsightApp) -> str:
    return "\n".join(screen_lines(app))


def today_line(app: HqInsightApp) -> list[str]:
    return next(line for line in screen_lines(app) if line.strip().startswith("Today")).split()


async def test_sales_are_the_tills_summed_and_per_shop_after_f8(chain: Chain) -> None:
    app = HqInsightApp(source(chain))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HqInsightScreen)
        shown = text(app)
        assert "the whole chain" in shown and f"day {chain.day}" in shown and "as of 12:00" in shown
        revenue = sum(t[0] for t in chain.today.values())
        receipts = sum(t[1] for t in chain.today.values())
        items = sum(t[2] for t in chain.today.values())
        assert (receipts, items) == (7, 13)
        # 5 R at 24,90 + 6 T at 39,90 + 3 V at 40,00 = 124,50 + 239,40 + 120,00 = 483,90,
        # less the rømme returned in Oslo: 459,00
        assert revenue == 45900
        kept = screen.kept[None].sales
        assert kept is not None
        today = kept.comparisons[0].now
        assert (today.revenue_ore, today.receipts, today.items) == (revenue, receipts, items)
        basket = whole_kr(round(revenue / receipts))
        assert today_line(app) == ["Today", "459", "0", "-", "7", basket, "1,9"], today_line(app)
        assert "Receipts" in shown and "Fri" in shown  # the heat map
        assert "F8 Shop" in shown  # the key bar

        await pilot.press("f8")  # BERGEN1 (the shops sorted)
        await settle(app, pilot)
        assert "BERGEN1" in screen_lines(app)[0]
        bergen = chain.today["BERGEN1"]
        assert today_line(app)[:2] == ["Today", whole_kr(bergen[0])]
        assert today_line(app)[4] == str(bergen[1]) == "3"
        await pilot.press("f8")  # OSLO1
        await settle(app, pilot)
        oslo = chain.today["OSLO1"]
        assert "OSLO1" in screen_lines(app)[0]
        assert today_line(app)[:2] == ["Today", whole_kr(oslo[0])]
        assert today_line(app)[4] == str(oslo[1]) == "4"
        kept = screen.kept["OSLO1"].sales
        assert kept is not None and kept.comparisons[0].now.revenue_ore == oslo[0]
        await pilot.press("f8")  # the chain again, from what was kept
        await pilot.pause()
        assert "the whole chain" in screen_lines(app)[0]


async def test_shops_products_together_and_forecast(chain: Chain) -> None:
    app = HqInsightApp(source(chain))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f10")  # Shops
        await pilot.pause()
        lines = screen_lines(app)
        for register in ("KASSE-1", "KASSE-2"):
            seq = chain.hq.one("SELECT last_seq FROM register WHERE register_id = %s", register)
            row = next(line for line in lines if register in line)
            assert row.split()[2:4] == [str(seq), "0"], row  # last seq, nothing waiting
        oslo = next(
            line for line in lines if line.strip().startswith("OSLO1") and "KASSE" not in line
        )
        # this week (all sold today) as the till's own figures; receipts; average basket
        revenue, receipts, _items = chain.today["OSLO1"]
        assert oslo.split()[1:6] == [
            whole_kr(revenue),
            "0",
            "-",
            str(receipts),
            whole_kr(round(revenue / receipts)),
        ], oslo
        assert receipts == 4

        await pilot.press("f4")  # Products, by revenue
        await pilot.pause()
        products = cli(chain, "products", "--from", chain.day)
        lines = screen_lines(app)
        header = next(i for i, line in enumerate(lines) if "Item" in line and "Revenue" in line)
        first_row = lines[header + 1].split()
        # the top seller by revenue is `kassa hq report products`' first row: Colgate, 239 kr
        assert products[0]["name"] == "Colgate Max Fresh 75 ml"
        assert first_row[:5] == products[0]["name"].split(), first_row
        assert first_row[5:7] == ["6", whole_kr(products[0]["amount_ore"])], first_row
        await pilot.press("f6", "f6")  # by units, worst first: VG (3), Rømme (5 less 1), Colgate
        await pilot.pause()
        lines = screen_lines(app)
        assert "by units, worst first" in lines[header - 1]
        assert [lines[header + i].split()[0] for i in (1, 2, 3)] == ["VG", "Rømme", "Colgate"]
        assert lines[header + 2].split()[5] == "4", lines[header + 2]
        await pilot.press("r", "ø")  # search
        await pilot.pause()
        lines = screen_lines(app)
        assert "Search: rø_" in lines[header - 1] and lines[header + 1].startswith(" Rømme")
        assert not lines[header + 2].strip(), lines[header + 2]

        await pilot.press("f5")  # Together
        await pilot.pause()
        pairs = cli(chain, "pairs", "--from", chain.day)
        assert pairs["pairs"], pairs
        best = pairs["pairs"][0]
        shown = text(app)
        assert f"{pairs['baskets']} receipts, pairs on at least {pairs['min_count']}" in shown
        lines = screen_lines(app)
        header = next(i for i, line in enumerate(lines) if "With" in line and "Also" in line)
        listed = [line for line in lines[header + 1 :] if line.strip() and "F1" not in line]
        listed = [line for line in listed if "F2" not in line]
        assert len(listed) == len(pairs["pairs"]), listed  # the same pairs, no more
        row = next(
            line
            for line in screen_lines(app)
            if best["product_name"][:10] in line and best["partner_name"][:10] in line
        )
        assert row.split()[-3] == str(best["count"]), row
        assert row.split()[-1] == f"{best['lift']:.1f}".replace(".", ","), row

        await pilot.press("f11")  # Forecast: nothing stored yet
        await pilot.pause()
        shown = text(app)
        assert "No forecast stored" in shown and "kassa hq forecast" in shown, shown


async def test_a_database_out_of_reach_is_said_in_words_and_f2_tries_again(
    chain: Chain,
) -> None:
    nowhere = f"host=127.0.0.1 port={_free_port()} dbname=hq user=owner"
    app = HqInsightApp(source(chain, nowhere))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = text(app)
        assert "Cannot reach HQ's database" in shown and "F2 tries again" in shown, shown
        assert "Traceback" not in shown and "Error" not in shown
        screen = app.screen
        assert isinstance(screen, HqInsightScreen)
        screen.source = replace(screen.source, dsn=chain.hq.dsn)  # HQ is back
        await pilot.press("f2")
        await settle(app, pilot)
        assert "Cannot reach" not in text(app)
        assert today_line(app)[1] == "459"


async def test_forecast_tab_shows_what_kassa_hq_forecast_stored(chain: Chain) -> None:
    from kassa_tui.hq.insight import store_forecast

    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(chain.config),
            "hq",
            "forecast",
            "--local",
            "--json",
            "--dsn",
            chain.hq.dsn,
        ],
    )
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert len(made["rows"]) == 6 and made["choices"] == []  # one day of sales: all new
    try:
        app = HqInsightApp(source(chain))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("f11")
            await pilot.pause()
            shown = text(app)
            assert "No forecast stored" not in shown and "local method" in shown, shown
            assert f"from {made['days'][0]}" in shown
            for row in made["rows"]:  # biggest first, as the command stored them
                line = next(
                    x for x in screen_lines(app) if row["name"][:10] in x and row["shop"] in x
                )
                assert line.split()[-7:] == ["-"] * 7, line  # new: ordered by hand
            # one shop: the chain's forecast, that shop's rows alone
            await pilot.press("f8")  # BERGEN1
            await settle(app, pilot)
            shown = text(app)
            assert "in BERGEN1, from the whole chain's forecast" in shown, shown
            assert "BERGEN1" in shown and "OSLO1" not in shown.split("forecast")[-1]
            listed = [x for x in screen_lines(app) if "BERGEN1" in x and " - " in x]
            assert len(listed) == 3, listed  # its three products
            await pilot.press("f8", "f8")  # OSLO1, then the chain again
            await settle(app, pilot)
            # a later forecast of the chain (as `kassa hq forecast` stores it) is shown after F2
            with chain.hq.connect() as conn:
                store_forecast(
                    conn,
                    date.fromisoformat(chain.day),
                    None,
                    None,
                    made["days"],
                    [{**made["rows"][0], "model": "local", "forecast": [2.5] + [1.0] * 13}],
                )
            await pilot.press("f2")
            await settle(app, pilot)
            line = next(x for x in screen_lines(app) if made["rows"][0]["name"][:10] in x)
            assert line.split()[-8:] == ["L", "2,5"] + ["1,0"] * 6, line
    finally:
        chain.hq.one("WITH d AS (DELETE FROM forecast_run RETURNING 1) SELECT count(*) FROM d")


async def test_an_unknown_shop_is_said_and_f8_goes_to_the_chain(chain: Chain) -> None:
    app = HqInsightApp(source(chain), shop="NOPE1")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "HQ has no shop NOPE1" in text(app), text(app)
        await pilot.press("f8")
        await settle(app, pilot)
        assert "the whole chain" in screen_lines(app)[0]
        assert "NOPE1" not in text(app) and today_line(app)[1] == "459"


async def test_a_database_without_hqs_schema_is_said_in_words(hq_dsn: str) -> None:
    app = HqInsightApp(HqSource(hq_dsn, together, Clock(source=SteeredTime())))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = text(app)
        assert "HQ's database did not give the figures" in shown, shown
        assert "kassa hq init" in shown and "Traceback" not in shown
