"""Draining the print queue: render each waiting job, send it, and only then mark it printed."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from devices.printer import PrinterError, ReceiptPrinter, render
from kassa_tui.config import PrinterSettings
from kassa_tui.printqueue import PrintQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpoolResult:
    printed: int
    waiting: int
    error: str = ""


def print_pending(
    queue: PrintQueue, printer: ReceiptPrinter, settings: PrinterSettings
) -> SpoolResult:
    """Print jobs in order; stop at the first failure so receipts never come out of order."""
    printed = 0
    jobs = queue.pending()
    for index, job in enumerate(jobs):
        try:
            printer.send(render(job.doc, settings, kick_drawer=job.kick_drawer))
        except PrinterError as exc:
            log.warning("print job %s failed: %s", job.id, exc)
            queue.mark_failed(job, str(exc))
            return SpoolResult(printed, len(jobs) - index, str(exc))
        queue.mark_printed(job)
        printed += 1
    return SpoolResult(printed, 0)
