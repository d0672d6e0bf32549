"""One sender per register: a lock file beside the till's database (issue 15).

The running till pushes from a child process of its own (kassa_tui.sync.child); `kassa sync`
pushes when the screen is not running. Both take `SenderLock` first: an exclusive `flock` on
`<database>.sync-lock`, held for as long as the sender lives and dropped by the kernel when its
process ends, however it ends (kill -9 included: no stale lock to clean up). The file holds the
holder's process id, so the one refused can say who holds it. HQ refuses a second sender's
fork anyway; the lock keeps two senders from racing for the cursor at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".sync-lock")


class SenderLock:
    """`acquire()` is True when this process is now the register's only sender."""

    def __init__(self, database: Path) -> None:
        self.path = lock_path(database)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True

    def holder(self) -> int | None:
        """The process id written by whoever holds the lock (None if unknown)."""
        with contextlib.suppress(OSError, ValueError):
            return int(self.path.read_text(encoding="ascii").split()[0])
        return None

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
