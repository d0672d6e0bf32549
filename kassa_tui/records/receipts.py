"""Receipts as device-neutral documents: what is printed, in which style, in which order.

A document is stored in the print queue as JSON inside the same transaction as the sale, and the
printer adapter turns it into ESC/POS bytes. Receipt texts are Norwegian whatever the screen
language: they are legal documents, and the markings are fixed by the regulation.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field

from kassa_tui.config import Config
from kassa_tui.core.money import QTY_ONE, VatLine, format_kr, format_quantity, format_rate

# Styles a printer adapter must know: "title" (double width and height, centred), "center",
# "text", "bold", "cols" (text left, right-aligned amount), "total" (double height cols), "rule",
# "barcode" (CODE128 of the text: every receipt carries its number, so a return is one scan).
#: A receipt's barcode: "R" and its number, so the sale screen knows a scanned receipt from a
#: product code and starts the return with that one scan.
RECEIPT_BARCODE = "R{nr}"
#: "digits_barcode": CODE128 code set C of an even number of digits (a transfer note's id).
STYLES = ("title", "center", "text", "bold", "cols", "total", "rule", "barcode", "digits_barcode")

PAYMENT_NAMES = {"cash": "Kontant", "card": "Bankkort"}

# Markings of § 2-8-6, printed as the regulation writes them, in the title style (double size:
# at least 50 % larger than the amounts).
COPY_MARKING = "KOPI"
TRAINING_MARKING = "Treningskvittering – IKKJE KVITTERING FOR KJØP"
PROVISIONAL_MARKING = "Foreløpig kvittering – IKKJE KVITTERING FOR KJØP"


@dataclass(frozen=True)
class Block:
    style: str
    text: str = ""
    right: str = ""


@dataclass
class ReceiptDoc:
    blocks: list[Block] = field(default_factory=list)

    def add(self, style: str, text: str = "", right: str = "") -> None:
        self.blocks.append(Block(style, text, right))

    def to_json(self) -> bytes:
        return json.dumps(
            [[b.style, b.text, b.right] for b in self.blocks], ensure_ascii=False
        ).encode("utf-8")

    @classmethod
    def from_json(cls, payload: bytes) -> ReceiptDoc:
        return cls([Block(*item) for item in json.loads(payload.decode("utf-8"))])

    def as_text(self, columns: int = 48) -> str:
        """Plain text as it would look on paper (double-width titles shown once)."""
        out: list[str] = []
        for block in self.blocks:
            if block.style == "rule":
                out.append("-" * columns)
            elif block.style in ("title", "center"):
                out.append(block.text.center(columns).rstrip())
            elif block.style in ("cols", "total"):
                out.append(columns_line(block.text, block.right, columns))
            else:
                out.append(block.text)
        return "\n".join(out) + "\n"


def columns_line(left: str, right: str, columns: int) -> str:
    room = columns - len(right) - 1
    if len(left) > room:
        left = left[: max(room, 0)]
    return f"{left:<{room}} {right}"


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    qty_milli: int
    unit: str
    unit_price: int
    gross: int
    discount: int
    discount_reason: str
    amount: int


@dataclass(frozen=True)
class ReceiptPayment:
    method: str
    amount: int
    tendered: int


@dataclass(frozen=True)
class SaleFacts:
    """Everything a sales receipt shows, taken from the committed sale."""

    receipt_nr: int
    local_date: str
    local_time: str
    cashier: str
    lines: list[ReceiptLine]
    total: int
    discount: int
    sale_discount: int
    sale_discount_reason: str
    rounding: int
    change: int
    vat_lines: list[VatLine]
    payments: list[ReceiptPayment]
    notes: tuple[str, ...] = ()  # under the cashier: what a return returns, why, who approved
    campaigns: tuple[tuple[str, int], ...] = ()  # (campaign name, øre off) under the lines


def _title(doc: ReceiptDoc, config: Config, title: str) -> None:
    """A title in double width, broken between words so each piece fits the paper."""
    width = max(config.printer.columns // 2, 1)
    for piece in textwrap.wrap(title, width, break_long_words=False) or [title]:
        doc.add("title", piece)


def _header(doc: ReceiptDoc, config: Config, *titles: str) -> None:
    for title in titles:
        _title(doc, config, title)
    doc.add("center", config.shop_name)
    for line in config.shop_address:
        doc.add("center", line)
    doc.add("center", config.org_nr_display)
    doc.add("rule")


def sales_receipt(config: Config, sale: SaleFacts, *, training: bool = False) -> ReceiptDoc:
    """The «Salgskvittering» of § 2-8-4; in training mode the training marking instead."""
    if training:
        return _sale_doc(config, sale, (TRAINING_MARKING,), marking=TRAINING_MARKING)
    return _sale_doc(config, sale, ("Salgskvittering",))


def return_receipt(config: Config, sale: SaleFacts, *, training: bool = False) -> ReceiptDoc:
    """The «Returkvittering» of § 2-8-5: the returned lines, all amounts negative."""
    if training:
        titles: tuple[str, ...] = (TRAINING_MARKING, "Returkvittering")
        return _sale_doc(config, sale, titles, marking=TRAINING_MARKING, thanks="")
    return _sale_doc(config, sale, ("Returkvittering",), thanks="")


def provisional_receipt(config: Config, basket: SaleFacts, *, training: bool = False) -> ReceiptDoc:
    """«Foreløpig kvittering» (§ 2-8-6) for a basket not yet paid; numbered apart, and its
    barcode is prefixed "F" so it is never taken for a sale's receipt number."""
    titles = (TRAINING_MARKING, PROVISIONAL_MARKING) if training else (PROVISIONAL_MARKING,)
    return _sale_doc(
        config,
        basket,
        titles,
        marking=titles[0],
        number_label="Foreløpig nr",
        barcode=f"F{basket.receipt_nr}",
        thanks="",
    )


def copy_receipt(
    original: ReceiptDoc, receipt_nr: int, local_date: str, local_time: str
) -> ReceiptDoc:
    """The original receipt again, «KOPI» in large type at the top (and at the foot)."""
    doc = ReceiptDoc()
    doc.add("title", COPY_MARKING)
    doc.blocks.extend(original.blocks)
    if not any(b.style == "barcode" for b in original.blocks):
        doc.add("barcode", RECEIPT_BARCODE.format(nr=receipt_nr))
    doc.add("rule")
    doc.add("center", f"Kopi skrevet ut {_day(local_date)} kl. {local_time}")
    doc.add("title", COPY_MARKING)
    return doc


def _day(iso: str) -> str:
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}"


def _sale_doc(
    config: Config,
    sale: SaleFacts,
    titles: tuple[str, ...],
    *,
    marking: str = "",
    number_label: str = "Kvittering nr",
    barcode: str | None = None,
    thanks: str = "Takk for handelen!",
) -> ReceiptDoc:
    doc = ReceiptDoc()
    _header(doc, config, *titles)
    doc.add("cols", f"{number_label} {sale.receipt_nr}", f"Kasse {config.register_id}")
    doc.add("cols", f"Dato {_day(sale.local_date)}", f"Kl. {sale.local_time}")
    doc.add("text", f"Kasserer: {sale.cashier}")
    for note in sale.notes:
        for piece in textwrap.wrap(note, config.printer.columns) or [note]:
            doc.add("text", piece)
    doc.add("rule")
    for line in sale.lines:
        if line.qty_milli == QTY_ONE and line.unit != "kg":
            doc.add("cols", line.name, format_kr(line.gross))
        else:
            doc.add("text", line.name)
            unit = " kg" if line.unit == "kg" else ""
            per = "/kg" if line.unit == "kg" else ""
            doc.add(
                "cols",
                f"  {format_quantity(line.qty_milli)}{unit} x {format_kr(line.unit_price)}{per}",
                format_kr(line.gross),
            )
        if line.discount:
            reason = f" ({line.discount_reason})" if line.discount_reason else ""
            doc.add("cols", f"  Rabatt{reason}", format_kr(-line.discount))
    for campaign, off in sale.campaigns:
        doc.add("cols", campaign, format_kr(-off))
    doc.add("rule")
    if sale.sale_discount:
        reason = f" ({sale.sale_discount_reason})" if sale.sale_discount_reason else ""
        doc.add("cols", f"Rabatt på kjøpet{reason}", format_kr(-sale.sale_discount))
    if sale.discount:
        doc.add("cols", "Herav rabatt", format_kr(sale.discount))
    doc.add("total", "TOTALT", format_kr(sale.total))
    if sale.rounding:
        doc.add("cols", "Øreavrunding", format_kr(sale.rounding))
        doc.add("cols", "Å betale", format_kr(sale.total + sale.rounding))
    for payment in sale.payments:
        name = PAYMENT_NAMES.get(payment.method) or config.payment_name(payment.method)
        shown = payment.tendered if payment.method == "cash" else payment.amount
        doc.add("cols", name, format_kr(shown))
    if sale.change:
        doc.add("cols", "Tilbake", format_kr(sale.change))
    doc.add("rule")
    # Basis and VAT per rate are the legal part; the sum column only fits on 80 mm paper.
    wide = config.printer.columns >= 41
    doc.add("text", "Mva-sats   Grunnlag        Mva" + ("       Sum" if wide else ""))
    for vat in sale.vat_lines:
        doc.add(
            "text",
            f"{format_rate(vat.rate_bp):<8} {format_kr(vat.basis):>10} {format_kr(vat.vat):>10}"
            + (f" {format_kr(vat.amount_incl):>9}" if wide else ""),
        )
    doc.add("rule")
    doc.add("barcode", RECEIPT_BARCODE.format(nr=sale.receipt_nr) if barcode is None else barcode)
    if thanks:
        doc.add("center", thanks)
    if marking:
        _title(doc, config, marking)
    return doc


def test_page(config: Config, printer: str, columns: int) -> ReceiptDoc:
    """`kassa printer test`: shows the code page, the width and a barcode work."""
    doc = ReceiptDoc()
    doc.add("title", "Testside")
    doc.add("center", config.shop_name)
    doc.add("text", f"Kasse {config.register_id}")
    doc.add("text", f"Skriver: {printer}")
    doc.add("text", f"Tegnsett: {config.printer.codepage}, papir {config.printer.width_mm} mm")
    doc.add("rule")
    doc.add("text", "æøå ÆØÅ  Blåbær, Rømme, Ærlig, Øl, Åpent")
    doc.add("text", "€ (kun med CP858)")
    doc.add("text", "".join(str(i % 10) for i in range(1, columns + 1)))
    doc.add("cols", "Venstre", "Høyre")
    doc.add("total", "TOTALT", "123,45")
    doc.add("barcode", "1234")
    doc.add("center", "Slutt på testsiden")
    return doc
