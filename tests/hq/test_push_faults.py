"""The push when the till's process dies, when it was offline a week, and the money at HQ.

kill -9 of `kassa sync` in the middle of pushes, several times: the restart drains, every row
once. 20,000 rows from a week offline drain in bounded memory. The money HQ holds per register
and day is the till's Z to the øre.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time as systime
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict

from kassa_tui.composition import Till
from kassa_tui.core.clock import Clock
from kassa_tui.selling import gift_card_sales
from kassa_tui.sync import link, push
from tests.unit.conftest import TOOTHPASTE, SteeredTime, print_waiting

from .pushing import Hq, head, journal_rows, make_hq, make_till, sell

REGISTER = "KASSE-1"
KASSA = [sys.executable, "-m", "kassa_tui"]


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


def _with_hq(till: Till, hq: Hq, tmp_path: Path, batch_size: int) -> Path:
    """The till's kassa.toml with the [hq] table `kassa hq register add` printed."""
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    config = till.config.source
    with config.open("a", encoding="utf-8") as f:
        f.write(
            f'\n[hq]\ndsn = "{settings.dsn}"\npassword_file = "{settings.password_file}"\n'
            f"batch_size = {batch_size}\ninterval_seconds = 1\ntls = false\n"
        )
    return config


def _hq_last(hq: Hq) -> int:
    return int(hq.one("SELECT last_seq FROM register WHERE register_id = %s", REGISTER))


def test_kill_9_of_kassa_sync_mid_push_then_a_restart_drains_every_row_once(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    journal_rows(till, 6000)
    sell(till)
    config = _with_hq(till, hq, tmp_path, batch_size=20)
    total = head(till)
    kills = 0
    seen = 0
    env = {**os.environ, "KASSA_CONFIG": str(config)}
    for _round in range(3):
        proc = subprocess.Popen(
            [*KASSA, "sync"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = systime.monotonic() + 60
        # kill it once HQ has taken more, wherever the push is: between batches, in a call
        while systime.monotonic() < deadline and _hq_last(hq) < seen + 300:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            systime.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        kills += 1
        seen = _hq_last(hq)
        assert 0 < seen < total
    assert kills == 3
    done = subprocess.run(
        [*KASSA, "sync", "--once"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"up to {total}; 0 waiting" in done.stdout
    rows = hq.all("SELECT seq FROM entry WHERE register_id = %s ORDER BY seq", REGISTER)
    assert [r[0] for r in rows] == list(range(1, total + 1))
    hashes = hq.all("SELECT hash FROM entry WHERE register_id = %s ORDER BY seq", REGISTER)
    mine = till.db.execute_sql("SELECT hash FROM journal ORDER BY seq").fetchall()
    assert [h[0] for h in hashes] == [m[0] for m in mine]
    assert hq.one("SELECT count(*) FROM sale") == 1


def test_a_week_offline_20000_rows_drain_in_bounded_memory(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 20_000)
    for _ in range(3):
        sell(till)
    batches: list[int] = []
    tracemalloc.start()
    try:
        result = push.push(
            till.db, REGISTER, till.clock, lambda: link.connect(settings),
            batch_size=500, timeout=60, on_batch=lambda acked, _head: batches.append(acked),
        )  # fmt: skip
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "ok", result.message
    assert result.acked_seq == head(till) and result.waiting == 0
    assert len(batches) >= 40  # 500 rows a call, the cursor moving after each
    assert batches == sorted(batches)
    # a batch's worth, not the week's: all 20,000 rows at once would take far more
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert hq.one("SELECT count(*) FROM entry") == head(till)


def test_money_per_register_and_day_at_hq_is_the_tills_z_to_the_ore(
    hq: Hq, till: Till, tmp_path: Path, time: SteeredTime
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    for i in range(6):
        sell(till, card=bool(i % 2))
        time.advance(60)
    cashier = till.users.sign_in("1", "1111")
    # a gift card sold with a sale: paid for, but no sale on the Z (group GAVEKORT at HQ)
    till.baskets.add(cashier, TOOTHPASTE)
    gift_card_sales.sell(till.baskets, cashier, "7090012345678", "500", training=False)
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    done = till.returns.return_lines(cashier, 1, [(1, 1000)], "Skadet", "2", "2222")
    assert done.total < 0  # a return: HQ's sums net it off as the Z does
    print_waiting(till)
    lead = till.users.sign_in("2", "2222")
    till.receipts.training_on(lead)  # a training sale: on neither the Z nor HQ's money
    sell(till)
    till.receipts.training_off(lead)
    z = till.reports.z_report(lead, not_counted=True)
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings))
    assert result.status == "ok", result.message
    day = z.business_date
    total = hq.one(
        "SELECT sum(total_ore) FROM sale WHERE register_id = %s AND local_date = %s"
        " AND NOT training",
        REGISTER,
        day,
    )
    gift_cards = hq.one(
        "SELECT sum(l.amount_ore) FROM sale_line l JOIN sale s USING (register_id, seq)"
        " WHERE s.register_id = %s AND s.local_date = %s AND NOT s.training"
        " AND l.group_code = %s",
        REGISTER,
        day,
        gift_card_sales.GIFT_GROUP,
    )
    assert gift_cards == 50_000
    assert total - gift_cards == z.total_cash_sale
    by_method = dict(
        hq.all(
            "SELECT p.method, sum(p.amount_ore) FROM sale_payment p JOIN sale s"
            " USING (register_id, seq) WHERE s.register_id = %s AND s.local_date = %s"
            " AND NOT s.training GROUP BY p.method",
            REGISTER,
            day,
        )
    )
    assert by_method == {p.method: p.amount for p in z.payments}
    vat = hq.one(
        "SELECT sum(vat_ore) FROM sale WHERE register_id = %s AND local_date = %s AND NOT training",
        REGISTER,
        day,
    )
    assert vat == sum(v.vat for v in z.vat)
    assert hq.one("SELECT count(*) FROM sale WHERE training") == 1
    # the stock HQ derived is the till's own movements, product by product
    till_moves = dict(
        till.db.execute_sql(
            "SELECT c.code, SUM(m.delta_milli) FROM stock_movement m"
            " JOIN (SELECT DISTINCT product_id, code FROM sale_line) c USING (product_id)"
            " WHERE m.sale_id IS NOT NULL GROUP BY c.code"
        ).fetchall()
    )
    hq_moves = dict(hq.all("SELECT code, sum(delta_milli) FROM stock_delta GROUP BY code"))
    assert hq_moves == till_moves and till_moves


def test_postgresql_stopped_immediately_mid_batch_then_the_push_drains_every_row_once(
    hq: Hq, pg_server: Any, till: Till, tmp_path: Path
) -> None:
    """`pg_ctl stop -m immediate` (a crash of HQ's server) while a till pushes: after the
    restart the till's next push completes, and HQ holds each seq once."""
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    # HQ as deployed commits durably (synchronous_commit on, PostgreSQL's default): a batch it
    # answered survives the crash. The test cluster runs with it off for speed, where the last
    # batch or two HQ answered could be lost (the till would then send them again after a gap).
    with hq.connect() as conn:
        dbname = conninfo_to_dict(hq.dsn)["dbname"]
        conn.execute(f'ALTER DATABASE "{dbname}" SET synchronous_commit = on')
    with link.connect(settings) as conn:  # the till's sessions have it
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)
    # enough rows that the stop lands mid-push: two batches in flight, the push drains 6,000
    # rows in well under a second once HQ holds the first 1,000
    journal_rows(till, 20000)
    sell(till)
    own = push.open_own(till.config.database)
    results: list[push.PushResult] = []

    def pusher() -> None:
        results.append(
            push.push(own, REGISTER, till.clock, lambda: link.connect(settings),
                      batch_size=50, timeout=10)
        )  # fmt: skip

    thread = threading.Thread(target=pusher)
    thread.start()
    try:
        deadline = systime.monotonic() + 60
        reached = 0  # the last seq HQ had committed (and answered) before the stop
        while systime.monotonic() < deadline and (reached := _hq_last(hq)) < 1000:
            systime.sleep(0.01)
        stopped = pg_server.pg_ctl("-w", "-m", "immediate", "stop")
        assert stopped.returncode == 0, stopped.stderr
        thread.join(timeout=60)
    finally:
        if pg_server.pg_ctl("status").returncode != 0:
            pg_server.start()
        own.close()
    assert results and results[0].status == "error"
    held_before = _hq_last(hq)
    assert 1000 <= reached < head(till), "the stop did not land mid-push"
    assert held_before >= reached  # every batch HQ committed before the crash is still there
    assert held_before < head(till)
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings))
    assert result.status == "ok", result.message
    assert result.acked_seq == head(till)
    rows = hq.all("SELECT seq FROM entry WHERE register_id = %s ORDER BY seq", REGISTER)
    assert [r[0] for r in rows] == list(range(1, head(till) + 1))
    assert hq.one("SELECT count(*) FROM sale") == 1
