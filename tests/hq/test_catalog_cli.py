"""`kassa hq publish` and `kassa hq catalog` as the shop owner runs them (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kassa_tui.cli import main
from tests.unit.conftest import write_config

from .hq_schema import hq_schema

GOOD = "plu;ean;name;group;vat;price;unit\n2025;7020164760728;Rømme 18 % 3 dl;20;15;27,50;stk\n"
BAD = GOOD + "9002;;Uten pris;20;15;;stk\n"


def test_publish_checks_the_file_then_publishes_a_revision(hq_dsn: str, tmp_path: Path) -> None:
    hq_schema(hq_dsn)
    config = write_config(tmp_path)
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    env = {"KASSA_HQ_DSN": hq_dsn}
    runner = CliRunner()

    def kassa(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, ["--config", str(config), "hq", *args], env=env)
        return result.exit_code, result.output

    code, out = kassa("publish", str(tmp_path / "bad.csv"))
    assert code == 1
    assert "1 bad rows: nothing published." in out and "line 3: missing price" in out
    code, out = kassa("publish", "--dry-run", str(tmp_path / "good.csv"))
    assert (code, out.strip()) == (
        0,
        f"{tmp_path / 'good.csv'}: 1 rows, all good (nothing published).",
    )
    code, out = kassa("catalog", "--json")
    assert (code, json.loads(out)) == (0, [])
    code, out = kassa("publish", str(tmp_path / "good.csv"))
    assert (code, out.strip()) == (0, "Published catalog revision 1: 1 rows from good.csv.")
    code, out = kassa("catalog", "--json")
    assert [(r["revision"], r["kind"], r["rows"], r["source"]) for r in json.loads(out)] == [
        (1, "products", 1, "good.csv")
    ]


def test_the_demo_shops_hq_file_publishes(hq_dsn: str, tmp_path: Path) -> None:
    """data/demo_hq_products.csv, the README's quick start: a new price and a new product."""
    hq_schema(hq_dsn)
    config = write_config(tmp_path)
    demo = Path(__file__).resolve().parents[2] / "data" / "demo_hq_products.csv"
    result = CliRunner().invoke(
        main, ["--config", str(config), "hq", "publish", str(demo)], env={"KASSA_HQ_DSN": hq_dsn}
    )
    assert (result.exit_code, result.output.strip()) == (
        0,
        "Published catalog revision 1: 2 rows from demo_hq_products.csv.",
    )
