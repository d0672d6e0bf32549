"""The head office's schema in a test database, as `kassa hq init` makes it."""

from __future__ import annotations

import psycopg

from kassa_tui.hq import migrations


def hq_schema(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        migrations.upgrade(conn)
