"""A small TCP fault proxy between a till and PostgreSQL, for the push tests.

Listens on 127.0.0.1 at a free port and forwards to the server. `mode` says what it does to
the next connections (switch it at any time):

- "pass": forwards both ways;
- "drop": accepts and closes at once (the network is down);
- "delay": forwards, each chunk `delay` seconds late;
- "cut": forwards until the client sends the ingest call, then closes both sides before the
  server sees it (the request is lost: HQ never committed);
- "eat": forwards the ingest call, lets the server answer, throws the answer away and closes
  (HQ committed, the till never hears it: a lost acknowledgement);
- "hang": like "eat" but keeps the connection open and silent (only a client deadline helps).

The proxy looks at the plain-text protocol (the tests connect with sslmode=disable) for the
word `ingest` in what the client sends. `eaten` counts the answers thrown away.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = "pass"
        self.delay = 0.0
        self.eaten = 0
        self.cut = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                readable, _, _ = select.select([self._listener], [], [], 0.1)
                if not readable:
                    continue
                client, _addr = self._listener.accept()
            except OSError:
                return
            mode = self.mode
            if mode == "drop":
                client.close()
                continue
            threading.Thread(target=self._serve, args=(client, mode), daemon=True).start()

    def _serve(self, client: socket.socket, mode: str) -> None:
        try:
            server = socket.create_connection(self.target, timeout=10)
        except OSError:
            client.close()
            return
        server.settimeout(None)
        asked = False  # the client has sent the ingest call
        try:
            while not self._stop.is_set():
                readable, _, _ = select.select([client, server], [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if self.delay and mode == "delay":
                        time.sleep(self.delay)
                    if sock is client:
                        if b"SELECT ingest(" in data and mode in ("cut", "eat", "hang"):
                            if mode == "cut":
                                with self._lock:
                                    self.cut += 1
                                return
                            asked = True
                        server.sendall(data)
                    else:
                        if asked and mode in ("eat", "hang"):
                            with self._lock:
                                self.eaten += 1
                            if mode == "eat":
                                return
                            self._silent(client, server)
                            return
                        client.sendall(data)
        except OSError:
            return
        finally:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.close()

    def _silent(self, client: socket.socket, server: socket.socket) -> None:
        """Keep the connection open and say nothing until the client gives up."""
        while not self._stop.is_set():
            readable, _, _ = select.select([client, server], [], [], 0.1)
            for sock in readable:
                try:
                    if not sock.recv(65536):
                        return
                except OSError:
                    return
