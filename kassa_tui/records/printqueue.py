"""The persisted print queue: receipts wait here until a printer has taken them.

A job is queued in the same transaction as the sale it prints. Before its bytes go out it is
marked `sending` (committed), and `printed` once the printer accepted them, with its journal
rows (receipt printed, drawer opened). A job found still `sending` after a crash, or left there
when the printer's connection broke mid-job, may or may not have printed: it is never resent by
itself; a person decides (see `uncertain`). So a jammed printer never loses a sale, and neither a
restart nor a pulled cable prints a receipt twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from peewee import SqliteDatabase

from kassa_tui.core.clock import Clock, Instant, parse_utc
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.receipts import ReceiptDoc

#: A receipt that has waited this long, or failed once, holds up the next sale (§ 2-6).
STUCK_AFTER_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    id: int
    kind: str  # receipt, nosale, test
    sale_id: int | None
    doc: ReceiptDoc
    kick_drawer: bool
    attempts: int
    last_error: str = ""
    receipt_nr: int | None = None


_JOB_COLUMNS = (
    "j.id, j.kind, j.sale_id, j.payload, j.kick_drawer, j.attempts, j.last_error, s.receipt_nr"
    " FROM print_job j LEFT JOIN sale s ON s.id = j.sale_id"
)


@dataclass(frozen=True)
class Waiting:
    job_id: int
    receipt_nr: int | None
    last_error: str
    status: str


def _seconds_before(now: Instant, seconds: float) -> str:
    return Instant(now.utc - timedelta(seconds=seconds)).utc_text


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

    def _jobs(self, status: str) -> list[Job]:
        rows = self.db.execute_sql(
            f"SELECT {_JOB_COLUMNS} WHERE j.register_id = ? AND j.status = ? ORDER BY j.id",
            (self.register_id, status),
        ).fetchall()
        return [
            Job(r[0], r[1], r[2], ReceiptDoc.from_json(bytes(r[3])), bool(r[4]), r[5], r[6], r[7])
            for r in rows
        ]

    def pending(self) -> list[Job]:
        """Jobs waiting to be sent, oldest first."""
        return self._jobs("queued")

    def uncertain(self) -> list[Job]:
        """Jobs being sent when kassa stopped or the connection broke: printed or not, who knows."""
        return self._jobs("sending")

    def holding_up_sales(self) -> Waiting | None:
        """The oldest receipt that failed or waited too long; the next sale waits for it.

        One query without payloads: it runs on every scan.
        """
        row = self.db.execute_sql(
            "SELECT j.id, s.receipt_nr, j.last_error, j.status FROM print_job j"
            " LEFT JOIN sale s ON s.id = j.sale_id"
            " WHERE j.register_id = ? AND j.kind = 'receipt' AND j.status IN ('queued', 'sending')"
            " AND (j.attempts > 0 OR j.status = 'sending' OR j.created_utc < ?)"
            " ORDER BY j.id LIMIT 1",
            (self.register_id, _seconds_before(self.clock.now(), STUCK_AFTER_SECONDS)),
        ).fetchone()
        return Waiting(*row) if row else None

    def mark_sending(self, job: Job) -> bool:
        """Claim a job for sending; False when someone else already has (never send twice)."""
        with self.db.atomic("IMMEDIATE"):
            cursor = self.db.execute_sql(
                "UPDATE print_job SET status = 'sending', attempts = attempts + 1"
                " WHERE id = ? AND status = 'queued'",
                (job.id,),
            )
            return bool(cursor.rowcount == 1)

    def mark_printed(self, job: Job) -> None:
        with self.db.atomic("IMMEDIATE"):
            cursor = self.db.execute_sql(
                "UPDATE print_job SET status = 'printed', printed_utc = ?, last_error = ''"
                " WHERE id = ? AND status IN ('queued', 'sending')",
                (self.clock.now().utc_text, job.id),
            )
            if cursor.rowcount != 1:
                return
            if job.kind == "receipt":
                self.journal.write(self._printed_event(job), sale_id=job.sale_id, job=job.id)
            if job.kick_drawer and job.kind == "nosale":
                self.journal.write(Event.DRAWER_NO_SALE, user=self._requested_by(job), job=job.id)
            elif job.kick_drawer:
                self.journal.write(Event.DRAWER_OPEN, sale_id=job.sale_id, job=job.id)

    def _printed_event(self, job: Job) -> tuple[str, str]:
        """A receipt's print by the receipt's kind: a sale's 13012, a return's 13013."""
        found = self.db.execute_sql("SELECT kind FROM sale WHERE id = ?", (job.sale_id,)).fetchone()
        if found is not None and found[0] == "return":
            return Event.RETURN_RECEIPT_PRINTED
        return Event.RECEIPT_PRINTED

    def _requested_by(self, job: Job) -> int | None:
        """Who asked for a no-sale opening: its NOSALEREQ row, written with the job."""
        created = self.db.execute_sql(
            "SELECT created_utc FROM print_job WHERE id = ?", (job.id,)
        ).fetchone()
        if created is None:
            return None
        requests = self.db.execute_sql(
            "SELECT user_number, text FROM journal WHERE register_id = ? AND local_date >= ?"
            " AND utc >= ? AND basic_id = ? ORDER BY seq",
            (
                self.register_id,
                parse_utc(created[0]).local_date,
                created[0],
                Event.NO_SALE_REQUESTED[1],
            ),
        )
        for user, text in requests:
            if json.loads(text).get("job") == job.id:
                return int(user) if user is not None else None
        return None

    def mark_failed(self, job: Job, error: str) -> None:
        """Not printed: back in the queue with the reason, for the next try.

        The journal gets a row when the reason changes, not on every retry.
        """
        with self.db.atomic("IMMEDIATE"):
            before = self.db.execute_sql(
                "SELECT last_error FROM print_job WHERE id = ?", (job.id,)
            ).fetchone()
            self.db.execute_sql(
                "UPDATE print_job SET status = 'queued',"
                " attempts = attempts + (CASE status WHEN 'queued' THEN 1 ELSE 0 END),"
                " last_error = ? WHERE id = ? AND status IN ('queued', 'sending')",
                (error[:500], job.id),
            )
            if before is None or before[0] != error[:500]:
                self.journal.write(
                    Event.PRINT_FAILED, sale_id=job.sale_id, job=job.id, error=error[:200]
                )

    def mark_uncertain(self, job: Job, error: str) -> None:
        """The connection broke while the job went out: it stays `sending` until a person looks."""
        with self.db.atomic("IMMEDIATE"):
            cursor = self.db.execute_sql(
                "UPDATE print_job SET last_error = ? WHERE id = ? AND status = 'sending'",
                (error[:500], job.id),
            )
            if cursor.rowcount == 1:
                self.journal.write(
                    Event.PRINT_FAILED, sale_id=job.sale_id, job=job.id, error=error[:200]
                )

    def resolve_uncertain(self, job: Job, *, printed: bool, user: int | None) -> None:
        """A person looked at the paper: it printed (mark it) or it did not (send again)."""
        with self.db.atomic("IMMEDIATE"):
            self.journal.write(Event.PRINT_CHECKED, user=user, job=job.id, printed=printed)
        if printed:
            self.mark_printed(job)
        else:
            with self.db.atomic("IMMEDIATE"):
                self.db.execute_sql(
                    "UPDATE print_job SET status = 'queued' WHERE id = ? AND status = 'sending'",
                    (job.id,),
                )
