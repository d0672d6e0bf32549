"""A large catalog revision reaches the running till by itself, while the till is idle (issue 15).

HQ publishes a 5,000-row price list (more than BACKGROUND_MAX_ROWS) while the till's App runs
with its sync child (a real child process, a real PostgreSQL). As the cashier sees it: while a
basket is open, or keys keep coming, the till sells on its revision and the header says one
waits («rev 1 waits»); once the basket is empty and nothing was typed for [hq] idle_seconds,
the child applies it in one SQLite transaction; the next scan rings up the new price. A
revision being applied when the till turns busy is rolled back whole; a kill -9 in the middle
of applying leaves the revision before.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from time import monotonic
from typing import Any

import psycopg
import pytest
from textual.widgets import Label

from devices.printer import MemoryPrinter
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.config.hq import HqSettings
from kassa_tui.config.table import ConfigError
from kassa_tui.core import i18n
from kassa_tui.hq import catalog
from kassa_tui.people import users
from kassa_tui.sync.large import apply_prepared, prepare_next
from kassa_tui.sync.pull import Interrupted, applied_revision
from kassa_tui.sync.push import SyncState, open_own
from kassa_tui.sync.status import status_text
from tests.app.screen_text import screen_text
from tests.app.test_sale_flow import scan, sign_in, totals
from tests.shop import SteppingClock

from .pushing import Hq, make_hq, make_till, role_dsn

REGISTER = "KASSE-3"
ROMME = "7020164760728"  # Rømme 18 % 3 dl, 24,90 in the demo shop
ROWS = 5000
NOW = "2026-11-27T11:00:00.000000Z"  # 12:00 in Oslo


@pytest.fixture(autouse=True)
def _fast_pins_in_english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def _ean(i: int) -> str:
    body = f"200{i:09d}"
    total = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _publish_large(hq: Hq, till: Till, folder: Path, romme_price: str = "33,00") -> int:
    """HQ's price list: rømme at a new price and ROWS - 1 new products."""
    lines = [
        "plu;ean;name;group;vat;price;unit",
        f"2025;{ROMME};Rømme 18 % 3 dl;20;15;{romme_price};stk",
    ]
    lines += [f"{60000 + i};{_ean(i)};Vare {i};20;15;{10 + i % 90},00;stk" for i in range(ROWS - 1)]
    path = folder / "prisliste.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with hq.connect() as conn:
        return catalog.publish_file(conn, path, till.config).revision


def _revision(till: Till) -> int:
    db = open_own(till.config.database)
    try:
        return applied_revision(db)
    finally:
        db.close()


def _sync_label(app: KassaApp) -> str:
    return str(app.screen.query_one("#sale-sync", Label).render())


async def _round(pilot: Any, app: KassaApp) -> None:
    app.push_to_hq()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _all_sent(pilot: Any, app: KassaApp) -> None:
    """Rounds until the header says nothing waits to be sent (a row journaled while a round
    ran goes with the next one)."""
    for _round_nr in range(5):
        await _round(pilot, app)
        if not re.search(r", \d+ wait$", _sync_label(app)):
            return


async def test_a_large_revision_waits_for_an_idle_till_then_rings_up(
    hq_dsn: str, tmp_path: Path
) -> None:
    hq = make_hq(hq_dsn)
    till = make_till(tmp_path / "till", SteppingClock(), REGISTER)
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    settings = replace(settings, interval_seconds=3600, idle_seconds=5)
    till = replace(till, config=replace(till.config, hq=settings))
    revision = _publish_large(hq, till, tmp_path)
    app = KassaApp(till, MemoryPrinter())
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await scan(pilot, ROMME)  # a basket open
            await _all_sent(pilot, app)  # pushed; the revision fetched, not applied
            assert _revision(till) == 0
            assert f"rev {revision} waits" in _sync_label(app)
            assert _sync_label(app) in screen_text(app).splitlines()[0]  # whole, at 80
            # long without a key, but the basket is open: not idle
            app.last_activity = monotonic() - 600
            app.report_idle()
            await _round(pilot, app)
            assert _revision(till) == 0
            # paid: the basket is empty, but keys just came: not idle either
            await pilot.press("f10", "enter")
            await pilot.pause()
            app.report_idle()
            await _round(pilot, app)
            assert _revision(till) == 0
            # nothing typed for idle_seconds, the basket empty: the child applies it
            app.last_activity = monotonic() - settings.idle_seconds - 1
            app.report_idle()
            deadline = monotonic() + 25
            while _revision(till) != revision and monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert _revision(till) == revision
            await pilot.pause()
            # the cashier scans: busy again, and the new price rings up without a restart
            await scan(pilot, ROMME)
            await pilot.pause()
            assert "33,00" in totals(app)
            products = till.db.execute_sql("SELECT count(*) FROM product WHERE name LIKE 'Vare %'")
            assert products.fetchone()[0] == ROWS - 1
            await _round(pilot, app)
            assert "waits" not in _sync_label(app)
            with hq.connect() as conn:  # and HQ learns it from the till's pushed journal
                shown = [(r.register_id, r.revision) for r in catalog.register_revisions(conn)]
            assert shown == [(REGISTER, revision)]
    finally:
        if app.sync_child is not None:
            app.sync_child.stop()


async def test_a_day_close_counts_as_idle_at_once(hq_dsn: str, tmp_path: Path) -> None:
    hq = make_hq(hq_dsn)
    till = make_till(tmp_path / "till", SteppingClock(), REGISTER)
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    settings = replace(settings, interval_seconds=3600, idle_seconds=3600)
    till = replace(till, config=replace(till.config, hq=settings))
    revision = _publish_large(hq, till, tmp_path)
    app = KassaApp(till, MemoryPrinter())
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "2", "2222")  # the shift lead closes the day
            await _round(pilot, app)
            assert app.sync_child is not None and app.sync_child.catalog_waiting == revision
            await pilot.press("f12")
            await pilot.pause()
            await pilot.press("ctrl+z")
            await pilot.pause()
            await pilot.press("n")  # not counted
            await pilot.pause()
            await pilot.press("z")
            deadline = monotonic() + 10  # the Z's screen works in workers of its own
            while not till.reports.z_reports() and monotonic() < deadline:
                await pilot.pause(0.05)
            assert [z[0] for z in till.reports.z_reports()] == [1]
            deadline = monotonic() + 25  # an hour of idle_seconds not waited: the Z is idle
            while _revision(till) != revision and monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert _revision(till) == revision
    finally:
        if app.sync_child is not None:
            app.sync_child.stop()


def test_turning_busy_in_the_middle_rolls_the_revision_back_whole(
    hq_dsn: str, tmp_path: Path
) -> None:
    hq = make_hq(hq_dsn)
    till = make_till(tmp_path / "till", SteppingClock(), REGISTER)
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    revision = _publish_large(hq, till, tmp_path)
    journal_rows = till.db.execute_sql("SELECT count(*) FROM journal").fetchone()[0]
    own = open_own(till.config.database)
    try:
        with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
            prepared = prepare_next(conn, own)
        assert prepared is not None and prepared.count == ROWS
        asked = 0

        def busy_after_1000_rows() -> bool:
            nonlocal asked
            asked += 1
            return asked > 1000  # a key comes while the rows are being written

        with pytest.raises(Interrupted):
            apply_prepared(own, till.config, till.clock, prepared, busy_after_1000_rows)
        assert asked > 1000  # it was well under way
        assert applied_revision(till.db) == 0
        assert till.db.execute_sql(
            "SELECT price_ore FROM product WHERE plu = '2025'"
        ).fetchone() == (2490,)
        assert till.db.execute_sql(
            "SELECT count(*) FROM product WHERE name LIKE 'Vare %'"
        ).fetchone() == (0,)
        assert till.db.execute_sql("SELECT count(*) FROM journal").fetchone()[0] == journal_rows
        # the next idle moment: applied whole
        done = apply_prepared(own, till.config, till.clock, prepared, lambda: False)
        assert (done.revision, done.rows) == (revision, ROWS)
        assert applied_revision(till.db) == revision
    finally:
        own.close()
        till.db.close()


def test_a_key_at_any_moment_of_the_apply_leaves_all_or_nothing(
    hq_dsn: str, tmp_path: Path
) -> None:
    """The key comes from another thread (the child's stdin reader) at 0, 15, 30 … ms into the
    apply: in the rows' reading, in the importer's writes, in the journal; each time the till
    holds either the revision before, untouched, or the new one whole."""
    hq = make_hq(hq_dsn)
    till = make_till(tmp_path / "till", SteppingClock(), REGISTER)
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    revision = _publish_large(hq, till, tmp_path)
    own = open_own(till.config.database)

    def state() -> tuple[int, int, int]:
        products = own.execute_sql("SELECT count(*) FROM product").fetchone()[0]
        journal = own.execute_sql("SELECT count(*) FROM journal").fetchone()[0]
        return products, journal, applied_revision(own)

    try:
        with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
            prepared = prepare_next(conn, own)
        assert prepared is not None
        before = state()
        interrupted = 0
        for delay_ms in range(0, 3000, 15):
            busy = threading.Event()
            key = threading.Timer(delay_ms / 1000, busy.set)
            key.start()
            try:
                apply_prepared(own, till.config, till.clock, prepared, busy.is_set)
            except Interrupted:
                key.join()
                assert not own.connection().in_transaction  # the write lock given back
                assert state() == before
                interrupted += 1
                continue
            key.cancel()
            break
        assert interrupted >= 3  # the key came in the middle, again and again
        assert state()[2] == revision  # then applied whole
        assert state()[0] == before[0] + ROWS - 1
    finally:
        own.close()
        till.db.close()


_KILL_MID_APPLY = """
import os, signal, sys
import psycopg
from kassa_tui.config import load
from kassa_tui.core.clock import Clock
from kassa_tui.records.journal import Journal
from kassa_tui.sync.large import apply_prepared, prepare_next
from kassa_tui.sync.push import SyncState, open_own
from kassa_tui.sync.status import status_text

config = load(sys.argv[1])
real_write = Journal.write
def write(self, event, **data):
    if data.get("what") == "hq_catalog":  # every product written, the revision not yet
        os.kill(os.getpid(), signal.SIGKILL)
    return real_write(self, event, **data)
Journal.write = write
db = open_own(config.database)
with psycopg.connect(sys.argv[2], autocommit=True) as conn:
    prepared = prepare_next(conn, db)
apply_prepared(db, config, Clock(), prepared, lambda: False)
"""


def test_kill_9_in_the_middle_of_an_idle_apply_leaves_the_revision_before(
    hq_dsn: str, tmp_path: Path
) -> None:
    hq = make_hq(hq_dsn)
    till = make_till(tmp_path / "till", SteppingClock(), REGISTER)
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    _publish_large(hq, till, tmp_path)
    journal_rows = till.db.execute_sql("SELECT count(*) FROM journal").fetchone()[0]
    till.db.close()
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_MID_APPLY, str(till.config.source), role_dsn(settings)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = open_till(till.config, clock=till.clock)
    try:
        assert applied_revision(again.db) == 0
        assert again.db.execute_sql(
            "SELECT price_ore FROM product WHERE plu = '2025'"
        ).fetchone() == (2490,)
        assert again.db.execute_sql(
            "SELECT count(*) FROM product WHERE name LIKE 'Vare %'"
        ).fetchone() == (0,)
        assert again.db.execute_sql("SELECT count(*) FROM journal").fetchone()[0] == journal_rows
    finally:
        again.db.close()


@pytest.mark.parametrize(
    ("state", "text"),
    [
        (SyncState(9, 9, None, "ok", "", NOW, NOW), "HQ 12:00, rev 7 waits"),
        (SyncState(5, 9, NOW, "ok", "", NOW, NOW), "HQ 12:00, 4 wait"),  # 80 columns: the rows
        (SyncState(5, 9, NOW, "error", "", NOW, None), "HQ off: 4 since 12:00"),
    ],
)
def test_the_header_names_the_waiting_revision_when_all_is_sent(
    state: SyncState, text: str
) -> None:
    settings = HqSettings("host=hq dbname=k user=r", Path("pw"))
    assert status_text(state, settings, NOW, catalog_waiting=7)[0] == text
    i18n.set_language("nb")
    try:
        if state.waiting == 0:
            shown = status_text(state, settings, NOW, catalog_waiting=7)[0]
            assert shown == "HK 12:00, rev. 7 venter"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("value", ["0", "4", "3601", '"soon"'])
def test_a_bad_idle_seconds_is_a_clear_config_error(tmp_path: Path, value: str) -> None:
    till = make_till(tmp_path / "till", SteppingClock(), REGISTER)
    till.db.close()
    config = till.config.source
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[hq]\ndsn = "host=127.0.0.1 dbname=k user=r"\npassword_file = "pw"\n'
        + f"tls = false\nidle_seconds = {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as refused:
        load(config)
    assert "hq.idle_seconds" in str(refused.value)
