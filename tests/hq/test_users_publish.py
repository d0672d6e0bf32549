"""Staff published from HQ (issue 15: «users if the shop wants central staff»), real HQ.

`kassa hq publish --kind users FILE` (number;name;role;active) publishes the staff as a
catalog revision; the till applies it in one transaction at `kassa sync`: a known user keeps
their PIN and takes HQ's name, role and active; a new one arrives without a PIN (every till
peppers its own PIN hashes, kassa_tui/people/pepper.py) and signs in once the till's
technician has set one. Each change journaled with the revision. A file with a PIN column or a
bad row publishes nothing; a row that would leave the till without a technician is rejected.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import open_till
from kassa_tui.config import load
from kassa_tui.core.errors import Refused
from kassa_tui.people import users
from tests.shop import demo_till

from .pushing import Hq, make_hq


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def hq(hq_dsn: str) -> Hq:
    return make_hq(hq_dsn)


@pytest.fixture
def shop(tmp_path: Path, hq: Hq) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    demo_till(folder, language='"en"').db.close()
    settings = hq.add("KASSE-1", "STORGATA", tmp_path / "hq")  # kassa.toml's shop_id
    config = folder / "kassa.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[hq]\ndsn = "{settings.dsn}"\npassword_file = "{settings.password_file}"\n'
        + "tls = false\n",
        encoding="utf-8",
    )
    return config


def _publish(config: Path, hq: Hq, text: str, name: str = "staff.csv") -> tuple[int, str]:
    path = config.parent / name
    path.write_text(text, encoding="utf-8")
    args = ["--config", str(config), "hq", "publish", "--kind", "users", str(path)]
    result = CliRunner().invoke(main, args, env={"KASSA_HQ_DSN": hq.dsn})
    return result.exit_code, result.output


def _sync(config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), "sync", "--once"])
    return result.exit_code, result.output


def _users(config: Path) -> dict[int, tuple[str, str, int, bool]]:
    with sqlite3.connect(config.parent / "var" / "kassa.db") as conn:
        rows = conn.execute("SELECT number, name, role, active, pin_hash FROM user").fetchall()
    return {n: (name, role, active, bool(pin)) for n, name, role, active, pin in rows}


def _journal(config: Path, basic_id: str) -> list[dict[str, object]]:
    with sqlite3.connect(config.parent / "var" / "kassa.db") as conn:
        rows = conn.execute(
            "SELECT user_number, text FROM journal WHERE basic_id = ? ORDER BY seq", (basic_id,)
        ).fetchall()
    return [{"by": by, **json.loads(text)} for by, text in rows]


def test_published_staff_reach_the_till_without_pins(shop: Path, hq: Hq) -> None:
    code, out = _publish(
        shop,
        hq,
        "number;name;role;active\n"
        "1;Kari Kasserer-Olsen;kasserer;ja\n"
        "2;Siri Skiftleder;shift_lead;nei\n"
        "7;Per Sentral;shift_lead;ja\n",
    )
    assert code == 0, out
    assert hq.one("SELECT kind FROM catalog_revision") == "users"
    code, out = _sync(shop)
    assert code == 0, out
    assert "Users from HQ without a PIN on this till: 7." in out
    staff = _users(shop)
    assert staff[1] == ("Kari Kasserer-Olsen", "cashier", 1, True)  # PIN kept
    assert staff[2] == ("Siri Skiftleder", "shift_lead", 0, True)
    assert staff[7] == ("Per Sentral", "shift_lead", 1, False)  # no PIN on this till
    assert staff[9][1] == "technician"
    added = _journal(shop, "USERADD")
    assert added[-1]["added_user"] == 7 and added[-1]["hq_revision"] == 1
    assert added[-1]["by"] is None and "pin_hash" not in added[-1]
    changed = {row["changed_user"]: row for row in _journal(shop, "USERCHANGE")}
    assert changed[1]["details"] == {"name": ["Kari Kasserer", "Kari Kasserer-Olsen"]}
    assert changed[2]["details"] == {"active": [True, False]}
    with sqlite3.connect(shop.parent / "var" / "kassa.db") as conn:
        assert conn.execute("SELECT kind, rejected FROM catalog_pull").fetchall() == [("users", 0)]
    till = open_till(load(shop))
    try:
        assert till.users.sign_in("1", "1111").name == "Kari Kasserer-Olsen"
        for number, pin in (("2", "2222"), ("7", "0000")):  # disabled; no PIN yet
            with pytest.raises(Refused):
                till.users.sign_in(number, pin)
        technician = till.users.verify("9", "9999", purpose="users")
        till.users.set_pin(technician, 7, "4321")  # the till's technician gives Per a PIN
        assert till.users.sign_in("7", "4321").name == "Per Sentral"
    finally:
        till.db.close()


def test_a_pin_column_or_a_bad_row_publishes_nothing(shop: Path, hq: Hq) -> None:
    code, out = _publish(shop, hq, "number;name;role;pin\n7;Per;cashier;1234\n")
    assert code == 1 and "PINs are never published" in out
    code, out = _publish(shop, hq, "number;name;role\n7;Per;boss\nx;Ola;cashier\n")
    assert code == 1
    assert "line 2: unknown role 'boss'" in out and "line 3: a user number is 1 to 99999" in out
    assert hq.one("SELECT count(*) FROM catalog_revision") == 0


def test_the_tills_last_technician_is_not_taken_away(shop: Path, hq: Hq) -> None:
    code, out = _publish(shop, hq, "number;name;role\n9;Tore Tekniker;cashier\n")
    assert code == 0, out
    assert _sync(shop)[0] == 0
    assert _users(shop)[9][1] == "technician"
    with sqlite3.connect(shop.parent / "var" / "kassa.db") as conn:
        assert conn.execute("SELECT kind, rejected FROM catalog_pull").fetchall() == [("users", 1)]
