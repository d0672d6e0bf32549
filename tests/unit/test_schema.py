"""kassa_tui/store/schema.sql is the schema to read; these tests keep it honest.

A fresh database is built the way the till builds one (connect + migrate), and an old one is
upgraded the way the till upgrades one; both must hold exactly the tables, indexes, triggers and
virtual tables that schema.sql creates in an empty SQLite, compared both ways in `sqlite_master`.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.store import migrations
from kassa_tui.store.database import connect
from kassa_tui.store.migrations import SCHEMA_VERSION, current_schema_sql, migrate

from .test_migrations import sell_at_schema_4

Entry = tuple[str, str, str, str | None]  # type, name, tbl_name, sql

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def normalise(sql: str | None) -> str | None:
    """`sql` without comments, with whitespace collapsed (none next to brackets and commas) and
    plain names unquoted ("id" is id); string literals are kept as written."""
    if sql is None:
        return None
    code: list[str] = []  # the text between literals: whitespace and quotes do not matter here
    parts: list[str] = []  # normalised code and literals, in turn
    i = 0
    while i < len(sql):
        char = sql[i]
        if sql.startswith("--", i) or sql.startswith("/*", i):
            close = "\n" if char == "-" else "*/"
            end = sql.find(close, i + 2)
            i = len(sql) if end < 0 else end + len(close)
            code.append(" ")
        elif char in "'\"`[":
            close = "]" if char == "[" else char
            end = i + 1
            while end < len(sql):
                if sql[end] == close:
                    if close == "]" or not sql.startswith(close * 2, end):
                        break
                    end += 1  # '' inside '…' (and "" inside "…") is the quote itself
                end += 1
            inner = sql[i + 1 : end]
            if char != "'" and _PLAIN_NAME.fullmatch(inner):
                code.append(inner)
            else:
                parts += [_squeeze("".join(code)), sql[i : end + 1]]
                code = []
            i = end + 1
        else:
            code.append(char)
            i += 1
    parts.append(_squeeze("".join(code)))
    return "".join(parts).strip().rstrip(";").strip()


def _squeeze(code: str) -> str:
    return re.sub(r"\s*([(),])\s*", r"\1", re.sub(r"\s+", " ", code))


def master(conn: sqlite3.Connection | SqliteDatabase) -> set[Entry]:
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master"
    rows = conn.execute_sql(query) if isinstance(conn, SqliteDatabase) else conn.execute(query)
    return {(str(t), str(n), str(tbl), sql) for t, n, tbl, sql in rows.fetchall()}


def normalised(entries: set[Entry]) -> set[Entry]:
    return {(t, n, tbl, normalise(sql)) for t, n, tbl, sql in entries}


def from_schema_sql() -> set[Entry]:
    """What schema.sql creates in an empty in-memory SQLite."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(current_schema_sql())
        return master(conn)
    finally:
        conn.close()


def render(entries: set[Entry]) -> list[str]:
    order = {"table": 0, "index": 1, "trigger": 2, "view": 3}
    return [
        f"{t} {n} on {tbl}: {sql}"
        for t, n, tbl, sql in sorted(entries, key=lambda e: (e[2], order.get(e[0], 9), e[1]))
    ]


def assert_same(migrated: set[Entry], written: set[Entry], what: str) -> None:
    """Equal both ways; otherwise a diff, `-` migrate() only, `+` schema.sql only."""
    __tracebackhide__ = True
    left, right = normalised(migrated), normalised(written)
    if left == right:
        return
    diff = "\n".join(
        difflib.unified_diff(
            render(left),
            render(right),
            fromfile=f"sqlite_master after {what}",
            tofile="kassa_tui/store/schema.sql",
            lineterm="",
            n=0,
        )
    )
    raise AssertionError(
        f"{what} and kassa_tui/store/schema.sql disagree (a migration without schema.sql, or "
        f"schema.sql drifting):\n{diff}"
    )


def fresh_database(folder: Path) -> SqliteDatabase:
    """A new till's database, built as `open_till` builds it."""
    database = connect(folder / "kassa.db")
    migrate(database)
    return database


def database_at(folder: Path, version: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty database left at schema `version` by the kassa of that version."""
    path = folder / "kassa.db"
    with monkeypatch.context() as old_kassa:
        old_kassa.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:version])
        old_kassa.setattr(migrations, "SCHEMA_VERSION", version)
        database = connect(path)
        assert migrate(database) == version
        database.close()
    return path


def test_a_fresh_database_is_what_schema_sql_says(tmp_path: Path) -> None:
    database = fresh_database(tmp_path)
    try:
        assert_same(master(database), from_schema_sql(), "connect + migrate()")
    finally:
        database.close()


def test_schema_sql_names_the_version_it_describes() -> None:
    found = re.search(r"schema version (\d+)", current_schema_sql())
    assert found is not None and int(found.group(1)) == SCHEMA_VERSION, (
        f"schema.sql's header names version {found and found.group(1)}, migrations.py has "
        f"{SCHEMA_VERSION}: update the header along with the schema"
    )


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_an_upgraded_database_ends_like_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    fresh = fresh_database(tmp_path / "fresh")
    expected = master(fresh)
    fresh.close()
    upgraded = connect(database_at(tmp_path / "old", version, monkeypatch))
    try:
        assert migrate(upgraded) == SCHEMA_VERSION
        actual = master(upgraded)
    finally:
        upgraded.close()
    # Exactly, not only normalised: the same statements in the same words.
    assert render(actual) == render(expected)
    assert_same(actual, from_schema_sql(), f"an upgrade from version {version}")


def test_a_till_that_sold_at_version_4_ends_like_a_fresh_one(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = fresh_database(tmp_path / "fresh")
    expected = master(fresh)
    fresh.close()
    sell_at_schema_4(config, monkeypatch)
    upgraded = connect(config.database)
    try:
        migrate(upgraded)
        actual = master(upgraded)
    finally:
        upgraded.close()
    assert render(actual) == render(expected)


def test_the_normaliser_keeps_what_matters() -> None:
    assert normalise('CREATE TABLE "a" (\n  "id" INTEGER, -- note\n  b TEXT /* x */ )') == (
        "CREATE TABLE a(id INTEGER,b TEXT)"
    )
    assert normalise("CREATE TABLE a (b TEXT DEFAULT 'x  y')") != normalise(
        "CREATE TABLE a (b TEXT DEFAULT 'x y')"
    )
    assert normalise('CREATE TABLE "a b" (c)') == 'CREATE TABLE "a b"(c)'
    assert normalise("CREATE TABLE a (b DEFAULT 'it''s  -- so')") == (
        "CREATE TABLE a(b DEFAULT 'it''s  -- so')"
    )
    assert normalise("CREATE INDEX i ON t (a, b)") != normalise("CREATE INDEX i ON t (a)")
