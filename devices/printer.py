"""Receipt printers: where ESC/POS bytes go, and what the printer says about itself.

Every connection has a short timeout and a lock, so a silent printer never freezes the till and
a status poll never interleaves with a receipt. Status comes from the ESC/POS real-time queries
(DLE EOT 1, 2 and 4) where the connection can answer them (network, usb, serial). The same
queries after a job prove it arrived: a printer answers them in order of arrival.

What a printer must do, and the status and errors it reports, are the domain's
(kassa_tui/records/spooling.py); they are imported here, so `devices.printer` still offers them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol

from devices.render import escpos_environment
from kassa_tui.config import PrinterSettings
from kassa_tui.core.files import open_append
from kassa_tui.records.spooling import DeliveryUnknown, Printer, PrinterError, PrinterStatus

__all__ = [  # the domain's printer types are offered here too
    "DeliveryUnknown",
    "EscposPrinter",
    "FilePrinter",
    "MemoryPrinter",
    "PrinterError",
    "PrinterStatus",
    "ReceiptPrinter",
    "open_printer",
    "parse_status",
]

DLE_EOT_PRINTER = b"\x10\x04\x01"  # bit 3: offline; bit 2: drawer connector pin 3
DLE_EOT_OFFLINE = b"\x10\x04\x02"  # bit 2: cover open; bit 5: stopped, paper end; bit 6: error
DLE_EOT_PAPER = b"\x10\x04\x04"  # bits 2+3: paper near end; bits 5+6: paper end


def parse_status(printer: bytes, offline: bytes, paper: bytes) -> PrinterStatus:
    """Decode the three DLE EOT replies (one byte each; empty means no answer)."""
    if not printer:
        return PrinterStatus(error="no reply to status query")
    p = printer[0]
    o = offline[0] if offline else 0
    r = paper[0] if paper else 0
    paper_state = "out" if r & 0x60 or o & 0x20 else "low" if r & 0x0C else "ok"
    return PrinterStatus(
        online=not p & 0x08,
        paper=paper_state if paper else None,
        cover_open=bool(o & 0x04) if offline else None,
        drawer_pin=bool(p & 0x04),
    )


class ReceiptPrinter(Printer, Protocol):
    """The domain's Printer, plus what the technician is shown."""

    @property
    def description(self) -> str:
        """What the technician sees: type and address."""


class FilePrinter:
    """Appends bytes to a file or a device node such as /dev/usb/lp0 (the demo's printer).

    A file cannot answer status queries, so its status is always unknown. The receipts hold
    sales: a file is created readable by the till's user only (0600) and an existing one of
    ours is tightened; a device node is left as it is.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"file {path}"

    def send(self, data: bytes) -> PrinterStatus:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with os.fdopen(open_append(self.path), "ab") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise PrinterError(f"{self.path}: {exc.strerror or exc}") from exc
        return PrinterStatus()

    def status(self) -> PrinterStatus:
        return PrinterStatus()


class MemoryPrinter:
    """Keeps every job in memory: the `dummy` printer, and the fake for tests."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.fail_with: str | None = None
        self.breaks_with: str | None = None  # the connection breaks mid-job
        self.stops_with: PrinterStatus | None = None  # a fault starts while it takes the job
        self.reported = PrinterStatus()
        self.description = "dummy (memory)"

    def send(self, data: bytes) -> PrinterStatus:
        if self.fail_with:
            raise PrinterError(self.fail_with)
        if self.breaks_with:
            raise DeliveryUnknown(self.breaks_with)
        self.jobs.append(data)
        if self.stops_with is not None:
            self.reported, self.stops_with = self.stops_with, None
        return self.reported

    def status(self) -> PrinterStatus:
        return self.reported


class EscposPrinter:
    """A USB, serial or network printer through python-escpos, opened per operation.

    Opening per operation costs a few milliseconds and means an unplugged or restarted printer
    is simply found again on the next try.
    """

    def __init__(self, settings: PrinterSettings) -> None:
        self.settings = settings
        self.lock = threading.Lock()
        kind = settings.type
        if kind == "network":
            self.description = f"network {settings.host}:{settings.port}"
        elif kind == "usb":
            self.description = f"usb {settings.usb_vendor:04x}:{settings.usb_product:04x}"
        else:
            self.description = f"serial {settings.serial_device} {settings.baudrate} baud"

    def _connect(self) -> Any:
        escpos_environment()
        from escpos import printer as escpos_printer

        s = self.settings
        profile = s.profile
        if s.type == "network":
            device = escpos_printer.Network(s.host, port=s.port, timeout=s.timeout, profile=profile)
        elif s.type == "usb":
            device = escpos_printer.Usb(
                s.usb_vendor, s.usb_product, timeout=int(s.timeout * 1000), profile=profile
            )
        else:
            device = escpos_printer.Serial(
                s.serial_device, baudrate=s.baudrate, timeout=s.timeout, profile=profile
            )
        device.open(raise_not_found=True)
        return device

    def send(self, data: bytes) -> PrinterStatus:
        """Send the job, then ask the status on the same connection.

        The answer proves the printer has every byte of the job. A printer stopped by a fault
        holds them and finishes the receipt once the fault clears, so the answer may well say
        paper out: the job is still delivered.
        """
        with self.lock:
            try:
                device = self._connect()
            except Exception as exc:  # usb.core, serial and socket errors all mean "not printed"
                raise PrinterError(_describe(exc, self.description)) from exc
            try:
                device._raw(data)  # python-escpos has no public raw write
                status = _ask_status(device)
            except Exception as exc:  # bytes may have gone out before it broke
                raise DeliveryUnknown(_describe(exc, self.description)) from exc
            finally:
                _close(device)
            if status.error:
                raise DeliveryUnknown(f"{self.description}: no answer after the receipt went out")
            return status

    def status(self) -> PrinterStatus:
        with self.lock:
            device = None
            try:
                device = self._connect()
                return _ask_status(device)
            except Exception as exc:
                return PrinterStatus(online=False, error=_describe(exc, self.description))
            finally:
                _close(device)


def _ask_status(device: Any) -> PrinterStatus:
    replies = [device.query_status(q) for q in (DLE_EOT_PRINTER, DLE_EOT_OFFLINE, DLE_EOT_PAPER)]
    return parse_status(*(bytes(r) for r in replies))


def _describe(exc: Exception, where: str) -> str:
    inner = exc.__cause__ or exc.__context__
    if isinstance(inner, OSError):  # python-escpos wraps the socket's own error
        exc = inner
    text = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError) or "timed out" in text:
        return f"{where}: no answer (timed out)"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where}: connection refused"
    return f"{where}: {text}"


def _close(device: Any) -> None:
    if device is None:
        return
    try:
        device.close()
    except Exception:  # closing a broken connection may fail again; nothing left to do
        return


def open_printer(settings: PrinterSettings) -> ReceiptPrinter:
    if settings.type == "file" and settings.path is not None:
        return FilePrinter(settings.path)
    if settings.type == "dummy":
        return MemoryPrinter()
    return EscposPrinter(settings)
