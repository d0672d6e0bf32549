"""Every sale arriving at HQ exactly once (issue 15), against a real PostgreSQL.

What an auditor checks at HQ: each register's journal rows, each seq once and exactly as the
till holds them (the same hash); the sales rows and stock deltas derived from them; the alarms
for a fork (a till restored from an old copy sells again), a gap (a row lost on the way) and
the clock; and on the till, the cursor standing where HQ said, never further.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.core.clock import Clock
from kassa_tui.sync import link, push
from tests.unit.conftest import SteeredTime

from .faultproxy import FaultProxy
from .pushing import Hq, head, journal_rows, make_hq, make_till, role_dsn, sell

REGISTER = "KASSE-1"


@pytest.fixture
def time() -> SteeredTime:
    return SteeredTime()


@pytest.fixture
def hq(hq_dsn: str) -> Hq:
    return make_hq(hq_dsn)


@pytest.fixture
def till(tmp_path: Path, time: SteeredTime) -> Iterator[Till]:
    opened = make_till(tmp_path / "till", Clock(source=time), REGISTER)
    yield opened
    opened.db.close()


def _push(till: Till, settings: Any, **kw: Any) -> push.PushResult:
    return push.push(
        till.db,
        till.config.register_id,
        till.clock,
        lambda: link.connect(settings),
        batch_size=kw.pop("batch_size", settings.batch_size),
        timeout=kw.pop("timeout", 10.0),
        **kw,
    )


def _env(hq: Hq, tmp_path: Path) -> dict[str, str]:
    """`kassa hq` on HQ's machine: its DSN, no till's kassa.toml (English)."""
    return {"KASSA_HQ_DSN": hq.dsn, "KASSA_CONFIG": str(tmp_path / "none.toml")}


def _held(hq: Hq, register: str = REGISTER) -> list[tuple[int, str]]:
    return [(int(s), str(h)) for s, h in hq.all(
        "SELECT seq, hash FROM entry WHERE register_id = %s ORDER BY seq", register
    )]  # fmt: skip


def _till_rows(till: Till) -> list[tuple[int, str]]:
    return [
        (int(s), str(h))
        for s, h in till.db.execute_sql(
            "SELECT seq, hash FROM journal WHERE register_id = ? ORDER BY seq",
            (till.config.register_id,),
        ).fetchall()
    ]


def test_a_push_brings_every_row_and_sale_and_a_replay_adds_nothing(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    totals = [sell(till), sell(till, card=True)]
    result = _push(till, settings)
    assert result.status == "ok", result.message
    assert result.acked_seq == result.head_seq == head(till)
    assert _held(hq) == _till_rows(till)
    # the sales rows carry the till's totals, receipt numbers and signatures
    sales = hq.all(
        "SELECT receipt_nr, total_ore, signature FROM sale WHERE register_id = %s ORDER BY seq",
        REGISTER,
    )
    till_sales = till.db.execute_sql(
        "SELECT receipt_nr, total_ore, signature FROM sale ORDER BY id"
    ).fetchall()
    assert [tuple(s) for s in sales] == [tuple(s) for s in till_sales]
    assert [s[1] for s in sales] == totals
    # three lines a sale; stock moved for the goods (VG is a newspaper, stock too)
    assert hq.one("SELECT count(*) FROM sale_line WHERE register_id = %s", REGISTER) == 6
    assert hq.one("SELECT sum(delta_milli) FROM stock_delta") == -6000
    # the same rows again, straight to ingest as the register's role: nothing new
    entries = push.batch(till.db, REGISTER, 0, 10_000)
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        answer = conn.execute(
            "SELECT ingest(%s, %s)", (REGISTER, psycopg.types.json.Jsonb(entries))
        ).fetchone()[0]
    assert answer["status"] == "ok"
    assert answer["accepted"] == 0 and answer["replayed"] == len(entries)
    assert answer["last_seq"] == head(till)
    assert _held(hq) == _till_rows(till)
    assert hq.one("SELECT count(*) FROM sale") == 2


def test_a_row_lost_on_the_way_is_a_gap_and_hq_says_where_to_send_from(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 10)
    entries = push.batch(till.db, REGISTER, 0, 100)
    without_4 = [e for e in entries if e["seq"] != 4]
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        answer = conn.execute(
            "SELECT ingest(%s, %s)", (REGISTER, psycopg.types.json.Jsonb(without_4))
        ).fetchone()[0]
    assert answer["status"] == "gap"
    assert answer["send_from"] == 4 and answer["last_seq"] == 3
    assert [s for s, _h in _held(hq)] == [1, 2, 3]  # nothing after the gap
    assert hq.one("SELECT count(*) FROM alarm WHERE kind = 'gap' AND cleared_at IS NULL") == 1
    # the sender starts from what HQ holds, and the gap closes
    result = _push(till, settings)
    assert result.status == "ok" and result.acked_seq == head(till)
    assert _held(hq) == _till_rows(till)
    assert hq.one("SELECT count(*) FROM alarm WHERE kind = 'gap' AND cleared_at IS NULL") == 0


def _copy_database(till: Till, to: Path) -> None:
    till.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    till.db.execute_sql(f"VACUUM INTO '{to}'")


def test_a_till_restored_from_an_old_copy_that_sells_again_is_a_fork(
    hq: Hq, tmp_path: Path, time: SteeredTime
) -> None:
    folder = tmp_path / "till"
    till = make_till(folder, Clock(source=time), REGISTER)
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    sell(till)
    assert _push(till, settings).status == "ok"
    old_copy = tmp_path / "old.db"
    _copy_database(till, old_copy)
    sell(till)
    assert _push(till, settings).status == "ok"
    held_before = _held(hq)
    sales_before = hq.one("SELECT count(*) FROM sale")
    database = till.config.database
    config = till.config
    till.db.close()
    # the till's card dies; the shop restores last week's copy and sells on
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copy(old_copy, database)
    from kassa_tui.composition import open_till

    restored = open_till(config, clock=Clock(source=time))
    try:
        time.advance(3600)
        sell(restored)
        result = _push(restored, settings)
        assert result.status == "fork", result
        assert "different journal row" in result.message
        # nothing of the restored till's new history was taken, and HQ's stays as it was
        assert _held(hq) == held_before
        assert hq.one("SELECT count(*) FROM sale") == sales_before
        assert hq.one("SELECT forked FROM register WHERE register_id = %s", REGISTER) is True
        assert hq.one("SELECT count(*) FROM alarm WHERE kind = 'fork'") == 1
        # and it stays refused on the next push, cursor not moved past what HQ holds
        again = _push(restored, settings)
        assert again.status == "fork" and again.accepted == 0
        assert _held(hq) == held_before
        assert push.state(restored.db, REGISTER).status == "fork"
    finally:
        restored.db.close()


def test_a_fork_leaves_the_other_registers_alone(hq: Hq, tmp_path: Path) -> None:
    with hq.connect() as conn:
        from kassa_tui.hq import admin

        admin.add_register(conn, "K2", "OSLO1")
        conn.execute("UPDATE register SET forked = true, fork_seq = 1 WHERE register_id = 'K2'")
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    # (the till of this test pushes while K2 is forked)
    from tests.unit.conftest import SteeredTime as _T

    till = make_till(tmp_path / "t", Clock(source=_T()), REGISTER)
    try:
        sell(till)
        assert _push(till, settings).status == "ok"
        assert _held(hq) == _till_rows(till)
    finally:
        till.db.close()


def test_two_senders_for_one_register_at_once_store_each_row_once(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 3000)
    sell(till)
    results: list[push.PushResult] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def sender() -> None:
        own = push.open_own(till.config.database)
        try:
            start.wait()
            results.append(
                push.push(own, REGISTER, till.clock, lambda: link.connect(settings),
                          batch_size=100, timeout=30)
            )  # fmt: skip
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert [r.status for r in results] == ["ok", "ok"], [r.message for r in results]
    assert _held(hq) == _till_rows(till)
    assert hq.one("SELECT count(*) FROM entry") == head(till)
    assert hq.one("SELECT count(*) FROM sale") == 1
    assert push.state(till.db, REGISTER).acked_seq == head(till)
    # both really sent: the rows one of them sent the other had already (replays, no error)
    assert sum(r.sent for r in results) >= head(till)


def test_a_lost_acknowledgement_100_times_stores_nothing_twice(
    hq: Hq, pg_server: Any, till: Till, tmp_path: Path
) -> None:
    with FaultProxy(pg_server.host, pg_server.port) as proxy:
        via_proxy = hq.add(REGISTER, "OSLO1", tmp_path, port=proxy.port)
        sell(till)
        assert _push(till, via_proxy).status == "ok"  # the cursor stands somewhere first
        assert push.state(till.db, REGISTER).acked_seq == head(till) > 0
        proxy.mode = "eat"  # HQ commits, the till never hears it
        for i in range(100):
            if i % 20 == 0:
                sell(till)
            else:
                journal_rows(till, 1)
            before = push.state(till.db, REGISTER).acked_seq
            result = _push(till, via_proxy)
            assert result.status == "error", result
            # HQ has it all (committed), the till's cursor did not move: it never heard so
            assert push.state(till.db, REGISTER).acked_seq == before
            assert hq.one("SELECT last_seq FROM register") == head(till)
        assert proxy.eaten == 100
        # the request lost on the way instead (HQ never saw it): the same
        proxy.mode = "cut"
        journal_rows(till, 1)
        assert _push(till, via_proxy).status == "error"
        assert hq.one("SELECT last_seq FROM register") == head(till) - 1
        # a reply that never comes and a connection that stays open: the deadline ends it
        proxy.mode = "hang"
        assert _push(till, via_proxy, timeout=1.0).status == "error"
        # the network heals: the next push catches the cursor up, HQ skipping what it has
        proxy.mode = "pass"
        result = _push(till, via_proxy)
    assert result.status == "ok", result.message
    assert result.acked_seq == head(till)
    assert _held(hq) == _till_rows(till)  # each seq once, each exactly as the till holds it
    assert hq.one("SELECT count(*) FROM entry") == head(till)
    assert hq.one("SELECT count(*) FROM sale") == 6
    assert result.accepted == 0  # everything had arrived; the push only learned it


@pytest.mark.parametrize(
    ("offset", "alarm"),
    [(timedelta(0), False), (timedelta(hours=-1), True), (timedelta(days=1), True)],
)
def test_clock_skew_is_reported_per_register(
    hq: Hq, tmp_path: Path, offset: timedelta, alarm: bool
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    skewed = Clock(source=lambda: datetime.now(UTC) + offset)
    till = make_till(tmp_path / "t", skewed, REGISTER)
    try:
        journal_rows(till, 2)
        assert push.push(till.db, REGISTER, skewed, lambda: link.connect(settings)).status == "ok"
    finally:
        till.db.close()
    result = CliRunner().invoke(main, ["hq", "status", "--json"], env=_env(hq, tmp_path))
    [status] = json.loads(result.output)
    assert status["clock_skew_seconds"] == pytest.approx(offset.total_seconds(), abs=60)
    assert (status["clock_alarms"] > 0) is alarm
    text = CliRunner().invoke(main, ["hq", "status"], env=_env(hq, tmp_path)).output
    assert ("clock" in text.splitlines()[1]) is alarm


def test_a_clock_that_went_back_on_the_till_is_an_alarm_at_hq(
    hq: Hq, till: Till, tmp_path: Path, time: SteeredTime
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 2)
    time.advance(-3600)  # the Pi booted in the past: the journal says CLOCKBACK once
    journal_rows(till, 2)
    assert _push(till, settings).status == "ok"
    [(seq, detail)] = hq.all(
        "SELECT seq, detail FROM alarm WHERE kind = 'clock' AND seq IS NOT NULL"
    )
    basic = till.db.execute_sql("SELECT basic_id FROM journal WHERE seq = ?", (seq,)).fetchone()
    assert basic == ("CLOCKBACK",)
    assert "went back" in detail


def test_status_names_forks_and_gaps(hq: Hq, till: Till, tmp_path: Path) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 5)
    entries = [e for e in push.batch(till.db, REGISTER, 0, 100) if e["seq"] != 2]
    with psycopg.connect(role_dsn(settings), autocommit=True) as conn:
        conn.execute("SELECT ingest(%s, %s)", (REGISTER, psycopg.types.json.Jsonb(entries)))
    env = _env(hq, tmp_path)
    assert "gap before 2" in CliRunner().invoke(main, ["hq", "status"], env=env).output
    with hq.connect() as conn:
        conn.execute("SELECT hq_fork(%s, 3, 'test')", (REGISTER,))
    shown = CliRunner().invoke(main, ["hq", "status"], env=env).output
    assert "FORK at 3" in shown
    cleared = CliRunner().invoke(main, ["hq", "register", "clear-fork", REGISTER], env=env)
    assert cleared.exit_code == 0 and f"Fork alarms cleared for {REGISTER}: 1." in cleared.output
    assert "FORK" not in CliRunner().invoke(main, ["hq", "status"], env=env).output


def test_a_till_restored_from_an_old_copy_is_told_hq_holds_more(
    hq: Hq, tmp_path: Path, time: SteeredTime
) -> None:
    """Restored, not selling yet: HQ holds rows this till no longer has. The push says so, and
    the cursor never passes the till's own last row (so its next rows are still sent)."""
    till = make_till(tmp_path / "till", Clock(source=time), REGISTER)
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 3)
    old_copy = tmp_path / "old.db"
    _copy_database(till, old_copy)
    journal_rows(till, 3)
    assert _push(till, settings).status == "ok"
    config = till.config
    till.db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{config.database}{suffix}").unlink(missing_ok=True)
    shutil.copy(old_copy, config.database)
    from kassa_tui.composition import open_till

    restored = open_till(config, clock=Clock(source=time))
    try:
        result = _push(restored, settings)
        assert result.status == "ahead", result
        assert "restored from an old copy?" in result.message
        state = push.state(restored.db, REGISTER)
        assert state.acked_seq == head(restored) < hq.one("SELECT last_seq FROM register")
        from kassa_tui.sync.status import status_text

        assert status_text(state, settings, restored.clock.now().utc_text) == ("HQ: check", False)
    finally:
        restored.db.close()


def test_a_clock_back_in_step_clears_its_skew_alarm(hq: Hq, tmp_path: Path) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    offset = [timedelta(days=1)]
    clock = Clock(source=lambda: datetime.now(UTC) + offset[0])
    till = make_till(tmp_path / "t", clock, REGISTER)
    try:
        assert push.push(till.db, REGISTER, clock, lambda: link.connect(settings)).status == "ok"
        open_alarms = "SELECT count(*) FROM alarm WHERE kind = 'clock' AND cleared_at IS NULL"
        assert hq.one(open_alarms) == 1
        offset[0] = timedelta(0)  # the technician set the Pi's clock right
        assert push.push(till.db, REGISTER, clock, lambda: link.connect(settings)).status == "ok"
        assert hq.one(open_alarms) == 0
        assert hq.one("SELECT count(*) FROM alarm WHERE kind = 'clock'") == 1  # kept, cleared
    finally:
        till.db.close()


def test_status_shows_what_still_waits_on_the_till_as_of_its_last_contact(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 30)
    cut_short = _push(till, settings, batch_size=10, max_batches=1)  # e.g. the link broke
    assert cut_short.status == "ok" and cut_short.acked_seq == 10
    env = _env(hq, tmp_path)
    [status] = json.loads(CliRunner().invoke(main, ["hq", "status", "--json"], env=env).output)
    assert status["last_seq"] == 10 and status["backlog"] == head(till) - 10
    text = CliRunner().invoke(main, ["hq", "status"], env=env).output.splitlines()
    assert text[0].split()[4] == "Waiting" and text[1].split()[3] == str(head(till) - 10)
    assert _push(till, settings).status == "ok"
    [status] = json.loads(CliRunner().invoke(main, ["hq", "status", "--json"], env=env).output)
    assert status["backlog"] == 0


def test_a_row_that_is_not_what_its_hash_says_is_refused_whole(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    """A row changed on the way (or on the till after it was hashed): HQ takes nothing of the
    batch, and the till is told HQ refused, not that HQ is out of reach."""
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 5)
    entries = push.batch(till.db, REGISTER, 0, 100)
    changed = next(e for e in entries if "000002" in e["payload"])
    changed["payload"] = changed["payload"].replace("000002", "999999")
    with (
        psycopg.connect(role_dsn(settings), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InvalidParameterValue, match="does not hash to its hash"),
    ):
        conn.execute("SELECT ingest(%s, %s)", (REGISTER, psycopg.types.json.Jsonb(entries)))
    assert _held(hq) == []
    # the till's own rows are intact, so its push goes through
    assert _push(till, settings).status == "ok"
    assert _held(hq) == _till_rows(till)


def test_a_role_pushing_for_another_register_is_told_hq_refused(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    other = hq.add("KASSE-9", "OSLO1", tmp_path / "other")
    hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 2)
    result = _push(till, other)  # KASSE-9's credentials on KASSE-1's till
    assert result.status == "refused"
    assert result.message.startswith("HQ refused the rows:") and "may not push" in result.message
    assert _held(hq) == [] and push.state(till.db, REGISTER).acked_seq == 0


def test_hq_restored_from_an_older_backup_gets_the_rows_it_lost_again(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    """HQ's database went back (a point-in-time restore): it answers with a lower last seq
    than the till's cursor, and the till moves its cursor BACK to it and sends again."""
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 20)
    sell(till)
    assert _push(till, settings).status == "ok"
    with hq.connect() as conn, conn.transaction():  # what a restore to an older point leaves
        for table in ("stock_delta", "sale_payment", "sale_line", "sale", "entry"):
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            conn.execute(f"DELETE FROM {table} WHERE seq > 10")
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        conn.execute(
            "UPDATE register SET last_seq = 10,"
            " last_hash = (SELECT hash FROM entry WHERE register_id = %s AND seq = 10)",
            (REGISTER,),
        )
    assert push.state(till.db, REGISTER).acked_seq == head(till) > 10
    journal_rows(till, 1)  # the till sells on; its next push starts after its cursor
    result = _push(till, settings)
    assert result.status == "ok", result.message
    assert _held(hq) == _till_rows(till)  # the lost rows came again, each once
    assert hq.one("SELECT count(*) FROM sale") == 1
