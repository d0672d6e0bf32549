"""A till's shop and HQ's idea of it must agree (issue 15, head office).

HQ books a register's sales and stock moves to the shop `kassa hq register add --shop` gave it;
transfers on the till use `[shop] shop_id` from kassa.toml. Each sync round reads HQ's shop
(`register_shop`, HQ migration 0024) and keeps it on the till (kassa_tui.stock.own_shop):

- the two agree: `kassa sync --once` exits 0, transfers go as before;
- they differ: `kassa sync --once` says so in one line (both ids) and exits 1, the sale
  screen's header says «HQ: shop!», transfers are refused (send and receive) with that line,
  and a sale still goes through and reaches HQ;
- kassa.toml names no shop: HQ's shop is this shop (sending to it is refused);
- an HQ before 0024 (no register_shop): sync exits 0 and nothing changes.
All through the till's CLI against a real PostgreSQL (tests/hq/conftest.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.cli import main
from kassa_tui.composition import open_till
from kassa_tui.config import load
from kassa_tui.core.clock import Clock
from kassa_tui.hq import migrations
from kassa_tui.stock.own_shop import hq_shop
from kassa_tui.sync.status import header
from tests.app.screen_text import screen_text
from tests.app.test_sale_flow import sign_in
from tests.unit.conftest import ROMME, SteeredTime

from .pushing import Hq, head, make_hq, make_till, role_dsn, sell
from .selling_app import REGISTER, push_round, sell_and_push, sync_label

pytestmark = pytest.mark.usefixtures("fast_pins")

TRANSFER_ID = "0c5a8f7e-1d2b-4c3a-9e8f-7a6b5c4d3e2f"


def _till(tmp_path: Path, hq: Hq, register: str, at_hq: str, shop_id: str | None) -> Path:
    """A demo till for `register` with one sale, HQ's register in shop `at_hq`, kassa.toml's
    `[shop] shop_id` (none when None) and its [hq] section; the till closed again."""
    folder = tmp_path / register
    till = make_till(folder, Clock(source=SteeredTime()), register)  # no shop_id in kassa.toml
    sell(till)
    till.db.close()
    config = till.config.source
    if shop_id is not None:
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("[shop]\n", f'[shop]\nshop_id = "{shop_id}"\n', 1))
        assert load(config).shop_id == shop_id
    settings = hq.add(register, at_hq, folder)
    with config.open("a", encoding="utf-8") as f:
        f.write(f'\n[hq]\ndsn = "{settings.dsn}"\npassword_file = "{settings.password_file}"\n')
        f.write("tls = false\n")
    return config


def _kassa(config: Path, *args: str) -> Any:
    """`kassa --config … ARGS`, the shift lead's number and PIN on stdin (for transfers)."""
    return CliRunner().invoke(main, ["--config", str(config), *args], input="2\n2222\n")


def _send(config: Path, to: str) -> Any:
    return _kassa(config, "stock", "transfer", "--to", to, ROMME, "1")


def _receive(config: Path, sender: str) -> Any:
    return _kassa(
        config, "stock", "receive", "--transfer", TRANSFER_ID, "--from", sender, ROMME, "1"
    )


def _hq_shop(config: Path) -> str | None:
    """HQ's shop as the till keeps it (None: no round has read it)."""
    till = open_till(load(config))
    try:
        return hq_shop(till.db, till.config.register_id)
    finally:
        till.db.close()


def _transfer_rows(config: Path) -> int:
    till = open_till(load(config))
    try:
        return int(
            till.db.execute_sql(
                "SELECT count(*) FROM journal WHERE basic_id IN ('TRANSFEROUT', 'TRANSFERIN')"
            ).fetchone()[0]
        )
    finally:
        till.db.close()


@pytest.fixture
def hq(hq_dsn: str) -> Hq:
    return make_hq(hq_dsn)


def test_agreeing_shops_sync_and_transfer_as_before(hq: Hq, tmp_path: Path) -> None:
    config = _till(tmp_path, hq, "KASSE-1", "OSLO1", "oslo1")  # case as HQ's check: the same
    synced = _kassa(config, "sync", "--once")
    assert synced.exit_code == 0, synced.output
    assert "HQ has register" not in synced.output
    text, ok = header(load(config), Clock())
    assert text.startswith("HQ ") and ok
    sent = _send(config, "BERGEN1")
    assert sent.exit_code == 0, sent.output
    own = _send(config, "OSLO1")
    assert own.exit_code != 0 and "OSLO1 is this shop" in own.output
    assert _receive(config, "BERGEN1").exit_code == 0
    assert _transfer_rows(config) == 2


def test_differing_shops_are_said_transfers_refused_and_sales_go_on(hq: Hq, tmp_path: Path) -> None:
    config = _till(tmp_path, hq, "KASSE-1", "WALK1", "STORGATA")
    # before any sync the till knows only its own kassa.toml: transfers as before
    assert _hq_shop(config) is None
    synced = _kassa(config, "sync", "--once")
    assert synced.exit_code == 1, synced.output
    line = (
        "kassa: This till says shop STORGATA ([shop] shop_id in kassa.toml), HQ has register"
        " KASSE-1 in shop WALK1 (`kassa hq register add`): correct the wrong one; transfers are"
        " refused until they agree"
    )
    assert line in synced.output.splitlines()
    assert header(load(config), Clock()) == ("HQ: shop!", False)
    # transfers refused, both ways, whatever the other shop, and nothing journaled
    for refused in (_send(config, "BERGEN1"), _send(config, "WALK1"), _receive(config, "WALK1")):
        assert refused.exit_code != 0
        assert "HQ has register KASSE-1 in shop WALK1" in refused.output
    assert _transfer_rows(config) == 0
    # selling goes on, and HQ takes the sale
    till = open_till(load(config), clock=Clock(source=SteeredTime()))
    sell(till, ROMME)
    last = head(till)
    till.db.close()
    again = _kassa(config, "sync", "--once")
    assert again.exit_code == 1 and line in again.output.splitlines()
    assert hq.one("SELECT last_seq FROM register WHERE register_id = 'KASSE-1'") == last
    assert hq.one("SELECT count(*) FROM sale WHERE register_id = 'KASSE-1'") == 2
    # HQ's register corrected (here: in the database; in a shop, kassa.toml or HQ): all fine
    with hq.connect() as conn:
        conn.execute("INSERT INTO shop (shop_id) VALUES ('STORGATA')")
        conn.execute("UPDATE register SET shop_id = 'STORGATA' WHERE register_id = 'KASSE-1'")
    fixed = _kassa(config, "sync", "--once")
    assert fixed.exit_code == 0, fixed.output
    assert _send(config, "BERGEN1").exit_code == 0


def test_without_a_shop_id_the_till_takes_hqs(hq: Hq, tmp_path: Path) -> None:
    config = _till(tmp_path, hq, "KASSE-1", "WALK1", None)
    assert load(config).shop_id == ""
    assert _send(config, "WALK1").exit_code == 0  # nothing known yet: as before
    assert _kassa(config, "sync", "--once").exit_code == 0
    assert _hq_shop(config) == "WALK1"
    own = _send(config, "walk1")
    assert own.exit_code != 0 and "walk1 is this shop" in own.output
    sent_in = _receive(config, "WALK1")
    assert sent_in.exit_code != 0 and "WALK1 is this shop" in sent_in.output
    assert _send(config, "BERGEN1").exit_code == 0
    assert _transfer_rows(config) == 2


def test_an_hq_before_0024_syncs_as_before(hq: Hq, tmp_path: Path) -> None:
    with hq.connect() as conn:
        conn.execute("DROP FUNCTION register_shop(text)")
    config = _till(tmp_path, hq, "KASSE-1", "WALK1", "STORGATA")
    synced = _kassa(config, "sync", "--once")
    assert synced.exit_code == 0, synced.output
    assert "HQ has register" not in synced.output
    assert _hq_shop(config) is None
    text, ok = header(load(config), Clock())
    assert text.startswith("HQ ") and ok
    assert _send(config, "WALK1").exit_code == 0  # as before: only kassa.toml's shop is known


def test_a_register_reads_only_its_own_shop(hq: Hq, tmp_path: Path) -> None:
    mine = hq.add("KASSE-1", "OSLO1", tmp_path / "one")
    hq.add("KASSE-2", "BERGEN1", tmp_path / "two")
    with psycopg.connect(role_dsn(mine), autocommit=True) as conn:
        assert conn.execute("SELECT register_shop('KASSE-1')").fetchone() == ("OSLO1",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT register_shop('KASSE-2')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT shop_id FROM register")


def test_migration_0024_on_an_hq_at_0023(
    hq_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = migrations.available()
    monkeypatch.setattr(migrations, "available", lambda: [m for m in every if m.version <= 23])
    old = make_hq(hq_dsn)
    settings = old.add("KASSE-1", "OSLO1", tmp_path)
    with (
        psycopg.connect(role_dsn(settings), autocommit=True) as conn,
        pytest.raises(psycopg.errors.UndefinedFunction),
    ):
        conn.execute("SELECT register_shop('KASSE-1')")
    monkeypatch.undo()
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        assert "0024_register_shop" in migrations.upgrade(conn)
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        assert conn.execute("SELECT register_shop('KASSE-1')").fetchone() == ("OSLO1",)


@pytest.mark.parametrize("console", [False, True], ids=["theme", "console"])
async def test_the_sale_screen_says_it_and_sells_on(
    hq: Hq, sync_till: Any, tmp_path: Path, console: bool
) -> None:
    """The running till's own rounds: «HQ: shop!» in red on the top line at 80×24, the
    cashier sells on and HQ gets the sale; HQ's register moved to the till's shop: all fine."""
    settings = replace(hq.add(REGISTER, "WALK1", tmp_path), interval_seconds=3600)
    config = replace(sync_till.config, hq=settings, shop_id="STORGATA")
    till = replace(sync_till, config=config)
    app = KassaApp(till, MemoryPrinter(), console=console)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await sell_and_push(pilot, app)
        assert hq.one("SELECT count(*) FROM sale") == 1
        assert hq.one("SELECT last_seq FROM register") == head(till)
        label = str(sync_label(app).render())
        assert label == "HQ: shop!" and sync_label(app).has_class("error")
        assert label in screen_text(app).splitlines()[0]
        with hq.connect() as conn:
            conn.execute("INSERT INTO shop (shop_id) VALUES ('STORGATA')")
            conn.execute("UPDATE register SET shop_id = 'STORGATA'")
        await push_round(pilot, app)
        assert str(sync_label(app).render()).startswith("HQ ")
        assert not sync_label(app).has_class("error")


def test_register_add_names_the_shop_the_till_must_say(hq_dsn: str, tmp_path: Path) -> None:
    env = {"KASSA_HQ_DSN": hq_dsn, "KASSA_CONFIG": str(tmp_path / "none.toml")}
    assert CliRunner().invoke(main, ["hq", "init"], env=env).exit_code == 0
    args = ["hq", "register", "add", "K1", "--shop", "OSLO1", "--sslmode", "disable"]
    added = CliRunner().invoke(main, args, env=env)
    assert added.exit_code == 0, added.output
    assert '# Under [shop]: shop_id = "OSLO1", or none' in added.output
