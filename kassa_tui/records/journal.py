"""The electronic journal (§ 2-7): every use of the till, append-only and hash-chained.

Rows carry the register ID, a gap-free sequence number per register and a UUID, so the journal
can later serve as the till's outbox to a central server. Each row's hash covers the previous
row's hash, so an altered or removed row is detectable. A clock that went backwards is journaled
and never lets a row carry a time earlier than the row before it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.core.clock import Clock, Instant, parse_utc
from kassa_tui.core.ids import time_ordered_uuid
from kassa_tui.records.retirement import RETIRE_BASIC_ID, written_after_retirement

GENESIS = "0" * 64


class Event:
    """Event codes (SAF-T PredefinedBasicID-13) with kassa's own basic IDs."""

    APP_START = ("13001", "APPSTART")
    APP_STOP = ("13002", "APPSTOP")
    LOGIN = ("13003", "LOGIN")
    LOGOUT = ("13004", "LOGOUT")
    DRAWER_OPEN = ("13005", "DRAWOPEN")
    DRAWER_CLOSE = ("13006", "DRAWCLOSE")
    DRAWER_NO_SALE = ("13005", "NOSALE")  # nullinnslag: counted on X/Z
    DRAWER_MANUAL = ("13005", "DRAWOPENMAN")  # opened by hand, no kick: a nullinnslag too
    NO_SALE_REQUESTED = ("13999", "NOSALEREQ")  # approved; DRAWER_NO_SALE follows the kick
    PARK = ("13010", "PARK")
    RESUME = ("13011", "RESUME")
    RECEIPT_PRINTED = ("13012", "RECEIPT")  # a sale's receipt
    RETURN_RECEIPT_PRINTED = ("13013", "RETURNPRINT")  # a return's receipt
    PRICE_LOOKUP = ("13022", "PRICELOOKUP")
    LINE_ADD = ("13999", "LINEADD")
    LINE_QTY_UP = ("13999", "LINEQTYUP")
    LINE_DELETE = ("13999", "LINEDELETE")
    LINE_REDUCE = ("13999", "LINEREDUCE")
    DISCOUNT = ("13999", "DISCOUNT")
    PRICE_OVERRIDE = ("13999", "PRICEOVERRIDE")
    LINE_REPRICE = ("13999", "LINEREPRICE")  # a basket line takes a price that came in force
    PAYMENT = ("13999", "PAYMENT")
    SALE = ("13999", "SALE")
    LOCK = ("13999", "LOCK")
    UNLOCK = ("13999", "UNLOCK")
    LOGIN_FAILED = ("13999", "LOGINFAIL")
    CLOCK_BACK = ("13999", "CLOCKBACK")
    PRINT_FAILED = ("13999", "PRINTFAIL")
    PRINT_CHECKED = ("13999", "PRINTCHECK")
    PRINTER_STATE = ("13999", "PRINTERSTATE")
    READ_ONLY = ("13999", "READONLY")
    DENIED = ("13999", "DENIED")  # a user tried what their role does not allow
    PRICE_CHANGE = ("13021", "PRICECHANGE")
    MASTER_DATA = ("13021", "MASTERDATA")  # other fixed data: name, group, VAT, barcodes, ...
    USER_ADDED = ("13999", "USERADD")  # users are not fixed data of the goods: not 13021
    USER_CHANGED = ("13999", "USERCHANGE")  # name, role, PIN, active
    STOCK_ADJUST = ("13999", "STOCKADJ")
    DELIVERY = ("13999", "DELIVERY")
    STOCKTAKE = ("13999", "STOCKTAKE")
    X_REPORT = ("13008", "XREPORT")
    Z_REPORT = ("13009", "ZREPORT")
    FLOAT = ("13999", "FLOAT")  # opening change float (vekselkasse)
    PAY_IN = ("13999", "PAYIN")
    PAY_OUT = ("13019", "PAYOUT")
    CASH_COUNT = ("13999", "CASHCOUNT")
    RETURN_RECEIPT = ("13013", "RETURN")
    RETURN_NO_RECEIPT = ("13013", "RETURNNORECEIPT")  # approved; counted apart on X/Z
    COPY_RECEIPT = ("13014", "COPY")
    PROVISIONAL_RECEIPT = ("13015", "PROVISIONAL")
    TRAINING_RECEIPT = ("13017", "TRAINING")  # every receipt made in training mode
    TRAINING_ON = ("13023", "TRAININGON")
    TRAINING_OFF = ("13024", "TRAININGOFF")
    JOURNAL_EXPORT = ("13020", "EXPORT")  # a SAF-T file written from the journal
    KEY_REGISTERED = ("13999", "KEYREG")  # a signing key version registered (records.keyring)
    VOID_SALE = ("13028", "VOID")  # a whole sale voided before payment, every line kept
    AGE_CHECK = ("13999", "AGECHECK")  # the customer's age confirmed (once a sale)
    AGE_REFUSED = ("13999", "AGEREFUSED")  # a line with an age limit taken off: age not shown
    EAT_IN = ("13999", "EATIN")  # the sale marked eaten in, or taken away again
    PURCHASE_ORDER = ("13999", "PURCHASEORDER")  # a shift lead confirmed an order (ordering)
    ORDER_RECEIVED = ("13999", "ORDERRECEIVE")  # a delivery booked against a purchase order
    ORDER_CANCELLED = ("13999", "ORDERCANCEL")


@dataclass(frozen=True)
class JournalRow:
    seq: int
    event_code: str
    basic_id: str
    user_number: int | None
    local_date: str
    local_time: str
    text: str
    sale_id: int | None


_LAST = (
    "SELECT seq, hash, utc, basic_id FROM journal WHERE register_id = ? ORDER BY seq DESC LIMIT 1"
)
_INSERT = (
    "INSERT INTO journal (register_id, seq, uuid, event_code, basic_id, user_number, utc,"
    " local_date, local_time, text, sale_id, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def row_hash(prev_hash: str, fields: tuple[Any, ...]) -> str:
    payload = json.dumps([prev_hash, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Journal:
    """Writes journal rows inside the caller's transaction (raw SQL: it is on the scan path)."""

    def __init__(self, database: SqliteDatabase, register_id: str, clock: Clock) -> None:
        self.db = database
        self.register_id = register_id
        self.clock = clock
        self._behind = False

    def write(
        self,
        event: tuple[str, str],
        *,
        user: int | None = None,
        sale_id: int | None = None,
        **details: Any,
    ) -> Instant:
        """Append one row; call inside a transaction. Returns the instant it was stamped with."""
        last = self.db.execute_sql(_LAST, (self.register_id,)).fetchone()
        if last and last[3] == RETIRE_BASIC_ID:  # signed out for good: nothing after it
            raise written_after_retirement(self.db, self.register_id)
        seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
        now = self.clock.now()
        if last and now.utc_text < last[2]:
            previous = parse_utc(last[2])
            if not self._behind:  # journal each backward jump once, not every row after it
                seq, prev_hash = self._append(
                    seq,
                    prev_hash,
                    previous,
                    Event.CLOCK_BACK,
                    user,
                    None,
                    {"clock": now.utc_text, "last": last[2]},
                )
                self._behind = True
            now = previous
        else:
            self._behind = False
        self._append(seq, prev_hash, now, event, user, sale_id, details)
        return now

    def _append(
        self,
        seq: int,
        prev_hash: str,
        now: Instant,
        event: tuple[str, str],
        user: int | None,
        sale_id: int | None,
        details: dict[str, Any],
    ) -> tuple[int, str]:
        text = json.dumps(details, ensure_ascii=False, sort_keys=True) if details else ""
        seq += 1
        fields = (
            self.register_id,
            seq,
            time_ordered_uuid(now.utc),
            event[0],
            event[1],
            user,
            now.utc_text,
            now.local_date,
            now.local_time,
            text,
            sale_id,
        )
        digest = row_hash(prev_hash, fields)
        self.db.execute_sql(_INSERT, (*fields, prev_hash, digest))
        return seq, digest

    def head(self) -> tuple[int, str]:
        """The last row's sequence number and hash: (0, GENESIS) for an empty journal."""
        return journal_head(self.db, self.register_id)

    def rows(self, since_seq: int = 0) -> list[JournalRow]:
        cursor = self.db.execute_sql(
            "SELECT seq, event_code, basic_id, user_number, local_date, local_time, text, sale_id"
            " FROM journal WHERE register_id = ? AND seq > ? ORDER BY seq",
            (self.register_id, since_seq),
        )
        return [JournalRow(*row) for row in cursor.fetchall()]

    def verify(self) -> int | None:
        """Check the chain; returns the first bad sequence number, or None when intact."""
        cursor = self.db.execute_sql(
            "SELECT register_id, seq, uuid, event_code, basic_id, user_number, utc, local_date,"
            " local_time, text, sale_id, prev_hash, hash FROM journal WHERE register_id = ?"
            " ORDER BY seq",
            (self.register_id,),
        )
        expected_prev, expected_seq = GENESIS, 1
        for row in cursor:
            fields, prev_hash, digest = tuple(row[:11]), row[11], row[12]
            if row[1] != expected_seq or prev_hash != expected_prev:
                return int(expected_seq)
            if row_hash(prev_hash, fields) != digest:
                return int(row[1])
            expected_prev, expected_seq = digest, expected_seq + 1
        return None


def journal_head(database: SqliteDatabase, register_id: str) -> tuple[int, str]:
    """The register's last journal row: (seq, hash), or (0, GENESIS) when there is none."""
    row = database.execute_sql(_LAST, (register_id,)).fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def read_rows(
    database: SqliteDatabase, register_id: str, from_date: str | None, to_date: str | None
) -> Iterator[JournalRow]:
    """The register's rows between two local dates (both included), streamed oldest first."""
    cursor = database.execute_sql(
        "SELECT seq, event_code, basic_id, user_number, local_date, local_time, text, sale_id"
        " FROM journal WHERE register_id = ? AND local_date >= ? AND local_date <= ?"
        " ORDER BY seq",
        (register_id, from_date or "0000-00-00", to_date or "9999-99-99"),
    )
    for row in cursor:
        yield JournalRow(*row)
