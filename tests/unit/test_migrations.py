"""Forward migrations on a till that has been selling: the upgrade keeps every row, is told to
the technician, and leaves the hot paths on their indexes (the benchmark's year of sales found
them walking every basket and sorting every sale without)."""

from __future__ import annotations

import pytest
from peewee import SqliteDatabase

from kassa_tui import composition
from kassa_tui.catalog.counter_rules import CounterRule
from kassa_tui.composition import open_till
from kassa_tui.config import Config
from kassa_tui.demo import load_demo
from kassa_tui.records.keyring import public_keys, registered
from kassa_tui.records.signing import ChainCheck, chain_rows, verify_chain_by_version
from kassa_tui.selling import age_check, club_basket, eat_in, open_basket
from kassa_tui.store import migrations
from kassa_tui.store.migrations import SCHEMA_VERSION, SchemaTooNew, current_version, migrate

from .conftest import PILSNER, ROMME, print_waiting

HOT_QUERIES = {
    "the open basket": (
        "SELECT id FROM basket WHERE register_id = 'KASSE-1' AND status = 'open'"
        " ORDER BY id LIMIT 1",
        "basket_register_status",
    ),
    "the last signature": (
        "SELECT signature FROM sale WHERE register_id = 'KASSE-1' ORDER BY id DESC LIMIT 1",
        "sale_register",
    ),
    "a Z's period": (
        "SELECT kind, COUNT(*) FROM sale s WHERE s.register_id = 'KASSE-1' AND s.id > 10"
        " AND s.id <= 20 GROUP BY kind",
        "sale_register",
    ),
    "a Z's lines": (
        "SELECT l.amount_ore, l.vat_bp, COUNT(*), SUM(l.discount_ore) FROM sale_line l"
        " JOIN sale s ON s.id = l.sale_id WHERE s.register_id = 'KASSE-1' AND s.id > 10"
        " AND s.id <= 20 GROUP BY 1, 2",
        "sale_line_sale",
    ),
    "SAF-T's journal by date": (
        "SELECT MIN(seq) FROM journal WHERE +register_id = 'KASSE-1'"
        " AND local_date BETWEEN '2026-01-01' AND '2026-01-31'",
        "journal_local_date",
    ),
}


def indexes(db: SqliteDatabase) -> set[str]:
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    return {name for (name,) in rows}


def sell_at_schema_4(config: Config, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """A till at schema 4 that has sold twice; returns (sales, journal rows)."""
    with monkeypatch.context() as old_kassa:
        old_kassa.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:4])
        old_kassa.setattr(migrations, "SCHEMA_VERSION", 4)
        # Schema 4 had no campaigns: today's code sells there without looking for any.
        old_kassa.setattr(open_basket, "campaigns_for", lambda *_args: [])
        # Nor counter rules (age limits, beer hours, eat-in VAT).
        old_kassa.setattr(age_check, "rule_of", lambda *_args: CounterRule())
        old_kassa.setattr(age_check, "beer_line", lambda *_args: None)
        old_kassa.setattr(age_check.AgeChecks, "check_age_at_payment", lambda *_args: None)
        old_kassa.setattr(eat_in, "record_sale", lambda *_args: None)
        old_kassa.setattr(eat_in, "noted", lambda _db, _basket, facts: facts)
        old_kassa.setattr(club_basket, "link_sale", lambda *_args: None)  # no club yet
        old_kassa.setattr(open_basket, "has_member", lambda *_args: False)
        old_kassa.setattr(club_basket, "offer_after_sale", lambda *_args: None)
        # Nor planned prices to switch at payment.
        old_kassa.setattr(composition, "switch_due", lambda *_args: None)
        till = open_till(config)
        load_demo(till.db, till.users)
        cashier = till.users.sign_in("1", "1111")
        for code in (ROMME, PILSNER):
            till.baskets.add(cashier, code)
            till.sales.pay_card(cashier, "")
            print_waiting(till)
        assert current_version(till.db) == 4
        assert "basket_register_status" not in indexes(till.db)
        counts = tuple(
            till.db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("sale", "journal")
        )
        till.db.close()
    return counts[0], counts[1]


def test_an_upgrade_keeps_every_row_and_is_announced(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    sales, journal_rows = sell_at_schema_4(config, monkeypatch)
    told: list[tuple[int, int]] = []
    till = open_till(config, announce=lambda old, new: told.append((old, new)))
    assert told == [(4, SCHEMA_VERSION)]
    assert current_version(till.db) == SCHEMA_VERSION
    assert till.db.execute_sql("SELECT COUNT(*) FROM sale").fetchone()[0] == sales
    # The first start after the upgrade registers the key the till signs with, journaled.
    assert till.db.execute_sql("SELECT COUNT(*) FROM journal").fetchone()[0] == journal_rows + 1
    assert [row.basic_id for row in till.journal.rows()][-1] == "KEYREG"
    assert [key.version for key in registered(till.db)] == ["1"]
    assert verify_chain_by_version(chain_rows(till.db, "KASSE-1"), public_keys(till.db)) == (
        ChainCheck(None, {})
    )
    assert till.journal.verify() is None  # the chain holds across the upgrade
    assert till.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {"basket_register_status", "sale_register", "journal_local_date", "sale_line_sale"} <= (
        indexes(till.db)
    )
    assert not {
        "basket_register_id",
        "sale_line_product",
        "sale_line_sale_id",
        "journal_event_code",
    } & indexes(till.db)
    # The till sells on after the upgrade.
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME)
    assert till.sales.pay_card(cashier, "").completed is not None
    assert migrate(till.db, announce=lambda old, new: told.append((old, new))) == SCHEMA_VERSION
    assert told == [(4, SCHEMA_VERSION)]  # once


def test_a_new_database_is_created_without_an_upgrade_message(config: Config) -> None:
    told: list[tuple[int, int]] = []
    till = open_till(config, announce=lambda old, new: told.append((old, new)))
    assert told == [] and current_version(till.db) == SCHEMA_VERSION


def test_a_database_from_a_newer_kassa_is_refused(config: Config) -> None:
    till = open_till(config)
    till.db.execute_sql("UPDATE setting SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(SchemaTooNew, match="newer than this kassa"):
        migrate(till.db)


@pytest.mark.parametrize("what", HOT_QUERIES)
def test_the_hot_paths_use_their_indexes(config: Config, what: str) -> None:
    sql, index = HOT_QUERIES[what]
    till = open_till(config)
    plan = " ".join(row[3] for row in till.db.execute_sql("EXPLAIN QUERY PLAN " + sql))
    assert f"INDEX {index} " in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
