"""Draining the print queue: ask the printer first, then send, then mark printed.

A printer that reports paper out, an open cover or offline is not sent anything: printers
(and emupos) hold data received during such a fault and print it when it clears, so sending
now and again later would print the receipt twice. For the same reason a job the printer took
before such a fault struck counts as printed: the printer finishes it. A job whose connection
broke on the way may have printed: nothing more prints until a person has looked.

What the till needs from a printer is said here (`Printer`, `PrinterStatus` and the two errors);
the adapters in devices/ fulfil it, and turn a document into the printer's bytes (`render`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kassa_tui.core.i18n import _
from kassa_tui.records.printqueue import Job, PrintQueue

log = logging.getLogger(__name__)


class PrinterError(Exception):
    """The printer did not take the job; the text says why, for the cashier."""


class DeliveryUnknown(PrinterError):
    """The connection broke after the job began to go out: it may have printed, whole or torn.

    Sending it again could print it twice, so only a person looking at the paper can decide.
    """


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer reported. None means it could not tell (file printers, no reply)."""

    online: bool | None = None
    paper: str | None = None  # "ok", "low", "out"
    cover_open: bool | None = None
    drawer_pin: bool | None = None  # raw drawer connector level; the Drawer decides "open"
    error: str = ""

    @property
    def state(self) -> str:
        """One word for the status bar: ok, paper-low, paper-out, cover-open, offline, unknown."""
        if self.error or self.online is False:
            if self.cover_open:
                return "cover-open"
            if self.paper == "out":
                return "paper-out"
            return "offline"
        if self.cover_open:
            return "cover-open"
        if self.paper == "out":
            return "paper-out"
        if self.paper == "low":
            return "paper-low"
        return "ok" if self.online else "unknown"

    @property
    def can_print(self) -> bool:
        return self.state in ("ok", "paper-low", "unknown")


class Printer(Protocol):
    """What draining the queue needs from a receipt printer."""

    def send(self, data: bytes) -> PrinterStatus:
        """Deliver bytes and say how the printer is once it has them.

        Raises PrinterError when nothing went out, DeliveryUnknown when some may have.
        """

    def status(self) -> PrinterStatus:
        """Ask the printer how it is; never raises."""


# -- the words for the cashier ------------------------------------------------------------------


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


def finishes_when(state: str) -> str:
    """What the cashier is told when the printer took a receipt and then stopped."""
    return {
        "paper-out": _("Paper out: the receipt finishes printing when a new roll is in."),
        "cover-open": _("Cover open: the receipt finishes printing when the cover is closed."),
    }.get(state, _("Printer offline: the receipt finishes printing when the printer is back."))


def may_have_printed(job: Job) -> str:
    return _("Receipt {nr} may have printed: look at the printer.").format(nr=job.receipt_nr)


# -- the state machine --------------------------------------------------------------------------


@dataclass(frozen=True)
class SpoolResult:
    printed: int
    waiting: int
    error: str = ""
    state: str = "ok"
    notice: str = ""  # the printer has the receipt and finishes it once its fault clears
    unsure: bool = False  # a receipt may have printed: a person must look before more print


def drain(
    queue: PrintQueue,
    printer: Printer,
    render: Callable[[Job], bytes],
    on_drawer_kicked: Callable[[], None] | None = None,
) -> SpoolResult:
    """Print waiting jobs in order; stop at the first problem, so receipts stay in order.

    `render` turns a job into the printer's bytes (drawer kick included where the job asks for
    one); `on_drawer_kicked` is told when the printer has taken a job that kicks the drawer.
    """
    jobs = queue.pending()
    unsure = queue.uncertain()
    if unsure:  # printing on would put later receipts first, and it may come out again
        return SpoolResult(0, len(jobs), may_have_printed(unsure[0]), "unknown", unsure=True)
    if not jobs:
        return SpoolResult(0, 0)
    status = printer.status()
    if not status.can_print:
        reason = _held_back(queue, jobs[0], status)
        return SpoolResult(0, len(jobs), reason, status.state)
    printed = 0
    for index, job in enumerate(jobs):
        data = render(job)
        if not queue.mark_sending(job):
            continue  # another spooler took it
        try:
            status = printer.send(data)
        except DeliveryUnknown as exc:
            log.warning("print job %s may have printed: %s", job.id, exc)
            queue.mark_uncertain(job, str(exc))
            waiting = len(jobs) - index
            return SpoolResult(printed, waiting, may_have_printed(job), "offline", unsure=True)
        except PrinterError as exc:
            log.warning("print job %s failed: %s", job.id, exc)
            queue.mark_failed(job, str(exc))
            return SpoolResult(printed, len(jobs) - index, str(exc), "offline")
        queue.mark_printed(job)
        if job.kick_drawer and on_drawer_kicked is not None:
            on_drawer_kicked()
        printed += 1
        if not status.can_print:  # the printer has this one and finishes it after the fault
            notice = finishes_when(status.state)
            rest = jobs[index + 1 :]
            reason = _held_back(queue, rest[0], status) if rest else ""
            return SpoolResult(printed, len(rest), reason, status.state, notice)
    return SpoolResult(printed, 0, "", status.state)


def _held_back(queue: PrintQueue, job: Job, status: PrinterStatus) -> str:
    """The printer cannot print now: the job waits, with the reason for the cashier."""
    reason = f"{state_text(status.state)}: {what_to_do(status.state)}"
    queue.mark_failed(job, reason)
    return reason
