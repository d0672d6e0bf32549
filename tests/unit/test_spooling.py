"""The print queue's state machine on its own: the domain's `drain`, without any device code.

The printer here is the domain's Printer protocol filled in by the test (the one boundary a fake
may stand in for); the queue, the journal and the database are the till's own.
"""

from __future__ import annotations

import json

from kassa_tui.composition import Till
from kassa_tui.people.person import Person
from kassa_tui.records.journal import JournalRow
from kassa_tui.records.printqueue import Job
from kassa_tui.records.spooling import (
    DeliveryUnknown,
    PrinterStatus,
    SpoolResult,
    drain,
    finishes_when,
    may_have_printed,
)

from .conftest import ROMME, SteeredTime, count

OK = PrinterStatus(online=True, paper="ok", cover_open=False)
PAPER_OUT = PrinterStatus(online=False, paper="out", cover_open=False)


class Printer:
    """Says what the test tells it to, and keeps what it was sent."""

    def __init__(self) -> None:
        self.reported = OK
        self.after_send: PrinterStatus | None = None  # a fault that strikes as it takes a job
        self.breaks: str | None = None  # the connection breaks while the job goes out
        self.sent: list[bytes] = []

    def status(self) -> PrinterStatus:
        return self.reported

    def send(self, data: bytes) -> PrinterStatus:
        if self.breaks:
            raise DeliveryUnknown(self.breaks)
        self.sent.append(data)
        if self.after_send is not None:
            self.reported, self.after_send = self.after_send, None
        return self.reported


def render(job: Job) -> bytes:
    return f"job {job.id}".encode() + (b" kick" if job.kick_drawer else b"")


class Kicks:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def sell(till: Till, person: Person, *, cash: bool) -> Job:
    """One Rømme, paid cash (the drawer is kicked) or by card; its queued print job."""
    till.baskets.add(person, ROMME)
    if cash:
        assert till.sales.pay_cash(person, "100").completed
    else:
        assert till.sales.pay_card(person, "").completed
    return till.print_queue.pending()[-1]


def status_of(till: Till, job: Job) -> tuple[str, int, str]:
    row = till.db.execute_sql(
        "SELECT status, attempts, last_error FROM print_job WHERE id = ?", (job.id,)
    ).fetchone()
    return (row[0], row[1], row[2])


def print_rows(till: Till) -> list[tuple[str, dict[str, object]]]:
    """The journal's rows about printing: event name and what it says."""
    printing = ("RECEIPT", "DRAWOPEN", "PRINTFAIL")
    rows: list[JournalRow] = till.journal.rows()
    return [(r.basic_id, json.loads(r.text)) for r in rows if r.basic_id in printing]


def test_a_job_prints_is_journaled_and_the_drawer_is_told(till: Till, cashier: Person) -> None:
    job = sell(till, cashier, cash=True)
    printer, kicks = Printer(), Kicks()
    result = drain(till.print_queue, printer, render, kicks)
    assert result == SpoolResult(printed=1, waiting=0, error="", state="ok")
    assert printer.sent == [f"job {job.id} kick".encode()]
    assert kicks.count == 1
    assert status_of(till, job) == ("printed", 1, "")
    assert print_rows(till) == [("RECEIPT", {"job": job.id}), ("DRAWOPEN", {"job": job.id})]

    assert drain(till.print_queue, printer, render, kicks) == SpoolResult(0, 0)
    assert len(printer.sent) == 1 and kicks.count == 1  # never twice


def test_paper_out_holds_the_job_back_and_sends_nothing(till: Till, cashier: Person) -> None:
    job = sell(till, cashier, cash=True)
    printer, kicks = Printer(), Kicks()
    printer.reported = PAPER_OUT
    result = drain(till.print_queue, printer, render, kicks)
    reason = "Paper out: Put in a new paper roll."
    assert result == SpoolResult(printed=0, waiting=1, error=reason, state="paper-out")
    assert printer.sent == [] and kicks.count == 0
    assert [j.id for j in till.print_queue.pending()] == [job.id]
    assert status_of(till, job) == ("queued", 1, reason)
    assert print_rows(till) == [("PRINTFAIL", {"job": job.id, "error": reason})]

    drain(till.print_queue, printer, render, kicks)  # still out: the same reason, no new row
    assert count(till.db, "journal", "basic_id = 'PRINTFAIL'") == 1

    printer.reported = OK
    assert drain(till.print_queue, printer, render, kicks).printed == 1
    assert status_of(till, job) == ("printed", 3, "")  # two held back, one sent
    assert kicks.count == 1


def test_a_delivery_unknown_leaves_the_job_uncertain_and_nothing_more_prints(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    first = sell(till, cashier, cash=True)
    printer, kicks = Printer(), Kicks()
    printer.breaks = "network 10.0.0.5:9100: connection reset"
    result = drain(till.print_queue, printer, render, kicks)
    assert result == SpoolResult(0, 1, may_have_printed(first), "offline", unsure=True)
    assert [j.id for j in till.print_queue.uncertain()] == [first.id]
    assert till.print_queue.pending() == []
    assert status_of(till, first) == ("sending", 1, printer.breaks)
    assert print_rows(till) == [("PRINTFAIL", {"job": first.id, "error": printer.breaks})]
    assert kicks.count == 0  # not known to have opened

    time.advance(2)
    assert till.print_queue.holding_up_sales() is not None
    printer.breaks = None  # the connection is back, but nobody has looked at the paper
    result = drain(till.print_queue, printer, render, kicks)
    assert result.unsure and result.printed == 0
    assert result.error == may_have_printed(first)
    assert printer.sent == [] and kicks.count == 0
    assert status_of(till, first)[0] == "sending"


def test_a_fault_after_delivery_counts_as_printed_with_a_notice(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    first = sell(till, cashier, cash=True)
    time.advance(2)  # the next customer, before the printer took the first receipt
    second = sell(till, cashier, cash=False)
    printer, kicks = Printer(), Kicks()
    printer.after_send = PAPER_OUT  # the roll ends as the first receipt goes out
    result = drain(till.print_queue, printer, render, kicks)
    reason = "Paper out: Put in a new paper roll."
    notice = finishes_when("paper-out")
    assert result == SpoolResult(1, 1, reason, "paper-out", notice=notice)
    assert printer.sent == [f"job {first.id} kick".encode()]  # the second is not sent
    assert kicks.count == 1
    assert status_of(till, first) == ("printed", 1, "")
    assert status_of(till, second) == ("queued", 1, reason)
    assert print_rows(till) == [
        ("RECEIPT", {"job": first.id}),
        ("DRAWOPEN", {"job": first.id}),
        ("PRINTFAIL", {"job": second.id, "error": reason}),
    ]
