"""`kassa groups list|set-saft`: product groups and their SAF-T article group codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.people import users
from tests.shop import demo_till

SHIFT_LEAD = "2\n2222\n"  # the demo shift lead's number and PIN, read from stdin
CASHIER = "1\n1111\n"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def shop(tmp_path: Path) -> Till:
    return demo_till(tmp_path, language='"en"')


def kassa(folder: Path, *args: str, input: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(folder / "kassa.toml"), *args], input=input)
    return result.exit_code, result.output


def saft_of(shop: Till, group: str) -> str:
    row = shop.db.execute_sql("SELECT saft_group FROM product_group WHERE code = ?", (group,))
    return str(row.fetchone()[0])


def group_rows(shop: Till) -> list[tuple[int | None, dict[str, object]]]:
    """The journal's group SAF-T changes: (who, what)."""
    return [
        (row.user_number, json.loads(row.text))
        for row in shop.journal.rows()
        if row.basic_id == "MASTERDATA" and "group_saft" in row.text
    ]


def test_list_shows_code_name_saft_code_and_products(shop: Till, tmp_path: Path) -> None:
    products = shop.db.execute_sql(
        "SELECT COUNT(*) FROM product p JOIN product_group g ON g.id = p.group_id"
        " WHERE g.code = '20'"
    ).fetchone()[0]
    code, out = kassa(tmp_path, "groups", "list")
    assert code == 0, out
    (line,) = [line for line in out.splitlines() if line.startswith("20 ")]
    assert line.split()[:3] == ["20", "Meieri", "04006"] and "Food" in line
    assert line.split()[-1] == str(products) != "0"


def test_set_saft_without_a_pin_is_refused(shop: Till, tmp_path: Path) -> None:
    for login in ("", CASHIER, "2\n0000\n"):
        code, out = kassa(tmp_path, "groups", "set-saft", "20", "04003", input=login)
        assert code != 0, (login, out)
    assert saft_of(shop, "20") == "04006" and group_rows(shop) == []


def test_set_saft_with_a_shift_leads_pin_journals_and_changes_it(
    shop: Till, tmp_path: Path
) -> None:
    code, out = kassa(tmp_path, "groups", "set-saft", "20", "04003", input=SHIFT_LEAD)
    assert code == 0, out
    assert "Group 20: SAF-T code 04006 → 04003" in out
    assert saft_of(shop, "20") == "04003"
    changed = {"saft_group": ["04006", "04003"]}
    assert group_rows(shop) == [(2, {"action": "group_saft", "group": "20", "changed": changed})]


def test_set_saft_refuses_a_code_not_in_the_list_and_an_unknown_group(
    shop: Till, tmp_path: Path
) -> None:
    code, out = kassa(tmp_path, "groups", "set-saft", "20", "04100", input=SHIFT_LEAD)
    assert code != 0 and "'04100' is not a SAF-T article group code" in out
    code, out = kassa(tmp_path, "groups", "set-saft", "nope", "04003", input=SHIFT_LEAD)
    assert code != 0 and "There is no product group nope." in out
    assert saft_of(shop, "20") == "04006" and group_rows(shop) == []
