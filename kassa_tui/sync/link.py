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
from psycopg.conninfo import make_conninfo

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


class TlsRefused(psycopg.OperationalError):
    """HQ answered, but its certificate is not the one the till has (or no TLS at all): not
    the network; a technician must look. `str()` is the one line to show."""

    sync_status = "tls"  # what the push saves in sync_cursor.status (the header: «HQ: TLS!»)


def _tls(settings: HqSettings) -> dict[str, str]:
    """libpq's TLS keywords for [hq]: verify-full against HQ's certificate, or the DSN's own
    with `tls = false`."""
    if not settings.tls:
        return {}
    cert = settings.certificate
    if cert is None:
        raise Stopped(
            _(
                "[hq] certificate is not set: put HQ's certificate beside kassa.toml"
                " (or tls = false for a lab without TLS)"
            )
        )
    try:
        text = cert.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise Stopped(
            _("HQ's certificate {path} cannot be read ({error})").format(
                path=cert, error=exc.strerror
            )
        ) from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise Stopped(
            _("{path} holds no certificate (PEM, as `kassa hq register add` printed it)").format(
                path=cert
            )
        )
    return {"sslmode": "verify-full", "sslrootcert": str(cert)}


_TLS_WORDS = (
    "certificate verify failed",
    "server certificate",
    "does not match host name",
    "server does not support SSL",
)


def check(settings: HqSettings) -> None:
    """The password file and HQ's certificate are in place: one line (Stopped) if not."""
    read_password(settings)
    _tls(settings)


def connect(settings: HqSettings) -> psycopg.Connection[Any]:
    """An autocommit connection as this register's role (psycopg.OperationalError if HQ is
    out of reach; TlsRefused if HQ's certificate is not the one in [hq] certificate)."""
    tls = _tls(settings)
    try:
        return _connect(settings, tls)
    except psycopg.OperationalError as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        if tls and any(word in str(exc) for word in _TLS_WORDS):
            raise TlsRefused(
                _(
                    "HQ's TLS certificate does not match {path} (or HQ has no TLS): nothing"
                    " sent; a technician compares it with what `kassa hq register add`"
                    " printed ({error})"
                ).format(path=settings.certificate, error=first)
            ) from None
        raise


def _connect(settings: HqSettings, tls: dict[str, str]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        make_conninfo(settings.dsn, **tls),
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
