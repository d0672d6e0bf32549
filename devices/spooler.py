"""Draining the print queue: ask the printer first, then send, then mark printed.

A printer that reports paper out, an open cover or offline is not sent anything: printers
(and emupos) hold data received during such a fault and print it when it clears, so sending
now and again later would print the receipt twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from devices.printer import PrinterError, PrinterStatus, ReceiptPrinter
from devices.render import render
from kassa_tui.config import PrinterSettings
from kassa_tui.drawer import Drawer
from kassa_tui.i18n import _
from kassa_tui.printqueue import PrintQueue

log = logging.getLogger(__name__)


def state_text(state: str) -> str:
    """The status bar's words for a printer state."""
    return {
        "ok": _("Printer OK"),
        "paper-low": _("Paper low"),
        "paper-out": _("Paper out"),
        "cover-open": _("Cover open"),
        "offline": _("Printer offline"),
        "unknown": _("Printer (no status)"),
    }.get(state, state)


def what_to_do(state: str) -> str:
    return {
        "paper-out": _("Put in a new paper roll."),
        "cover-open": _("Close the printer's cover."),
        "offline": _("Check the printer's power and cable."),
    }.get(state, _("Check the printer."))


@dataclass(frozen=True)
class SpoolResult:
    printed: int
    waiting: int
    error: str = ""
    state: str = "ok"


def print_pending(
    queue: PrintQueue,
    printer: ReceiptPrinter,
    settings: PrinterSettings,
    drawer: Drawer | None = None,
) -> SpoolResult:
    """Print waiting jobs in order; stop at the first problem, so receipts stay in order."""
    jobs = queue.pending()
    if not jobs:
        return SpoolResult(0, 0)
    status: PrinterStatus = printer.status()
    if not status.can_print:
        reason = f"{state_text(status.state)}: {what_to_do(status.state)}"
        queue.mark_failed(jobs[0], reason)
        return SpoolResult(0, len(jobs), reason, status.state)
    printed = 0
    for index, job in enumerate(jobs):
        data = render(job.doc, settings, kick_drawer=job.kick_drawer)
        if not queue.mark_sending(job):
            continue  # another spooler took it
        try:
            printer.send(data)
        except PrinterError as exc:
            log.warning("print job %s failed: %s", job.id, exc)
            queue.mark_failed(job, str(exc))
            return SpoolResult(printed, len(jobs) - index, str(exc), "offline")
        queue.mark_printed(job)
        if job.kick_drawer and drawer is not None:
            drawer.kicked()
        printed += 1
    return SpoolResult(printed, 0, "", status.state)
