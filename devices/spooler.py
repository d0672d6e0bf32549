"""The print queue's spooler as the till calls it: the domain's `drain`, wired to the devices.

The rules (when to send, what a fault or a broken connection means) are in
kassa_tui/records/spooling.py; this only supplies the ESC/POS rendering and the drawer.
"""

from __future__ import annotations

from devices.render import render
from kassa_tui.config import PrinterSettings
from kassa_tui.records.printqueue import Job, PrintQueue
from kassa_tui.records.spooling import Printer, SpoolResult, drain
from kassa_tui.selling.drawer import Drawer


def print_pending(
    queue: PrintQueue,
    printer: Printer,
    settings: PrinterSettings,
    drawer: Drawer | None = None,
) -> SpoolResult:
    """Print waiting jobs in order; stop at the first problem, so receipts stay in order."""

    def escpos(job: Job) -> bytes:
        return render(job.doc, settings, kick_drawer=job.kick_drawer)

    return drain(queue, printer, escpos, drawer.kicked if drawer is not None else None)
