"""The PIN pepper: 32 random bytes kept outside the database, mixed into every PIN hash.

A stolen database or backup alone then cannot be checked against PINs offline (a 4-digit PIN
would otherwise fall in minutes). The file lives beside the signing key (`[ui] pin_pepper_file`
sets another path), is created 0600 when missing, and is never replaced while peppered PIN
hashes exist: a new pepper would make every such PIN fail, so the till refuses to start.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from peewee import SqliteDatabase

from kassa_tui.core.errors import Stopped
from kassa_tui.core.files import create_new
from kassa_tui.core.i18n import _

PEPPER_BYTES = 32
#: The hash scheme tag of peppered PIN hashes (see `users.hash_pin`).
PEPPERED = "scrypt-p"


def peppered_hashes(database: SqliteDatabase) -> int:
    """How many users' PIN hashes need the pepper to be checked."""
    row = database.execute_sql(
        "SELECT COUNT(*) FROM user WHERE pin_hash LIKE ?", (f"{PEPPERED}$%",)
    ).fetchone()
    return int(row[0])


def open_pepper(path: Path, database: SqliteDatabase) -> bytes:
    """The pepper in `path`, created (0600) if missing and no PIN hash needs the old one;
    raises `Stopped` naming the file otherwise."""
    where = _("PIN pepper {path}").format(path=path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if peppered_hashes(database):
            raise Stopped(
                _(
                    "{where} is missing, and the users' PINs were hashed with it: no PIN would"
                    " verify. Put the file back from where the signing key is kept (a new one"
                    " would not help)"
                ).format(where=where)
            ) from None
        return create_pepper(path)
    except OSError as exc:
        message = _("{where} cannot be read ({error})").format(where=where, error=exc.strerror)
        raise Stopped(message) from None
    if not stat.S_ISREG(mode):
        raise Stopped(_("{where} is not a file").format(where=where))
    if stat.S_IMODE(mode) & 0o077:
        raise Stopped(
            _("{where} can be read by others: chmod 600 {path}").format(where=where, path=path)
        )
    pepper = path.read_bytes()
    if len(pepper) != PEPPER_BYTES:
        raise Stopped(_("{where} is not {n} bytes").format(where=where, n=PEPPER_BYTES))
    return pepper


def create_pepper(path: Path) -> bytes:
    """A new pepper written to `path` (0600); FileExistsError if `path` is taken."""
    pepper = secrets.token_bytes(PEPPER_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = create_new(path)
    try:
        os.write(fd, pepper)
        os.fsync(fd)
    finally:
        os.close(fd)
    return pepper
