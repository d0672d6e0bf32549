"""Backups of the shop's database: taken while the till sells, checked, optionally encrypted.

A backup is made with SQLite's online backup API from a connection of its own, in one step: the
source is read inside one read transaction, so the copy is a consistent snapshot even while the
till commits sales (in WAL mode a reader never blocks the writer). The live file is never copied
byte for byte. The copy is switched to journal_mode=DELETE so it is one self-contained file, then
checked: `PRAGMA integrity_check` must say ok and every register's journal hash chain must be
intact (the same check as `Journal.verify`). A copy that fails is deleted.

Encrypted backups (`<name>.db.enc`) are hybrid: a random 32-byte key encrypts the database with
AES-256-GCM, and that key is wrapped with RSA-OAEP (SHA-256) for the given public key, so the
till only ever holds the public half. The key must be RSA of 2048 bits or more and must not be
the till's own signing key (its private half is on the till). The copy is taken into a private
temporary file in the database's own folder, checked and encrypted from there, and removed
whatever happens: nothing unencrypted ever reaches the destination, even when it fills up. The
whole database is read into memory and encrypted in one call (a shop's database is tens of MB at
most); it is not streamed. The file layout:

    offset  size  field
    0       14    magic b"KASSA-BACKUP-1"
    14      2     wrapped key length N, unsigned big-endian
    16      N     the AES key, wrapped with RSA-OAEP(SHA-256, MGF1-SHA-256)
    16+N    12    the AES-GCM nonce
    28+N    rest  ciphertext followed by the 16-byte GCM tag

The first 16+N bytes (magic, length and wrapped key) are the GCM associated data, so they cannot
be swapped or altered without decryption failing.

A restore first takes `<db>.lock` exclusive (every selling kassa holds it shared, whatever its
register; see store/register_lock.py) and every `<db>.<register>.lock` beside it (a till of an
older kassa holds only that one): while any till sells on the database, on any register, it is
refused. It then reads the backup's files once: the backup and any `-wal` beside it are copied
into private files in the database's folder and folded with SQLite's backup API into one private
staging file there. Only that staging file is checked (integrity, journal chain, counts, schema
not newer than this kassa, the signature chain of the config's register with the public half of
kassa.toml's signing key) and renamed into place; the source is never read again, so what is
installed is exactly what was checked. No readable signing key, or a newer database than the
backup, needs `force`. A backup that names another org number (every Z report carries the shop's
`company_ident`) or, when none is recorded, holds no journal rows of this register, is refused
unless `other_shop`; the override is then journaled (RESTOREOTHER) in the staging file before it
is installed. The replaced database is kept beside it as `<db>.before-restore-<timestamp>`.

Every file is created mode 0600 and never over another file: a DEST file that exists is
refused, and in a DEST folder a name already taken (two backups in one second) gets '-2', '-3'.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from peewee import SqliteDatabase

from kassa_tui.config import SigningSettings
from kassa_tui.core.clock import Clock, Instant
from kassa_tui.core.errors import Refused, Stopped
from kassa_tui.core.files import create_new, create_unique, write_new
from kassa_tui.records.journal import Journal
from kassa_tui.records.signing import chain_rows, verify_chain
from kassa_tui.store.migrations import SCHEMA_VERSION
from kassa_tui.store.register_lock import (
    DatabaseBusy,
    DatabaseLock,
    RegisterBusy,
    register_lock_paths,
)

MAGIC = b"KASSA-BACKUP-1"
NONCE_BYTES = 12
KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
MIN_KEY_BITS = 2048
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@dataclass(frozen=True)
class BackupInfo:
    """What a checked database holds: enough to compare two of them."""

    schema_version: int
    journal_rows: int
    last_utc: str  # the latest journal row's UTC time ("" when the journal is empty)
    registers: tuple[str, ...]


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    kept: Path | None  # the replaced database, or None when there was none
    override: str | None = None  # why --other-shop was needed (journaled), or None


def stamp(now: Instant | None = None) -> str:
    """Oslo wall-clock time for a file name, read from the till's clock."""
    return (now or Clock().now()).local.strftime("%Y%m%d-%H%M%S")


def _safe(register_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in register_id)


def _create_private(path: Path, *, unique: bool = False) -> Path:
    """Create `path` empty with mode 0600 and return it; refuses to overwrite anything.

    With `unique`, a taken name moves on to the first free `-2`, `-3` … instead.
    """
    if unique:
        path, fd = create_unique(path)
    else:
        try:
            fd = create_new(path)
        except FileExistsError:
            raise Refused(f"{path} already exists; not overwriting it") from None
    os.close(fd)
    return path


def _remove(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def backup_path(dest: Path, register_id: str, now: Instant | None = None) -> Path:
    """DEST itself, or `kassa-<register>-<YYYYmmdd-HHMMSS>.db` inside it when it is a folder."""
    if dest.is_dir():
        return dest / f"kassa-{_safe(register_id)}-{stamp(now)}.db"
    return dest


def _summary(conn: sqlite3.Connection) -> tuple[int, int, str, tuple[str, ...]]:
    has_setting = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'setting'"
    ).fetchone()
    version = 0
    if has_setting:
        row = conn.execute("SELECT value FROM setting WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
    has_journal = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal'"
    ).fetchone()
    if not has_journal:
        return version, 0, "", ()
    rows, last = conn.execute("SELECT COUNT(*), COALESCE(MAX(utc), '') FROM journal").fetchone()
    registers = tuple(
        r[0] for r in conn.execute("SELECT DISTINCT register_id FROM journal ORDER BY 1")
    )
    return version, int(rows), str(last), registers


def check_database(path: Path) -> BackupInfo:
    """Open `path` read-only and check it; raises Stopped naming the first problem."""
    if not path.is_file():
        raise Stopped(f"{path}: no such backup file")
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head.startswith(MAGIC):
        raise Stopped(f"{path} is an encrypted backup; run `kassa backup decrypt` first")
    if head != SQLITE_HEADER:
        raise Stopped(f"{path} is not an SQLite database")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise Stopped(f"{path} failed the integrity check: {result[0]}")
            version, rows, last, registers = _summary(conn)
        finally:
            conn.close()
        database = SqliteDatabase(uri, uri=True)
        database.connect()
        try:
            for register_id in registers:
                bad = Journal(database, register_id, Clock()).verify()
                if bad is not None:
                    raise Stopped(
                        f"{path}: journal row {bad} of register {register_id}"
                        " was altered or removed"
                    )
        finally:
            database.close()
    except sqlite3.DatabaseError as exc:
        raise Stopped(f"{path} cannot be read as a kassa database: {exc}") from None
    return BackupInfo(version, rows, last, registers)


def take_backup(
    database: Path, dest: Path, register_id: str, now: Instant | None = None
) -> tuple[Path, BackupInfo]:
    """Copy the live database to DEST (a file, or a folder to name one in) and check the copy."""
    if not database.is_file():
        raise Stopped(f"no database at {database}")
    target = backup_path(dest, register_id, now)
    if not target.parent.is_dir():
        raise Stopped(f"{target.parent}: no such folder")
    target = _create_private(target, unique=dest.is_dir())
    return target, _copy_checked(database, target)


def take_encrypted_backup(
    database: Path,
    dest: Path,
    register_id: str,
    public_pem: bytes,
    *,
    signing: SigningSettings | None = None,
    now: Instant | None = None,
) -> tuple[Path, BackupInfo]:
    """`take_backup`, encrypted for `public_pem`: only `<name>.db.enc` reaches DEST.

    The copy is made and checked in a private file beside the database, encrypted from it and
    removed, whatever fails; `signing` is the till's own key, which is refused.
    """
    public = backup_key(public_pem, signing)
    if not database.is_file():
        raise Stopped(f"no database at {database}")
    plain = backup_path(dest, register_id, now)
    target = plain.with_name(f"{plain.name}.enc")
    if not target.parent.is_dir():
        raise Stopped(f"{target.parent}: no such folder")
    unique = dest.is_dir()
    if not unique and target.exists():
        raise Refused(f"{target} already exists; not overwriting it")
    staging = database.with_name(f".{database.name}.backup-{secrets.token_hex(4)}")
    try:
        _create_private(staging)
        info = _copy_checked(database, staging)
        data = _encrypt(public, staging.read_bytes())
    finally:
        _remove(staging)
    try:
        return write_new(target, data, unique=unique), info
    except FileExistsError:
        raise Refused(f"{target} already exists; not overwriting it") from None
    except OSError as exc:
        raise Stopped(f"backup could not be written to {target}: {exc.strerror or exc}") from None


def _copy_checked(database: Path, target: Path) -> BackupInfo:
    """Copy the live database into the new, empty file `target` and check it; on any failure
    `target` is deleted and Stopped raised."""
    try:
        source = sqlite3.connect(str(database), timeout=30)
        try:
            source.execute("PRAGMA busy_timeout = 30000")
            copy = sqlite3.connect(str(target))
            try:
                # pages=-1: one step, inside one read transaction: a consistent snapshot that a
                # busy till cannot restart over and over, as a page-by-page copy would be.
                source.backup(copy, pages=-1)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
        os.chmod(target, 0o600)
        return check_database(target)
    except Stopped as exc:
        _remove(target)
        raise Stopped(f"backup failed its check and was deleted: {exc}") from None
    except (sqlite3.Error, OSError) as exc:
        _remove(target)
        raise Stopped(f"backup failed and was deleted: {exc}") from None
    except BaseException:
        _remove(target)
        raise


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise Stopped("--encrypt-to: not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise Stopped("--encrypt-to: not an RSA public key")
    return key


def backup_key(pem: bytes, signing: SigningSettings | None = None) -> rsa.RSAPublicKey:
    """The public key to encrypt a backup for: RSA, 2048 bits or more, not the till's own key."""
    key = load_public_key(pem)
    own = _signing_public_key(signing) if signing is not None else None
    if own is not None and own.public_numbers() == key.public_numbers():
        raise Stopped(
            "--encrypt-to: that is the till's own signing key, whose private half is on the"
            " till; encrypt backups for a key kept away from it"
        )
    if key.key_size < MIN_KEY_BITS:
        raise Stopped(
            f"--encrypt-to: the key has {key.key_size} bits; a backup key needs at least"
            f" {MIN_KEY_BITS} (e.g. openssl genrsa 3072)"
        )
    return key


def _signing_public_key(signing: SigningSettings) -> rsa.RSAPublicKey | None:
    """The public half of the till's signing key, from its .pub.pem or the key itself."""
    if signing.public_key_file is not None:
        with contextlib.suppress(OSError, ValueError):
            key = serialization.load_pem_public_key(signing.public_key_file.read_bytes())
            if isinstance(key, rsa.RSAPublicKey):
                return key
    if signing.key_file is not None:
        with contextlib.suppress(OSError, ValueError, TypeError):
            private = serialization.load_pem_private_key(signing.key_file.read_bytes(), None)
            if isinstance(private, rsa.RSAPrivateKey):
                return private.public_key()
    return None


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise Stopped("--key: not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise Stopped("--key: not an RSA private key")
    return key


def _write_private(path: Path, data: bytes) -> None:
    try:
        fd = create_new(path)
    except FileExistsError:
        raise Refused(f"{path} already exists; not overwriting it") from None
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _encrypt(public: rsa.RSAPublicKey, plain: bytes) -> bytes:
    """The encrypted backup file's bytes (see the module's docstring for the layout)."""
    key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = public.encrypt(key, _OAEP)
    header = MAGIC + struct.pack(">H", len(wrapped)) + wrapped
    return header + nonce + AESGCM(key).encrypt(nonce, plain, header)


def decrypt_file(encrypted: Path, private_pem: bytes, out: Path) -> Path:
    """Reverse `take_encrypted_backup` into `out` (mode 0600); Stopped on a wrong key or damage."""
    private = load_private_key(private_pem)
    data = encrypted.read_bytes()
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 2:
        raise Stopped(f"{encrypted} is not an encrypted kassa backup")
    (length,) = struct.unpack(">H", data[len(MAGIC) : len(MAGIC) + 2])
    start = len(MAGIC) + 2
    header = data[: start + length]
    wrapped = data[start : start + length]
    nonce = data[start + length : start + length + NONCE_BYTES]
    ciphertext = data[start + length + NONCE_BYTES :]
    try:
        key = private.decrypt(wrapped, _OAEP)
        plain = AESGCM(key).decrypt(nonce, ciphertext, header)
    except (ValueError, InvalidTag):
        raise Stopped(
            f"cannot decrypt {encrypted}: wrong private key, or the file is damaged"
        ) from None
    _write_private(out, plain)
    return out


def _current_info(database: Path) -> tuple[int, str]:
    conn = sqlite3.connect(str(database), timeout=30)
    try:
        _, rows, last, _ = _summary(conn)
    finally:
        conn.close()
    return rows, last


RESTORE_OTHER_SHOP = ("13999", "RESTOREOTHER")  # journaled when --other-shop was needed


def _org_numbers(conn: sqlite3.Connection) -> set[str]:
    """The org numbers the database names: every Z report carries the shop's (company_ident)."""
    found: set[str] = set()
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
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
            f"the signature of receipt {bad} of register {register_id} does not verify: the"
            " sale was altered or removed, or signed with another key"
        )
    return len(rows)


def _signing_pem(signing: SigningSettings | None) -> bytes | None:
    key = _signing_public_key(signing) if signing is not None and signing.enabled else None
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
        raise Stopped(f"{backup}: no such backup file")
    with open(backup, "rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head.startswith(MAGIC):
        raise Stopped(f"{backup} is an encrypted backup; run `kassa backup decrypt` first")
    if head != SQLITE_HEADER:
        raise Stopped(f"{backup} is not an SQLite database")
    source = staging.with_name(f"{staging.name}.source")
    try:
        _write_private(source, backup.read_bytes())
        wal = Path(f"{backup}-wal")
        if wal.is_file():
            _write_private(Path(f"{source}-wal"), wal.read_bytes())
        conn = sqlite3.connect(str(source))
        try:
            copy = sqlite3.connect(str(staging))
            try:
                conn.backup(copy, pages=-1)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise Stopped(f"{backup} cannot be read as a kassa database: {exc}") from None
    finally:
        _remove(source)
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
            f"a kassa is selling on {database} (on some register); stop every till that uses"
            " this database first"
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
            f"a kassa (pid {busy.pid}) is selling on {database}; stop every till that uses"
            " this database first"
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
) -> RestoreResult:
    """Put a checked backup in place of the database; see the module's docstring."""
    database.parent.mkdir(parents=True, exist_ok=True)
    held = _lock_database(database)
    staging = database.with_name(f".{database.name}.restoring-{secrets.token_hex(4)}")
    try:
        _create_private(staging)
        _stage(backup, staging)
        info = check_database(staging)
        if info.schema_version > SCHEMA_VERSION:
            raise Refused(
                f"the backup's schema {info.schema_version} is newer than this kassa"
                f" ({SCHEMA_VERSION}); upgrade kassa first"
            )
        pem = _signing_pem(signing)
        if pem is not None:
            _check_signatures(staging, register_id, pem)
        elif not force:
            raise Refused(
                "no signing key is readable from kassa.toml, so the backup's signatures cannot"
                " be checked; use --force to restore it unchecked"
            )
        why = _other_shop(staging, info, org_nr, register_id)
        if why is not None and not other_shop:
            raise Refused(f"{why}; use --other-shop if it really belongs here")
        if database.exists() and not force:
            try:
                rows, last = _current_info(database)
            except sqlite3.DatabaseError as exc:
                raise Refused(
                    f"the database at {database} cannot be read ({exc}); use --force"
                ) from None
            if last > info.last_utc or rows > info.journal_rows:
                raise Refused(
                    f"the database at {database} is newer than the backup ({rows} journal"
                    f" rows, last {last or '-'}; the backup has {info.journal_rows}, last"
                    f" {info.last_utc or '-'}); use --force to replace it anyway"
                )
        if why is not None:
            _journal_override(staging, register_id, why, backup)
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
        _remove(staging)
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


def _keep(database: Path, kept: Path) -> None:
    """Move the old database aside (0600), folding its WAL in first when it can be read."""
    if kept.exists():
        raise Refused(f"{kept} already exists; try again in a second")
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
