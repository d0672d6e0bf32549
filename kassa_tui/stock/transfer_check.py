"""What arrives against what was sent: the receiving till checks a transfer at HQ (issue 15).

The sending till journals TRANSFEROUT; once it has pushed, HQ answers `transfer_sent(register,
transfer)` (kassa_tui/hq/sql/0025_transfer_sent.sql) to the till of the shop the goods went to:
the sending shop, the day it sent them and its lines (the sender's stock code, quantity, name).
Anything else (an id HQ does not hold, or one meant for another shop) answers NULL.

`ask_hq` puts the question (the caller runs it off the UI thread; a short deadline), `rows`
compares the lines scanned with the lines sent per product, and `journal_fields` gives what the
TRANSFERIN row records beside its `moves`:

- checked at HQ: ``checked: true``, ``sent`` ([code, qty_milli, name] as HQ answered), and when
  the lines differ ``differences`` ([code, sent_milli, received_milli, name]) with
  ``difference_approved_by``, the shift lead who confirmed them (refused without one);
- not checked: ``checked: false`` and ``unchecked``: ``not_at_hq`` (not pushed yet, or an id the
  sender never journaled for this shop), ``unreachable`` (HQ out of reach), ``hq_too_old`` (an
  HQ before migration 0025), ``no_hq`` (no [hq] in kassa.toml) or ``not_asked`` (a caller that
  did not ask); booked as before.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.config.hq import HqSettings
from kassa_tui.core.errors import Refused, Stopped
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_quantity
from kassa_tui.people.person import Person
from kassa_tui.stock.moves import stock_code

#: Seconds the question may take once connected (the UI waits for nobody: a worker asks).
ASK_SECONDS = 5.0


@dataclass(frozen=True)
class SentLine:
    code: str  # the sending till's stock code (its first barcode, else its PLU)
    qty_milli: int
    name: str


@dataclass(frozen=True)
class Sent:
    """HQ's answer: what the sending shop journaled under the transfer id, for this shop."""

    transfer: str
    sender: str
    sent_on: str
    lines: tuple[SentLine, ...]


@dataclass(frozen=True)
class Unchecked:
    """No answer from HQ: why (the journal's key) and the one line the user reads."""

    why: str
    message: str  # one line at 80 columns
    detail: str = ""  # HQ's error, for the log and the command line


Answer = Sent | Unchecked


def fetch_sent(conn: Any, register: str, transfer: str) -> Sent | None:
    """HQ's `transfer_sent` on an open connection (None: HQ does not know it for this shop)."""
    row = conn.execute("SELECT transfer_sent(%s, %s::uuid)", (register, transfer)).fetchone()
    found = row[0] if row else None
    if found is None:
        return None
    if isinstance(found, str):
        found = json.loads(found)
    lines = tuple(
        SentLine(str(line["code"]), int(line["qty_milli"]), str(line["name"]))
        for line in found["lines"]
    )
    return Sent(str(found["transfer"]), str(found["sender"]), str(found["sent_on"]), lines)


def not_checked(why: str, detail: str = "") -> Unchecked:
    if why == "no_hq":
        text = _("no head office in kassa.toml")
    elif why == "unreachable":
        text = _("HQ is out of reach")
    elif why == "hq_too_old":
        text = _("HQ is too old to say (kassa hq init)")
    elif why == "not_at_hq":
        text = _("HQ does not know it (not pushed yet?)")
    else:
        text = detail
    return Unchecked(why, _("Not checked against the sender: {why}.").format(why=text), detail)


def ask_hq(
    settings: HqSettings | None,
    register: str,
    transfer: str,
    connect: Callable[[HqSettings], Any],
    deadline: Callable[[Any, float], contextlib.AbstractContextManager[None]],
) -> Answer:
    """What HQ holds as sent under `transfer` to this register's shop. Never raises for HQ being
    away: that is an Unchecked answer (the till books on as before). Blocks: not on a UI thread."""
    if settings is None:
        return not_checked("no_hq")
    try:
        with connect(settings) as conn, deadline(conn, ASK_SECONDS):
            sent = fetch_sent(conn, register, transfer)
    except (Stopped, OSError) as exc:
        return not_checked("unreachable", str(exc).strip().splitlines()[0] if str(exc) else "")
    except Exception as exc:  # psycopg's errors: the domain does not import the driver
        if type(exc).__module__.split(".")[0] != "psycopg":
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if type(exc).__name__ == "UndefinedFunction":  # an HQ before migration 0025
            return not_checked("hq_too_old", first)
        return not_checked("unreachable", first)
    if sent is None:
        return not_checked("not_at_hq")
    return sent


@dataclass
class Row:
    """One product of the transfer: sent (per HQ) and scanned (here)."""

    code: str
    name: str
    product_id: int | None  # None: a code the sender has that this till does not know
    sent_milli: int
    scanned_milli: int

    @property
    def differs(self) -> bool:
        return self.sent_milli != self.scanned_milli


def rows(
    database: SqliteDatabase,
    find: Callable[[str], ProductInfo],
    sent: Sent,
    scanned: list[tuple[ProductInfo, int]],
) -> list[Row]:
    """Sent vs scanned per product: the sent lines in the sender's order, then products that
    were scanned but not sent. A sent code is found here by barcode or PLU (`find`)."""
    found: dict[object, Row] = {}
    for line in sent.lines:
        try:
            product: ProductInfo | None = find(line.code)
        except Refused:
            product = None
        key: object = product.id if product else ("code", line.code)
        if key in found:
            found[key].sent_milli += line.qty_milli
        else:
            name = product.name if product else line.name
            found[key] = Row(line.code, name, product.id if product else None, line.qty_milli, 0)
    for product, qty_milli in scanned:
        if product.id in found:
            found[product.id].scanned_milli += qty_milli
        else:
            code = stock_code(database, product.id)
            found[product.id] = Row(code, product.name, product.id, 0, qty_milli)
    return list(found.values())


def differences(found: list[Row]) -> list[Row]:
    return [row for row in found if row.differs]


def check_sender(sent: Sent, shop: str) -> None:
    """The shop typed must be the one HQ says sent the goods."""
    if shop.strip().casefold() != sent.sender.casefold():
        raise Refused(
            _("Transfer {id} was sent by {sender} (HQ), not {shop}.").format(
                id=sent.transfer[:8], sender=sent.sender, shop=shop.strip()
            )
        )


def journal_fields(
    database: SqliteDatabase,
    find: Callable[[str], ProductInfo],
    answer: Answer | None,
    shop: str,
    scanned: list[tuple[ProductInfo, int]],
    approver: Person | None,
) -> dict[str, Any]:
    """TRANSFERIN's check fields; Refused for another sender or a difference not approved."""
    if answer is None:
        return {"checked": False, "unchecked": "not_asked"}
    if isinstance(answer, Unchecked):
        return {"checked": False, "unchecked": answer.why}
    check_sender(answer, shop)
    found = differences(rows(database, find, answer, scanned))
    fields: dict[str, Any] = {
        "checked": True,
        "sent": [[line.code, line.qty_milli, line.name] for line in answer.lines],
    }
    if found:
        if approver is None or not approver.is_shift_lead:
            raise Refused(
                _("What was scanned differs from what was sent: a shift lead confirms it.")
            )
        fields["differences"] = [
            [row.code, row.sent_milli, row.scanned_milli, row.name] for row in found
        ]
        fields["difference_approved_by"] = approver.number
    return fields


def describe(row: Row) -> str:
    """One product's line: how many were sent, how many scanned."""
    return _("{name}: sent {sent}, scanned {scanned}").format(
        name=row.name,
        sent=format_quantity(row.sent_milli),
        scanned=format_quantity(row.scanned_milli),
    )
