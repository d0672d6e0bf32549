"""The spooler when the printer stops mid-receipt or its connection breaks while a job goes out."""

from __future__ import annotations

import socket
import threading

import pytest

from devices.printer import (
    DeliveryUnknown,
    EscposPrinter,
    MemoryPrinter,
    PrinterError,
    PrinterStatus,
)
from devices.spooler import print_pending
from kassa_tui.composition import Till
from kassa_tui.config import PrinterSettings
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.records.spooling import finishes_when

from .conftest import ROMME, SteeredTime, count
from .test_receipts import printed, sell

PAPER_OUT = PrinterStatus(online=False, paper="out", cover_open=False)


def test_a_job_taken_before_paper_ran_out_counts_as_printed_and_the_next_waits(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    first = sell(till, cashier, cash=False)
    time.advance(2)  # the next customer, before the printer took the first receipt
    second = sell(till, cashier, cash=False)
    printer = MemoryPrinter()
    printer.stops_with = PAPER_OUT  # the roll ends while the first receipt goes out
    result = print_pending(till.print_queue, printer, till.config.printer)
    assert (result.printed, result.waiting, result.state) == (1, 1, "paper-out")
    assert result.notice == finishes_when("paper-out")
    assert result.notice.startswith("Paper out: the receipt finishes printing")
    assert printer.jobs == [printed(till, first)]  # the printer finishes it: never sent again
    assert [job.id for job in till.print_queue.pending()] == [second.id]
    assert till.print_queue.holding_up_sales() is not None

    printer.reported = PrinterStatus(online=True, paper="ok", cover_open=False)
    assert print_pending(till.print_queue, printer, till.config.printer).printed == 1
    assert printer.jobs == [printed(till, first), printed(till, second)]


def test_a_broken_connection_mid_job_waits_for_a_person_and_holds_up_the_rest(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    first = sell(till, cashier, cash=True)
    printer = MemoryPrinter()
    printer.breaks_with = "network 10.0.0.5:9100: [Errno 104] Connection reset by peer"
    result = print_pending(till.print_queue, printer, till.config.printer)
    assert result.unsure and (result.printed, result.waiting) == (0, 1)
    assert "Receipt 1 may have printed" in result.error
    assert [job.id for job in till.print_queue.uncertain()] == [first.id]
    assert till.print_queue.pending() == []
    assert count(till.db, "journal", "basic_id = 'PRINTFAIL'") == 1
    assert count(till.db, "journal", "basic_id = 'DRAWOPEN'") == 0  # not known to have opened
    with pytest.raises(Refused):
        till.baskets.add(cashier, ROMME)  # § 2-6: the receipt has not surely printed

    printer.breaks_with = None  # the cable is back, but nobody has looked at the paper yet
    assert print_pending(till.print_queue, printer, till.config.printer).unsure
    assert printer.jobs == []  # never resent by itself

    [job] = till.print_queue.uncertain()
    till.print_queue.resolve_uncertain(job, printed=False, user=cashier.number)
    assert print_pending(till.print_queue, printer, till.config.printer).printed == 1
    assert printer.jobs == [printed(till, first)]
    assert till.print_queue.uncertain() == till.print_queue.pending() == []
    time.advance(2)
    sell(till, cashier, cash=False)  # the next sale may start again


# -- the network printer: what a broken connection means ---------------------------------------


def network(port: int) -> EscposPrinter:
    return EscposPrinter(PrinterSettings(type="network", host="127.0.0.1", port=port, timeout=1.0))


def test_a_refused_connection_sent_nothing() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again below: nobody listens there
    with pytest.raises(PrinterError) as refused:
        network(port).send(b"Kvittering nr 1\n")
    assert not isinstance(refused.value, DeliveryUnknown)
    assert "connection refused" in str(refused.value)


def test_a_connection_that_closes_after_taking_bytes_leaves_the_job_unknown() -> None:
    """A cable pulled mid-receipt: the bytes went out, no answer to the delivery check."""
    taken = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def take_and_hang_up() -> None:
            conn, _ = listener.accept()
            with conn:
                taken.extend(conn.recv(16))

        printer_side = threading.Thread(target=take_and_hang_up)
        printer_side.start()
        with pytest.raises(DeliveryUnknown):
            network(listener.getsockname()[1]).send(b"Kvittering nr 1\n")
        printer_side.join(5)
    assert taken.startswith(b"Kvittering nr 1")
