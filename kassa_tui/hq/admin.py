"""Registers at HQ: adding one (its shop, its login role) and what HQ knows of each.

A register's role may log in and do what the `<database>_tills` group may: EXECUTE `ingest`
(only for its own register: the function checks `session_user`) and read the published catalog.
Nothing else: no table, no schema of its own, no other function.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from kassa_tui.core.i18n import _
from kassa_tui.hq.migrations import TILLS, role_name

_SHOP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,34}$")
#: Set on every register's role (ALTER ROLE … SET; migration 0023 for roles made before): a
#: till cut off mid-push (no FIN/RST reaches HQ) leaves a backend that would hold one of the
#: role's 8 connections until the OS keepalive gives up (~2 h). HQ ends an idle session after
#: 10 min (the till opens connections per round and closes them) and probes a silent one after
#: 60 s, every 10 s, 6 times: a dead till's connections are gone within minutes.
ROLE_SETTINGS = (
    ("idle_session_timeout", "10min"),
    ("tcp_keepalives_idle", "60"),
    ("tcp_keepalives_interval", "10"),
    ("tcp_keepalives_count", "6"),
)
_REGISTER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,34}$")


class HqRefused(Exception):
    """What a technician asked cannot be done; `str()` is the one line to show."""


@dataclass(frozen=True)
class Credentials:
    register_id: str
    shop_id: str
    role: str
    password: str
    dbname: str


def register_role(conn: psycopg.Connection[Any], register_id: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", register_id.lower()).strip("_")
    return role_name(conn, f"reg_{slug}")


def add_register(
    conn: psycopg.Connection[Any], register_id: str, shop_id: str, *, shop_name: str = ""
) -> Credentials:
    """Add the register (and its shop if new) with a login role and a fresh random password."""
    if not _REGISTER.match(register_id):
        raise HqRefused(
            _(
                "register ID {register!r}: 1 to 35 letters, digits, '.', '_' or '-'"
                " (the till's [register] id)"
            ).format(register=register_id)
        )
    if not _SHOP.match(shop_id):
        raise HqRefused(
            _("shop {shop!r}: 1 to 35 letters, digits, '.', '_' or '-'").format(shop=shop_id)
        )
    password = secrets.token_urlsafe(24)
    with conn.transaction():
        if conn.execute("SELECT to_regclass('register') IS NULL").fetchone() == (True,):
            raise HqRefused(_("HQ's schema is not there yet: run `kassa hq init` first"))
        role = register_role(conn, register_id)
        taken = conn.execute(
            "SELECT register_id FROM register WHERE register_id = %s OR role = %s",
            (register_id, role),
        ).fetchone()
        if taken:
            raise HqRefused(
                _(
                    "register {register!r} is already at HQ (a replaced till gets a new"
                    " register ID)"
                ).format(register=taken[0])
            )
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            raise HqRefused(
                _("a database role {role!r} exists already; not taking it over").format(role=role)
            )
        conn.execute(
            "INSERT INTO shop (shop_id, name) VALUES (%s, %s) ON CONFLICT (shop_id) DO NOTHING",
            (shop_id, shop_name),
        )
        conn.execute(
            sql.SQL(
                "CREATE ROLE {role} LOGIN PASSWORD {pw} CONNECTION LIMIT 8 IN ROLE {grp}"
            ).format(
                role=sql.Identifier(role),
                pw=sql.Literal(password),
                grp=sql.Identifier(role_name(conn, TILLS)),
            )
        )
        for name, value in ROLE_SETTINGS:
            conn.execute(
                sql.SQL("ALTER ROLE {role} SET {name} = {value}").format(
                    role=sql.Identifier(role), name=sql.Identifier(name), value=sql.Literal(value)
                )
            )
        conn.execute(
            "INSERT INTO register (register_id, shop_id, role) VALUES (%s, %s, %s)",
            (register_id, shop_id, role),
        )
        row = conn.execute("SELECT current_database()").fetchone()
        assert row is not None
    return Credentials(register_id, shop_id, role, password, str(row[0]))


def clear_fork(conn: psycopg.Connection[Any], register_id: str, by: str) -> int:
    """A technician looked at a fork: clear it so the register may push again.

    Returns the number of fork alarms cleared. What HQ holds is not touched: a till whose
    journal really left HQ's will fork again at once (give it a new register ID instead).
    """
    with conn.transaction():
        found = conn.execute(
            "UPDATE register SET forked = false, fork_seq = NULL WHERE register_id = %s"
            " RETURNING 1",
            (register_id,),
        ).fetchone()
        if not found:
            raise HqRefused(_("no register {register!r} at HQ").format(register=register_id))
        cur = conn.execute(
            "UPDATE alarm SET cleared_at = now(), cleared_by = %s"
            " WHERE register_id = %s AND kind = 'fork' AND cleared_at IS NULL",
            (by, register_id),
        )
        return cur.rowcount


@dataclass(frozen=True)
class RegisterStatus:
    register_id: str
    shop_id: str
    last_seq: int
    last_contact: datetime | None
    clock_skew: timedelta | None
    forked: bool
    fork_seq: int | None
    open_gaps: list[int]
    open_clock_alarms: int
    till_head: int | None = None  # the till's last seq at its last contact
    retired_seq: int | None = None  # signed out for good at this seq (kassa register retire)

    @property
    def backlog(self) -> int | None:
        """Rows the till had that HQ has not, as far as HQ knows (its last contact)."""
        return None if self.till_head is None else max(0, self.till_head - self.last_seq)

    def as_json(self) -> dict[str, Any]:
        return {
            "register": self.register_id,
            "shop": self.shop_id,
            "last_seq": self.last_seq,
            "backlog": self.backlog,
            "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "clock_skew_seconds": (
                round(self.clock_skew.total_seconds(), 1) if self.clock_skew is not None else None
            ),
            "forked": self.forked,
            "fork_seq": self.fork_seq,
            "gaps": self.open_gaps,
            "clock_alarms": self.open_clock_alarms,
            "retired_seq": self.retired_seq,
        }


def status(conn: psycopg.Connection[Any]) -> list[RegisterStatus]:
    rows = conn.execute(
        "SELECT r.register_id, r.shop_id, r.last_seq, r.last_contact, r.clock_skew, r.forked,"
        " r.fork_seq,"
        " COALESCE((SELECT array_agg(a.seq ORDER BY a.seq) FROM alarm a"
        "   WHERE a.register_id = r.register_id AND a.kind = 'gap' AND a.cleared_at IS NULL),"
        "   '{}'),"
        " (SELECT count(*) FROM alarm a WHERE a.register_id = r.register_id"
        "   AND a.kind = 'clock' AND a.cleared_at IS NULL), r.till_head, r.retired_seq"
        " FROM register r ORDER BY r.shop_id, r.register_id"
    ).fetchall()
    return [
        RegisterStatus(
            str(reg),
            str(shop),
            int(last),
            contact,
            skew,
            bool(forked),
            fork_seq,
            [int(g) for g in gaps],
            int(clocks),
            None if head is None else int(head),
            None if retired is None else int(retired),
        )
        for reg, shop, last, contact, skew, forked, fork_seq, gaps, clocks, head, retired in rows
    ]


def server_certificate(conn: psycopg.Connection[Any]) -> str:
    """HQ's TLS certificate (PEM) as the server has it (ssl_cert_file), for the tills.

    Reading the server's file needs a superuser or pg_read_server_files; otherwise the
    technician names the file with --certificate.
    """
    on = conn.execute("SELECT current_setting('ssl')").fetchone()
    if on != ("on",):
        raise HqRefused(
            _(
                "HQ's PostgreSQL does not speak TLS (ssl = off): set ssl_cert_file and ssl = on"
                " (README, HQ deployment), or add the register with --sslmode disable for a lab"
            )
        )
    try:
        with conn.transaction():
            row = conn.execute("SELECT pg_read_file(current_setting('ssl_cert_file'))").fetchone()
    except psycopg.Error as exc:
        raise HqRefused(
            _(
                "HQ's certificate cannot be read through the database ({error}): give the file"
                " with --certificate"
            ).format(error=(str(exc).strip().splitlines() or [""])[0])
        ) from None
    assert row is not None
    return str(row[0])
