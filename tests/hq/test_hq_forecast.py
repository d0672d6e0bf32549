"""`kassa hq forecast` and its backtest: the tills' engine over every shop at HQ (issue 16).

A generated chain in a throwaway PostgreSQL: three shops, 266 days (Sundays closed), the day
totals HQ reports from (product_day). Two product groups:

- MEIERI: a weekday rhythm, and campaign weeks shared by every shop (the price 30 % down, the
  demand 2.5 times) that a product's own history cannot see coming;
- TORRVARE: the same weekday rhythm, no campaign: what the local method does well.

What the head office checks: a forecast per shop and product (none «order by hand»), one shop
or group on its own, and the backtest per group, the tills' method beside «same as last week».
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import numpy as np
import psycopg
import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.core import i18n
from tests.hq.conftest import PgServer, _database
from tests.hq.hq_schema import hq_schema

SHOPS = ("OSLO-1", "BERGEN-1", "TROMSO-1")
LAST = date(2026, 11, 28)  # a Saturday
N_DAYS = 266
PER_GROUP = 6
WEEKDAY = np.array([0.8, 0.85, 0.9, 1.0, 1.25, 1.6, 0.0])
CAMPAIGN_LIFT = 2.5
CAMPAIGN_PRICE = 0.7


def campaign_days() -> np.ndarray:
    """Campaign weeks, the same in every shop: every fifth week or so, Monday to Saturday."""
    days = np.zeros(N_DAYS, bool)
    first = LAST - timedelta(days=N_DAYS - 1)
    for start in range(10, N_DAYS - 6, 33):
        monday = start - (first + timedelta(days=start)).weekday()
        days[max(0, monday) : monday + 6] = True
    return days


def generate(seed: int = 16) -> list[tuple[Any, ...]]:
    """product_day rows: (date, shop, code, name, group, qty_milli, amount_ore)."""
    rng = np.random.default_rng(seed)
    first = LAST - timedelta(days=N_DAYS - 1)
    dates = [first + timedelta(days=i) for i in range(N_DAYS)]
    weekday = WEEKDAY[[d.weekday() for d in dates]]
    campaign = campaign_days()
    rows = []
    for g, group in enumerate(("MEIERI", "TORRVARE")):
        for p in range(PER_GROUP):
            code = f"70{g}{p:04d}"
            price = int(rng.integers(15, 60)) * 100
            base = rng.uniform(4, 14)
            for s, shop in enumerate(SHOPS):
                rate = base * (0.7 + 0.3 * s) * weekday
                paid = np.full(N_DAYS, price)
                if group == "MEIERI":
                    rate = np.where(campaign, rate * CAMPAIGN_LIFT, rate)
                    paid = np.where(campaign, round(price * CAMPAIGN_PRICE), price)
                units = rng.poisson(rate)
                for i in np.flatnonzero(units):
                    rows.append(
                        (
                            dates[i].isoformat(),
                            shop,
                            code,
                            f"{group.title()} {p}",
                            group,
                            int(units[i]) * 1000,
                            int(units[i]) * int(paid[i]),
                        )
                    )
    return rows


@pytest.fixture(scope="module")
def chain(pg_server: PgServer) -> Iterator[str]:
    """HQ's database with the generated chain's day totals."""
    for dsn in _database(pg_server):
        hq_schema(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            for shop in SHOPS:
                conn.execute("INSERT INTO shop (shop_id) VALUES (%s)", (shop,))
            with (
                conn.cursor() as cursor,
                cursor.copy(
                    "COPY product_day (local_date, shop_id, code, name, group_code, qty_milli,"
                    " amount_ore) FROM STDIN"
                ) as copy,
            ):
                for row in generate():
                    copy.write_row(row)
        yield dsn


@pytest.fixture(autouse=True)
def language_back() -> Iterator[None]:
    """The CLI speaks HQ's language (Bokmål, no kassa.toml): the next test module gets its own."""
    before = i18n.language()
    yield
    i18n.set_language(before)


def lightgbm_or_skip() -> Any:
    """LightGBM (the dev extra), or a skip that says why: not installed, or its native library
    cannot load (libgomp missing: `apt-get install libgomp1`)."""
    try:
        import lightgbm
    except (ImportError, OSError) as exc:
        pytest.skip(f"LightGBM cannot be used here: {exc}")
    return lightgbm


def choices_kept(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return [
            (g, c, n, round(local, 6), round(other, 6))
            for g, c, n, local, other in conn.execute(
                "SELECT group_code, chosen, scored_rows, local_rmsse, global_rmsse"
                " FROM forecast_choice WHERE last_day = %s AND shop_id IS NULL ORDER BY id",
                (LAST.isoformat(),),
            )
        ]


def kassa(dsn: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["hq", *args], env={"KASSA_HQ_DSN": dsn})
    return result.exit_code, result.output


def test_every_shop_and_product_gets_a_forecast(chain: str) -> None:
    code, out = kassa(chain, "forecast", "--local", "--json", "--limit", "1000")
    assert code == 0, out
    found = json.loads(out)
    assert found["days"][0] == (LAST + timedelta(days=1)).isoformat()
    rows = found["rows"]
    assert len(rows) == len(SHOPS) * 2 * PER_GROUP
    assert {r["shop"] for r in rows} == set(SHOPS)
    for r in rows:
        assert r["class"] != "new" and r["forecast"] is not None, r
        # Sundays closed in every shop: forecast 0
        sundays = [
            v
            for d, v in zip(found["days"], r["forecast"], strict=True)
            if date.fromisoformat(d).weekday() == 6
        ]
        assert sundays and all(v == 0 for v in sundays)
    # one shop, one group
    code, out = kassa(
        chain, "forecast", "--local", "--json", "--shop", "BERGEN-1", "--group", "TORRVARE"
    )
    assert code == 0, out
    rows = json.loads(out)["rows"]
    assert len(rows) == PER_GROUP
    assert {(r["shop"], r["group"]) for r in rows} == {("BERGEN-1", "TORRVARE")}
    code, out = kassa(chain, "forecast", "--local", "--shop", "BERGEN-1", "--limit", "3")
    assert code == 0, out
    assert out.count("BERGEN-1") == 3 and "Torrvare 5" in out


def test_the_backtest_per_group_beside_same_as_last_week(chain: str) -> None:
    code, out = kassa(chain, "forecast", "backtest", "--local", "--json")
    assert code == 0, out
    scores = {s["group"]: s for s in json.loads(out)}
    assert sorted(scores) == ["MEIERI", "TORRVARE"]
    plain = scores["TORRVARE"]
    assert plain["rows"] == len(SHOPS) * PER_GROUP
    local, naive = plain["scores"]["local"], plain["scores"]["naive"]
    assert local["rmsse"] < naive["rmsse"] and local["wape"] < naive["wape"]
    assert abs(local["bias"]) < 0.05
    code, out = kassa(chain, "forecast", "backtest", "--local")
    assert code == 0, out
    assert "TORRVARE (18 rader butikk og vare)" in out and out.count("som forrige uke") == 2


def test_the_global_model_is_used_only_where_it_beats_the_local_method(chain: str) -> None:
    """MEIERI's campaigns lift every shop's demand when the price drops: one model over all
    shops and products sees the price; a product's own history cannot. TORRVARE has no such
    effect: the local method stays. The choice is printed with both scores."""
    lightgbm_or_skip()
    code, out = kassa(chain, "forecast", "backtest", "--json")
    assert code == 0, out
    found = {s["group"]: s for s in json.loads(out)}
    meieri, torrvare = found["MEIERI"], found["TORRVARE"]
    m = meieri["scores"]
    assert meieri["chosen"] == "global"
    # the price is what it sees: 0.36 of the local method's RMSSE here (0.76 with its price
    # features blanked, from the level alone)
    assert m["global"]["rmsse"] <= 0.6 * m["local"]["rmsse"]
    assert m["global"]["rmsse"] < m["naive"]["rmsse"]
    assert m["global"]["wape"] < m["local"]["wape"] and abs(m["global"]["bias"]) < 0.05
    assert torrvare["chosen"] == "local"  # no shared effect: not chosen
    for group in found.values():
        chosen = group["scores"][group["chosen"]]["rmsse"]
        assert chosen <= group["scores"]["naive"]["rmsse"]  # never worse than the baseline
    # kept at HQ: the choice and both scores per group, for this last day and every shop
    stored = choices_kept(chain)
    LG = ("local", "global")
    assert stored == [
        ("MEIERI", "global", 18, round(m["local"]["rmsse"], 6), round(m["global"]["rmsse"], 6)),
        ("TORRVARE", "local", 18, *(round(torrvare["scores"][k]["rmsse"], 6) for k in LG)),
    ]
    # the forecast uses the choice per group (the one kept: no new backtest), and says so
    code, out = kassa(chain, "forecast", "--json", "--limit", "1000")
    assert code == 0, out
    forecast = json.loads(out)
    models = {(r["group"], r["model"]) for r in forecast["rows"]}
    assert models == {("MEIERI", "global"), ("TORRVARE", "local")}
    assert [c["chosen"] for c in forecast["choices"]] == ["global", "local"]
    code, out = kassa(chain, "forecast", "--limit", "1")
    assert code == 0, out
    assert choices_kept(chain) == stored  # reused, not made again
    local = m["local"]["rmsse"]
    assert f"MEIERI: global modell (RMSSE {m['global']['rmsse']:.2f} mot {local:.2f})" in out


def test_the_choice_is_never_worse_than_same_as_last_week() -> None:
    """choose(): the global model only clearly better than the local method (GATE), and
    whatever is picked no worse than same as last week."""
    from kassa_tui.insight.backtest import Score
    from kassa_tui.insight.chain import GATE, choose

    def scores(local: float, naive: float, other: float) -> dict[str, Score]:
        return {
            m: Score(v, 0.0, 0.0)
            for m, v in (("local", local), ("naive", naive), ("global", other))
        }

    assert choose(scores(0.70, 0.90, 0.61)) == "global"
    assert choose(scores(0.70, 0.90, 0.70 * GATE + 0.01)) == "local"  # a hair better: noise
    assert choose(scores(1.20, 1.00, 1.10)) == "naive"  # both worse than the baseline
    assert choose(scores(1.20, 1.00, 0.50)) == "global"
    assert choose({m: s for m, s in scores(0.8, 0.9, 0).items() if m != "global"}) == "local"


def test_a_big_chain_trains_on_a_sample(chain: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_SAMPLES (row x day) the training rows are a random sample at each pseudo-origin:
    a chain of thousands of shops' products trains in bounded memory and time."""
    lightgbm = lightgbm_or_skip()
    from kassa_tui.hq import global_model
    from kassa_tui.hq.forecast import read_demand

    with psycopg.connect(chain) as conn:
        data = read_demand(conn, LAST, N_DAYS)
    model = global_model.ChainModel.of(
        data.qty, data.price_ore, data.codes, data.shops, data.groups, data.days
    )
    sizes: list[int] = []
    real = lightgbm.Dataset

    def counting(x: Any, y: Any, **kwargs: Any) -> Any:
        sizes.append(len(y))
        return real(x, y, **kwargs)

    monkeypatch.setattr(lightgbm, "Dataset", counting)
    model.fit(N_DAYS - 28, 28)
    full = sizes.pop()
    monkeypatch.setattr(global_model, "MAX_SAMPLES", 6000)
    values = model.forecaster(N_DAYS - 28, 28)
    sampled = sizes.pop()
    assert full > 10_000 and sampled <= 6000 < full
    assert values.shape == (len(data), 28) and np.isfinite(values).all()


def test_an_empty_hq_and_an_unknown_shop_say_so(hq_dsn: str, chain: str) -> None:
    hq_schema(hq_dsn)
    for args in (("forecast",), ("forecast", "backtest")):
        result = CliRunner().invoke(main, ["hq", *args], env={"KASSA_HQ_DSN": hq_dsn})
        assert result.exit_code == 2 and "HK har ingen salg ennå" in result.output
    code, out = kassa(chain, "forecast", "--local", "--shop", "NOWHERE-9")
    assert code == 0 and "Ingenting er solgt" in out, out
    code, out = kassa(chain, "forecast", "backtest", "--local", "--shop", "NOWHERE-9")
    assert code == 0 and "For lite historikk for tilbaketesten." in out, out
