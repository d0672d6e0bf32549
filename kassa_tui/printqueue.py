"""The persisted print queue: receipts wait here until a printer has taken them.

A job is queued in the same transaction as the sale it prints, and marked printed (with its
journal rows: receipt printed, drawer opened) only after the printer accepted the bytes. A
jammed printer therefore never loses a sale.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.clock import Clock
from kassa_tui.journal import Event, Journal
from kassa_tui.receipts import ReceiptDoc


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    sale_id: int | None
    doc: ReceiptDoc
    kick_drawer: bool
    attempts: int


class PrintQueue:
    def __init__(
        self, database: SqliteDatabase, register_id: str, journal: Journal, clock: Clock
    ) -> None:
        self.db = database
        self.register_id = register_id
        self.journal = journal
        self.clock = clock

    def enqueue(self, kind: str, doc: ReceiptDoc, sale_id: int | None, *, kick: bool) -> int:
        """Queue a document; call inside the transaction that creates what it prints."""
        cursor = self.db.execute_sql(
            "INSERT INTO print_job (kind, sale_id, register_id, payload, kick_drawer, status,"
            " attempts, last_error, created_utc) VALUES (?, ?, ?, ?, ?, 'queued', 0, '', ?)",
            (kind, sale_id, self.register_id, doc.to_json(), kick, self.clock.now().utc_text),
        )
        return int(cursor.lastrowid)

    def pending(self) -> list[Job]:
        rows = self.db.execute_sql(
            "SELECT id, kind, sale_id, payload, kick_drawer, attempts FROM print_job"
            " WHERE register_id = ? AND status = 'queued' ORDER BY id",
            (self.register_id,),
        ).fetchall()
        return [
            Job(r[0], r[1], r[2], ReceiptDoc.from_json(bytes(r[3])), bool(r[4]), r[5]) for r in rows
        ]

    def mark_printed(self, job: Job) -> None:
        with self.db.atomic("IMMEDIATE"):
            cursor = self.db.execute_sql(
                "UPDATE print_job SET status = 'printed', printed_utc = ?, attempts = attempts + 1"
                " WHERE id = ? AND status = 'queued'",
                (self.clock.now().utc_text, job.id),
            )
            if cursor.rowcount != 1:
                return
            if job.kind == "receipt":
                self.journal.write(Event.RECEIPT_PRINTED, sale_id=job.sale_id, job=job.id)
            if job.kick_drawer:
                self.journal.write(Event.DRAWER_OPEN, sale_id=job.sale_id, job=job.id)

    def mark_failed(self, job: Job, error: str) -> None:
        with self.db.atomic("IMMEDIATE"):
            self.db.execute_sql(
                "UPDATE print_job SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                (error[:500], job.id),
            )
            self.journal.write(
                Event.PRINT_FAILED, sale_id=job.sale_id, job=job.id, error=error[:200]
            )
