"""Schema version and forward migrations, from the first release on.

Each migration runs once, in its own transaction, and bumps `setting.schema_version`. A database
newer than this program is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase

from kassa_tui.errors import Stopped
from kassa_tui.store import APPEND_ONLY, MODELS, Setting


class SchemaTooNew(Stopped):
    """The database was written by a newer kassa."""


def _v1_initial(database: SqliteDatabase) -> None:
    database.create_tables(MODELS)
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} "
                f"BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


MIGRATIONS: list[Callable[[SqliteDatabase], None]] = [_v1_initial]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(database: SqliteDatabase) -> int:
    if not database.table_exists("setting"):
        return 0
    row = Setting.get_or_none(Setting.key == "schema_version")
    return int(row.value) if row else 0


def migrate(database: SqliteDatabase) -> int:
    """Bring the schema up to date; returns the version now in place."""
    version = current_version(database)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"database schema {version} is newer than this kassa ({SCHEMA_VERSION}); upgrade kassa"
        )
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with database.atomic("IMMEDIATE"):
            step(database)
            Setting.insert(key="schema_version", value=str(number)).on_conflict_replace().execute()
    return SCHEMA_VERSION
