"""The transfer note: the paper that goes in the box to the other shop (issue 15).

The sending till books the goods out through kassa_tui.stock.transfers and, in the same
transaction, queues this note for the receipt printer: Norwegian, as every printed document,
with the shop the goods go to, the local date and time, the lines (code, name, quantity) and
the transfer id as text and as a barcode. The barcode carries the id as 40 digits (the UUID's
128 bits as a number) in CODE128 code set C, which fits 80 mm paper where the 36-character
text would not; the receiving till's scan of it gives those digits back (`transfer_id_of`).

58 mm paper (384 dots) is too narrow for that barcode (510 dots at the printer's narrowest
module, 2 dots), so there the note prints the id as two barcodes of 22 digits (312 dots each):
"91", a check digit of the whole and the first half's other 19 digits; "92" and the last 20.
91–92 are GS1's company-internal application identifiers, and no product code has 22 digits,
so a half is never taken for goods; the receiving till puts the two scans together in either
order (`NoteHalves`).
"""

from __future__ import annotations

import hashlib
import re
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass

from kassa_tui.config import Config
from kassa_tui.core.clock import Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_quantity
from kassa_tui.people.person import Person
from kassa_tui.records.printqueue import PrintQueue
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.stock.transfers import Transfers

#: The print queue's kind for a transfer note.
PRINT_KIND = "transfernote"
_DIGITS = re.compile(r"^\d{40}$")
#: The two halves of the id on 58 mm paper: a prefix each, then 20 of the 40 digits.
HALF_PREFIXES = ("91", "92")
_HALF = re.compile(r"^(9[12])(\d{20})$")


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


def barcode_halves(transfer: str) -> tuple[str, str]:
    """A transfer id as the two 22-digit barcodes of a 58 mm note. The 40 digits always start
    with 0 (2**128 has 39); the first half carries a check digit of the whole in its place, so
    halves of two notes scanned together are refused."""
    digits = barcode_digits(transfer)
    first = _check_digit(digits) + digits[1:20]
    return HALF_PREFIXES[0] + first, HALF_PREFIXES[1] + digits[20:]


def _check_digit(digits: str) -> str:
    return str(int(hashlib.sha256(digits.encode()).hexdigest(), 16) % 10)


class NoteHalves:
    """The two half barcodes of a 58 mm note as the receiving till scans them, in either order."""

    def __init__(self) -> None:
        self.digits: dict[int, str] = {}

    @staticmethod
    def part(text: str) -> int | None:
        """1 or 2 for a scan of a half barcode, None for anything else."""
        match = _HALF.match(text.strip())
        return HALF_PREFIXES.index(match.group(1)) + 1 if match else None

    def add(self, text: str) -> str | None:
        """Take a half (`part` said it is one); the transfer id once both are in, else None.
        Two halves of different notes (their check digit, and the id a version 4 UUID as kassa
        gives out) are refused, and both are to be scanned again."""
        match = _HALF.match(text.strip())
        if match is None:
            raise ValueError(text)
        self.digits[HALF_PREFIXES.index(match.group(1))] = match.group(2)
        if len(self.digits) < 2:
            return None
        check, digits = self.digits[0][0], "0" + self.digits[0][1:] + self.digits[1]
        self.digits.clear()
        if check == _check_digit(digits) and int(digits) < 2**128:
            transfer = uuidlib.UUID(int=int(digits))
            if transfer.version == 4 and transfer.variant == uuidlib.RFC_4122:
                return str(transfer)
        raise Refused(_("The two barcodes are not from the same transfer note: scan both again."))


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
    if config.printer.width_mm == 58:
        for n, half in enumerate(barcode_halves(transfer), start=1):
            doc.add("center", f"Strekkode {n} av 2")
            doc.add("digits_barcode", half)
        doc.add("center", "Skann begge strekkodene på")
        doc.add("center", "mottakende kasse: Lager (F2),")
        doc.add("center", "så F11 Motta.")
    else:
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
