"""`kassa sync` pushes, checks the till's journal against HQ, then pulls the catalog (issue 15).

As the shop owner and the cashier see it: the owner publishes a price file at HQ, the till's
sync takes it, the till sells at the new price; with HQ out of reach the sync says so, exits 1
and the till sells on the revision it has.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.hq import catalog
from kassa_tui.people import users
from kassa_tui.sync.pull import applied_revision
from tests.unit.conftest import ROMME, SteeredTime

from .pushing import Hq, make_hq, make_till, sell

REGISTER = "KASSE-7"


@pytest.fixture(autouse=True)
def _fast_pins_in_english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def _with_hq(till: Till, hq: Hq, tmp_path: Path, port: int | None = None) -> Path:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    config = till.config.source
    dsn = settings.dsn if port is None else re.sub(r"port=\d+", f"port={port}", settings.dsn)
    with config.open("a", encoding="utf-8") as f:
        f.write(f'\n[hq]\ndsn = "{dsn}"\npassword_file = "{settings.password_file}"\n')
        f.write("tls = false\n")
    return config


def test_kassa_sync_pushes_then_takes_the_new_prices(hq_dsn: str, tmp_path: Path) -> None:
    hq = make_hq(hq_dsn)
    till = make_till(tmp_path / "till", Clock(source=SteeredTime()), REGISTER)
    config = _with_hq(till, hq, tmp_path)
    sell(till, ROMME)
    till.db.close()
    prices = tmp_path / "prices.csv"
    prices.write_text(
        "plu;ean;name;group;vat;price;unit\n2025;7020164760728;Rømme 18 % 3 dl;20;15;26,90;stk\n",
        encoding="utf-8",
    )
    with hq.connect() as conn:
        catalog.publish_file(conn, prices, load(config))
    result = CliRunner().invoke(main, ["--config", str(config), "sync", "--once"])
    assert result.exit_code == 0, result.output
    assert "Catalog revision 1 (1 applied now)." in result.output
    assert hq.one("SELECT count(*) FROM entry WHERE register_id = %s", REGISTER) > 0
    # The till's journal, pushed, tells HQ which revision it sells on once it syncs again.
    assert CliRunner().invoke(main, ["--config", str(config), "sync", "--once"]).exit_code == 0
    shown = CliRunner().invoke(
        main, ["hq", "catalog", "--registers", "--json"], env={"KASSA_HQ_DSN": hq_dsn}
    )
    assert [(t["register_id"], t["revision"]) for t in json.loads(shown.output)] == [(REGISTER, 1)]
    again = open_till(load(config), clock=Clock(source=SteeredTime()))
    assert applied_revision(again.db) == 1
    assert sell(again, ROMME) == 2690
    again.db.close()


def test_kassa_sync_with_hq_out_of_reach_keeps_the_revision(hq_dsn: str, tmp_path: Path) -> None:
    hq = make_hq(hq_dsn)
    till = make_till(tmp_path / "till", Clock(source=SteeredTime()), REGISTER)
    config = _with_hq(till, hq, tmp_path, port=1)
    till.db.close()
    result = CliRunner().invoke(main, ["--config", str(config), "sync", "--once"])
    assert result.exit_code == 1
    assert "the till sells on catalog revision 0" in result.output


def test_kassa_journal_verify_against_hq_names_a_rolled_back_journal(
    hq_dsn: str, tmp_path: Path
) -> None:
    hq = make_hq(hq_dsn)
    till = make_till(tmp_path / "till", Clock(source=SteeredTime()), REGISTER)
    config = _with_hq(till, hq, tmp_path)
    old_copy = tmp_path / "old.db"
    till.db.execute_sql(f"VACUUM INTO '{old_copy}'")
    sell(till, ROMME)
    database = till.config.database
    till.db.close()
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(config), "sync", "--once"]).exit_code == 0
    good = runner.invoke(main, ["--config", str(config), "journal", "verify", "--against-hq"])
    assert good.exit_code == 0, good.output
    assert "Journal holds HQ's last row of register KASSE-7" in good.output
    shutil.copyfile(old_copy, database)  # the till put back from an older copy
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    bad = runner.invoke(main, ["--config", str(config), "journal", "verify", "--against-hq"])
    assert bad.exit_code == 1
    assert "it was rolled back (restored from an old copy?)" in bad.output


def test_the_running_till_takes_small_revisions_by_itself(
    hq_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The App's background round (sync.status.push_round, a thread worker's job) pushes, then
    applies a small revision; a larger one than BACKGROUND_MAX_ROWS waits for `kassa sync`."""
    from kassa_tui.sync import pull as pulling
    from kassa_tui.sync.status import push_round

    monkeypatch.setattr(pulling, "BACKGROUND_MAX_ROWS", 1)
    hq = make_hq(hq_dsn)
    clock = Clock(source=SteeredTime())
    till = make_till(tmp_path / "till", clock, REGISTER)
    config = load(_with_hq(till, hq, tmp_path))
    header = "plu;ean;name;group;vat;price;unit\n"
    small = tmp_path / "small.csv"
    small.write_text(header + "2025;7020164760728;Rømme 18 % 3 dl;20;15;25,90;stk\n")
    large = tmp_path / "large.csv"
    large.write_text(header + "8801;;Vare A;20;15;10,00;stk\n8802;;Vare B;20;15;11,00;stk\n")
    with hq.connect() as conn:
        catalog.publish_file(conn, small, config)
        catalog.publish_file(conn, large, config)
    text, ok = push_round(config, clock)
    assert ok, text
    assert applied_revision(till.db) == 1
    assert sell(till, ROMME) == 2590  # the cashier's next scan, no restart
    push_round(config, clock)
    assert applied_revision(till.db) == 1  # revision 2 waits for kassa sync
    till.db.close()
    result = CliRunner().invoke(main, ["--config", str(config.source), "sync", "--once"])
    assert result.exit_code == 0, result.output
    assert "Catalog revision 2 (1 applied now)." in result.output
