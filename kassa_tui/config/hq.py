"""The [hq] section of kassa.toml: where this till pushes its journal (kassa_tui.sync).

Without [hq] the till is on its own, as before. With it, `dsn` is a libpq connection string
naming HQ's host, port, database and this register's role (what `kassa hq register add` prints);
the role's password is in `password_file` (beside kassa.toml unless absolute; only the till's
user may read it), never in kassa.toml.

The till speaks TLS to HQ and checks HQ's certificate and name (libpq's sslmode=verify-full)
against `certificate`, the file `kassa hq register add` printed (beside kassa.toml unless
absolute). A plain connection only with `tls = false`, said explicitly (a lab, a test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kassa_tui.config.table import ConfigError, Table

#: libpq keywords the DSN must name (the till needs all of them to reach its register's role).
_NEEDED = ("host", "dbname", "user")
_SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


@dataclass(frozen=True)
class HqSettings:
    dsn: str
    password_file: Path
    batch_size: int = 500
    interval_seconds: int = 30
    alert_after_minutes: int = 60
    alert_after_entries: int = 1000
    timeout_seconds: int = 30
    idle_seconds: int = 20  # a large catalog revision waits for this long without key or scan
    tls: bool = True  # False: as the DSN says, no certificate check (a lab)
    certificate: Path | None = None  # HQ's certificate (sslrootcert) when tls


def _keywords(dsn: str) -> dict[str, str]:
    """'host=a port=5432 …' → {'host': 'a', …}; quoted values and URIs are not accepted."""
    found: dict[str, str] = {}
    for part in dsn.split():
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise ConfigError("hq.dsn", f"{part!r} is not keyword=value (e.g. host=hq.example)")
        found[key] = value
    return found


def parse_hq(table: Table, base: Path) -> HqSettings | None:
    """Read and check `[hq]`; None when the till has no head office."""
    if not table.raw:
        return None
    dsn = table.get("dsn", str, required=True).strip()
    words = _keywords(dsn)
    for key in _NEEDED:
        if key not in words:
            raise ConfigError("hq.dsn", f"names no {key}= (what `kassa hq register add` printed)")
    if "password" in words:
        raise ConfigError("hq.dsn", "must not hold the password: put it in password_file")
    if "port" in words and not (words["port"].isdigit() and 0 < int(words["port"]) < 65536):
        raise ConfigError("hq.dsn", f"port {words['port']!r} is not a port number")
    if "sslmode" in words and words["sslmode"] not in _SSLMODES:
        raise ConfigError("hq.dsn", f"sslmode must be one of {', '.join(_SSLMODES)}")
    tls = table.get("tls", bool, True)
    cert_text = table.get("certificate", str, "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", words["user"]):
        raise ConfigError("hq.dsn", f"user {words['user']!r} is not a register's role")
    password_text = table.get("password_file", str, required=True).strip()
    if not password_text:
        raise ConfigError("hq.password_file", "must name the file with the role's password")
    batch = table.get("batch_size", int, 500)
    if not 1 <= batch <= 5000:
        raise ConfigError("hq.batch_size", "must be between 1 and 5000 (journal rows a call)")
    interval = table.get("interval_seconds", int, 30)
    if not 1 <= interval <= 3600:
        raise ConfigError("hq.interval_seconds", "must be between 1 and 3600")
    minutes = table.get("alert_after_minutes", int, 60)
    if not 1 <= minutes <= 7 * 24 * 60:
        raise ConfigError("hq.alert_after_minutes", "must be between 1 and 10080 (a week)")
    entries = table.get("alert_after_entries", int, 1000)
    if entries < 1:
        raise ConfigError("hq.alert_after_entries", "must be 1 or more")
    timeout = table.get("timeout_seconds", int, 30)
    if not 1 <= timeout <= 600:
        raise ConfigError("hq.timeout_seconds", "must be between 1 and 600")
    idle = table.get("idle_seconds", int, 20)
    if not 5 <= idle <= 3600:
        raise ConfigError(
            "hq.idle_seconds",
            "must be between 5 and 3600 (seconds without a key or scan, the basket empty,"
            " before the till applies a large catalog revision)",
        )
    table.done()
    certificate: Path | None = None
    if tls:
        if words.get("sslmode", "verify-full") != "verify-full":
            raise ConfigError(
                "hq.dsn",
                f"sslmode={words['sslmode']} does not check HQ's certificate: the till connects"
                " with verify-full (drop sslmode), or set tls = false for a lab without TLS",
            )
        if not cert_text:
            raise ConfigError(
                "hq.certificate",
                "names no file: put HQ's certificate (what `kassa hq register add` printed) in"
                ' hq.crt beside kassa.toml and set certificate = "hq.crt", or tls = false for'
                " a lab without TLS",
            )
        certificate = base / cert_text
    return HqSettings(
        dsn=dsn,
        password_file=base / password_text,
        batch_size=batch,
        interval_seconds=interval,
        alert_after_minutes=minutes,
        alert_after_entries=entries,
        timeout_seconds=timeout,
        idle_seconds=idle,
        tls=tls,
        certificate=certificate,
    )
