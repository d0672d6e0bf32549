"""The transfer note: the paper that goes in the box to the other shop (issue 15).

The sending till books the goods out through kassa_tui.stock.transfers and, in the same
transaction, queues this note for the receipt printer: Norwegian, as every printed document,
with the shop the goods go to, the local date and time, the lines (code, name, quantity) and
the transfer id as text and as a barcode. The barcode carries the id as 40 digits (the UUID's
128 bits as a number) in CODE128 code set C, which fits 80 mm paper where the 36-character
text would not; the receiving till's scan of it gives those digits back (`transfer_id_of`).
"""

from __future__ import annotations

import re
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass

from kassa_tui.config import Config
from kassa_tui.core.clock import Instant
from kassa_tui.core.money import format_quantity
from kassa_tui.people.person import Person
from kassa_tui.records.printqueue import PrintQueue
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.stock.transfers import Transfers

#: The print queue's kind for a transfer note.
PRINT_KIND = "transfernote"
_DIGITS = re.compile(r"^\d{40}$")


@dataclass(frozen=True)
class NoteLine:
    """A line as the note prints it: the code scanned or typed, the name, the quantity."""

    code: str
    name: str
    qty_milli: int
    unit: str = "stk"


def barcode_digits(transfer: str) -> str:
    """A transfer id as the 40 digits its barcode carries."""
    return f"{uuidlib.UUID(transfer).int:040d}"


def transfer_id_of(text: str) -> str | None:
    """The transfer id in a scan of the note's barcode (40 digits) or in a typed id (with or
    without its dashes); None when `text` is neither."""
    text = text.strip()
    try:
        if _DIGITS.match(text):
            return str(uuidlib.UUID(int=int(text)))
        if len(text.replace("-", "")) == 32:
            return str(uuidlib.UUID(text))
    except ValueError:
        return None
    return None


def note_doc(
    config: Config, transfer: str, to_shop: str, now: Instant, lines: Sequence[NoteLine]
) -> ReceiptDoc:
    """The printed note, in Norwegian."""
    doc = ReceiptDoc()
    doc.add("title", "Overføring")
    doc.add("center", config.shop_name)
    for text in config.shop_address:
        doc.add("center", text)
    doc.add("center", config.org_nr_display)
    doc.add("rule")
    doc.add("cols", "Fra butikk", config.shop_id or config.shop_name)
    doc.add("cols", "Til butikk", to_shop)
    local = now.local
    doc.add("cols", "Dato", local.strftime("%d.%m.%Y %H:%M"))
    doc.add("cols", "Kasse", config.register_id)
    doc.add("rule")
    for line in lines:
        doc.add("text", f"{line.code} {line.name}")
        unit = "kg" if line.unit == "kg" else "stk"
        doc.add("cols", "", f"{format_quantity(line.qty_milli)} {unit}")
    doc.add("rule")
    doc.add("cols", "Linjer", str(len(lines)))
    doc.add("text", "Overføring nr.")
    doc.add("bold", transfer)
    doc.add("digits_barcode", barcode_digits(transfer))
    doc.add("center", "Skann strekkoden på mottakende kasse:")
    doc.add("center", "Lager (F2), så F11 Motta.")
    return doc


def send_with_note(
    transfers: Transfers,
    queue: PrintQueue,
    person: Person,
    to_shop: str,
    lines: Sequence[NoteLine],
    product_ids: Sequence[int],
) -> str:
    """Book the goods out (kassa_tui.stock.transfers) and queue the note, in one transaction:
    no note without the booking, no booking without its note. Returns the transfer id."""
    db = transfers.db
    with db.atomic("IMMEDIATE"):
        transfer = transfers.send(
            person,
            to_shop,
            [(pid, line.qty_milli) for pid, line in zip(product_ids, lines, strict=True)],
        )
        doc = note_doc(transfers.config, transfer, to_shop.strip(), transfers.clock.now(), lines)
        queue.enqueue(PRINT_KIND, doc, None, kick=False)
    return transfer
