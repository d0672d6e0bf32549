"""Schema version and forward migrations, from the first release on.

This is the history that takes any kassa database, new or old, to the current schema; the
schema itself is read in schema.sql beside this file (tests/unit/test_schema.py checks that
what these migrations build is what schema.sql says). Each migration runs once, in its own
transaction, and bumps `setting.schema_version`. A database newer than this program is refused
rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from peewee import SqliteDatabase

from kassa_tui.catalog.search import reindex_all
from kassa_tui.core.errors import Stopped
from kassa_tui.core.i18n import _
from kassa_tui.store.database import APPEND_ONLY, MODELS, Setting


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


def _v2_stock(database: SqliteDatabase) -> None:
    """Stock levels, deliveries, stocktakes, reorder points and the search index."""
    for statement in (
        "ALTER TABLE product ADD COLUMN reorder_point_milli INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE product ADD COLUMN cost_ore INTEGER",
        # The level is derived from the movements by a trigger, never written by code.
        "CREATE TABLE product_stock (product_id INTEGER PRIMARY KEY REFERENCES product (id),"
        " on_hand_milli INTEGER NOT NULL DEFAULT 0)",
        "INSERT INTO product_stock (product_id, on_hand_milli)"
        " SELECT product_id, SUM(delta_milli) FROM stock_movement GROUP BY product_id",
        "CREATE TRIGGER stock_movement_level AFTER INSERT ON stock_movement BEGIN"
        " INSERT INTO product_stock (product_id, on_hand_milli) VALUES"
        " (NEW.product_id, NEW.delta_milli) ON CONFLICT (product_id) DO UPDATE SET"
        " on_hand_milli = on_hand_milli + NEW.delta_milli; END",
        "CREATE INDEX stock_movement_product_time ON stock_movement (product_id, created_utc)",
        "CREATE INDEX sale_line_product ON sale_line (product_id)",
        "CREATE INDEX sale_completed ON sale (completed_utc)",
        "CREATE TABLE delivery (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " register_id TEXT NOT NULL, reference TEXT NOT NULL DEFAULT '',"
        " user_number INTEGER, created_utc TEXT NOT NULL, local_date TEXT NOT NULL)",
        "CREATE TABLE delivery_line (id INTEGER PRIMARY KEY,"
        " delivery_id INTEGER NOT NULL REFERENCES delivery (id),"
        " product_id INTEGER NOT NULL REFERENCES product (id),"
        " qty_milli INTEGER NOT NULL, cost_ore INTEGER)",
        "CREATE INDEX delivery_line_product ON delivery_line (product_id)",
        "CREATE TABLE stocktake (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " register_id TEXT NOT NULL, group_code TEXT, status TEXT NOT NULL DEFAULT 'counting',"
        " user_number INTEGER, started_utc TEXT NOT NULL, posted_utc TEXT)",
        "CREATE TABLE stocktake_count (stocktake_id INTEGER NOT NULL REFERENCES stocktake (id),"
        " product_id INTEGER NOT NULL REFERENCES product (id),"
        " counted_milli INTEGER NOT NULL, PRIMARY KEY (stocktake_id, product_id))",
        "CREATE VIRTUAL TABLE product_search USING fts5(name, codes, grp,"
        " tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')",
    ):
        database.execute_sql(statement)
    for table in ("delivery", "delivery_line"):
        for verb in ("UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    reindex_all(database)


def _v3_day_close(database: SqliteDatabase) -> None:
    """Signatures on transactions, cash events (float, pay-in/out, counts) and Z reports."""
    for statement in (
        # RSA-SHA1 over prevSignature;transDate;transTime;nr;transAmntIn;transAmntEx (§ 2-7).
        "ALTER TABLE sale ADD COLUMN signature TEXT",
        "ALTER TABLE sale ADD COLUMN key_version TEXT",
        "ALTER TABLE sale ADD COLUMN training INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sale ADD COLUMN original_sale_id INTEGER REFERENCES sale (id)",
        "ALTER TABLE sale ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sale ADD COLUMN approved_by INTEGER",
        "CREATE TABLE cash_event (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
        " register_id TEXT NOT NULL, kind TEXT NOT NULL,"  # float, payin, payout, count
        " amount_ore INTEGER NOT NULL, reason TEXT NOT NULL DEFAULT '',"
        " details TEXT NOT NULL DEFAULT '', user_number INTEGER, utc TEXT NOT NULL,"
        " local_date TEXT NOT NULL, local_time TEXT NOT NULL)",
        "CREATE INDEX cash_event_register ON cash_event (register_id, id)",
        # A Z covers everything after the previous Z's last journal row: nothing is in two.
        "CREATE TABLE z_report (id INTEGER PRIMARY KEY, register_id TEXT NOT NULL,"
        " z_nr INTEGER NOT NULL, business_date TEXT NOT NULL,"
        " last_journal_seq INTEGER NOT NULL, last_sale_id INTEGER NOT NULL,"
        " last_cash_event_id INTEGER NOT NULL, user_number INTEGER, utc TEXT NOT NULL,"
        " local_date TEXT NOT NULL, local_time TEXT NOT NULL, report TEXT NOT NULL,"
        " UNIQUE (register_id, z_nr), UNIQUE (register_id, business_date))",
    ):
        database.execute_sql(statement)
    for table in ("cash_event", "z_report"):
        for verb in ("UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _v4_user_lock(database: SqliteDatabase) -> None:
    """Wrong PINs in a row and lock-outs per user, beside the v1 `user` table."""
    database.execute_sql(
        "CREATE TABLE user_lock (user_number INTEGER PRIMARY KEY,"
        " failures INTEGER NOT NULL DEFAULT 0, locked_until_utc TEXT)"
    )


def _v5_a_year_of_sales(database: SqliteDatabase) -> None:
    """Indexes that keep the till fast after a year of sales (bench/).

    Without them, finding the open basket walked every basket the register ever sold, the last
    signature sorted every sale (35 and 100 ms per call on 200,000 receipts), and every SAF-T
    export read the whole journal several times.
    """
    for statement in (
        "CREATE INDEX basket_register_status ON basket (register_id, status)",
        "DROP INDEX basket_register_id",  # its prefix
        "CREATE INDEX sale_register ON sale (register_id, id)",
        "DROP INDEX IF EXISTS sale_line_product",  # the same as sale_line_product_id
        # SAF-T and the reports read the journal by date, and receipt counts by sale.
        "CREATE INDEX journal_local_date ON journal (local_date)",
        "CREATE INDEX journal_event_sale ON journal (event_code, sale_id)",
        "DROP INDEX journal_event_code",  # its prefix
    ):
        database.execute_sql(statement)


def _v6_sale_lines_by_sale(database: SqliteDatabase) -> None:
    """Sale lines indexed with what X, Z and SAF-T sum, so a busy day's 15,000 lines are read
    from the index alone (it replaces the plain sale_id index: no extra cost per sale)."""
    database.execute_sql(
        "CREATE INDEX sale_line_sale ON sale_line"
        " (sale_id, group_code, amount_ore, vat_bp, discount_ore)"
    )
    database.execute_sql("DROP INDEX sale_line_sale_id")


def _v7_signing_keys(database: SqliteDatabase) -> None:
    """Every public key the till has signed with, by key version (records.keyring).

    The key the till has now is registered, journaled, by the first start that can read it
    (open_till): the migration cannot, as the technician's user may not be able to read it.
    """
    database.execute_sql(
        "CREATE TABLE signing_key (version TEXT NOT NULL PRIMARY KEY,"
        " public_pem TEXT NOT NULL, fingerprint TEXT NOT NULL UNIQUE,"
        " registered_utc TEXT NOT NULL, registered_by INTEGER)"
    )
    for verb in ("UPDATE", "DELETE"):
        database.execute_sql(
            f"CREATE TRIGGER signing_key_no_{verb.lower()} BEFORE {verb} ON signing_key"
            " BEGIN SELECT RAISE(ABORT, 'signing_key is append-only'); END"
        )


def _v8_no_user_lock(database: SqliteDatabase) -> None:
    """`user_lock` goes: wrong PINs no longer lock a user out (a growing wait per register,
    people.users), and nothing has read or written the table since."""
    database.execute_sql("DROP TABLE IF EXISTS user_lock")


def _v9_pant(database: SqliteDatabase) -> None:
    """Deposit types, the products that carry them and the bottle-return slips redeemed."""
    for statement in _V9_PANT:
        database.execute_sql(statement)


_V9_PANT = (
    "CREATE TABLE deposit_type (id INTEGER NOT NULL PRIMARY KEY, code TEXT NOT NULL,"
    " name TEXT NOT NULL, amount_ore INTEGER NOT NULL, vat_bp INTEGER, account TEXT NOT NULL,"
    " product_id INTEGER NOT NULL, FOREIGN KEY (product_id) REFERENCES product (id))",
    "CREATE UNIQUE INDEX deposit_type_code ON deposit_type (code)",
    "CREATE UNIQUE INDEX deposit_type_product_id ON deposit_type (product_id)",
    "CREATE TABLE product_deposit (product_id INTEGER NOT NULL PRIMARY KEY,"
    " deposit_type_id INTEGER NOT NULL, FOREIGN KEY (product_id) REFERENCES product (id),"
    " FOREIGN KEY (deposit_type_id) REFERENCES deposit_type (id))",
    "CREATE INDEX product_deposit_deposit_type_id ON product_deposit (deposit_type_id)",
    "CREATE TABLE basket_pant (line_id INTEGER NOT NULL PRIMARY KEY, drink_line_id INTEGER,"
    " slip_serial TEXT,"
    " FOREIGN KEY (line_id) REFERENCES basket_line (id) ON DELETE CASCADE,"
    " FOREIGN KEY (drink_line_id) REFERENCES basket_line (id) ON DELETE CASCADE)",
    "CREATE INDEX basket_pant_drink_line_id ON basket_pant (drink_line_id)",
    "CREATE TABLE pant_slip (serial TEXT NOT NULL PRIMARY KEY, amount_ore INTEGER NOT NULL,"
    " sale_id INTEGER NOT NULL, redeemed_utc TEXT NOT NULL,"
    " FOREIGN KEY (sale_id) REFERENCES sale (id))",
    "CREATE INDEX pant_slip_sale_id ON pant_slip (sale_id)",
    "CREATE TRIGGER pant_slip_no_update BEFORE UPDATE ON pant_slip"
    " BEGIN SELECT RAISE(ABORT, 'pant_slip is append-only'); END",
    "CREATE TRIGGER pant_slip_no_delete BEFORE DELETE ON pant_slip"
    " BEGIN SELECT RAISE(ABORT, 'pant_slip is append-only'); END",
)


def _v9_campaigns(database: SqliteDatabase) -> None:
    """Campaigns (multi-buys, mix-and-match) and planned prices."""
    for statement in (
        "CREATE TABLE campaign (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL,"
        " kind TEXT NOT NULL, quantity INTEGER NOT NULL, pay_for INTEGER NOT NULL,"
        " price_ore INTEGER NOT NULL, valid_from_utc TEXT NOT NULL, valid_to_utc TEXT,"
        " active INTEGER NOT NULL, created_utc TEXT NOT NULL)",
        "CREATE UNIQUE INDEX campaign_name ON campaign (name)",
        "CREATE TABLE campaign_product (product_id INTEGER NOT NULL REFERENCES product (id),"
        " campaign_id INTEGER NOT NULL REFERENCES campaign (id),"
        " PRIMARY KEY (product_id, campaign_id))",
        "CREATE INDEX campaign_product_campaign ON campaign_product (campaign_id)",
        "CREATE TABLE sale_campaign (sale_id INTEGER NOT NULL REFERENCES sale (id),"
        " campaign_id INTEGER NOT NULL, name TEXT NOT NULL, groups INTEGER NOT NULL,"
        " discount_ore INTEGER NOT NULL, PRIMARY KEY (sale_id, campaign_id))",
        "CREATE INDEX sale_campaign_campaign ON sale_campaign (campaign_id)",
        "CREATE TABLE planned_price (id INTEGER NOT NULL PRIMARY KEY,"
        " product_id INTEGER NOT NULL REFERENCES product (id), price_ore INTEGER NOT NULL,"
        " valid_from_utc TEXT NOT NULL, valid_to_utc TEXT, state TEXT NOT NULL,"
        " previous_price_ore INTEGER, created_utc TEXT NOT NULL)",
        "CREATE INDEX planned_price_due ON planned_price (state, valid_from_utc)",
    ):
        database.execute_sql(statement)
    for verb in ("UPDATE", "DELETE"):
        database.execute_sql(
            f"CREATE TRIGGER sale_campaign_no_{verb.lower()} BEFORE {verb} ON sale_campaign"
            " BEGIN SELECT RAISE(ABORT, 'sale_campaign is append-only'); END"
        )


def _v9_gift_cards(database: SqliteDatabase) -> None:
    """Gift cards and credit notes: what was issued and every movement on them."""
    for statement in (
        "CREATE TABLE gift_card (id INTEGER NOT NULL PRIMARY KEY, code TEXT NOT NULL,"
        " kind TEXT NOT NULL, register_id TEXT NOT NULL, issued_utc TEXT NOT NULL,"
        " expires_local_date TEXT NOT NULL)",
        "CREATE UNIQUE INDEX gift_card_code ON gift_card (code)",
        "CREATE TABLE gift_card_movement (id INTEGER NOT NULL PRIMARY KEY,"
        " card_id INTEGER NOT NULL REFERENCES gift_card (id), amount_ore INTEGER NOT NULL,"
        " basket_uuid TEXT NOT NULL, register_id TEXT NOT NULL, user_number INTEGER,"
        " created_utc TEXT NOT NULL)",
        "CREATE INDEX gift_card_movement_card ON gift_card_movement (card_id)",
        "CREATE INDEX gift_card_movement_time ON gift_card_movement (register_id, created_utc)",
    ):
        database.execute_sql(statement)
    for table in ("gift_card", "gift_card_movement"):
        for verb in ("UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _v9_counter_rules(database: SqliteDatabase) -> None:
    """Age limits, beer hours and eat-in VAT (a voided sale needs no table: the basket's
    status and its journal row)."""
    for statement in (
        "CREATE TABLE group_counter_rule (group_id INTEGER NOT NULL PRIMARY KEY,"
        " age_limit INTEGER NOT NULL, beer INTEGER NOT NULL,"
        " FOREIGN KEY (group_id) REFERENCES product_group (id))",
        "CREATE TABLE product_counter_rule (product_id INTEGER NOT NULL PRIMARY KEY,"
        " age_limit INTEGER, beer INTEGER, eat_in_vat_bp INTEGER,"
        " FOREIGN KEY (product_id) REFERENCES product (id))",
        "CREATE TABLE basket_counter_state (basket_id INTEGER NOT NULL PRIMARY KEY,"
        " eat_in INTEGER NOT NULL, age_confirmed INTEGER NOT NULL,"
        " FOREIGN KEY (basket_id) REFERENCES basket (id) ON DELETE CASCADE)",
        "CREATE TABLE sale_eat_in (sale_id INTEGER NOT NULL PRIMARY KEY,"
        " FOREIGN KEY (sale_id) REFERENCES sale (id))",
    ):
        database.execute_sql(statement)
    for verb in ("UPDATE", "DELETE"):
        database.execute_sql(
            f"CREATE TRIGGER sale_eat_in_no_{verb.lower()} BEFORE {verb} ON sale_eat_in"
            " BEGIN SELECT RAISE(ABORT, 'sale_eat_in is append-only'); END"
        )


def _v9_counter_features(database: SqliteDatabase) -> None:
    """What a Norwegian counter needs every day (issue 14): one migration, one part per feature."""
    _v9_pant(database)
    _v9_campaigns(database)
    _v9_gift_cards(database)
    _v9_counter_rules(database)


def _v10_gift_card_sales(database: SqliteDatabase) -> None:
    """Gift cards sold and credit notes issued as basket lines (issue 14's follow-up)."""


def _v10_campaigns(database: SqliteDatabase) -> None:
    """Campaigns kept per sale for the X/Z and made by the shift lead (issue 14's follow-up)."""


def _v10_sync(database: SqliteDatabase) -> None:
    """The till's side of the head office (issue 15): what HQ has acknowledged."""
    database.execute_sql(
        "CREATE TABLE sync_cursor (register_id TEXT NOT NULL PRIMARY KEY,"
        " acked_seq INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT '',"
        " message TEXT NOT NULL DEFAULT '', hq_seq INTEGER, last_attempt_utc TEXT,"
        " last_ok_utc TEXT)"
    )


def _v10_catalog_pull(database: SqliteDatabase) -> None:
    """The till's side of the head office (issue 15): the catalog revision it sells on."""
    database.execute_sql(
        "CREATE TABLE catalog_pull (revision INTEGER NOT NULL PRIMARY KEY, kind TEXT NOT NULL,"
        " source TEXT NOT NULL, row_count INTEGER NOT NULL, rejected INTEGER NOT NULL,"
        " applied_utc TEXT NOT NULL)"
    )
    for verb in ("UPDATE", "DELETE"):
        database.execute_sql(
            f"CREATE TRIGGER catalog_pull_no_{verb.lower()} BEFORE {verb} ON catalog_pull"
            " BEGIN SELECT RAISE(ABORT, 'catalog_pull is append-only'); END"
        )


def _v10_sales_history(database: SqliteDatabase) -> None:
    """The old system's sales history (issue 16): apart from kassa's own signed sales."""
    for statement in (
        "CREATE TABLE sales_history_import (id INTEGER NOT NULL PRIMARY KEY, file TEXT NOT NULL,"
        " sha256 TEXT NOT NULL, row_count INTEGER NOT NULL, first_date TEXT NOT NULL,"
        " last_date TEXT NOT NULL, qty_milli INTEGER NOT NULL, amount_ore INTEGER NOT NULL,"
        " user_number INTEGER NOT NULL, imported_utc TEXT NOT NULL)",
        "CREATE UNIQUE INDEX sales_history_import_sha256 ON sales_history_import (sha256)",
        "CREATE TABLE sales_history (id INTEGER NOT NULL PRIMARY KEY,"
        " import_id INTEGER NOT NULL REFERENCES sales_history_import (id),"
        " line INTEGER NOT NULL, local_date TEXT NOT NULL, local_time TEXT NOT NULL,"
        " product_id INTEGER NOT NULL REFERENCES product (id), code TEXT NOT NULL,"
        " qty_milli INTEGER NOT NULL, amount_ore INTEGER NOT NULL)",
        "CREATE INDEX sales_history_date ON sales_history (local_date, product_id, qty_milli,"
        " amount_ore)",
        "CREATE INDEX sales_history_product ON sales_history (product_id, local_date)",
    ):
        database.execute_sql(statement)
    for table in ("sales_history_import", "sales_history"):
        for verb in ("UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _v10_shop_system(database: SqliteDatabase) -> None:
    """Issue 14's follow-ups and the head office's till side: one migration, one part each."""
    _v10_gift_card_sales(database)
    _v10_campaigns(database)
    _v10_sync(database)
    _v10_catalog_pull(database)
    _v10_sales_history(database)


def _v11_purchase_orders(database: SqliteDatabase) -> None:
    """Suppliers' orders proposed from the forecast and confirmed by the shift lead (issue 16)."""
    for statement in (
        (
            "CREATE TABLE supplier (id INTEGER NOT NULL PRIMARY KEY, code TEXT NOT NULL, name "
            "TEXT NOT NULL, lead_days INTEGER NOT NULL, review_days INTEGER NOT NULL, email "
            "TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '')"
        ),
        "CREATE UNIQUE INDEX supplier_code ON supplier (code)",
        (
            "CREATE TABLE product_supplier (product_id INTEGER NOT NULL PRIMARY KEY "
            "REFERENCES product (id), supplier_id INTEGER NOT NULL REFERENCES supplier (id), "
            "supplier_code TEXT NOT NULL DEFAULT '', pack_size INTEGER NOT NULL DEFAULT 1, "
            "min_order INTEGER NOT NULL DEFAULT 0)"
        ),
        "CREATE INDEX product_supplier_supplier ON product_supplier (supplier_id)",
        (
            "CREATE TABLE purchase_order (id INTEGER NOT NULL PRIMARY KEY, register_id TEXT "
            "NOT NULL, number INTEGER NOT NULL, supplier_id INTEGER NOT NULL REFERENCES "
            "supplier (id), user_number INTEGER NOT NULL, created_utc TEXT NOT NULL, "
            "local_date TEXT NOT NULL)"
        ),
        ("CREATE UNIQUE INDEX purchase_order_number ON purchase_order (register_id, number)"),
        (
            "CREATE TABLE purchase_order_line (id INTEGER NOT NULL PRIMARY KEY, order_id "
            "INTEGER NOT NULL REFERENCES purchase_order (id), product_id INTEGER NOT NULL "
            "REFERENCES product (id), qty INTEGER NOT NULL, pack_size INTEGER NOT NULL, "
            "cost_ore INTEGER, suggested INTEGER NOT NULL, reason TEXT NOT NULL DEFAULT '')"
        ),
        "CREATE INDEX purchase_order_line_order ON purchase_order_line (order_id)",
        "CREATE INDEX purchase_order_line_product ON purchase_order_line (product_id)",
        (
            "CREATE TABLE purchase_order_event (id INTEGER NOT NULL PRIMARY KEY, order_id "
            "INTEGER NOT NULL REFERENCES purchase_order (id), status TEXT NOT NULL, "
            "user_number INTEGER, created_utc TEXT NOT NULL)"
        ),
        "CREATE INDEX purchase_order_event_order ON purchase_order_event (order_id)",
        (
            "CREATE TABLE purchase_order_receipt (id INTEGER NOT NULL PRIMARY KEY, order_id "
            "INTEGER NOT NULL REFERENCES purchase_order (id), delivery_id INTEGER NOT NULL "
            "REFERENCES delivery (id), product_id INTEGER NOT NULL REFERENCES product (id), "
            "qty INTEGER NOT NULL, created_utc TEXT NOT NULL)"
        ),
        "CREATE INDEX purchase_order_receipt_order ON purchase_order_receipt (order_id)",
    ):
        database.execute_sql(statement)
    for table in (
        "purchase_order",
        "purchase_order_line",
        "purchase_order_event",
        "purchase_order_receipt",
    ):
        for verb in ("UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _v11_customer_club(database: SqliteDatabase) -> None:
    """The consent-based customer club: members, their consents and offers (issue 16).

    The person is in `member` alone; sales are linked to members outside the signed tables, so
    forgetting a person never touches a sale, its lines or the journal."""
    for statement in (
        "CREATE TABLE member (id INTEGER NOT NULL PRIMARY KEY, phone TEXT, card TEXT, name TEXT,"
        " joined_utc TEXT NOT NULL, consent_purchases INTEGER NOT NULL,"
        " consent_offers INTEGER NOT NULL, consent_version TEXT NOT NULL,"
        " consent_utc TEXT NOT NULL, forgotten_utc TEXT)",
        "CREATE UNIQUE INDEX member_phone ON member (phone) WHERE phone IS NOT NULL",
        "CREATE UNIQUE INDEX member_card ON member (card) WHERE card IS NOT NULL",
        "CREATE TABLE member_sale (sale_id INTEGER NOT NULL PRIMARY KEY REFERENCES sale (id),"
        " member_id INTEGER NOT NULL REFERENCES member (id))",
        "CREATE INDEX member_sale_member ON member_sale (member_id)",
        "CREATE TABLE basket_member (basket_id INTEGER NOT NULL PRIMARY KEY"
        " REFERENCES basket (id), member_id INTEGER NOT NULL REFERENCES member (id))",
        "CREATE TABLE campaign_member (campaign_id INTEGER NOT NULL PRIMARY KEY"
        " REFERENCES campaign (id))",
        "CREATE TABLE member_offer (id INTEGER NOT NULL PRIMARY KEY, code TEXT NOT NULL,"
        " member_id INTEGER NOT NULL REFERENCES member (id),"
        " product_id INTEGER NOT NULL REFERENCES product (id), percent INTEGER NOT NULL,"
        " valid_to_local_date TEXT NOT NULL,"
        " given_sale_id INTEGER NOT NULL REFERENCES sale (id), given_utc TEXT NOT NULL)",
        "CREATE UNIQUE INDEX member_offer_code ON member_offer (code)",
        "CREATE TABLE basket_offer (basket_id INTEGER NOT NULL REFERENCES basket (id),"
        " offer_id INTEGER NOT NULL PRIMARY KEY REFERENCES member_offer (id))",
        "CREATE TABLE member_offer_redeemed (offer_id INTEGER NOT NULL PRIMARY KEY"
        " REFERENCES member_offer (id), sale_id INTEGER NOT NULL REFERENCES sale (id),"
        " discount_ore INTEGER NOT NULL, redeemed_utc TEXT NOT NULL)",
        "CREATE TABLE member_consent (id INTEGER NOT NULL PRIMARY KEY,"
        " member_id INTEGER NOT NULL REFERENCES member (id), purchases INTEGER NOT NULL,"
        " offers INTEGER NOT NULL, version TEXT NOT NULL, utc TEXT NOT NULL,"
        " user_number INTEGER NOT NULL)",
        "CREATE INDEX member_consent_member ON member_consent (member_id)",
    ):
        database.execute_sql(statement)


def _v11_register_ops(database: SqliteDatabase) -> None:
    """A register signed out for good and other head-office operations on the till (issue 15)."""
    database.execute_sql(
        "CREATE TABLE register_retired (register_id TEXT NOT NULL PRIMARY KEY, seq INTEGER NOT"
        " NULL, utc TEXT NOT NULL, user_number INTEGER NOT NULL, reason TEXT NOT NULL)"
    )
    for verb in ("UPDATE", "DELETE"):
        database.execute_sql(
            f"CREATE TRIGGER register_retired_no_{verb.lower()} BEFORE {verb} ON register_retired"
            " BEGIN SELECT RAISE(ABORT, 'register_retired is append-only'); END"
        )


def _v11_shop_insight(database: SqliteDatabase) -> None:
    """Issue 16's orders and customer club, issue 15's operations: one part each."""
    _v11_purchase_orders(database)
    _v11_customer_club(database)
    _v11_register_ops(database)


MIGRATIONS: list[Callable[[SqliteDatabase], None]] = [
    _v1_initial,
    _v2_stock,
    _v3_day_close,
    _v4_user_lock,
    _v5_a_year_of_sales,
    _v6_sale_lines_by_sale,
    _v7_signing_keys,
    _v8_no_user_lock,
    _v9_counter_features,
    _v10_shop_system,
    _v11_shop_insight,
]
SCHEMA_VERSION = len(MIGRATIONS)


def current_schema_sql() -> str:
    """schema.sql: the schema `migrate()` leaves, every table, index and trigger, commented."""
    return resources.files("kassa_tui.store").joinpath("schema.sql").read_text(encoding="utf-8")


def current_version(database: SqliteDatabase) -> int:
    if not database.table_exists("setting"):
        return 0
    row = Setting.get_or_none(Setting.key == "schema_version")
    return int(row.value) if row else 0


def migrate(database: SqliteDatabase, announce: Callable[[int, int], None] | None = None) -> int:
    """Bring the schema up to date; returns the version now in place.

    `announce(old, new)` is told before an existing database is upgraded: on a year of sales
    new indexes take seconds (more on a Pi), and a silent terminal looks like a hang.
    """
    version = current_version(database)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            _(
                "database schema {version} is newer than this kassa ({supported}); upgrade kassa"
            ).format(version=version, supported=SCHEMA_VERSION)
        )
    if 0 < version < SCHEMA_VERSION and announce is not None:
        announce(version, SCHEMA_VERSION)
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with database.atomic("IMMEDIATE"):
            step(database)
            Setting.insert(key="schema_version", value=str(number)).on_conflict_replace().execute()
    return SCHEMA_VERSION
