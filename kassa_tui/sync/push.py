"""The till pushes its journal to HQ (issue 15): every row exactly once, whatever the network.

The journal is the outbox: rows keyed (register, seq), gap-free, hash-chained, never deleted.
`push` reads the rows after the cursor (`sync_cursor.acked_seq`) in seq order, a bounded batch
at a time (a week offline drains in constant memory), hands each batch to HQ's `ingest` and
moves the cursor to the last seq HQ RETURNED, never to what it sent. So a lost reply (HQ
committed, the answer never came) only means the same rows go again, and HQ skips them; HQ
answering "gap" (it lacks rows before these) sends from where HQ says; HQ answering "fork" (it
holds a different row at a seq this till sent) stops the push and says so. Sync deletes
nothing on the till. Two batches are in flight at once, each on a connection of its own
(`DEPTH`): HQ takes the next the moment the one before commits; a batch HQ ran before the one in
front of it answers a stale "gap" and is sent again, the cursor never moving back for it.

Each row goes as the exact text its hash covers (`payload`), so HQ checks sha256(payload) =
hash and the chain (prev_hash = the hash HQ holds before it) itself. A row announcing a
transaction (SALE, RETURN, TRAINING …) takes that transaction's content with it (sale, lines,
payments: the text whose sha256 is the row's "content"), from which HQ derives its sales rows
and stock deltas.

Runs in a process of its own (the running till's sync child, kassa_tui.sync.child, or `kassa
sync`), never in the till's interpreter, with a SQLite connection of its own (`open_own`): the
cursor is written in short transactions of its own, never holding the till's lock while the
network is slow. So the reader neither paces itself nor slices its work for the cashier's sake
(it did while it was a thread of the till's process: 45,000 rows/s paced, 140,000 unpaced).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from peewee import SqliteDatabase

from kassa_tui.config.hq import HqSettings
from kassa_tui.core.clock import Clock, parse_utc
from kassa_tui.core.i18n import _
from kassa_tui.records.audit import _LINE, _PAYMENT, _SALE, ANNOUNCING
from kassa_tui.sync.link import deadline

_ROWS = (
    "SELECT prev_hash, register_id, seq, uuid, event_code, basic_id, user_number, utc,"
    " local_date, local_time, text, sale_id, hash FROM journal"
    " WHERE register_id = ? AND seq > ? ORDER BY seq LIMIT ?"
)


#: json.dumps(value, ensure_ascii=False, separators=(",", ":")), the journal's own encoding (so
#: a payload is the text its hash covers), without building an encoder per call (two a row).
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def open_own(path: Path) -> SqliteDatabase:
    """A SQLite connection of the sender's own (close it when done)."""
    from kassa_tui.store.database import PRAGMAS

    database = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    database.connect()
    return database


# -- the cursor --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncState:
    """What the sale screen and `kassa sync` show."""

    acked_seq: int
    head_seq: int
    oldest_waiting_utc: str | None
    status: str  # '' (never pushed), ok, fork, error, refused, ahead, broken
    message: str
    last_attempt_utc: str | None
    last_ok_utc: str | None

    @property
    def waiting(self) -> int:
        return max(0, self.head_seq - self.acked_seq)

    @property
    def online(self) -> bool:
        return self.status == "ok" and self.last_attempt_utc == self.last_ok_utc

    def alert(self, settings: HqSettings, now_utc: str) -> bool:
        """Too much waits, or it has waited too long ([hq] alert_after_…), or HQ forked."""
        if self.status == "fork":
            return True
        if self.waiting >= settings.alert_after_entries:
            return True
        if self.oldest_waiting_utc is None:
            return False
        waited = parse_utc(now_utc).utc - parse_utc(self.oldest_waiting_utc).utc
        return waited >= timedelta(minutes=settings.alert_after_minutes)


def state(database: SqliteDatabase, register_id: str) -> SyncState:
    row = database.execute_sql(
        "SELECT acked_seq, status, message, last_attempt_utc, last_ok_utc FROM sync_cursor"
        " WHERE register_id = ?",
        (register_id,),
    ).fetchone()
    acked, status, message, attempt, ok = row if row else (0, "", "", None, None)
    head = database.execute_sql(
        "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE register_id = ?", (register_id,)
    ).fetchone()[0]
    oldest = database.execute_sql(
        "SELECT utc FROM journal WHERE register_id = ? AND seq = ?", (register_id, acked + 1)
    ).fetchone()
    return SyncState(
        int(acked), int(head), oldest[0] if oldest else None, status, message, attempt, ok
    )


def _save(
    database: SqliteDatabase,
    register_id: str,
    now_utc: str,
    *,
    acked: int | None,
    status: str,
    message: str = "",
    hq_seq: int | None = None,
) -> None:
    """The cursor and the last push's outcome, in a short transaction of its own.

    Written without waiting for the disk (synchronous=NORMAL for this one commit): a cursor
    lost to a power cut only stands further back, and HQ skips the rows sent again. The fsync
    of FULL held the database's write lock for milliseconds a batch, and a cashier's scan
    waited behind it."""
    ok = now_utc if status == "ok" else None
    was = int(database.execute_sql("PRAGMA synchronous").fetchone()[0])
    database.execute_sql(f"PRAGMA synchronous = {min(was, 1)}")
    try:
        _write_cursor(database, register_id, now_utc, acked, status, message, hq_seq, ok)
    finally:
        database.execute_sql(f"PRAGMA synchronous = {was}")


def _write_cursor(
    database: SqliteDatabase,
    register_id: str,
    now_utc: str,
    acked: int | None,
    status: str,
    message: str,
    hq_seq: int | None,
    ok: str | None,
) -> None:
    with database.atomic("IMMEDIATE"):
        database.execute_sql(
            "INSERT INTO sync_cursor (register_id, acked_seq, status, message, hq_seq,"
            " last_attempt_utc, last_ok_utc) VALUES (?, COALESCE(?, 0), ?, ?, ?, ?, ?)"
            " ON CONFLICT (register_id) DO UPDATE SET"
            " acked_seq = COALESCE(?, sync_cursor.acked_seq),"
            " status = excluded.status, message = excluded.message,"
            " hq_seq = COALESCE(excluded.hq_seq, sync_cursor.hq_seq),"
            " last_attempt_utc = excluded.last_attempt_utc,"
            " last_ok_utc = COALESCE(excluded.last_ok_utc, sync_cursor.last_ok_utc)",
            (register_id, acked, status, message, hq_seq, now_utc, ok, acked),
        )


# -- one batch ---------------------------------------------------------------------------------


class JournalBroken(Exception):
    """A journal row on the till does not hash to its stored hash: nothing is sent."""


def _content(database: SqliteDatabase, sale_id: int) -> str | None:
    """The transaction as the journal row's content hash covers it (records.audit)."""
    sale = database.execute_sql(f"SELECT {_SALE} FROM sale WHERE id = ?", (sale_id,)).fetchone()
    if sale is None:
        return None
    lines = database.execute_sql(
        f"SELECT {_LINE} FROM sale_line WHERE sale_id = ? ORDER BY line_nr, id", (sale_id,)
    ).fetchall()
    payments = database.execute_sql(
        f"SELECT {_PAYMENT} FROM payment WHERE sale_id = ? ORDER BY id", (sale_id,)
    ).fetchall()
    return _compact([list(sale), [list(ln) for ln in lines], [list(p) for p in payments]])


def batch(
    database: SqliteDatabase, register_id: str, after: int, size: int
) -> list[dict[str, Any]]:
    """Up to `size` journal rows after seq `after`, as ingest takes them."""
    entries: list[dict[str, Any]] = []
    for row in database.execute_sql(_ROWS, (register_id, after, size)).fetchall():
        fields, stored = list(row[:12]), row[12]
        payload = _compact(fields)
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        if digest != stored:
            raise JournalBroken(
                _("journal row {seq} does not match its hash: run `kassa journal verify`").format(
                    seq=fields[2]
                )
            )
        entry: dict[str, Any] = {"seq": fields[2], "hash": digest, "payload": payload}
        basic_id, text, sale_id = fields[5], fields[10], fields[11]
        if basic_id in ANNOUNCING and sale_id is not None and '"content"' in text:
            record = _content(database, int(sale_id))
            details = json.loads(text)
            if record is not None and hashlib.sha256(
                record.encode("utf-8")
            ).hexdigest() == details.get("content"):
                entry["record"] = record
            else:
                raise JournalBroken(
                    _(
                        "transaction {sale} no longer matches journal row {seq}:"
                        " run `kassa journal verify`"
                    ).format(sale=sale_id, seq=fields[2])
                )
        entries.append(entry)
    return entries


def _prepare(database: SqliteDatabase, register_id: str, after: int, size: int) -> _Batch:
    entries = batch(database, register_id, after, size)
    return _Batch(
        after,
        entries,
        [e["seq"] for e in entries],
        [e["hash"] for e in entries],
        [e["payload"] for e in entries],
        [e.get("record") for e in entries],
    )


@dataclass(frozen=True)
class _Batch:
    """A batch as ingest takes it: four lists of one length (HQ 0026), read off the sender's
    thread; sent binary, so HQ parses no batch document, only each payload once."""

    after: int
    entries: list[dict[str, Any]]
    seqs: list[int]
    hashes: list[str]
    payloads: list[str]
    records: list[str | None]

    def body(self) -> str:
        """The entries as one JSON document: ingest's form before HQ 0026."""
        return _compact(self.entries)


#: HQ 0026's ingest: the batch as arrays, sent in binary.
_INGEST_ARRAYS = "SELECT ingest(%s, %b::bigint[], %b::text[], %b::text[], %b::text[], %s, %s)"
#: The ingest every HQ has: the batch as one JSON document.
_INGEST_JSON = "SELECT ingest(%s, %s::jsonb, %s, %s)"


def takes_arrays(conn: psycopg.Connection[Any]) -> bool:
    """Whether this HQ's ingest takes a batch as arrays (0026); an HQ not upgraded yet takes
    JSON, so a till upgraded first goes on pushing."""
    row = conn.execute(
        "SELECT to_regprocedure('ingest(text, bigint[], text[], text[], text[],"
        " timestamptz, bigint)') IS NOT NULL"
    ).fetchone()
    return bool(row and row[0])


def call_ingest(
    conn: psycopg.Connection[Any],
    register_id: str,
    ready: _Batch,
    arrays: bool,
    till_clock: datetime | None = None,
    head: int | None = None,
) -> dict[str, Any]:
    """One batch to HQ's ingest; its answer (status, last_seq, send_from, …)."""
    if arrays:
        params: tuple[Any, ...] = (
            register_id, ready.seqs, ready.hashes, ready.payloads, ready.records, till_clock, head
        )  # fmt: skip
        row = conn.execute(_INGEST_ARRAYS, params).fetchone()
    else:
        row = conn.execute(_INGEST_JSON, (register_id, ready.body(), till_clock, head)).fetchone()
    return row[0] if row else {}


def idle_thread() -> None:
    """The calling thread into the kernel's idle scheduling class (SCHED_IDLE, Linux; a no-op
    elsewhere): it runs only on a core nothing else wants. The push's reader (reading, hashing
    and encoding every row: the push's CPU) runs so, and the cashier's process is never kept
    from its CPU by it (at nice 10 a draining push still took ~1 ms from the scan's tail at p99,
    bench/README.md). It holds no lock anyone waits for: its reads are snapshots (WAL), it
    writes nothing. The push is never in a hurry: HQ skips what comes twice, nothing is lost."""
    idle = getattr(os, "SCHED_IDLE", None)
    if idle is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, idle, os.sched_param(0))  # 0: this thread (Linux)


class _Reader:
    """Reads and encodes the next batch while HQ takes this one (issue 15: the ingest rate).

    A thread of its own with a read-only SQLite connection of its own (query_only, every read
    its own short transaction): the sender waiting on HQ and the reader work at once, and the
    reader never takes the database's write lock. A database with no file (":memory:") is read
    on the sender's own connection, one batch after the other."""

    def __init__(self, database: SqliteDatabase, register_id: str, size: int) -> None:
        self._database = database
        self._register = register_id
        self._size = size
        self._own: SqliteDatabase | None = None
        path = str(getattr(database, "database", "") or "")
        self._path = path if path and path != ":memory:" else None
        self._pool = (
            ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="kassa-push-read", initializer=idle_thread
            )
            if self._path
            else None
        )

    def read(self, after: int, size: int | None = None) -> Future[_Batch]:
        size = size or self._size
        if self._pool is None:
            done: Future[_Batch] = Future()
            try:
                done.set_result(_prepare(self._database, self._register, after, size))
            except Exception as exc:
                done.set_exception(exc)
            return done
        return self._pool.submit(self._read, after, size)

    def _read(self, after: int, size: int) -> _Batch:  # on the reader's thread
        if self._own is None:
            assert self._path is not None
            self._own = SqliteDatabase(
                self._path, pragmas={"busy_timeout": 5000, "query_only": 1, "cache_size": -4000}
            )
            self._own.connect()
        return _prepare(self._own, self._register, after, size)

    def _close_own(self) -> None:  # on the reader's thread
        if self._own is not None:
            self._own.close()
            self._own = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.submit(self._close_own)
            self._pool.shutdown(wait=True)


# -- the push ----------------------------------------------------------------------------------

#: The interpreter's switch interval while a push runs (Python's default: 5 ms).
_SWITCH_S = 0.0005
_switching = threading.Lock()
_pushes_running = [0, 0.005]  # pushes in this process now, the interval before the first


def _switch_fast(start: bool) -> None:
    """The sender takes HQ's answer within _SWITCH_S, not the 5 ms a reader thread may keep the
    interpreter otherwise (a push runs in a process of its own: no one else's threads to mind).
    Counted, so that pushes running side by side (tests) leave the interval as they found it."""
    with _switching:
        if start:
            if _pushes_running[0] == 0:
                _pushes_running[1] = sys.getswitchinterval()
                sys.setswitchinterval(min(_pushes_running[1], _SWITCH_S))
            _pushes_running[0] += 1
        else:
            _pushes_running[0] -= 1
            if _pushes_running[0] == 0:
                sys.setswitchinterval(_pushes_running[1])


@dataclass(frozen=True)
class PushResult:
    status: str  # ok (everything HQ lacked is there), fork, error, refused, ahead, broken
    sent: int  # rows sent (replays included)
    accepted: int  # rows HQ took that it did not have
    acked_seq: int  # the cursor now
    head_seq: int  # the till's last journal row
    message: str = ""

    @property
    def waiting(self) -> int:
        return max(0, self.head_seq - self.acked_seq)


#: Batches in flight at once, each on a connection of its own: HQ takes the next one the moment
#: the one before commits (it waits on the register's row lock meanwhile, its batch already
#: received), not after a round trip and the till's bookkeeping. HQ's rules make this safe: a
#: batch sent after one HQ did not take is after a gap and takes nothing; its answer is dropped.
DEPTH = 2

#: Seconds between two writes of the cursor while a push drains a backlog. Each write takes the
#: database's write lock for a moment and adds to its WAL; at a batch each (100+ a second at full
#: speed) the cashier's scans met them in their tails. A cursor written later only stands further
#: back after a crash: HQ skips the rows sent again.
CURSOR_EVERY_S = 0.5

#: While the cashier works (the running till is not idle: a basket open, or a key or scan in
#: the last [hq] idle_seconds), a backlog drains gently: batches of at most BUSY_BATCH rows,
#: one at a time, BUSY_PAUSE_S between them (~500 rows a second). A sale's few rows still go at
#: once (one batch); the rest drains at full speed the moment the till turns idle.
BUSY_BATCH = 100
BUSY_PAUSE_S = 0.2


@dataclass
class _Flight:
    batch: _Batch
    head: int
    answer: Future[dict[str, Any]]
    ahead: bool  # sent while another batch was in flight before it


def push(
    database: SqliteDatabase,
    register_id: str,
    clock: Clock,
    connect: Callable[[], psycopg.Connection[Any]],
    *,
    batch_size: int = 500,
    timeout: float = 30.0,
    max_batches: int | None = None,
    on_batch: Callable[[int, int], None] | None = None,
    idle: threading.Event | None = None,
) -> PushResult:
    """Push what HQ lacks; returns where the cursor stands. Never raises for the network.
    `idle`: the running till's idle flag (its sync child's); while it is clear the cashier
    works and the push drains gently (BUSY_BATCH, BUSY_PAUSE_S). None (`kassa sync`): at full
    speed."""
    sent = accepted = 0
    cursor = state(database, register_id).acked_seq
    conns: list[psycopg.Connection[Any]] = []
    try:
        for _n in range(DEPTH):
            conns.append(connect())
        with deadline(conns[0], timeout):
            arrays = takes_arrays(conns[0])
    except psycopg.Error as exc:
        for conn in conns:
            conn.close()
        return _failed(database, register_id, clock, cursor, sent, accepted, exc)
    reader = _Reader(database, register_id, batch_size)
    senders = ThreadPoolExecutor(max_workers=DEPTH, thread_name_prefix="kassa-push-send")
    _switch_fast(True)
    flights: deque[_Flight] = deque()
    written_at = [-CURSOR_EVERY_S]  # monotonic time of the cursor's last write
    unwritten: list[tuple[str, int, int]] = []  # (utc, cursor, HQ's seq) not written yet

    def step_ok(now: str, acked: int, hq_seq: int) -> None:
        """The cursor after a batch HQ took: written at most every CURSOR_EVERY_S."""
        unwritten[:] = [(now, acked, hq_seq)]
        if time.monotonic() - written_at[0] >= CURSOR_EVERY_S:
            write_ok()

    def write_ok() -> None:
        """The newest cursor not written yet (before any other outcome is saved, and at the end)."""
        if unwritten:
            now, acked, hq_seq = unwritten.pop()
            _save(database, register_id, now, acked=acked, status="ok", hq_seq=hq_seq)
            written_at[0] = time.monotonic()

    def ingest(
        conn: psycopg.Connection[Any], ready: _Batch, head: int, going: threading.Event
    ) -> dict[str, Any]:
        going.set()
        with deadline(conn, timeout):
            return call_ingest(conn, register_id, ready, arrays, clock.now().utc, head)

    turn = [0]

    def busy() -> bool:
        return idle is not None and not idle.is_set()

    def size() -> int:
        return min(batch_size, BUSY_BATCH) if busy() else batch_size

    def send(ready: _Batch, head: int, *, ahead: bool) -> _Flight:
        """The batch to HQ on the next connection; returns once its call is under way (so the
        batch after it is very likely to reach HQ's register lock second)."""
        going = threading.Event()
        answer = senders.submit(ingest, conns[turn[0]], ready, head, going)
        turn[0] = (turn[0] + 1) % DEPTH
        going.wait(timeout)
        return _Flight(ready, head, answer, ahead)

    def drop_flights() -> None:
        """Wait for what is still in flight and forget its answers (the cursor only lags)."""
        while flights:
            with contextlib.suppress(Exception):
                flights.popleft().answer.result()

    try:
        batches = 0
        pending: Future[_Batch] | None = reader.read(cursor, size())
        broken: JournalBroken | None = None
        while True:
            # keep DEPTH batches at HQ: the next ones follow the last one sent
            while (
                len(flights) < (1 if busy() else DEPTH)
                and pending is not None
                and broken is None
                and (max_batches is None or batches < max_batches)
            ):
                try:
                    ready = pending.result()
                except JournalBroken as exc:
                    broken, pending = exc, None
                    break
                if not ready.entries and flights:
                    pending = None  # nothing after the batches in flight
                    break
                head = _head(database, register_id)
                last = int(ready.entries[-1]["seq"]) if ready.entries else ready.after
                flights.append(send(ready, head, ahead=bool(flights)))
                batches += 1
                more = max_batches is None or batches < max_batches
                pending = (
                    reader.read(last, size()) if ready.entries and last < head and more else None
                )
            if not flights:
                if broken is not None:
                    write_ok()
                    _save(database, register_id, clock.now().utc_text, acked=None,
                          status="broken", message=str(broken))  # fmt: skip
                    return _result(database, register_id, "broken", sent, accepted, str(broken))
                break
            flight = flights.popleft()
            entries, head = flight.batch.entries, flight.head
            try:
                answer = flight.answer.result()
            except psycopg.Error as exc:
                drop_flights()
                write_ok()
                return _failed(database, register_id, clock, cursor, sent, accepted, exc)
            sent += len(entries)
            accepted += int(answer.get("accepted", 0))
            hq_seq = int(answer.get("last_seq", 0))
            # The cursor follows what HQ holds, never past the till's own last row.
            cursor, before = min(hq_seq, head), cursor
            status = str(answer.get("status", ""))
            now = clock.now().utc_text
            if status == "gap" and flight.ahead and hq_seq < before:
                # HQ ran this batch before the one in front of it had committed (two
                # connections): a stale answer. Again, now that it is the only one in flight;
                # what was sent after it cannot have been taken either (it needed this one).
                cursor = before
                drop_flights()
                flights.append(send(flight.batch, head, ahead=False))
                last = int(entries[-1]["seq"]) if entries else flight.batch.after
                more = max_batches is None or batches < max_batches
                pending = reader.read(last, size()) if entries and last < head and more else None
                continue
            if status == "fork":
                drop_flights()
                message = _(
                    "HQ holds a different journal row {seq} for register {register}: this"
                    " till's journal left HQ's (restored from an old copy?); nothing more is"
                    " sent until a technician looks at it"
                ).format(seq=answer.get("fork_seq"), register=register_id)
                _save(database, register_id, now, acked=cursor, status="fork", message=message,
                      hq_seq=hq_seq)  # fmt: skip
                return _result(database, register_id, "fork", sent, accepted, message)
            if hq_seq > head:
                drop_flights()
                message = _(
                    "HQ holds register {register} up to {hq}, this till's journal ends at"
                    " {head}: restored from an old copy?"
                ).format(register=register_id, hq=hq_seq, head=head)
                _save(database, register_id, now, acked=cursor, status="ahead", message=message,
                      hq_seq=hq_seq)  # fmt: skip
                return _result(database, register_id, "ahead", sent, accepted, message)
            if status not in ("ok", "gap") or (entries and cursor == before):
                # An answer kassa does not know, or no step forward: do not spin.
                drop_flights()
                message = _("HQ took none of the rows after {seq}").format(seq=before)
                write_ok()
                _save(database, register_id, now, acked=None, status="error", message=message)
                return _result(database, register_id, "error", sent, accepted, message)
            # ok: HQ holds what was sent; gap: HQ lacks rows before them, the next batch
            # starts where HQ said (the cursor, moved back if need be)
            step_ok(now, cursor, hq_seq)
            if on_batch is not None:
                on_batch(cursor, head)
            if status == "ok" and (not entries or cursor >= head) and not flights:
                break
            if cursor != (int(entries[-1]["seq"]) if entries else flight.batch.after):
                # HQ said to send from elsewhere (a gap), or did not take this batch whole:
                # what was sent after it on the guess that it would is dropped
                drop_flights()
                pending = reader.read(cursor, size())
            if idle is not None and busy() and pending is not None and not flights:
                idle.wait(BUSY_PAUSE_S)  # the cashier first (at once when the till turns idle)
        write_ok()
    finally:
        _switch_fast(False)
        drop_flights()
        senders.shutdown(wait=True)
        for conn in conns:
            conn.close()
        reader.close()
    return _result(database, register_id, "ok", sent, accepted, "")


def _head(database: SqliteDatabase, register_id: str) -> int:
    return int(
        database.execute_sql(
            "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE register_id = ?", (register_id,)
        ).fetchone()[0]
    )


def _result(
    database: SqliteDatabase, register_id: str, status: str, sent: int, accepted: int, msg: str
) -> PushResult:
    now = state(database, register_id)
    return PushResult(status, sent, accepted, now.acked_seq, now.head_seq, msg)


def _failed(
    database: SqliteDatabase,
    register_id: str,
    clock: Clock,
    cursor: int,
    sent: int,
    accepted: int,
    exc: Exception,
) -> PushResult:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    status = "error"  # the network: the next round tries again
    special = str(getattr(exc, "sync_status", ""))  # HQ's TLS certificate (sync.link)
    if special:
        status, message = special, first
    elif isinstance(exc, psycopg.OperationalError):
        message = _("HQ cannot be reached: {error}").format(error=first)
    else:  # HQ answered, and refused (a row that is not what its hash says, a bad role …)
        status = "refused"
        message = _("HQ refused the rows: {error}").format(error=first)
    _save(database, register_id, clock.now().utc_text, acked=None, status=status, message=message)
    return _result(database, register_id, status, sent, accepted, message)
