"""One selling instance per register, and no restore under a selling till: advisory lock files.

Two processes selling on one register would interleave receipt numbers and fork the journal
chain: `<db>.<register>.lock` is held exclusively by the till selling on that register.

Every selling kassa also holds `<db>.lock` *shared*, whatever its register, and a restore takes
it *exclusive* (see `DatabaseLock`): a restore replaces the whole file, so it must wait for the
tills of every register on that database, not only its own (a till on register B kept writing
to the file a restore for register A had replaced, and its sale ended up in no file). A shared
flock lets any number of tills sell side by side while excluding the one restore.

The locks are held for the process's lifetime; the kernel releases them when the process dies,
even by SIGKILL, so a crash never leaves the register or the database stuck.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class RegisterBusy(Exception):
    """Another kassa is selling on this register (or a restore is replacing the database)."""

    def __init__(self, pid: str, *, restoring: bool = False) -> None:
        self.pid = pid  # the selling kassa's process id ("?" when unknown)
        self.restoring = restoring  # a restore holds the whole database
        super().__init__("a restore is replacing the database" if restoring else pid)


class DatabaseBusy(Exception):
    """Another kassa holds the database: a till is selling on it, or a restore is running."""


def database_lock_path(database: Path) -> Path:
    return database.with_name(f"{database.name}.lock")


def register_lock_paths(database: Path) -> list[Path]:
    """The register lock files beside the database (one per register that ever sold on it)."""
    return sorted(database.parent.glob(f"{database.name}.*.lock"))


class DatabaseLock:
    """`<db>.lock`: shared by every selling kassa, exclusive for a restore."""

    def __init__(self, database: Path) -> None:
        self.path = database_lock_path(database)
        self._file: IO[str] | None = None

    def acquire(self, *, exclusive: bool) -> None:
        """Take the lock without waiting; DatabaseBusy when the other kind is held."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise DatabaseBusy(str(self.path)) from None
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class RegisterLock:
    def __init__(self, database: Path, register_id: str) -> None:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in register_id)
        self.path = database.with_name(f"{database.name}.{safe}.lock")
        self._database = DatabaseLock(database)
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """The register exclusive and the database shared; RegisterBusy if either is taken."""
        try:
            self._database.acquire(exclusive=False)
        except DatabaseBusy:
            raise RegisterBusy("?", restoring=True) from None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the process
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            handle.close()
            self._database.release()
            raise RegisterBusy(pid) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self._database.release()
