"""`kassa order …` as a shift lead uses it: suppliers, a proposal, a confirmed order, its CSV,
goods in against it; a cashier is refused; bad input changes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui import composition
from kassa_tui.cli import main
from kassa_tui.composition import Till
from tests.shop import SteppingClock

from .conftest import BULK, NEW, NOW, STEADY

SHIFT_LEAD = "2\n2222\n"
CASHIER = "1\n1111\n"


@pytest.fixture(autouse=True)
def steered_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands run on the history's clock (its sales end the day before), at any date."""
    real = composition.open_till
    monkeypatch.setattr(
        composition, "open_till", lambda config, clock=None: real(config, SteppingClock(NOW))
    )


def kassa(shop: Till, *args: str, input: str = "") -> tuple[int, str]:
    folder = Path(shop.config.source).parent
    result = CliRunner().invoke(main, ["--config", str(folder / "kassa.toml"), *args], input=input)
    return result.exit_code, result.output


def journal(shop: Till, basic_id: str) -> list[dict[str, object]]:
    rows = shop.db.execute_sql(
        "SELECT text FROM journal WHERE basic_id = ? ORDER BY seq", (basic_id,)
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def test_suppliers_add_set_assign_and_list(shop: Till) -> None:
    code, out = kassa(shop, "order", "suppliers", "add", "NORD", "Nordgross", "--lead", "3",
                      input=SHIFT_LEAD)  # fmt: skip
    assert code == 0, out
    assert "Supplier NORD added: Nordgross, lead time 3 days, review every 7." in out
    code, out = kassa(shop, "order", "suppliers", "set", "nord", "--review", "14",
                      input=SHIFT_LEAD)  # fmt: skip
    assert code == 0 and "review every 14" in out, out
    code, out = kassa(shop, "order", "suppliers", "assign", "NORD", STEADY, "--pack", "12",
                      input=SHIFT_LEAD)  # fmt: skip
    assert code == 0 and "1 products from NORD, packs of 12." in out, out
    rows = journal(shop, "MASTERDATA")
    assert {"supplier": "NORD", "name": "Nordgross", "lead_days": 3, "review_days": 7} in [
        {k: r.get(k) for k in ("supplier", "name", "lead_days", "review_days")} for r in rows
    ]
    assert rows[-1]["product"] == STEADY and rows[-1]["supplier"] == "NORD"
    code, out = kassa(shop, "order", "suppliers", "list")
    line = next(text for text in out.splitlines() if text.startswith("NORD"))
    assert line.split()[-3:] == ["3", "14", "1"]


def test_bad_supplier_input_is_refused_and_changes_nothing(shop: Till) -> None:
    before = len(journal(shop, "MASTERDATA"))
    for args in (
        ("add", "X", "Y", "--lead", "-1"),
        ("add", "TEST", "Again", "--lead", "1"),
        ("assign", "TEST", STEADY, "--pack", "0"),
        ("assign", "NOPE", STEADY),
        ("set", "TEST"),
    ):
        code, out = kassa(shop, "order", "suppliers", *args, input=SHIFT_LEAD)
        assert code != 0 and "Traceback" not in out, (args, out)
    assert len(journal(shop, "MASTERDATA")) == before


def test_suggest_confirm_show_and_receive(shop: Till, tmp_path: Path) -> None:
    code, out = kassa(shop, "order", "suggest", "--supplier", "TEST", "--json", input=SHIFT_LEAD)
    assert code == 0, out
    lines = {line["code"]: line for line in json.loads(out)[0]["lines"]}
    assert lines[STEADY]["suggested"] == 18 and lines[BULK]["suggested"] == 24
    assert lines[NEW]["reason"] == "new product: order by hand"
    code, out = kassa(shop, "order", "suggest", "--supplier", "TEST", input=SHIFT_LEAD)
    assert "below target by 16; pack 6 → 18" in out
    # The shift lead takes BULK off and orders 6 of the new product.
    code, out = kassa(
        shop, "order", "confirm", "TEST", "--set", f"{BULK}=0", "--set", f"{NEW}=6",
        input=SHIFT_LEAD,
    )  # fmt: skip
    assert code == 0, out
    assert "Purchase order 1 confirmed and sent to the printer." in out
    assert journal(shop, "PURCHASEORDER")[0]["lines"] == [[STEADY, 18, 18], [NEW, 6, 0]]
    code, out = kassa(shop, "order", "show", "1", "--csv")
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    assert [r[2] for r in rows[1:]] == [STEADY, NEW] and [r[4] for r in rows[1:]] == ["18", "6"]
    target = tmp_path / "po1.csv"
    code, out = kassa(shop, "order", "show", "1", "--output", str(target))
    assert code == 0 and target.read_text(encoding="utf-8").splitlines()[1].startswith("T-")
    code, out = kassa(shop, "order", "list")
    assert out.splitlines()[1].split()[-1] == "open"
    code, out = kassa(shop, "order", "receive", "1", STEADY, "12", input=SHIFT_LEAD)
    assert code == 0, out
    assert "Steady 1 l: ordered 18, received 12: 6 short" in out
    assert "stays open" in out
    code, out = kassa(shop, "order", "receive", "1", input=SHIFT_LEAD)  # the rest, as ordered
    assert "is received in full and closed" in out, out
    code, out = kassa(shop, "order", "list")
    assert out.splitlines()[1].split()[-1] == "received"


def test_a_cashier_may_not_read_the_proposal_or_order(shop: Till) -> None:
    code, out = kassa(shop, "order", "suggest", input=CASHIER)
    assert code != 0 and "below target" not in out
    code, out = kassa(shop, "order", "confirm", "TEST", input=CASHIER)
    assert code != 0
    assert shop.db.execute_sql("SELECT COUNT(*) FROM purchase_order").fetchone()[0] == 0


def test_a_bad_edit_is_refused_before_anything_is_ordered(shop: Till, tmp_path: Path) -> None:
    bad = tmp_path / "edits.csv"
    bad.write_text(f"code;qty\n{STEADY};7\n", encoding="utf-8")
    for extra in (("--set", f"{STEADY}=abc"), ("--set", "nosuch=6"), ("--file", str(bad))):
        code, out = kassa(shop, "order", "confirm", "TEST", *extra, input=SHIFT_LEAD)
        assert code != 0 and "Traceback" not in out, (extra, out)
    assert "is not whole packs of 6" in out
    assert shop.db.execute_sql("SELECT COUNT(*) FROM purchase_order").fetchone()[0] == 0
