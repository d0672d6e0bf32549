"""Helpers for the push tests: a demo till, an HQ with that till's register, a sender."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.config.hq import HqSettings
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.demo import load_demo
from kassa_tui.hq import admin, migrations
from kassa_tui.records.journal import Event
from kassa_tui.sync import link
from tests.unit.conftest import ROMME, TOOTHPASTE, VG, print_waiting, write_config


@dataclass
class Hq:
    """An HQ database with its schema, and the superuser's connection string."""

    dsn: str

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.dsn, autocommit=True)

    def add(self, register: str, shop: str, folder: Path, port: int | None = None) -> HqSettings:
        """Add the register; its [hq] settings (through `port` if given, e.g. a fault proxy)."""
        with self.connect() as conn:
            creds = admin.add_register(conn, register, shop)
        return self.settings_for(creds.role, creds.password, folder, port)

    def settings_for(
        self, role: str, password: str, folder: Path, port: int | None = None, **kw: Any
    ) -> HqSettings:
        folder.mkdir(parents=True, exist_ok=True)
        pw = folder / f"{role}.pw"
        pw.write_text(password + "\n")
        pw.chmod(0o600)
        where = conninfo_to_dict(self.dsn)
        dsn = (
            f"host={where['host']} port={port or where['port']} dbname={where['dbname']}"
            f" user={role} sslmode=disable"
        )
        return HqSettings(dsn=dsn, password_file=pw, **{"tls": False, **kw})

    def one(self, query: str, *params: Any) -> Any:
        with self.connect() as conn:
            row = conn.execute(query, params).fetchone()
        assert row is not None
        return row[0] if len(row) == 1 else row

    def all(self, query: str, *params: Any) -> list[Any]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()


def make_hq(dsn: str) -> Hq:
    with psycopg.connect(dsn, autocommit=True) as conn:
        migrations.upgrade(conn)
    return Hq(dsn)


def role_dsn(settings: HqSettings) -> str:
    return make_conninfo(settings.dsn, password=link.read_password(settings))


def make_till(folder: Path, clock: Clock, register: str = "KASSE-1") -> Till:
    folder.mkdir(parents=True, exist_ok=True)
    path = write_config(folder)
    text = path.read_text(encoding="utf-8")
    lines = []
    in_register = False
    for line in text.splitlines():
        if line.strip().startswith("["):
            in_register = line.strip() == "[register]"
        if in_register and line.strip().startswith("id ="):
            line = f'id = "{register}"'
        if line.strip().startswith("shop_id ="):
            continue  # HQ's shop is this till's (kassa_tui.stock.own_shop): no STORGATA to differ
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    till = open_till(load(path), clock=clock)
    i18n.set_language("en")
    load_demo(till.db, till.users)
    return till


def sell(till: Till, *codes: str, card: bool = False) -> int:
    """One sale of `codes` (default: rømme, toothpaste, VG); returns its total."""
    cashier = till.users.sign_in("1", "1111")
    for code in codes or (ROMME, TOOTHPASTE, VG):
        till.baskets.add(cashier, code)
    if card:
        till.sales.pay_card(cashier)
    else:
        till.sales.pay_cash(cashier, "")
    found = till.db.execute_sql("SELECT total_ore FROM sale ORDER BY id DESC LIMIT 1").fetchone()
    print_waiting(till)  # the receipt prints, so the next sale may start
    return int(found[0])


def journal_rows(till: Till, n: int) -> None:
    """n plain journal rows (price lookups) in one transaction: a busy week, quickly."""
    with till.db.atomic():
        for i in range(n):
            till.journal.write(Event.PRICE_LOOKUP, user=1, code=f"{i:06d}")


def head(till: Till) -> int:
    return int(
        till.db.execute_sql(
            "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE register_id = ?",
            (till.config.register_id,),
        ).fetchone()[0]
    )


#: HQ 0026's ingest, a batch as arrays (the push's own call adds the till's clock and head).
INGEST_ARRAYS = "SELECT ingest(%s, %b::bigint[], %b::text[], %b::text[], %b::text[])"


def arrays(entries: list[dict[str, Any]]) -> tuple[list[Any], ...]:
    """push.batch()'s entries as INGEST_ARRAYS takes them: seqs, hashes, payloads, records."""
    return (
        [e["seq"] for e in entries],
        [e["hash"] for e in entries],
        [e["payload"] for e in entries],
        [e.get("record") for e in entries],
    )
