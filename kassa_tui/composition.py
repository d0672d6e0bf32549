"""The till's services, built once from the config and handed to the App and the CLI.

Both front ends call the same services, so every rule holds whichever way a user comes in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.catalog.lookup import Catalog
from kassa_tui.config import Config
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.dayclose.reports import Reports
from kassa_tui.people.pepper import open_pepper
from kassa_tui.people.users import Users
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.keyring import adopt
from kassa_tui.records.printqueue import PrintQueue
from kassa_tui.records.register import Register
from kassa_tui.records.signing import Signer
from kassa_tui.selling.basket import Baskets
from kassa_tui.selling.cash import CashEvents
from kassa_tui.selling.drawer import Drawer
from kassa_tui.selling.receipt_kinds import ReceiptKinds
from kassa_tui.selling.returns import Returns
from kassa_tui.selling.sales import Sales
from kassa_tui.stock.levels import Stock
from kassa_tui.stock.planned_prices import switch_due
from kassa_tui.stock.products import Products
from kassa_tui.stock.stocktake import Stocktakes
from kassa_tui.store.database import connect
from kassa_tui.store.identity import record_identity
from kassa_tui.store.migrations import migrate


@dataclass
class Till:
    config: Config
    db: SqliteDatabase
    clock: Clock
    journal: Journal
    users: Users
    catalog: Catalog
    baskets: Baskets
    sales: Sales
    print_queue: PrintQueue
    drawer: Drawer
    stock: Stock
    stocktakes: Stocktakes
    products: Products
    reports: Reports
    cash: CashEvents
    returns: Returns
    receipts: ReceiptKinds

    def app_started(self, *, read_only: bool = False) -> None:
        self.baskets.read_only = read_only
        with self.db.atomic("IMMEDIATE"):
            self.journal.write(Event.READ_ONLY if read_only else Event.APP_START)

    def app_stopped(self) -> None:
        with self.db.atomic("IMMEDIATE"):
            self.journal.write(Event.APP_STOP)

    def record_identity(self) -> bool:
        """At `kassa init`: journal whose database this is (the shop's org number, the
        register), so a restore can tell another shop's backup before its first Z. True when
        a row was written (not when the newest one already says so)."""
        with self.db.atomic("IMMEDIATE"):
            return record_identity(self.db, self.journal, self.config.org_nr)


def open_till(
    config: Config,
    clock: Clock | None = None,
    announce: Callable[[int, int], None] | None = None,
) -> Till:
    """Connect, migrate (telling `announce` of an upgrade) and wire the services for one
    register."""
    i18n.set_language(config.language)
    # The signing key first: a till that cannot sign must not start (nor create a database).
    signing = config.signing
    signer = None
    if signing.enabled and signing.key_file is not None:
        signer = Signer.load(signing.key_file, signing.key_version)
    clock = clock or Clock()
    database = connect(config.database)
    migrate(database, announce)
    journal = Journal(database, config.register_id, clock)
    if signer is not None and signing.key_file is not None:
        try:
            adopt(database, journal, signer, signing.key_file)
        except BaseException:
            database.close()
            raise
    try:
        pepper = open_pepper(config.pepper_file, database)
    except BaseException:
        database.close()
        raise
    users = Users(database, journal, config.lockout_minutes, pepper, config.min_pin_length_lead)
    catalog = Catalog(database)
    queue = PrintQueue(database, config.register_id, journal, clock)
    register = Register(database, config, journal, queue, clock)
    drawer = Drawer(register, users)
    baskets = Baskets(register, catalog, users, drawer)
    sales = Sales(register, baskets, signer)
    sales.switch_prices = lambda: switch_due(database, journal, clock)  # paid as priced now
    stock = Stock(database, config, journal, catalog, clock)
    stocktakes = Stocktakes(database, config, journal, clock)
    products = Products(database, config, journal, catalog)
    cash = CashEvents(register)
    reports = Reports(register, cash, config.day_cutoff_hour)
    returns = Returns(register, sales, users, baskets)
    receipts = ReceiptKinds(register, sales, baskets)
    return Till(
        config,
        database,
        clock,
        journal,
        users,
        catalog,
        baskets,
        sales,
        queue,
        drawer,
        stock,
        stocktakes,
        products,
        reports=reports,
        cash=cash,
        returns=returns,
        receipts=receipts,
    )
