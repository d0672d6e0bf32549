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
be swapped or altered without decryption failing. Restoring a backup is store/restore.py.

Every file is created mode 0600 and never over another file: a DEST file that exists is
refused, and in a DEST folder a name already taken (two backups in one second) gets '-2', '-3'.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from peewee import SqliteDatabase

from kassa_tui.config import SigningSettings
from kassa_tui.core.clock import Clock, Instant
from kassa_tui.core.errors import Refused, Stopped
from kassa_tui.core.files import create_new, create_unique, write_new
from kassa_tui.core.i18n import _
from kassa_tui.records.journal import Journal

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


def stamp(now: Instant | None = None) -> str:
    """Oslo wall-clock time for a file name, read from the till's clock."""
    return (now or Clock().now()).local.strftime("%Y%m%d-%H%M%S")


def _safe(register_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in register_id)


def create_private(path: Path, *, unique: bool = False) -> Path:
    """Create `path` empty with mode 0600 and return it; refuses to overwrite anything.

    With `unique`, a taken name moves on to the first free `-2`, `-3` … instead.
    """
    if unique:
        path, fd = create_unique(path)
    else:
        try:
            fd = create_new(path)
        except FileExistsError:
            raise Refused(
                _("{path} already exists; not overwriting it").format(path=path)
            ) from None
    os.close(fd)
    return path


def remove_database(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def backup_path(dest: Path, register_id: str, now: Instant | None = None) -> Path:
    """DEST itself, or `kassa-<register>-<YYYYmmdd-HHMMSS>.db` inside it when it is a folder."""
    if dest.is_dir():
        return dest / f"kassa-{_safe(register_id)}-{stamp(now)}.db"
    return dest


def summarise(conn: sqlite3.Connection) -> tuple[int, int, str, tuple[str, ...]]:
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
        raise Stopped(_("{path}: no such backup file").format(path=path))
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head.startswith(MAGIC):
        raise Stopped(
            _("{path} is an encrypted backup; run `kassa backup decrypt` first").format(path=path)
        )
    if head != SQLITE_HEADER:
        raise Stopped(_("{path} is not an SQLite database").format(path=path))
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise Stopped(
                    _("{path} failed the integrity check: {error}").format(
                        path=path, error=result[0]
                    )
                )
            version, rows, last, registers = summarise(conn)
        finally:
            conn.close()
        database = SqliteDatabase(uri, uri=True)
        database.connect()
        try:
            for register_id in registers:
                bad = Journal(database, register_id, Clock()).verify()
                if bad is not None:
                    altered = _(
                        "{path}: journal row {row} of register {register} was altered or removed"
                    )
                    raise Stopped(altered.format(path=path, row=bad, register=register_id))
        finally:
            database.close()
    except sqlite3.DatabaseError as exc:
        message = _("{path} cannot be read as a kassa database: {error}")
        raise Stopped(message.format(path=path, error=exc)) from None
    return BackupInfo(version, rows, last, registers)


def take_backup(
    database: Path, dest: Path, register_id: str, now: Instant | None = None
) -> tuple[Path, BackupInfo]:
    """Copy the live database to DEST (a file, or a folder to name one in) and check the copy."""
    if not database.is_file():
        raise Stopped(_("no database at {path}").format(path=database))
    target = backup_path(dest, register_id, now)
    if not target.parent.is_dir():
        raise Stopped(_("{folder}: no such folder").format(folder=target.parent))
    target = create_private(target, unique=dest.is_dir())
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
        raise Stopped(_("no database at {path}").format(path=database))
    plain = backup_path(dest, register_id, now)
    target = plain.with_name(f"{plain.name}.enc")
    if not target.parent.is_dir():
        raise Stopped(_("{folder}: no such folder").format(folder=target.parent))
    unique = dest.is_dir()
    if not unique and target.exists():
        raise Refused(_("{path} already exists; not overwriting it").format(path=target))
    staging = database.with_name(f".{database.name}.backup-{secrets.token_hex(4)}")
    try:
        create_private(staging)
        info = _copy_checked(database, staging)
        data = _encrypt(public, staging.read_bytes())
    finally:
        remove_database(staging)
    try:
        return write_new(target, data, unique=unique), info
    except FileExistsError:
        raise Refused(_("{path} already exists; not overwriting it").format(path=target)) from None
    except OSError as exc:
        message = _("backup could not be written to {path}: {error}")
        raise Stopped(message.format(path=target, error=exc.strerror or exc)) from None


def snapshot(database: Path, target: Path) -> None:
    """Copy `database` (with its -wal, if any) into `target` as one self-contained file."""
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


def _copy_checked(database: Path, target: Path) -> BackupInfo:
    """Copy the live database into the new, empty file `target` and check it; on any failure
    `target` is deleted and Stopped raised."""
    try:
        snapshot(database, target)
        os.chmod(target, 0o600)
        return check_database(target)
    except Stopped as exc:
        remove_database(target)
        raise Stopped(
            _("backup failed its check and was deleted: {error}").format(error=exc)
        ) from None
    except (sqlite3.Error, OSError) as exc:
        remove_database(target)
        raise Stopped(_("backup failed and was deleted: {error}").format(error=exc)) from None
    except BaseException:
        remove_database(target)
        raise


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise Stopped(_("--encrypt-to: not a PEM public key")) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise Stopped(_("--encrypt-to: not an RSA public key"))
    return key


def backup_key(pem: bytes, signing: SigningSettings | None = None) -> rsa.RSAPublicKey:
    """The public key to encrypt a backup for: RSA, 2048 bits or more, not the till's own key."""
    key = load_public_key(pem)
    own = signing_public_key(signing) if signing is not None else None
    if own is not None and own.public_numbers() == key.public_numbers():
        raise Stopped(
            _(
                "--encrypt-to: that is the till's own signing key, whose private half is on the"
                " till; encrypt backups for a key kept away from it"
            )
        )
    if key.key_size < MIN_KEY_BITS:
        raise Stopped(
            _(
                "--encrypt-to: the key has {bits} bits; a backup key needs at least"
                " {least} (e.g. openssl genrsa 3072)"
            ).format(bits=key.key_size, least=MIN_KEY_BITS)
        )
    return key


def signing_public_key(signing: SigningSettings) -> rsa.RSAPublicKey | None:
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
        raise Stopped(_("--key: not an unencrypted PEM private key")) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise Stopped(_("--key: not an RSA private key"))
    return key


def write_private(path: Path, data: bytes) -> None:
    try:
        fd = create_new(path)
    except FileExistsError:
        raise Refused(_("{path} already exists; not overwriting it").format(path=path)) from None
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
        raise Stopped(_("{path} is not an encrypted kassa backup").format(path=encrypted))
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
            _("cannot decrypt {path}: wrong private key, or the file is damaged").format(
                path=encrypted
            )
        ) from None
    write_private(out, plain)
    return out
