"""HQ's own schema versions: kassa_tui/hq/sql/NNNN_name.sql, applied in order, each once.

Separate from the till's SQLite migrations. `upgrade` runs every file not yet recorded in the
`hq_schema` table inside ONE transaction (a failing file leaves the database as it was), under
an advisory lock so two `kassa hq init` at once apply nothing twice. Before the files it makes
the base roles: `<database>_tills`, the group every register's login role belongs to (the SQL
names it `hq_role('tills')`), and takes from PUBLIC what PostgreSQL gives everyone by default
(connecting, temporary tables, creating in schema public, executing functions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

SQL_DIR = Path(__file__).with_name("sql")
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
#: pg_advisory_xact_lock key: "kassa hq schema".
_LOCK = 0x6B617373_6871
#: The base roles' suffixes (the role is `<database>_<suffix>`).
TILLS = "tills"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def available() -> list[Migration]:
    """Every migration file, by version; two files with one number are a packaging error."""
    found: dict[int, Migration] = {}
    for path in sorted(SQL_DIR.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise RuntimeError(f"{path.name}: HQ migrations are named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two HQ migrations numbered {version:04d}")
        found[version] = Migration(version, match.group(2), path)
    return [found[v] for v in sorted(found)]


def role_name(conn: psycopg.Connection[Any], suffix: str) -> str:
    """`<database>_<suffix>`: every role of this HQ database starts with its name."""
    row = conn.execute("SELECT current_database()").fetchone()
    assert row is not None
    name = f"{row[0]}_{suffix}"
    if len(name.encode("utf-8")) > 63:
        raise ValueError(f"role name {name!r} is longer than PostgreSQL's 63 bytes")
    return name


def applied(conn: psycopg.Connection[Any]) -> list[int]:
    exists = conn.execute("SELECT to_regclass('hq_schema') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return []
    return [int(r[0]) for r in conn.execute("SELECT version FROM hq_schema ORDER BY version")]


def upgrade(conn: psycopg.Connection[Any]) -> list[str]:
    """Bring HQ's schema and base roles up to date; returns the files applied ("0001_push")."""
    done: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS hq_schema ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now(),"
            " applied_by text NOT NULL DEFAULT session_user)"
        )
        _base_roles(conn)
        have = set(applied(conn))
        known = available()
        newer = have - {m.version for m in known}
        if newer:
            raise RuntimeError(
                f"HQ's schema has version {max(newer):04d}, newer than this kassa knows;"
                " upgrade kassa here first"
            )
        for migration in known:
            if migration.version in have:
                continue
            conn.execute(migration.text().encode("utf-8"))
            conn.execute(
                "INSERT INTO hq_schema (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            done.append(f"{migration.version:04d}_{migration.name}")
    return done


def _base_roles(conn: psycopg.Connection[Any]) -> None:
    tills = role_name(conn, TILLS)
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (tills,)).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(tills)))
    db = sql.Identifier(_database(conn))
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, sql.Identifier(tills)))
    conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(tills)))
    conn.execute("ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC")


def _database(conn: psycopg.Connection[Any]) -> str:
    row = conn.execute("SELECT current_database()").fetchone()
    assert row is not None
    return str(row[0])
