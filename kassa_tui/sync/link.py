"""The till's connection to HQ: its [hq] DSN, the password from its file, a hard deadline.

A reply HQ sent but the network ate leaves a blocking client waiting for ever; `deadline`
shuts the socket down after the configured seconds, so the call fails and the next push
tries again (HQ skips what it already has).
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import threading
from collections.abc import Iterator
from typing import Any

import psycopg

from kassa_tui.config.hq import HqSettings
from kassa_tui.core.errors import Stopped
from kassa_tui.core.i18n import _


def read_password(settings: HqSettings) -> str:
    path = settings.password_file
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise Stopped(
            _(
                "{path} does not exist: put the password `kassa hq register add` printed in it"
            ).format(path=path)
        ) from None
    except OSError as exc:
        raise Stopped(
            _("{path} cannot be read ({error})").format(path=path, error=exc.strerror)
        ) from None
    if mode & 0o077:
        raise Stopped(
            _("{path} can be read by others (mode {mode}); run: chmod 600 {path}").format(
                path=path, mode=f"{stat.S_IMODE(mode):04o}"
            )
        )
    if not text or "\n" in text:
        raise Stopped(_("{path} must hold the password alone on one line").format(path=path))
    return text


def connect(settings: HqSettings) -> psycopg.Connection[Any]:
    """An autocommit connection as this register's role (psycopg.OperationalError if HQ is
    out of reach)."""
    return psycopg.connect(
        settings.dsn,
        password=read_password(settings),
        connect_timeout=max(1, min(settings.timeout_seconds, 30)),
        autocommit=True,
        application_name="kassa-sync",
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
    )


@contextlib.contextmanager
def deadline(conn: psycopg.Connection[Any], seconds: float) -> Iterator[None]:
    """Within `seconds` or the connection's socket is shut down (the call then fails)."""
    fired = threading.Event()

    def cut() -> None:
        fired.set()
        with contextlib.suppress(OSError, ValueError, psycopg.Error):
            fd = os.dup(conn.pgconn.socket)
            sock = socket.socket(fileno=fd)
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.close()

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
