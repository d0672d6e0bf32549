"""The register a service works for: its database, settings, journal, print queue and clock.

Every service of a register reads and writes through the same five parts. They are built once
(in kassa_tui.composition) and handed over together as a `Register`; `RegisterService` unpacks
them into the attributes the services use (`self.db`, `self.journal`, ...), so a service's own
constructor names only what is particular to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, Instant, parse_utc
from kassa_tui.records.journal import Journal
from kassa_tui.records.printqueue import PrintQueue


@dataclass(frozen=True)
class Register:
    """One register's (kasse's) shared parts."""

    db: SqliteDatabase
    config: Config
    journal: Journal
    queue: PrintQueue
    clock: Clock


class RegisterService:
    """A service of one register: it journals what it does and queues what it prints."""

    def __init__(self, register: Register) -> None:
        self.db = register.db
        self.config = register.config
        self.register_id = register.config.register_id
        self.journal = register.journal
        self.queue = register.queue
        self.clock = register.clock

    def now(self) -> Instant:
        """Now, but never before the last journal row (as the journal stamps it): a clock that
        went back must not date a receipt or a report before the row it follows."""
        now = self.clock.now()
        row = self.db.execute_sql(
            "SELECT utc FROM journal WHERE register_id = ? ORDER BY seq DESC LIMIT 1",
            (self.register_id,),
        ).fetchone()
        return parse_utc(row[0]) if row and now.utc_text < row[0] else now
