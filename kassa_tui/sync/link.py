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
import time
from collections.abc import Callable, Iterator
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


class _Watchdog:
    """One daemon thread for every armed deadline of the process. Arming is a dict entry and a
    notify: a `threading.Timer` per call started a thread each time, and `start()` waits until
    that thread runs, which took 2–3 ms a batch while the push's reader held the interpreter
    (0.27 s of a 1.6 s push of 51,600 rows)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._armed: dict[int, tuple[float, Callable[[], None]]] = {}
        self._last = 0
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, fire: Callable[[], None]) -> int:
        with self._changed:
            self._last += 1
            self._armed[self._last] = (time.monotonic() + seconds, fire)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="kassa-deadline", daemon=True
                )
                self._thread.start()
            else:
                self._changed.notify()
            return self._last

    def disarm(self, key: int) -> None:
        with self._changed:
            self._armed.pop(key, None)

    def _run(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for key in [k for k, (at, _) in self._armed.items() if at <= now]:
                    fire = self._armed.pop(key)[1]
                    with contextlib.suppress(Exception):
                        fire()
                nearest = min((at for at, _ in self._armed.values()), default=None)
                self._changed.wait(None if nearest is None else max(0.0, nearest - now))


_WATCHDOG = _Watchdog()


@contextlib.contextmanager
def deadline(conn: psycopg.Connection[Any], seconds: float) -> Iterator[None]:
    """Within `seconds` or the connection's socket is shut down (the call then fails)."""

    def cut() -> None:
        with contextlib.suppress(OSError, ValueError, psycopg.Error):
            fd = os.dup(conn.pgconn.socket)
            sock = socket.socket(fileno=fd)
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.close()

    key = _WATCHDOG.arm(seconds, cut)
    try:
        yield
    finally:
        _WATCHDOG.disarm(key)
