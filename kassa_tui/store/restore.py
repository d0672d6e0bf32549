"""Restoring a backup over the shop's database, safely.

A restore first takes `<db>.lock` exclusive (every selling kassa holds it shared, whatever its
register; see store/register_lock.py) and every `<db>.<register>.lock` beside it (a till of an
older kassa holds only that one): while any till sells on the database, on any register, it is
refused. It then reads the backup's files once: the backup and any `-wal` beside it are copied
into private files in the database's folder and folded with SQLite's backup API into one private
staging file there. Only that staging file is checked (integrity, journal chain, counts, schema
not newer than this kassa, the signature chain of the config's register with the public half of
kassa.toml's signing key) and renamed into place; the source is never read again, so what is
installed is exactly what was checked. No readable signing key, or a newer database than the
backup, needs `force`. A backup that names another org number (`kassa init` journals the
shop's identity, store.identity, and every Z report carries its `company_ident`) or, when none
is recorded (a database from before the identity row), holds no journal rows of this register,
is refused unless `other_shop`; the override is then journaled (RESTOREOTHER) in the staging
file before it is installed. The replaced database is kept beside it as
`<db>.before-restore-<timestamp>`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import serialization
from peewee import SqliteDatabase

from kassa_tui.config import SigningSettings
from kassa_tui.core.clock import Clock, Instant, parse_utc
from kassa_tui.core.errors import Refused, Stopped
from kassa_tui.core.i18n import _
from kassa_tui.records.journal import Journal
from kassa_tui.records.signing import chain_rows, verify_chain
from kassa_tui.store.backup import (
    MAGIC,
    SQLITE_HEADER,
    BackupInfo,
    check_database,
    create_private,
    remove_database,
    signing_public_key,
    snapshot,
    stamp,
    summarise,
    write_private,
)
from kassa_tui.store.identity import recorded_org_numbers
from kassa_tui.store.migrations import SCHEMA_VERSION
from kassa_tui.store.register_lock import (
    DatabaseBusy,
    DatabaseLock,
    RegisterBusy,
    register_lock_paths,
)


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    kept: Path | None  # the replaced database, or None when there was none
    override: str | None = None  # why --other-shop was needed (journaled), or None


def local_time(utc: str) -> str:
    """A journal row's stored UTC time as the shop reads it: Oslo date and time ("-" for none)."""
    if not utc:
        return "-"
    try:
        return parse_utc(utc).local.strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return utc  # written by something else: shown as it is rather than hidden


def _current_info(database: Path) -> tuple[int, str]:
    conn = sqlite3.connect(str(database), timeout=30)
    try:
        _, rows, last, _ = summarise(conn)
    finally:
        conn.close()
    return rows, last


RESTORE_OTHER_SHOP = ("13999", "RESTOREOTHER")  # journaled when --other-shop was needed
#: journaled when rows HQ had not acknowledged were replaced (--despite-unsent)
RESTORE_DESPITE_UNSENT = ("13999", "RESTOREUNSENT")


def _org_numbers(conn: sqlite3.Connection) -> set[str]:
    """The org numbers the database names: the shop's identity journaled at `kassa init`
    (store.identity) and every Z report's company_ident."""
    found: set[str] = set()
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "journal" in tables:
        found |= recorded_org_numbers(conn)
    if "z_report" in tables:
        found |= {
            str(r[0])
            for r in conn.execute("SELECT json_extract(report, '$.company_ident') FROM z_report")
            if r[0]
        }
    if "journal" in tables:
        found |= {
            str(r[0])
            for r in conn.execute(
                "SELECT json_extract(text, '$.report.company_ident') FROM journal"
                " WHERE basic_id = 'ZREPORT' AND json_valid(text)"
            )
            if r[0]
        }
    return found


def _other_shop(path: Path, info: BackupInfo, org_nr: str, register_id: str) -> str | None:
    """Why the backup is another shop's or another register's, or None when it is ours."""
    conn = sqlite3.connect(str(path))
    try:
        orgs = _org_numbers(conn)
    finally:
        conn.close()
    foreign = sorted(orgs - {org_nr})
    if foreign:
        return f"the backup is org number {', '.join(foreign)}'s; this till is {org_nr}'s"
    if info.registers and register_id not in info.registers:
        return (
            f"the backup holds register(s) {', '.join(info.registers)}, not {register_id}"
            " of this till's kassa.toml"
        )
    return None


def _check_signatures(path: Path, register_id: str, pem: bytes) -> int:
    """Verify the register's signature chain in `path`; Stopped on the first bad one."""
    database = SqliteDatabase(str(path))
    database.connect()
    try:
        rows = chain_rows(database, register_id)
    finally:
        database.close()
    bad = verify_chain(rows, pem)
    if bad is not None:
        raise Stopped(
            _(
                "the signature of receipt {receipt} of register {register} does not verify: the"
                " sale was altered or removed, or signed with another key"
            ).format(receipt=bad, register=register_id)
        )
    return len(rows)


def _signing_pem(signing: SigningSettings | None) -> bytes | None:
    key = signing_public_key(signing) if signing is not None and signing.enabled else None
    if key is None:
        return None
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _stage(backup: Path, staging: Path) -> None:
    """Fold the backup (and any -wal beside it) into the new private file `staging`.

    The backup's files are copied once into private files in the target's folder and the
    database is built from those copies with SQLite's backup API: the source is never opened
    by SQLite (which could checkpoint it) and never read again after this.
    """
    if not backup.is_file():
        raise Stopped(_("{backup}: no such backup file").format(backup=backup))
    with open(backup, "rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head.startswith(MAGIC):
        raise Stopped(
            _("{backup} is an encrypted backup; run `kassa backup decrypt` first").format(
                backup=backup
            )
        )
    if head != SQLITE_HEADER:
        raise Stopped(_("{backup} is not an SQLite database").format(backup=backup))
    source = staging.with_name(f"{staging.name}.source")
    try:
        write_private(source, backup.read_bytes())
        wal = Path(f"{backup}-wal")
        if wal.is_file():
            write_private(Path(f"{source}-wal"), wal.read_bytes())
        snapshot(source, staging)  # the -wal folded in
    except sqlite3.DatabaseError as exc:
        raise Stopped(
            _("{backup} cannot be read as a kassa database: {error}").format(
                backup=backup, error=exc
            )
        ) from None
    finally:
        remove_database(source)
    os.chmod(staging, 0o600)


def _lock_database(database: Path) -> list[DatabaseLock | _ProbeLock]:
    """Hold the database exclusive and every register lock beside it; Refused if any is taken.

    The register locks are probed too, so a till of an older kassa (that holds only its
    register's lock, not `<db>.lock`) also stops a restore.
    """
    held: list[DatabaseLock | _ProbeLock] = []
    whole = DatabaseLock(database)
    try:
        whole.acquire(exclusive=True)
    except DatabaseBusy:
        raise Refused(
            _(
                "a kassa is selling on {database} (on some register); stop every till that uses"
                " this database first"
            ).format(database=database)
        ) from None
    held.append(whole)
    try:
        for path in register_lock_paths(database):
            probe = _ProbeLock(path)
            probe.acquire()
            held.append(probe)
    except RegisterBusy as busy:
        for lock in reversed(held):
            lock.release()
        raise Refused(
            _(
                "a kassa (pid {pid}) is selling on {database}; stop every till that uses"
                " this database first"
            ).format(pid=busy.pid, database=database)
        ) from None
    return held


class _ProbeLock:
    """An existing register lock file, taken exclusive without the database lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            handle.close()
            raise RegisterBusy(pid) from None
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def restore(
    backup: Path,
    database: Path,
    register_id: str,
    *,
    org_nr: str,
    signing: SigningSettings | None,
    force: bool = False,
    other_shop: bool = False,
    now: Instant | None = None,
    despite_unsent: dict[str, object] | None = None,
) -> RestoreResult:
    """Put a checked backup in place of the database; see the module's docstring."""
    database.parent.mkdir(parents=True, exist_ok=True)
    held = _lock_database(database)
    staging = database.with_name(f".{database.name}.restoring-{secrets.token_hex(4)}")
    try:
        create_private(staging)
        _stage(backup, staging)
        info = check_database(staging)
        if info.schema_version > SCHEMA_VERSION:
            raise Refused(
                _(
                    "the backup's schema {version} is newer than this kassa ({supported});"
                    " upgrade kassa first"
                ).format(version=info.schema_version, supported=SCHEMA_VERSION)
            )
        pem = _signing_pem(signing)
        if pem is not None:
            _check_signatures(staging, register_id, pem)
        elif not force:
            raise Refused(
                _(
                    "no signing key is readable from kassa.toml, so the backup's signatures"
                    " cannot be checked; use --force to restore it unchecked"
                )
            )
        why = _other_shop(staging, info, org_nr, register_id)
        if why is not None and not other_shop:
            raise Refused(_("{why}; use --other-shop if it really belongs here").format(why=why))
        if database.exists() and not force:
            try:
                rows, last = _current_info(database)
            except sqlite3.DatabaseError as exc:
                raise Refused(
                    _("the database at {database} cannot be read ({error}); use --force").format(
                        database=database, error=exc
                    )
                ) from None
            if last > info.last_utc or rows > info.journal_rows:
                raise Refused(
                    _(
                        "the database at {database} is newer than the backup ({rows} journal"
                        " rows, last {last}; the backup has {backup_rows}, last {backup_last});"
                        " use --force to replace it anyway"
                    ).format(
                        database=database,
                        rows=rows,
                        last=local_time(last),
                        backup_rows=info.journal_rows,
                        backup_last=local_time(info.last_utc),
                    )
                )
        if why is not None:
            _journal_override(staging, register_id, why, backup)
        if despite_unsent is not None:  # kassa_tui.sync.unsent: what HQ never got, and who
            _journal_event(staging, register_id, RESTORE_DESPITE_UNSENT, backup, despite_unsent)
        kept: Path | None = None
        if database.exists():
            kept = database.with_name(f"{database.name}.before-restore-{stamp(now)}")
            _keep(database, kept)
        with open(staging, "rb") as file:
            os.fsync(file.fileno())
        os.replace(staging, database)
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{database}{suffix}").unlink()
        return RestoreResult(info, kept, why)
    finally:
        remove_database(staging)
        for lock in reversed(held):
            lock.release()


def _journal_override(staging: Path, register_id: str, why: str, backup: Path) -> None:
    """Record in the restored database that it was restored with --other-shop, and why."""
    database = SqliteDatabase(str(staging))
    database.connect()
    try:
        with database.atomic():
            Journal(database, register_id, Clock()).write(
                RESTORE_OTHER_SHOP, reason=why, backup=str(backup)
            )
    finally:
        database.close()


def _journal_event(
    staging: Path, register_id: str, event: tuple[str, str], backup: Path, what: dict[str, object]
) -> None:
    details: dict[str, Any] = dict(what)
    user = details.pop("user", None)
    database = SqliteDatabase(str(staging))
    database.connect()
    try:
        with database.atomic():
            Journal(database, register_id, Clock()).write(
                event, user=user if isinstance(user, int) else None, backup=str(backup), **details
            )
    finally:
        database.close()


def _keep(database: Path, kept: Path) -> None:
    """Move the old database aside (0600), folding its WAL in first when it can be read."""
    if kept.exists():
        raise Refused(_("{path} already exists; try again in a second").format(path=kept))
    checkpointed = False
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(str(database), timeout=30)
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            checkpointed = busy is None or busy[0] == 0
        finally:
            conn.close()
    os.replace(database, kept)
    os.chmod(kept, 0o600)
    wal = Path(f"{database}-wal")
    if not checkpointed and wal.exists():
        os.replace(wal, Path(f"{kept}-wal"))  # committed rows not yet folded in: keep them
        os.chmod(Path(f"{kept}-wal"), 0o600)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{database}{suffix}").unlink()
