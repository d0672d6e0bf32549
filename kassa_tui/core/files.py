"""Files kassa writes: readable by the till's user only, and never written over another file.

Every file kassa creates (the log, the file printer's receipts, SAF-T files, vouchers, product
exports, backups) is made here with O_CREAT|O_EXCL and mode 0600, set again with fchmod so the
umask cannot widen it. An export is written under a hidden `.<name>.part` name first and only
then given its name, by a hard link that fails rather than replace a file: `publish` takes the
next free `<name>-2`, `<name>-3` … when kassa chose the name, and refuses when the user did.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import BinaryIO

PRIVATE = 0o600
#: Names whose extension has two parts; the number goes before both (`x-2.db.enc`).
_DOUBLE_EXTENSIONS = (".db.enc",)
#: A file system without hard links (FAT on a USB stick) answers link() with one of these.
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK}


def create_new(path: Path, mode: int = PRIVATE) -> int:
    """A new file opened for writing with exactly `mode`; FileExistsError if `path` is taken."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        os.fchmod(fd, mode)  # the umask may only take bits away; make the mode exact
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    return fd


def open_append(path: Path, mode: int = PRIVATE) -> int:
    """`path` opened for appending, created with `mode` if missing; returns the descriptor.

    An existing regular file of ours that others could read is tightened to `mode`; a device
    node (a printer at /dev/usb/lp0) or another user's file is left as it is.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, mode)
    try:
        found = os.fstat(fd)
        if (
            stat.S_ISREG(found.st_mode)
            and found.st_uid == os.getuid()
            and stat.S_IMODE(found.st_mode) != mode
        ):
            os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def numbered(path: Path, n: int) -> Path:
    """`path` itself for n = 1, else `<stem>-<n><extension>`: 'x.csv' → 'x-2.csv'."""
    if n == 1:
        return path
    name = path.name
    extension = next((e for e in _DOUBLE_EXTENSIONS if name.endswith(e)), path.suffix)
    stem = name[: len(name) - len(extension)] if extension else name
    return path.with_name(f"{stem}-{n}{extension}")


def create_unique(path: Path, mode: int = PRIVATE) -> tuple[Path, int]:
    """The first free of `path`, `path-2`, `path-3` …, created new with `mode`: (path, fd)."""
    for n in count(1):
        candidate = numbered(path, n)
        try:
            return candidate, create_new(candidate, mode)
        except FileExistsError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def part_path(target: Path) -> Path:
    """A hidden name to write under before `publish` gives the file `target`'s name; random,
    so two exports of the same name at once never share it."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")


def publish(part: Path, target: Path, *, unique: bool) -> Path:
    """Give the finished file `part` the name `target` without ever replacing a file.

    With `unique` (kassa chose the name) a taken name moves on to `target-2`, `-3` …; without
    it FileExistsError says the user's name is taken. `part` is gone afterwards, and the
    name it got is returned.
    """
    for n in count(1):
        candidate = numbered(target, n)
        try:
            _claim(part, candidate)
        except FileExistsError:
            if not unique:
                raise
            continue
        return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _claim(part: Path, candidate: Path) -> None:
    try:
        os.link(part, candidate)  # fails if the name is taken: no moment without a file
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno not in _NO_LINKS:
            raise
        os.close(create_new(candidate))  # no hard links here: take the name, then fill it
        try:
            os.replace(part, candidate)
        except BaseException:
            candidate.unlink(missing_ok=True)
            raise
        return
    part.unlink()


@contextmanager
def writing_new(target: Path, *, unique: bool, mode: int = PRIVATE) -> Iterator[_Written]:
    """Write a new file that appears as `target` (or `target-2` …) only once it is complete.

    The body writes to the yielded `.file`; afterwards `.path` is the name the file got. On
    any error the partial file is removed and nothing appears (see `publish` for `unique`).
    """
    part = part_path(target)
    written = _Written(os.fdopen(create_new(part, mode), "wb"), target)
    try:
        with written.file:
            yield written
            written.file.flush()
            os.fsync(written.file.fileno())
        written.path = publish(part, target, unique=unique)
    finally:
        part.unlink(missing_ok=True)


class _Written:
    """The file being written by `writing_new`, and then the name it was given."""

    def __init__(self, file: BinaryIO, target: Path) -> None:
        self.file = file
        self.path = target  # until published, the name asked for


def write_new(target: Path, data: bytes, *, unique: bool, mode: int = PRIVATE) -> Path:
    """`writing_new` for bytes already in memory; returns the name the file got."""
    with writing_new(target, unique=unique, mode=mode) as written:
        written.file.write(data)
    return written.path
