"""Cash in the drawer: the opening float, pay-ins and pay-outs, and the count at day close.

Each is a `cash_event` row (append-only) and a journal row, written in one transaction. The
float, the pay-ins and the pay-outs kick the drawer through the print queue with a small slip,
so the cash goes in or out with a journaled opening rather than a nullinnslag. A period is
everything after the register's last Z report (§ 2-8-3): the float is registered once per
period, and the expected cash is counted from the float on. Each is a shift lead's
(Permission.CASH): a cashier gets one to approve on the spot at the day-close screen.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.core.clock import Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.records.register import RegisterService

#: Norwegian notes and coins in øre, 1000 kr down to 1 kr.
NOTES_AND_COINS = (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100)
MAX_CASH_ORE = 100_000_000  # 1 000 000 kr: more is a typing error, not a till
MAX_PIECES = 100_000
MAX_REASON = 80


@dataclass(frozen=True)
class CashCount:
    counted_ore: int
    expected_ore: int
    difference_ore: int  # counted - expected: negative is a shortage


@dataclass(frozen=True)
class Period:
    """What the register's last Z covered; the current period is everything after it."""

    z_nr: int  # 0 before the first Z
    business_date: str  # "" before the first Z
    last_journal_seq: int
    last_sale_id: int
    last_cash_event_id: int


def last_z(database: SqliteDatabase, register_id: str) -> Period:
    row = database.execute_sql(
        "SELECT z_nr, business_date, last_journal_seq, last_sale_id, last_cash_event_id"
        " FROM z_report WHERE register_id = ? ORDER BY z_nr DESC LIMIT 1",
        (register_id,),
    ).fetchone()
    return Period(*row) if row else Period(0, "", 0, 0, 0)


class CashEvents(RegisterService):
    """The float, pay-ins, pay-outs and counts of one register's drawer."""

    # -- registering -------------------------------------------------------------------------

    def opening_float(self, person: Person, amount_ore: int) -> None:
        """The vekselkasse put in the drawer at the start of the day; once per period."""
        permissions.require(self.db, self.journal, person, Permission.CASH)
        _check_amount(amount_ore, allow_zero=True)
        with self.db.atomic("IMMEDIATE"):
            after = last_z(self.db, self.register_id).last_cash_event_id
            if self.tally("float", after)[0]:
                raise Refused(_("The opening float is already registered for this day."))
            self._write(person, "float", Event.FLOAT, amount_ore, "", {}, "Vekselkasse")

    def pay_in(self, person: Person, amount_ore: int, reason: str) -> None:
        """Cash put into the drawer that is not a sale (e.g. more change from the safe); a shift
        lead's."""
        self._cash_move(person, "payin", Event.PAY_IN, amount_ore, reason, "Innbetaling")

    def pay_out(self, person: Person, amount_ore: int, reason: str) -> None:
        """Cash taken out that is not a refund (e.g. a delivery paid from the till); a shift
        lead's."""
        self._cash_move(person, "payout", Event.PAY_OUT, amount_ore, reason, "Utbetaling")

    def count(self, person: Person, pieces: dict[int, int]) -> CashCount:
        """Count the drawer by notes and coins; stores the count and the difference."""
        permissions.require(self.db, self.journal, person, Permission.CASH)
        for value, number in pieces.items():
            if value not in NOTES_AND_COINS:
                raise Refused(
                    _("{value} is not a Norwegian note or coin.").format(value=format_kr(value))
                )
            if not 0 <= number <= MAX_PIECES:
                raise Refused(_("A number of notes or coins is between 0 and 100 000."))
        counted = sum(value * number for value, number in pieces.items())
        with self.db.atomic("IMMEDIATE"):
            expected = self.expected_cash()
            result = CashCount(counted, expected, counted - expected)
            details = {
                "pieces": {str(v): pieces.get(v, 0) for v in NOTES_AND_COINS},
                "expected": expected,
                "difference": result.difference_ore,
            }
            self._write(person, "count", Event.CASH_COUNT, counted, "", details, None)
        return result

    # -- reading -----------------------------------------------------------------------------

    def counted_since_last_z(self) -> bool:
        """Whether the drawer was counted in this period: a Z asks for a count first."""
        return self.tally("count", last_z(self.db, self.register_id).last_cash_event_id)[0] > 0

    def expected_cash(self, after: Period | None = None) -> int:
        """What the drawer should hold: float, cash taken (net of change and rounding, refunds
        negative), pay-ins and pay-outs since the last Z. Training sales move no real cash."""
        period = after or last_z(self.db, self.register_id)
        cash_sales = self.db.execute_sql(
            "SELECT COALESCE(SUM(p.amount_ore), 0) FROM payment p JOIN sale s ON s.id = p.sale_id"
            " WHERE s.register_id = ? AND s.id > ? AND s.training = 0 AND p.method = 'cash'",
            (self.register_id, period.last_sale_id),
        ).fetchone()[0]
        after_id = period.last_cash_event_id
        float_ore = self.tally("float", after_id)[1]
        pay_ins = self.tally("payin", after_id)[1]
        pay_outs = self.tally("payout", after_id)[1]
        return int(float_ore + cash_sales + pay_ins - pay_outs)

    def tally(self, kind: str, after_id: int, upto_id: int | None = None) -> tuple[int, int]:
        """(number, amount) of one kind of cash event after `after_id` (up to `upto_id`)."""
        row = self.db.execute_sql(
            "SELECT COUNT(*), COALESCE(SUM(amount_ore), 0) FROM cash_event"
            " WHERE register_id = ? AND kind = ? AND id > ? AND id <= ?",
            (self.register_id, kind, after_id, upto_id if upto_id is not None else 2**62),
        ).fetchone()
        return int(row[0]), int(row[1])

    def by_reason(self, kind: str, after_id: int, upto_id: int) -> list[tuple[str, int, int]]:
        """Pay-ins or pay-outs of a period: (reason, number, amount), by reason."""
        rows = self.db.execute_sql(
            "SELECT reason, COUNT(*), SUM(amount_ore) FROM cash_event WHERE register_id = ?"
            " AND kind = ? AND id > ? AND id <= ? GROUP BY reason ORDER BY reason",
            (self.register_id, kind, after_id, upto_id),
        ).fetchall()
        return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]

    def last_count(self, after_id: int, upto_id: int) -> CashCount | None:
        """The period's latest count, as it was made."""
        row = self.db.execute_sql(
            "SELECT amount_ore, details FROM cash_event WHERE register_id = ? AND kind = 'count'"
            " AND id > ? AND id <= ? ORDER BY id DESC LIMIT 1",
            (self.register_id, after_id, upto_id),
        ).fetchone()
        if row is None:
            return None
        details = json.loads(row[1])
        return CashCount(int(row[0]), int(details["expected"]), int(details["difference"]))

    # -- writing -----------------------------------------------------------------------------

    def _cash_move(
        self,
        person: Person,
        kind: str,
        event: tuple[str, str],
        amount_ore: int,
        reason: str,
        title: str,
    ) -> None:
        permissions.require(self.db, self.journal, person, Permission.CASH)
        _check_amount(amount_ore, allow_zero=False)
        reason = " ".join(reason.split())
        if not reason:
            raise Refused(_("A pay-in or pay-out needs a reason."))
        if len(reason) > MAX_REASON:
            raise Refused(_("The reason is too long (at most 80 characters)."))
        with self.db.atomic("IMMEDIATE"):
            self._write(person, kind, event, amount_ore, reason, {}, title)

    def _write(
        self,
        person: Person,
        kind: str,
        event: tuple[str, str],
        amount_ore: int,
        reason: str,
        details: dict[str, Any],
        slip_title: str | None,
    ) -> None:
        """One cash event and its journal row; inside the caller's transaction."""
        now = self.journal.write(
            event, user=person.number, amount=amount_ore, reason=reason, **details
        )
        self.db.execute_sql(
            "INSERT INTO cash_event (uuid, register_id, kind, amount_ore, reason, details,"
            " user_number, utc, local_date, local_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(uuidlib.uuid4()),
                self.register_id,
                kind,
                amount_ore,
                reason,
                json.dumps(details, sort_keys=True) if details else "",
                person.number,
                now.utc_text,
                now.local_date,
                now.local_time,
            ),
        )
        if slip_title is not None:
            self.queue.enqueue(
                "cash", self._slip(slip_title, person, amount_ore, reason, now), None, kick=True
            )

    def _slip(
        self, title: str, person: Person, amount_ore: int, reason: str, now: Instant
    ) -> ReceiptDoc:
        """A slip for the drawer: not a receipt for a purchase."""
        doc = ReceiptDoc()
        doc.add("title", title)
        doc.add("center", self.config.shop_name)
        doc.add("center", "IKKE KVITTERING FOR KJØP")
        doc.add("rule")
        day = f"{now.local_date[8:10]}.{now.local_date[5:7]}.{now.local_date[:4]}"
        doc.add("cols", f"Dato {day}", f"Kl. {now.local_time}")
        doc.add("cols", "Kasse", self.register_id)
        doc.add("text", f"Utført av: {person.name} ({person.number})")
        if reason:
            doc.add("text", f"Årsak: {reason}")
        doc.add("total", "Beløp", format_kr(amount_ore))
        return doc


def _check_amount(amount_ore: int, *, allow_zero: bool) -> None:
    low = 0 if allow_zero else 1
    if isinstance(amount_ore, bool) or not low <= amount_ore <= MAX_CASH_ORE:
        raise Refused(_("An amount of cash is between 0 and 1 000 000 kr."))
