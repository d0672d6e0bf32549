"""A loopback cable between kassa and emupos that a test can cut, so a fault lands mid-receipt.

kassa opens one connection per operation (a status question, or a job and its delivery check);
the wire relays each one both ways. Armed with a cut, it acts on the next print job: it forwards
the first `at` bytes and makes sure emupos has taken them (its own DLE EOT question on the
printer's side, answered in order of arrival and kept from kassa), then either runs the test's
callback (which sets a fault through emupos's API) and forwards the rest, or pulls the cable:
both connections dropped, the rest of the receipt never sent.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

DLE_EOT_PRINTER = b"\x10\x04\x01"  # a real-time status question: answered at once, in order
TIMEOUT = 5.0  # seconds for emupos to accept or to answer; a loopback needs milliseconds


@dataclass
class Cut:
    """Where the next print job is cut, and what happens there (None: the cable is pulled).

    `at` is a byte offset, or text the cut follows. It must fall inside the job's bytes (its own
    delivery check follows them on the same connection) and between two commands, e.g. in a
    line of text: the wire's status question inside a command's parameters would be taken as
    parameters, and never answered.
    """

    at: int | bytes
    then: Callable[[], None] | None
    done: threading.Event = field(default_factory=threading.Event)

    def offset(self, job: bytes) -> int | None:
        """Where in the job's bytes so far the cut falls; None while that is not known yet."""
        if isinstance(self.at, int):
            return self.at
        found = job.find(self.at)
        return None if found < 0 else found + len(self.at)


class Wire:
    """Listens on a loopback port of its own and relays every connection to emupos."""

    def __init__(self, printer_port: int) -> None:
        self.printer_port = printer_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.armed: list[Cut] = []
        self.open: set[socket.socket] = set()
        self.relays: list[threading.Thread] = []
        self.failures: list[BaseException] = []
        self.lock = threading.Lock()
        self.jobs = 0  # print jobs relayed (connections that were not status questions)
        self.accepting = threading.Thread(target=self._accept, name="wire-accept", daemon=True)

    def __enter__(self) -> Wire:
        self.accepting.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
        if self.failures and error is None:
            raise self.failures[0]

    def cut_next_job(self, at: int | bytes, then: Callable[[], None]) -> Cut:
        """After `at` bytes of the next print job are in the printer, run `then`, send the rest."""
        return self._arm(Cut(at, then))

    def pull_cable_in_next_job(self, at: int | bytes) -> Cut:
        """Send `at` bytes of the next print job, then drop both connections."""
        return self._arm(Cut(at, None))

    def _arm(self, cut: Cut) -> Cut:
        with self.lock:
            self.armed.append(cut)
        return cut

    def close(self) -> None:
        _shut(self.listener)  # wakes the blocked accept()
        self.listener.close()
        with self.lock:
            for sock in self.open:
                _shut(sock)
        self.accepting.join(TIMEOUT)
        for relay in self.relays:
            relay.join(TIMEOUT)

    def _accept(self) -> None:
        while True:
            try:
                kassa, _address = self.listener.accept()
            except OSError:
                return  # closed
            relay = threading.Thread(target=self._relay, args=(kassa,), daemon=True)
            self.relays.append(relay)
            relay.start()

    def _relay(self, kassa: socket.socket) -> None:
        try:
            printer = socket.create_connection(("127.0.0.1", self.printer_port), timeout=TIMEOUT)
        except OSError:
            kassa.close()  # kassa sees the connection drop before anything went out
            return
        with self.lock:
            self.open |= {kassa, printer}
        try:
            self._pump(kassa, printer)
        except OSError:
            pass  # kassa or emupos went away; the wire goes with them
        except BaseException as exc:  # a failing callback must reach the test, not vanish
            self.failures.append(exc)
        finally:
            with self.lock:
                self.open -= {kassa, printer}
            kassa.close()
            printer.close()

    def _pump(self, kassa: socket.socket, printer: socket.socket) -> None:
        """Bytes both ways until either side closes; a cut acts inside kassa's stream."""
        ends = selectors.DefaultSelector()
        ends.register(kassa, selectors.EVENT_READ, printer)
        ends.register(printer, selectors.EVENT_READ, kassa)
        cut: Cut | None = None
        job, sent = bytearray(), 0
        while True:
            for key, _events in ends.select():
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                target: socket.socket = key.data
                data = source.recv(65536)
                if not data:
                    return
                if source is kassa:
                    if not job and not data.startswith(DLE_EOT_PRINTER[:2]):  # not a question
                        cut = self._next_cut()
                    job += data
                at = cut.offset(job) if source is kassa and cut is not None else None
                if cut is not None and at is not None and sent + len(data) > at:
                    head, data = data[: at - sent], data[at - sent :]
                    printer.sendall(head)
                    sent += len(head)
                    if cut.then is None:
                        cut.done.set()
                        return  # the cable is out: both ends close
                    _confirm(printer)
                    cut.then()
                    cut.done.set()
                    cut = None
                if source is kassa:
                    sent += len(data)
                target.sendall(data)

    def _next_cut(self) -> Cut | None:
        with self.lock:
            self.jobs += 1
            return self.armed.pop(0) if self.armed else None


def _confirm(printer: socket.socket) -> None:
    """emupos has processed every byte sent so far: it answered a question sent after them."""
    try:
        printer.sendall(DLE_EOT_PRINTER)
        answer = printer.recv(1)
    except OSError as exc:
        raise AssertionError(f"emupos did not answer the wire's status question: {exc}") from exc
    if len(answer) != 1:
        raise AssertionError("emupos closed the connection instead of answering")


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)
