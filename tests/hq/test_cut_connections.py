"""Four network cuts mid-push no longer lock a register out of HQ (issue 15, operations).

A cut is what a till's link does when a cable is pulled or a router dies: nothing passes any
more, either way, and no FIN or RST reaches HQ. HQ's backends for the till's connections then
stay (the OS's TCP keepalive gives up after ~2 h), each holding one of the role's CONNECTION
LIMIT 8; a push uses push.DEPTH = 2, so four cuts use them all up. The `Cut` link below does
that between the till and the real PostgreSQL (keepalives cannot be shown through it: its own
kernel answers them, so the role's idle_session_timeout is what ends the backends here; made
1 s for the test, 10 min in the field).

Without the role's settings (a role as before migration 0023) four cuts leave eight backends
and the next push is refused (too many connections for role): the issue's failure, shown. With
them, HQ ends the cut connections by itself and the next push gets everything through.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict

from kassa_tui.composition import Till
from kassa_tui.sync import link, push
from tests.test_crash import wait_for

from .pushing import Hq, head, journal_rows, make_hq
from .selling_app import REGISTER

pytestmark = pytest.mark.usefixtures("fast_pins")


#: The protocol's Sync message, the end of each request the till's psycopg sends.
SYNC = b"S\x00\x00\x00\x04"


class Cut:
    """A TCP link to HQ that can be cut as a network is: `cut_at_ingest` lets the next ingest
    call through to HQ (it commits), then every connection open at that moment goes dark —
    nothing forwarded either way, no socket closed — until `close()`. The cut falls between
    two requests (a request half sent is sent whole first: a backend left half way through a
    message is not idle, and that is the keepalives' case, which this link cannot show).
    Connections made after it pass again (the network is back)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.cut_at_ingest = False
        self.cuts = 0
        self._dark: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            for sock in [self._listener, *self._dark]:
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _addr = self._listener.accept()
                server = socket.create_connection(self.target, timeout=10)
            except OSError:
                return
            with self._lock:
                cuts = self.cuts
            threading.Thread(target=self._serve, args=(client, server, cuts), daemon=True).start()

    def _serve(self, client: socket.socket, server: socket.socket, born: int) -> None:
        clean = True  # what went to HQ ends with a whole request (its Sync message)
        try:
            while not self._stop.is_set():
                with self._lock:
                    dark = self.cuts != born
                    if dark and clean:  # cut: both ends kept open and silent
                        self._dark += [client, server]
                        return
                readable, _, _ = select.select([client, server], [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError("closed")
                    if sock is server:
                        if not dark:  # after the cut HQ's answer is lost
                            client.sendall(data)
                        continue
                    server.sendall(data)
                    clean = data.endswith(SYNC)
                    if b"SELECT ingest(" in data and self.cut_at_ingest:
                        with self._lock:
                            self.cut_at_ingest = False
                            self.cuts += 1
        except OSError:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.close()


@pytest.fixture
def hq(hq_dsn: str) -> Hq:
    return make_hq(hq_dsn)


@pytest.fixture
def cut(hq: Hq) -> Iterator[Cut]:
    where = conninfo_to_dict(hq.dsn)
    made = Cut(str(where["host"]), int(str(where["port"])))
    yield made
    made.close()


def backends(hq: Hq, role: str) -> int:
    return int(hq.one("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", role))


def _push(till: Till, settings: Any) -> push.PushResult:
    return push.push(
        till.db,
        REGISTER,
        till.clock,
        lambda: link.connect(settings),
        batch_size=5,  # each call one small message: a cut falls between messages
        timeout=1.0,  # the till's deadline: a cut push gives up after 1 s
    )


def _four_cuts(till: Till, settings: Any, cut: Cut) -> None:
    journal_rows(till, 60)  # 12 batches: both of the push's connections at work
    for n in range(1, 5):
        cut.cut_at_ingest = True
        result = _push(till, settings)
        assert result.status == "error", result
        assert cut.cuts == n


def test_without_the_roles_settings_four_cuts_lock_the_register_out(
    hq: Hq, sync_till: Till, tmp_path: Path, cut: Cut
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path, port=cut.port)
    role = str(conninfo_to_dict(settings.dsn)["user"])
    with hq.connect() as conn:  # a role as it was before migration 0023
        conn.execute(f'ALTER ROLE "{role}" RESET ALL')
    _four_cuts(sync_till, settings, cut)
    assert backends(hq, role) == 8 == 4 * push.DEPTH  # the role's CONNECTION LIMIT, used up
    result = _push(sync_till, settings)
    assert result.status == "error"
    assert "too many connections for role" in result.message, result.message


def test_hq_ends_the_cut_connections_and_the_next_push_gets_through(
    hq: Hq, sync_till: Till, tmp_path: Path, cut: Cut
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path, port=cut.port)
    role = str(conninfo_to_dict(settings.dsn)["user"])
    with hq.connect() as conn:  # the role's own timeout (10 min in the field) made 1 s
        conn.execute(f"ALTER ROLE \"{role}\" SET idle_session_timeout = '1s'")
    _four_cuts(sync_till, settings, cut)
    wait_for(lambda: backends(hq, role) == 0, timeout=15)  # HQ ended them; the link is dark
    result = _push(sync_till, settings)
    assert result.status == "ok", result.message
    assert hq.one("SELECT last_seq FROM register") == head(sync_till) == result.acked_seq
