"""One selling instance per register: an advisory lock file beside the database.

Two processes selling on one register would interleave receipt numbers and fork the journal
chain. The lock is held by the running till for its lifetime; the kernel releases it when the
process dies, even by SIGKILL, so a crash never leaves the register stuck.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class RegisterBusy(Exception):
    """Another kassa is selling on this register."""

    def __init__(self, pid: str) -> None:
        self.pid = pid
        super().__init__(pid)


class RegisterLock:
    def __init__(self, database: Path, register_id: str) -> None:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in register_id)
        self.path = database.with_name(f"{database.name}.{safe}.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the process
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            handle.close()
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
