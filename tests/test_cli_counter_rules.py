"""`kassa rules list|group|product`: age limits, beer hours and eat-in VAT, set by a shift lead
or technician, journaled as master data; bad input changes nothing and asks for no PIN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.catalog.counter_rules import rule_of
from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.people import users
from tests.shop import demo_till

SHIFT_LEAD = "2\n2222\n"
CASHIER = "1\n1111\n"
BOLLER = "3029"  # Kanelboller 4 stk (PLU): no eat-in rate in the demo shop


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def shop(tmp_path: Path) -> Till:
    return demo_till(tmp_path, language='"en"')


def kassa(folder: Path, *args: str, input: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(folder / "kassa.toml"), *args], input=input)
    return result.exit_code, result.output


def product_id(shop: Till, plu: str) -> int:
    return int(shop.db.execute_sql("SELECT id FROM product WHERE plu = ?", (plu,)).fetchone()[0])


def changes(shop: Till) -> list[dict[str, object]]:
    return [
        json.loads(row.text)
        for row in shop.journal.rows()
        if row.basic_id == "MASTERDATA" and "_rule" in row.text
    ]


def test_list_shows_the_demo_shops_rules(shop: Till, tmp_path: Path) -> None:
    code, out = kassa(tmp_path, "rules", "list")
    assert code == 0, out
    lines = out.splitlines()
    assert any(line.split()[:3] == ["65", "Øl", "18"] and "yes" in line for line in lines)
    assert any(line.startswith("3031 ") and line.endswith("25 %") for line in lines)


def test_a_shift_lead_sets_a_group_and_a_product(shop: Till, tmp_path: Path) -> None:
    code, out = kassa(tmp_path, "rules", "group", "90", "--age", "18", input=SHIFT_LEAD)
    assert code == 0, out
    assert "Group 90: age limit 18, beer no." in out
    code, out = kassa(tmp_path, "rules", "product", BOLLER, "--eat-in-vat", "25", input=SHIFT_LEAD)
    assert code == 0, out
    assert rule_of(shop.db, product_id(shop, BOLLER)).eat_in_vat_bp == 2500
    assert changes(shop) == [
        {"group_rule": "90", "age_limit": 18, "beer": False},
        {"product_rule": BOLLER, "age_limit": None, "beer": None, "eat_in_vat_bp": 2500},
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("group", "90", "--age", "16"), "An age limit is 0 (none), 18 or 20, not 16."),
        (("product", BOLLER, "--eat-in-vat", "30"), "must be one of the till's rates, not 30"),
        (("product", BOLLER, "--beer", "maybe"), "--beer is yes, no or group, not maybe."),
        (("product", "99999"), "99999"),
    ],
)
def test_bad_input_changes_nothing_and_asks_no_pin(
    shop: Till, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    before = len(shop.journal.rows())
    code, out = kassa(tmp_path, "rules", *args)  # no PIN on stdin: none is asked for
    assert code != 0 and said in out, out
    assert len(shop.journal.rows()) == before


def test_a_cashier_may_not(shop: Till, tmp_path: Path) -> None:
    code, out = kassa(tmp_path, "rules", "group", "90", "--age", "18", input=CASHIER)
    assert code != 0 and "may not do product and price changes" in out, out
    assert changes(shop) == []
