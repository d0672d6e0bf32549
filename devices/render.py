"""ESC/POS bytes from a receipt document, through python-escpos's Dummy printer.

python-escpos is imported lazily (it costs ~0.2–0.4 s and calls logging.basicConfig at import),
so the till's cold start never pays for it. The Nordic code page is forced after init: without it
python-escpos's automatic encoder switches to code pages many printers lack and ø prints as
garbage. Every text is made printable in that code page first (`printable`): CP865 has no en
dash, so the legally fixed «Foreløpig kvittering – IKKJE KVITTERING FOR KJØP» printed
"kvittering ? IKKJE" until the dash became a hyphen here.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from kassa_tui.config import PrinterSettings
from kassa_tui.records.receipts import ReceiptDoc, columns_line

#: Characters the receipts use that CP865 (and CP858) lack, and what the paper shows instead.
SUBSTITUTES = {
    "\u2013": "-",  # en dash, as in the § 2-8-6 markings
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2026": "...",
    "\u00d7": "x",  # × (in CP858, not in CP865)
    "\u00a7": "par.",  # § is a control code's place in CP865
    "\u20ac": "EUR",  # € only in CP858
    "\u00a0": " ",
    "\u202f": " ",
}


def codec(codepage: str) -> str:
    """The Python codec of a printer code page: "CP865" → "cp865"."""
    return codepage.lower()


def printable(text: str, codepage: str) -> str:
    """`text` with every character the code page lacks replaced by its substitute; what has
    none stays, and python-escpos prints it as "?" (the test over every receipt kind keeps
    that from happening)."""
    name = codec(codepage)
    out = []
    for char in text:
        try:
            char.encode(name)
        except UnicodeEncodeError:
            char = SUBSTITUTES.get(char, char)
        out.append(char)
    return "".join(out)


def unprintable(text: str, codepage: str) -> set[str]:
    """The characters of `text` that still cannot print in the code page after `printable`."""
    name = codec(codepage)
    missing = set()
    for char in printable(text, codepage):
        try:
            char.encode(name)
        except UnicodeEncodeError:
            missing.add(char)
    return missing


def escpos_environment() -> None:
    """Keep python-escpos's capabilities cache in one folder instead of a new temp dir per run."""
    folder = Path(tempfile.gettempdir()) / "kassa-escpos"
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(folder))
    Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]).mkdir(parents=True, exist_ok=True)


def _dummy(settings: PrinterSettings) -> Any:
    escpos_environment()
    from escpos.printer import Dummy

    printer = Dummy(profile=settings.profile)
    printer.charcode(settings.codepage)
    return printer


def render(doc: ReceiptDoc, settings: PrinterSettings, *, kick_drawer: bool = False) -> bytes:
    """ESC/POS bytes for a document: double-size title, columns fitted to the paper, cut.

    An empty document with `kick_drawer` is just the drawer kick (a no-sale opening).
    """
    printer = _dummy(settings)
    if doc.blocks:
        if settings.logo is not None:
            printer.image(str(settings.logo), center=True)
        page = settings.codepage
        for block in doc.blocks:
            text, right = printable(block.text, page), printable(block.right, page)
            _block(printer, block.style, text, right, settings.columns)
        printer.cut()
    if kick_drawer:
        printer.cashdraw(2)
    return bytes(printer.output)


def _block(printer: Any, style: str, text: str, right: str, columns: int) -> None:
    if style == "title":
        printer.set(align="center", double_height=True, double_width=True, bold=True)
        printer.text(text + "\n")
        printer.set(normal_textsize=True, align="left", bold=False)
    elif style == "center":
        printer.set(align="center")
        printer.text(text + "\n")
        printer.set(align="left")
    elif style == "bold":
        printer.set(bold=True)
        printer.text(text + "\n")
        printer.set(bold=False)
    elif style == "cols":
        printer.text(columns_line(text, right, columns) + "\n")
    elif style == "total":
        printer.set(double_height=True, bold=True)
        printer.text(columns_line(text, right, columns) + "\n")
        printer.set(normal_textsize=True, bold=False)
    elif style == "rule":
        printer.text("-" * columns + "\n")
    elif style == "barcode":
        # CODE128 carries any receipt number; "{B" selects its code set B. python-escpos
        # print()s a remark here, which must not reach the till's screen.
        with contextlib.redirect_stdout(io.StringIO()):
            printer.barcode("{B" + text, "CODE128", height=60, width=2, function_type="B")
    elif style == "digits_barcode":
        # CODE128 code set C, two digits a symbol: a transfer note's 40-digit id is 510 dots
        # wide, within 80 mm paper's 512 (set B would need 970); 58 mm's note prints it as two
        # 22-digit halves, 312 dots each of its 384.
        pairs = "".join(chr(int(text[i : i + 2])) for i in range(0, len(text), 2))
        with contextlib.redirect_stdout(io.StringIO()):
            printer.barcode("{C" + pairs, "CODE128", height=60, width=2, function_type="B")
    else:
        printer.text(text + "\n")
