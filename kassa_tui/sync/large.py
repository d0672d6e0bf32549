"""Large catalog revisions, applied by the running till while it is idle (issue 15).

A revision of up to BACKGROUND_MAX_ROWS rows is applied by the sync child after its push, as
it comes (kassa_tui.sync.pull.background_round: a few hundred milliseconds of the write lock).
A larger one (a shop's 20,000-product price list: ~1 s of the write lock on the development
machine, several on a Pi; bench/bench_catalog_apply.py) would make a cashier's scan wait that
long, so the child:

- fetches its pages beforehand, into a TEMP table of a SQLite connection it keeps for this
  (`Waiting.prepare`: network and parsing outside any transaction; a temp table takes no lock
  on the till's database);
- applies it in ONE SQLite transaction (kassa_tui.sync.pull.apply_revision, all or nothing:
  a crash half way leaves the revision before) only while the App says the till is idle
  (`idle 1` on the child's stdin: the basket empty and no key or scan for [hq] idle_seconds);
- gives up at once when the App says it is busy again (`idle 0`, the moment a key or scan
  comes): the next row read raises `Interrupted`, or SQLite's progress handler stops the
  statement running (the importer's writes); the transaction is rolled back (median 0.9 ms,
  at most 15.8 ms from the key, 120 keys at random moments of 20,000-row applies) and the
  revision is applied at the next idle moment.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import peewee
import psycopg
from peewee import SqliteDatabase
from psycopg import Connection

from kassa_tui.config import Config
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.records.journal import Journal
from kassa_tui.sync.pull import (
    BACKGROUND_MAX_ROWS,
    Applied,
    Interrupted,
    Spooled,
    _spool,
    applied_revision,
    apply_revision,
)

log = logging.getLogger("kassa.sync")
#: SQLite virtual machine steps between two looks at whether the till turned busy (~10-50 µs).
PROGRESS_STEPS = 1000


@dataclass(frozen=True)
class Prepared:
    """A large revision fetched and spooled, not yet applied."""

    revision: int
    kind: str
    source: str
    count: int


def prepare_next(conn: Connection[Any], db: SqliteDatabase) -> Prepared | None:
    """The revision after the till's, fetched into `db`'s spool when it is a large one (None:
    HQ has none, or a small one the background round takes)."""
    last = applied_revision(db)
    head = conn.execute(
        "SELECT revision, kind, source, row_count FROM catalog_revision WHERE revision = %s",
        (last + 1,),
    ).fetchone()
    if head is None or int(head[3]) <= BACKGROUND_MAX_ROWS:
        return None
    revision, kind, source, row_count = int(head[0]), str(head[1]), str(head[2]), int(head[3])
    rows = _spool(conn, db, revision)
    if len(rows) != row_count:  # cannot happen: a revision commits with its pages
        raise RuntimeError(f"catalog revision {revision}: {len(rows)} rows of {row_count} arrived")
    return Prepared(revision, kind, source, row_count)


def apply_prepared(
    db: SqliteDatabase,
    config: Config,
    clock: Clock,
    prepared: Prepared,
    busy: Callable[[], bool],
) -> Applied:
    """The spooled revision in one transaction; `Interrupted` (rolled back, nothing written) the
    moment `busy()` turns True; `Refused` when the till is no longer on the revision before."""
    if busy():
        raise Interrupted
    journal = Journal(db, config.register_id, clock)
    rows = Spooled(db, prepared.count, stop=busy)
    # Between rows too: SQLite asks `busy` every PROGRESS_STEPS of its virtual machine and
    # stops the statement running (the importers' later writes, not only the rows' reading).
    # Once only: the ROLLBACK that follows must run to its end.
    connection = db.connection()
    stopped = False

    def progress() -> int:
        nonlocal stopped
        if not stopped and busy():
            stopped = True
            return 1  # SQLite stops the statement running ("interrupted")
        return 0

    connection.set_progress_handler(progress, PROGRESS_STEPS)
    try:
        return apply_revision(
            db, journal, config, prepared.revision, prepared.kind, prepared.source, rows
        )
    except (peewee.OperationalError, sqlite3.OperationalError) as exc:
        if not stopped:
            raise
        # SQLite rolls the whole transaction back when it stops a write (peewee's ROLLBACK
        # then finds none: "no transaction is active"); else peewee's ROLLBACK ran.
        if connection.in_transaction:
            connection.rollback()
        raise Interrupted from exc
    finally:
        connection.set_progress_handler(None, 0)


class Waiting:
    """The sync child's large revision: prepared on a SQLite connection of its own, kept
    between rounds, applied while `idle` is set."""

    def __init__(self, config: Config, clock: Clock, idle: threading.Event) -> None:
        self.config = config
        self.clock = clock
        self.idle = idle
        self.db: SqliteDatabase | None = None
        self.prepared: Prepared | None = None

    @property
    def revision(self) -> int:
        """The revision waiting for an idle moment (0: none)."""
        return self.prepared.revision if self.prepared is not None else 0

    def _own(self) -> SqliteDatabase:
        if self.db is None:
            from kassa_tui.sync.push import open_own

            self.db = open_own(self.config.database)
        return self.db

    def prepare(self, connect: Callable[[], Connection[Any]]) -> None:
        """Fetch the next revision if it is a large one and none is prepared yet. Never
        raises: HQ out of reach leaves it for the next round."""
        if self.prepared is not None:
            return
        try:
            db = self._own()
            conn = connect()
        except psycopg.Error:  # HQ out of reach: the round has said so already
            return
        except Exception:
            log.exception("catalog: a large revision could not be fetched")
            return
        try:
            self.prepared = prepare_next(conn, db)
        except (psycopg.Error, peewee.DatabaseError, sqlite3.Error) as exc:
            log.warning("catalog: a large revision could not be fetched (%s)", exc)
        finally:
            conn.close()
        if self.prepared is not None:
            log.info(
                "catalog: revision %s (%s rows) fetched; applied when the till is idle",
                self.prepared.revision,
                self.prepared.count,
            )

    def apply(self) -> Applied | None:
        """Apply the prepared revision if the till is idle; None when there is none, the till
        is busy, or it turned busy meanwhile (then it waits for the next idle moment)."""
        prepared = self.prepared
        if prepared is None or self.db is None or not self.idle.is_set():
            return None
        log.info("catalog: applying revision %s while the till is idle", prepared.revision)
        try:
            done = apply_prepared(
                self.db, self.config, self.clock, prepared, lambda: not self.idle.is_set()
            )
        except Interrupted:
            log.info("catalog: revision %s: the till turned busy; later", prepared.revision)
            return None
        except Refused as refused:  # `kassa sync` applied it meanwhile
            log.info("catalog: revision %s: %s", prepared.revision, refused.message)
            self.prepared = None
            return None
        except (peewee.DatabaseError, sqlite3.Error) as exc:  # the write lock not had in time
            log.warning("catalog: revision %s not applied now (%s)", prepared.revision, exc)
            return None
        self.prepared = None
        log.info("catalog: revision %s applied while idle (%s rows)", done.revision, done.rows)
        return done

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
