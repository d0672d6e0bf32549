"""A retired register writes nothing after its retirement row (issue 15, operations).

Retired while HQ cannot be reached (`--despite-unsent`, the push failing): the app starts to a
screen saying so, journaling no start and no sign-in; the CLI's journaling commands are
refused with the same words; `kassa sync` then pushes every row, the retirement last, and HQ
marks the register retired holding all of them (nothing refused, the header's «HQ: check» gone).
"""

from __future__ import annotations

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


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def hq(hq_dsn: str) -> Hq:
    return make_hq(hq_dsn)


def kassa(*args: str, input: str = TECHNICIAN) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def journal(config: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(config.parent / "var" / "kassa.db") as conn:
        return conn.execute("SELECT seq, basic_id FROM journal ORDER BY seq").fetchall()


@pytest.fixture
def retired_offline(tmp_path: Path, hq: Hq) -> Path:
    """A demo till with sales, retired with --despite-unsent while HQ is unreachable."""
    folder = tmp_path / "shop"
    folder.mkdir()
    demo_till(folder, language='"en"').db.close()
    settings = hq.add("KASSE-1", "OSLO1", tmp_path / "hq")
    config = folder / "kassa.toml"
    plain = config.read_text(encoding="utf-8")
    table = '\n[hq]\ndsn = "{dsn}"\npassword_file = "{pw}"\ntls = false\n'
    sell(folder, 2)
    dead = settings.dsn.replace(settings.dsn.split("port=")[1].split()[0], "1", 1)
    config.write_text(plain + table.format(dsn=dead, pw=settings.password_file), "utf-8")
    code, out = kassa(
        "--config", str(config), "register", "retire", "--reason", "Pi replaced",
        "--despite-unsent",
    )  # fmt: skip
    assert code == 0, out
    assert "HQ has not got the retirement yet" in out
    config.write_text(plain + table.format(dsn=settings.dsn, pw=settings.password_file), "utf-8")
    return config


async def test_a_retired_till_starts_to_a_clear_screen_and_sync_sends_everything(
    retired_offline: Path, hq: Hq
) -> None:
    from devices.printer import MemoryPrinter
    from kassa_tui.app import KassaApp
    from kassa_tui.composition import open_till
    from kassa_tui.config import load
    from tests.app.screen_text import screen_text

    config = retired_offline
    before = journal(config)
    assert before[-1][1] == "REGISTERRETIRE"
    till = open_till(load(config))
    try:
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown = " ".join(screen_text(app).replace("│", " ").split())
            assert "This register was signed out for good on" in shown
            assert "(Pi replaced). Give the Pi a new register ID." in shown
            for key in "1", "enter", "1", "1", "1", "1", "enter":  # a cashier tries to sign in
                await pilot.press(key)
            await pilot.pause()
            assert "This register was signed out for good on" in " ".join(screen_text(app).split())
    finally:
        till.db.close()
    assert journal(config) == before  # no APPSTART, no LOGIN
    # the CLI's journaling commands are refused with the same words, nothing written
    code, out = kassa("--config", str(config), "users", "disable", "1")
    assert code == 1 and "This register was signed out for good on" in out, out
    assert "(Pi replaced). Give the Pi a new register ID." in out
    assert journal(config) == before
    # kassa sync: HQ takes every row, the retirement last, and marks the register
    code, out = kassa("--config", str(config), "sync", "--once")
    assert code == 0, out
    assert "0 waiting" in out
    assert "signed out for good: no catalog is pulled" in out
    last = before[-1][0]
    assert hq.one("SELECT last_seq FROM register") == last
    assert hq.one("SELECT count(*) FROM entry") == len(before)
    assert hq.one("SELECT retired_seq FROM register") == last
    assert journal(config) == before
