"""`kassa restore` while journal rows wait for HQ (issue 15, operations), against a real HQ.

A restore puts another database in place of the till's: rows HQ never acknowledged would be
left only in the replaced file. With [hq] configured the restore is refused, saying how many
rows and since when, before any PIN is asked and with nothing changed; `--despite-unsent` with
the technician's PIN restores anyway and the restored database's journal says so (who, how
many, from which seq). Once HQ holds everything nothing is asked.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.people import users
from tests.shop import demo_till
from tests.test_cli_backup import sell

from .pushing import Hq, make_hq

TECHNICIAN = "9\n9999\n"
CASHIER = "1\n1111\n"


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
    sell(folder, 2)
    return config


def kassa(*args: str, input: str = TECHNICIAN) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def _database(config: Path) -> Path:
    return config.parent / "var" / "kassa.db"


def _journal(db: Path) -> list[tuple[int, str, int | None, str]]:
    with sqlite3.connect(db) as conn:
        query = "SELECT seq, basic_id, user_number, text FROM journal ORDER BY seq"
        return conn.execute(query).fetchall()


def test_restore_is_refused_while_rows_wait_for_hq_and_goes_through_once_hq_holds_them(
    tmp_path: Path, shop: Path, hq: Hq
) -> None:
    backup = tmp_path / "b.db"
    assert kassa("--config", str(shop), "backup", str(backup))[0] == 0
    db = _database(shop)
    waiting = len(_journal(db))
    before = db.read_bytes()
    code, text = kassa("--config", str(shop), "restore", str(backup), "--force", input="")
    assert code == 1, text
    assert f"{waiting} journal rows of register KASSE-1 have not reached HQ" in text
    assert "the oldest from 20" in text and "--despite-unsent" in text
    assert "kassa sync --once" in text
    assert db.read_bytes() == before  # nothing changed, nothing kept beside it
    assert not list(db.parent.glob("kassa.db.before-restore-*"))
    # HQ takes everything: the same restore asks nothing more than the PIN
    code, text = kassa("--config", str(shop), "sync", "--once", input="")
    assert code == 0, text
    assert hq.one("SELECT last_seq FROM register") == waiting
    code, text = kassa("--config", str(shop), "restore", str(backup), "--force")
    assert code == 0, text
    assert "despite" not in text
    assert not [r for r in _journal(db) if r[1] == "RESTOREUNSENT"]


def test_despite_unsent_restores_with_the_technicians_pin_and_the_journal_says_so(
    tmp_path: Path, shop: Path, hq: Hq
) -> None:
    assert kassa("--config", str(shop), "sync", "--once", input="")[0] == 0
    acked = hq.one("SELECT last_seq FROM register")
    backup = tmp_path / "b.db"
    assert kassa("--config", str(shop), "backup", str(backup))[0] == 0
    sell(shop.parent, 1)  # a sale HQ never gets
    db = _database(shop)
    head = _journal(db)[-1][0]
    # a cashier cannot override
    code, text = kassa(
        "--config", str(shop), "restore", str(backup), "--force", "--despite-unsent", input=CASHIER
    )
    assert code == 1, text
    assert not list(db.parent.glob("kassa.db.before-restore-*"))
    code, text = kassa("--config", str(shop), "restore", str(backup), "--force", "--despite-unsent")
    assert code == 0, text
    _seq, basic, user, details = _journal(db)[-1]
    assert basic == "RESTOREUNSENT" and user == 9
    what = json.loads(details)
    # the sale and the PIN checks' rows after it (the cashier's refusal among them)
    assert what["acked_seq"] == acked and what["head_seq"] >= head > acked
    assert what["unsent"] == what["head_seq"] - acked and what["backup"] == str(backup)
    assert f"Restored with --despite-unsent ({what['unsent']} rows HQ had not acknowledged)" in text
    (kept,) = db.parent.glob("kassa.db.before-restore-*")
    assert _journal(kept)[-1][0] == what["head_seq"]  # the rows HQ lacks are in the kept file
    code, text = kassa("--config", str(shop), "journal", "verify")
    assert "Journal intact" in text, text
