"""Taking the X and Z reports (§ 2-8-2, § 2-8-3): everything registered since the last Z.

The Z is numbered consecutively per register, taken at most once per business day, stored whole
in `z_report` and in its journal row (13009), and queued for printing in the same transaction.
The X is the same content without the numbering; it is journaled (13008) and resets nothing.
What a report says, and which period it covers, is built in dayclose.report_builder.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

from kassa_tui.core.clock import DEFAULT_CUTOFF_HOUR, Instant, business_date, business_days_utc
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.dayclose.content import (
    X_REPORT,
    Z_REPORT,
    EmpPaymentLine,
    GroupLine,
    PaymentLine,
    Report,
    Tally,
    TypeLine,
    VatReportLine,
    norwegian_day,
    report_doc,
)
from kassa_tui.dayclose.report_builder import VAT_CODES, ReportBuilder, last_id
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.records.register import Register, RegisterService
from kassa_tui.selling.cash import CashEvents, Period, last_z

__all__ = [
    "VAT_CODES",
    "X_REPORT",
    "Z_REPORT",
    "EmpPaymentLine",
    "GroupLine",
    "PaymentLine",
    "Report",
    "Reports",
    "Tally",
    "TypeLine",
    "VatReportLine",
    "norwegian_day",
    "report_doc",
]


class Reports(RegisterService):
    """Taking the X and the Z: built, then journaled, stored and queued for printing."""

    def __init__(
        self, register: Register, cash: CashEvents, cutoff_hour: int = DEFAULT_CUTOFF_HOUR
    ) -> None:
        super().__init__(register)
        self.cash = cash
        self.cutoff_hour = cutoff_hour
        self.builder = ReportBuilder(self.db, self.config, cash, cutoff_hour)

    def x_report(self, person: Person | None, *, queue_print: bool = False) -> Report:
        """An X report: journaled with its full content (13008); resets nothing. Every X, on
        screen, printed or from the CLI, is taken here: none is shown without its row."""
        if person is not None:
            permissions.require(self.db, self.journal, person, Permission.X_REPORT)
        user = person.number if person else None

        def build() -> Report:
            now = self.now()
            return self._build(X_REPORT, None, user, now, last_z(self.db, self.register_id))

        def store(report: Report) -> None:
            self.journal.write(Event.X_REPORT, user=user, report=report.to_dict())
            if queue_print:
                self.queue.enqueue("xreport", report_doc(self.config, report), None, kick=False)

        return self._build_then_store(build, store)

    def z_refusal(self) -> str | None:
        """Why a Z cannot be taken now, or None: asked before the count and the confirmation,
        so nobody counts the drawer for a Z that will be refused."""
        refusal = self._z_refusal(self.now(), last_z(self.db, self.register_id))
        if refusal is None and self._open_basket_lines():
            return _("Park or finish the current sale first.")
        return refusal

    def _z_refusal(self, now: Instant, previous: Period) -> str | None:
        day = business_date(now, self.cutoff_hour)
        if day == previous.business_date:
            return self._next_z_from(now, day, previous.z_nr)
        if day < previous.business_date:
            return _("The clock is behind the last Z report ({day}): check the clock.").format(
                day=norwegian_day(previous.business_date)
            )
        return None

    def _next_z_from(self, now: Instant, day: str, z_nr: int) -> str:
        """Why no second Z today, and when the next business day starts: after midnight but
        before the cut-off that is today, on the till's clock."""
        _start, next_day = business_days_utc(day, day, self.cutoff_hour)
        if Instant(next_day).local_date == now.local_date:
            text = _(
                "The Z report for {day} is already taken (Z {nr}). The next one can be taken"
                " from {hour:02d}:00 today."
            )
        else:
            text = _(
                "The Z report for {day} is already taken (Z {nr}). The next one can be"
                " taken from {hour:02d}:00 tomorrow."
            )
        return text.format(day=norwegian_day(day), nr=z_nr, hour=self.cutoff_hour)

    def z_report(self, person: Person, *, not_counted: bool = False) -> Report:
        """Close the business day: the next Z number, stored, journaled (13009) and queued.

        A Z needs the drawer counted in its period (CashEvents.count) or `not_counted`: the
        shift lead chose explicitly to take it without a count, and the Z then says «ikke
        opptalt» on paper and in its content. Without either it is refused here, whoever calls:
        the till and `kassa report z` ask for the count (or that choice) before they get here.
        """
        permissions.require(self.db, self.journal, person, Permission.Z_REPORT)
        built_at: list[Instant] = []  # the report's moment, stored with its row

        def build() -> Report:
            now = self.now()
            built_at.append(now)
            previous = last_z(self.db, self.register_id)
            refusal = self._z_refusal(now, previous)
            if refusal is not None:
                raise Refused(refusal)
            if self._open_basket_lines():  # they would be sold after the day they were rung up
                raise Refused(_("Park or finish the current sale first."))
            report = self._build(Z_REPORT, previous.z_nr + 1, person.number, now, previous)
            if report.cash_count is None and not not_counted:
                raise Refused(
                    _(
                        "The drawer has not been counted since the last Z: count it first, or"
                        " take the Z with the cash marked as not counted."
                    )
                )
            if not_counted and report.cash_count is None:
                report = dataclasses.replace(report, cash_not_counted=True)
            return report

        def store(report: Report) -> None:
            self.journal.write(
                Event.Z_REPORT, user=person.number, z_nr=report.z_nr, report=report.to_dict()
            )
            # The Z's own journal row closes its period too.
            seq, now = self._last_seq(), built_at[-1]
            self.db.execute_sql(
                "INSERT INTO z_report (register_id, z_nr, business_date, last_journal_seq,"
                " last_sale_id, last_cash_event_id, user_number, utc, local_date, local_time,"
                " report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.register_id,
                    report.z_nr,
                    report.business_date,
                    seq,
                    report.last_sale_id,
                    report.last_cash_event_id,
                    person.number,
                    now.utc_text,
                    now.local_date,
                    now.local_time,
                    report.to_json(),
                ),
            )
            self.queue.enqueue("zreport", report_doc(self.config, report), None, kick=False)

        return self._build_then_store(build, store)

    def _build_then_store(
        self, build: Callable[[], Report], store: Callable[[Report], None]
    ) -> Report:
        """Build in a read snapshot, store only if nothing was journaled meanwhile.

        A busy day's report takes tens of milliseconds to build; under the write lock that
        would hold up every scan of a till selling beside `kassa report x` over SSH. Anything
        that changes a report's content is journaled, so an unchanged journal means the report
        is still exact; otherwise it is built again (at last under the lock).
        """
        for _attempt in range(3):
            with self.db.atomic():  # a read snapshot: the till keeps writing meanwhile
                seen = self._last_seq()
                report = build()
            with self.db.atomic("IMMEDIATE"):
                if self._last_seq() == seen:
                    store(report)
                    return report
        with self.db.atomic("IMMEDIATE"):
            report = build()
            store(report)
            return report

    def z_reports(self) -> list[tuple[int, str]]:
        """(Z number, business date) of every Z of this register, oldest first."""
        rows = self.db.execute_sql(
            "SELECT z_nr, business_date FROM z_report WHERE register_id = ? ORDER BY z_nr",
            (self.register_id,),
        ).fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]

    def stored_z(self, z_nr: int) -> Report:
        """Z `z_nr` as its journal row (13009) holds it: what a voucher is built from.

        `z_report` keeps a copy for looking up; a copy that no longer says what was journaled
        was changed behind kassa's back and is refused rather than believed.
        """
        row = self.db.execute_sql(
            "SELECT report FROM z_report WHERE register_id = ? AND z_nr = ?",
            (self.register_id, z_nr),
        ).fetchone()
        if row is None:
            raise Refused(_("There is no Z report number {nr}.").format(nr=z_nr))
        journaled = [
            json.loads(text).get("report")
            for (text,) in self.db.execute_sql(
                "SELECT text FROM journal WHERE event_code = ? AND basic_id = ?"
                " AND register_id = ? AND json_extract(text, '$.z_nr') = ?",
                (*Event.Z_REPORT, self.register_id, z_nr),
            )
        ]
        if len(journaled) != 1:
            raise Refused(
                _(
                    "Z report {nr} has {rows} journal rows instead of one: run kassa journal verify"
                ).format(nr=z_nr, rows=len(journaled))
            )
        if json.loads(row[0]) != journaled[0]:
            raise Refused(
                _(
                    "The stored Z report {nr} differs from its journal row: it was changed."
                    " Run kassa journal verify"
                ).format(nr=z_nr)
            )
        return Report.from_dict(journaled[0])

    # -- building ----------------------------------------------------------------------------

    def _open_basket_lines(self) -> int:
        row = self.db.execute_sql(
            "SELECT COUNT(*) FROM basket_line l JOIN basket b ON b.id = l.basket_id"
            " WHERE b.register_id = ? AND b.status = 'open'",
            (self.register_id,),
        ).fetchone()
        return int(row[0])

    def _last_seq(self) -> int:
        """The journal's last row: a report is stored only if it is still the one built on."""
        return last_id(self.db, self.register_id, "journal", "seq")

    def _build(
        self, report_type: str, z_nr: int | None, user: int | None, now: Instant, prev: Period
    ) -> Report:
        """The report's content as of `now`, for the period after `prev` (see ReportBuilder)."""
        return self.builder.build(report_type, z_nr, user, now, prev)
