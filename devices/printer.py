"""Receipt printers: ESC/POS bytes from a receipt document, and where those bytes go.

python-escpos is imported lazily (it costs ~0.2–0.4 s and calls logging.basicConfig at import),
so the till's cold start never pays for it. The Nordic code page is forced after init: without it
python-escpos's automatic encoder switches to code pages many printers lack and ø prints as
garbage.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path
from typing import Any, Protocol

from kassa_tui.config import PrinterSettings
from kassa_tui.receipts import ReceiptDoc, columns_line


class PrinterError(Exception):
    """The printer did not take the job; the text says why, for the cashier."""


class ReceiptPrinter(Protocol):
    def send(self, data: bytes) -> None:
        """Deliver bytes to the printer or raise PrinterError."""


def _escpos_dummy(settings: PrinterSettings) -> Any:
    os.environ.setdefault(
        "ESCPOS_CAPABILITIES_PICKLE_DIR", str(Path(tempfile.gettempdir()) / "kassa-escpos")
    )
    Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]).mkdir(parents=True, exist_ok=True)
    from escpos.printer import Dummy

    printer = Dummy(profile=settings.profile)
    printer.charcode(settings.codepage)
    return printer


def render(doc: ReceiptDoc, settings: PrinterSettings, *, kick_drawer: bool = False) -> bytes:
    """ESC/POS bytes for a document: double-size title, columns fitted to the paper, cut."""
    printer = _escpos_dummy(settings)
    columns = settings.columns
    for block in doc.blocks:
        if block.style == "title":
            printer.set(align="center", double_height=True, double_width=True, bold=True)
            printer.text(block.text + "\n")
            printer.set(normal_textsize=True, align="left", bold=False)
        elif block.style == "center":
            printer.set(align="center")
            printer.text(block.text + "\n")
            printer.set(align="left")
        elif block.style == "bold":
            printer.set(bold=True)
            printer.text(block.text + "\n")
            printer.set(bold=False)
        elif block.style == "cols":
            printer.text(columns_line(block.text, block.right, columns) + "\n")
        elif block.style == "total":
            printer.set(double_height=True, bold=True)
            printer.text(columns_line(block.text, block.right, columns) + "\n")
            printer.set(normal_textsize=True, bold=False)
        elif block.style == "rule":
            printer.text("-" * columns + "\n")
        else:
            printer.text(block.text + "\n")
    printer.cut()
    if kick_drawer:
        printer.cashdraw(2)
    return bytes(printer.output)


class FilePrinter:
    """Appends bytes to a file or a device node such as /dev/usb/lp0 (the demo's printer)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, data: bytes) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise PrinterError(f"{self.path}: {exc.strerror or exc}") from exc


class MemoryPrinter:
    """Keeps every job in memory: the `dummy` printer, and the fake for tests."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.fail_with: str | None = None

    def send(self, data: bytes) -> None:
        if self.fail_with:
            raise PrinterError(self.fail_with)
        self.jobs.append(data)


class NetworkPrinter:
    """A raw TCP (port 9100) printer with a short timeout, so a silent printer never hangs."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    def send(self, data: bytes) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.sendall(data)
        except OSError as exc:
            raise PrinterError(f"{self.host}:{self.port}: {exc}") from exc


def open_printer(settings: PrinterSettings) -> ReceiptPrinter:
    if settings.type == "file" and settings.path is not None:
        return FilePrinter(settings.path)
    if settings.type == "network":
        return NetworkPrinter(settings.host, settings.port, settings.timeout)
    if settings.type == "dummy":
        return MemoryPrinter()
    raise PrinterError(f"printer type {settings.type!r} is not supported yet; use file or network")
