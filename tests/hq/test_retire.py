"""Signing a register out for good (issue 15, operations), against a real HQ.

`kassa register retire --reason …` on the till: refused while journal rows wait for HQ (the same
check as `kassa restore`), before any PIN is asked and with nothing changed; a technician's
PIN; the REGISTERRETIRE row (13999) in the signed journal, pushed at once; the till sells
nothing more (the sale service, so the screen and the CLI alike); HQ marks the register retired
(`kassa hq status`) and refuses anything pushed after the row. `--despite-unsent` retires
anyway and the row records how many rows HQ had not acknowledged. `kassa init` over an
existing database is refused (it never overwrites one, rows waiting or not).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import open_till
from kassa_tui.config import load
from kassa_tui.core.errors import Refused
from kassa_tui.people import users
from kassa_tui.sync.sender import SenderLock
from tests.shop import demo_till
from tests.test_cli_backup import sell
from tests.unit.conftest import ROMME

from .pushing import Hq, make_hq

TECHNICIAN = "9\n9999\n"
SHIFT_LEAD = "2\n2222\n"


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


def kassa(
    *args: str, input: str = TECHNICIAN, env: dict[str, str] | None = None
) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input, env=env)
    return result.exit_code, result.output


def _journal(config: Path) -> list[tuple[int, str, str, int | None, str]]:
    with sqlite3.connect(config.parent / "var" / "kassa.db") as conn:
        query = "SELECT seq, event_code, basic_id, user_number, text FROM journal ORDER BY seq"
        return conn.execute(query).fetchall()


def _retire(config: Path, *extra: str, input: str = TECHNICIAN) -> tuple[int, str]:
    return kassa(
        "--config", str(config), "register", "retire", "--reason", "Pi replaced", *extra,
        input=input,
    )  # fmt: skip


def test_retire_is_refused_while_rows_wait_and_nothing_changes(shop: Path, hq: Hq) -> None:
    before = _journal(shop)
    code, out = _retire(shop)
    assert code == 1
    assert f"{len(before)} journal rows of register KASSE-1 have not reached HQ" in out
    assert "kassa register retire anyway with --despite-unsent" in out
    assert "PIN" not in out.split("have not reached HQ")[0]  # refused before the PIN is asked
    assert _journal(shop) == before
    till = open_till(load(shop))
    try:
        cashier = till.users.sign_in("1", "1111")
        till.baskets.add(cashier, ROMME)  # still sells
    finally:
        till.db.close()
    assert hq.one("SELECT retired_seq FROM register WHERE register_id = 'KASSE-1'") is None


def test_retired_register_sells_nothing_and_hq_takes_nothing_after_it(
    shop: Path, hq: Hq, hq_dsn: str
) -> None:
    code, out = kassa("--config", str(shop), "sync", "--once")
    assert code == 0, out
    assert _retire(shop, input="1\n1111\n")[0] == 1  # a cashier may not
    assert _retire(shop, input=SHIFT_LEAD)[0] == 1  # nor a shift lead
    assert kassa("--config", str(shop), "sync", "--once")[0] == 0  # the DENIED rows sent
    code, out = _retire(shop)
    assert code == 0, out
    seq, event_code, basic_id, user, text = _journal(shop)[-1]
    assert (event_code, basic_id, user) == ("13999", "REGISTERRETIRE", 9)
    assert json.loads(text) == {"reason": "Pi replaced"}
    assert f"Register KASSE-1 is signed out for good (journal row {seq})" in out
    assert f"HQ holds the retirement: register KASSE-1 up to {seq}." in out
    # HQ marks it, and kassa hq status shows it
    assert hq.one("SELECT retired_seq, retired_reason FROM register") == (seq, "Pi replaced")
    env = {"KASSA_HQ_DSN": hq_dsn}
    code, out = kassa("hq", "status", "--json", env=env)
    assert json.loads(out)[0]["retired_seq"] == seq
    shown = kassa("hq", "status", env=env)[1]
    assert f"RETIRED at {seq}" in shown or f"UTMELDT ved {seq}" in shown  # en or nb
    # the till sells nothing more: the sale service refuses (screen and CLI)
    till = open_till(load(shop))
    try:
        with pytest.raises(Refused) as refused:  # signing in is journaled: refused
            till.users.sign_in("1", "1111")
        assert "This register was signed out for good on" in str(refused.value)
        cashier = till.users.verify("1", "1111", purpose="test")
        with pytest.raises(Refused) as refused:
            till.baskets.add(cashier, ROMME)
        assert "Register KASSE-1 was signed out for good" in str(refused.value)
        assert "Pi replaced" in str(refused.value)
        assert (
            till.db.execute_sql("SELECT count(*) FROM basket WHERE status = 'open'").fetchone()[0]
            == 0
        )
    finally:
        till.db.close()
    # nothing was written after the retirement: sync has nothing to send, HQ has no complaint
    assert _journal(shop)[-1][0] == seq
    code, out = kassa("--config", str(shop), "sync", "--once")
    assert code == 0, out
    assert hq.one("SELECT last_seq FROM register") == seq
    assert hq.one("SELECT max(seq) FROM entry") == seq
    # twice: refused, nothing journaled
    rows = _journal(shop)
    code, out = _retire(shop, "--despite-unsent")
    assert code == 1 and "already signed out for good" in out
    assert _journal(shop) == rows


def test_retire_leaves_the_push_to_the_sender_that_holds_the_register(shop: Path, hq: Hq) -> None:
    """The running till's sync child (or a `kassa sync` loop) is the register's one sender: the
    retirement waits for its next round instead of racing it for the cursor."""
    assert kassa("--config", str(shop), "sync", "--once")[0] == 0
    running = SenderLock(shop.parent / "var" / "kassa.db")  # as the sync child holds it
    assert running.acquire()
    try:
        code, out = _retire(shop)
        assert code == 0, out
        seq = _journal(shop)[-1][0]
        assert f"Register KASSE-1 is signed out for good (journal row {seq})" in out
        assert f"another sender pushes register KASSE-1 (process {os.getpid()}" in out
        assert "HQ holds the retirement" not in out
        assert hq.one("SELECT retired_seq FROM register") is None
        assert hq.one("SELECT last_seq FROM register") < seq
    finally:
        running.release()
    code, out = kassa("--config", str(shop), "sync", "--once")  # the sender's next round
    assert code == 0, out
    assert hq.one("SELECT retired_seq FROM register") == seq


def test_despite_unsent_retires_and_the_row_says_how_many(shop: Path, hq: Hq) -> None:
    waiting = len(_journal(shop))
    code, out = _retire(shop, "--despite-unsent", input="1\n1111\n")
    assert code == 1 and "may not" in out  # a cashier cannot override
    code, out = _retire(shop, "--despite-unsent")
    assert code == 0, out
    assert "Retired with --despite-unsent" in out
    _seq, _code, basic_id, _user, text = _journal(shop)[-1]
    assert basic_id == "REGISTERRETIRE"
    details = json.loads(text)
    assert details["reason"] == "Pi replaced"
    assert details["despite_unsent"]["acked_seq"] == 0
    assert details["despite_unsent"]["unsent"] >= waiting
    # pushed at once with everything else: HQ holds all and marks the register
    assert hq.one("SELECT retired_seq FROM register") == _seq
    code, out = kassa("--config", str(shop), "journal", "verify")
    assert code == 0, out


def test_kassa_init_over_an_existing_database_with_rows_waiting_is_refused(shop: Path) -> None:
    before = _journal(shop)
    code, out = kassa("--config", str(shop), "init", "--demo")
    assert code == 1
    assert "already exists; kassa init never overwrites a till" in out
    assert _journal(shop) == before


@pytest.mark.parametrize("console", [False, True])
async def test_a_retired_register_starts_to_a_screen_saying_so_and_writes_nothing(
    tmp_path: Path, console: bool
) -> None:
    """At 80×24 (and on the Linux console): the app shows when and why, and what to do; it
    journals no start, and a cashier's number and PIN sign nobody in."""
    from devices.printer import MemoryPrinter
    from kassa_tui.app import KassaApp
    from kassa_tui.core import i18n
    from kassa_tui.sync.retire import retire
    from tests.app.screen_text import screen_text
    from tests.shop import SteppingClock

    (tmp_path / "shop").mkdir()
    till = demo_till(tmp_path / "shop", SteppingClock(), language='"en"')
    i18n.set_language("en")
    try:
        technician = till.users.verify("9", "9999", purpose="retire")
        retire(till.db, till.journal, "KASSE-1", technician, "Pi replaced")
        head = till.journal.head()
        app = KassaApp(till, MemoryPrinter(), console=console)
        async with app.run_test(size=(80, 24)) as pilot:
            for key in "1", "enter", "1", "1", "1", "1", "enter":
                await pilot.press(key)
            await pilot.pause()
            shown = " ".join(screen_text(app).replace("│", " ").replace("|", " ").split())
            assert "This register was signed out for good on" in shown
            assert "(Pi replaced). Give the Pi a new register ID." in shown
            assert app.person is None
        assert till.journal.head() == head
        assert till.db.execute_sql("SELECT count(*) FROM basket_line").fetchone()[0] == 0
    finally:
        till.db.close()
