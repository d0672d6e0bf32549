"""The running till's push to HQ, in an OS process of its own (issue 15).

The push reads the journal, hashes every row and builds HQ's JSON: Python work that, in a
thread of the till's own interpreter, held the interpreter lock (GIL) while the cashier's scan
waited to come back from SQLite (scan p99 2.6–5.9 ms without a push, 6.6–8.6 ms with one). So
the App starts this module as a child process (`python -m kassa_tui.sync.child`) and the till's
interpreter does nothing of the push:

- the App (`SyncChild`, parent side) starts the child once, writes it the till's settings on its
  first stdin line (the Config, the clock, the UI language), then a line `push N` when it wants
  a round at once (at start; `KassaApp.push_to_hq`), and `idle 1` / `idle 0` when the till
  turns idle (the basket empty, no key or scan for [hq] idle_seconds) or busy (a key or scan);
- the child (`main`) takes the register's sender lock (kassa_tui.sync.sender: only one sender
  per register; while `kassa sync` holds it the child pushes nothing and tries again each
  round), then does a round (kassa_tui.sync.status.sync_round: push, then the catalog) when
  asked and every [hq] interval_seconds, and answers each round with one stdout line
  `{"n": N, "healthy": true, "catalog": R}` (N: the last request the round covers; R: a
  large catalog revision fetched and waiting for the till to be idle, 0 when none: it is
  applied while idle and given up the moment the till is busy, kassa_tui.sync.large); while
  the till is busy a backlog drains gently (kassa_tui.sync.push: BUSY_BATCH, BUSY_PAUSE_S);
- the App's reader thread (blocked on the pipe, holding no lock while it waits) reads the state
  the round left in SQLite (sync_cursor and the journal's head: `status.header`) and hands the
  header's text to the UI thread: the same texts and alerts as before.

The child ends with the App: the App closes the child's stdin when it stops; when the App is
killed (kill -9, a crash) the kernel closes that pipe, the child reads end of file and exits
(within GRACE_SECONDS even in the middle of a round: a push stopped half way is safe, the cursor
follows what HQ returned and HQ skips what it already has).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO

from kassa_tui.config import Config
from kassa_tui.core.clock import Clock

log = logging.getLogger("kassa.sync")

#: Seconds the child may take to finish its round once the App is gone, before it exits anyway.
GRACE_SECONDS = 2.0
#: The child's CPU niceness: on the till's two cores the cashier's process goes first.
NICE = 10


def lower_priority() -> None:
    """This process at NICE (a sync process's first step). Its CPU-heavy part, the push's
    reader, runs in the kernel's idle class besides (kassa_tui.sync.push: `idle_thread`); the
    thread that writes SQLite does not: a writer at idle priority holding the database's write
    lock could keep the cashier's scan waiting for as long as every core has other work, and an
    unprivileged process cannot leave the idle class again."""
    with contextlib.suppress(OSError):
        os.nice(NICE - os.nice(0))


# -- the App's side ------------------------------------------------------------------------------


def _clock_for_child(clock: Clock) -> Clock | None:
    """The till's clock as the child can have it: None (the system clock, in the child) for
    the plain system clock; a copy of an injected one (a test's) when it pickles."""
    if type(clock) is Clock:
        return None
    try:
        pickle.dumps(clock)
    except Exception:
        return None
    return clock


class SyncChild:
    """The App's handle on its sync child: start, ask for a round, wait for it, stop."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        language: str,
        on_round: Callable[[int, bool], None],
    ) -> None:
        self._setup = (config, _clock_for_child(clock), language)
        self._on_round = on_round
        self._process: subprocess.Popen[bytes] | None = None
        self._changed = threading.Condition()
        self._asked = 0
        self._answered = 0
        self._write = threading.Lock()
        self._idle = False  # what the child was last told
        self.catalog_waiting = 0  # a large catalog revision waiting for an idle moment (0: none)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        paths = [p for p in sys.path if p and os.path.isdir(p)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "kassa_tui.sync.child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the child logs to kassa.toml's log file
            close_fds=True,
            env=env,
        )
        assert self._process.stdin is not None
        self._process.stdin.write(base64.b64encode(pickle.dumps(self._setup)) + b"\n")
        self._process.stdin.flush()
        threading.Thread(target=self._listen, name="kassa-sync-child", daemon=True).start()

    def ask(self) -> int:
        """Ask for a round now; the number to `wait` for."""
        with self._write:
            self._asked += 1
            asked = self._asked
            process = self._process
            if process is None or process.stdin is None:
                return asked
            with contextlib.suppress(OSError, ValueError):
                process.stdin.write(f"push {asked}\n".encode("ascii"))
                process.stdin.flush()
        return asked

    def tell_idle(self, idle: bool) -> None:
        """Tell the child the till turned idle (it may apply a large catalog revision) or busy
        (it must not; one under way is rolled back). Writes only when it changes."""
        with self._write:
            process = self._process
            if idle == self._idle or process is None or process.stdin is None:
                return
            self._idle = idle
            with contextlib.suppress(OSError, ValueError):
                process.stdin.write(b"idle 1\n" if idle else b"idle 0\n")
                process.stdin.flush()

    def wait(self, asked: int, still: Callable[[], bool] = lambda: True) -> bool:
        """Until the round covering request `asked` is answered (True), or the child is gone
        or `still()` turns False (False)."""
        with self._changed:
            while self._answered < asked:
                if not self.alive or not still():
                    return False
                self._changed.wait(0.25)
        return True

    def _listen(self) -> None:  # the reader thread: blocked on the pipe between rounds
        process = self._process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            try:
                answer = json.loads(line)
                n, healthy = int(answer["n"]), bool(answer["healthy"])
                self.catalog_waiting = int(answer.get("catalog", 0))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            try:
                self._on_round(n, healthy)
            except Exception:
                log.exception("sync: the round's answer could not be shown")
            with self._changed:
                self._answered = max(self._answered, n)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def stop(self, timeout: float = GRACE_SECONDS + 1.0) -> None:
        """Close the child's stdin (it exits after its round), then end it if it lingers."""
        process = self._process
        if process is None:
            return
        with self._write, contextlib.suppress(OSError, ValueError):
            if process.stdin is not None:
                process.stdin.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        with contextlib.suppress(OSError, ValueError):
            if process.stdout is not None:
                process.stdout.close()


# -- the child's side ------------------------------------------------------------------------------

_EOF = -1
_IDLE = -2  # the till turned idle: a large catalog revision may be applied now


def _listen(
    source: IO[bytes], requests: queue.Queue[int], idle: threading.Event | None = None
) -> None:
    """stdin's `push N` lines into `requests`, `idle 1|0` into `idle` (busy at once, even in
    the middle of an apply; idle also wakes the main loop: `_IDLE`); at end of file (the App
    stopped or was killed) `_EOF`, and the process ends after GRACE_SECONDS if the round in
    hand has not."""
    for line in source:
        words = line.split()
        if len(words) == 2 and words[0] == b"push" and words[1].isdigit():
            requests.put(int(words[1]))
        elif len(words) == 2 and words[0] == b"idle" and idle is not None:
            if words[1] == b"1":
                idle.set()
                requests.put(_IDLE)
            else:
                idle.clear()
    if idle is not None:  # the App is gone: an apply under way stops (rolled back) at once
        idle.clear()
    requests.put(_EOF)
    time.sleep(GRACE_SECONDS)
    os._exit(0)


def _answer(out: IO[bytes], n: int, healthy: bool, catalog: int = 0) -> None:
    answer = {"n": n, "healthy": healthy, "catalog": catalog}
    out.write(json.dumps(answer).encode("ascii") + b"\n")
    out.flush()


def _setup_logging(config: Config) -> None:
    """Into kassa.toml's log file, as the App logs (created 0600): never onto the terminal."""
    from kassa_tui.core.files import open_append

    with contextlib.suppress(OSError):
        config.log_file.parent.mkdir(parents=True, exist_ok=True)
        stream = os.fdopen(open_append(config.log_file), "a", encoding="utf-8")
        handler = logging.StreamHandler(stream)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s[child]: %(message)s")
        )
        logging.basicConfig(handlers=[handler], level=logging.INFO, force=True)


def main() -> None:
    from kassa_tui.core import i18n
    from kassa_tui.sync import link
    from kassa_tui.sync.large import Waiting
    from kassa_tui.sync.sender import SenderLock
    from kassa_tui.sync.status import sync_round

    # Ctrl+C and the terminal's hangup are the App's: the child follows the App through its
    # pipe (below), whatever ends the App, with a terminal or without one
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    source, out = sys.stdin.buffer, sys.stdout.buffer
    first = source.readline()
    if not first:
        return
    config, clock, language = pickle.loads(base64.b64decode(first))
    settings = config.hq
    if settings is None:
        return
    clock = clock or Clock()
    lower_priority()
    i18n.set_language(language)
    _setup_logging(config)
    parent = os.getppid()
    requests: queue.Queue[int] = queue.Queue()
    idle = threading.Event()  # set while the App says the till is idle
    threading.Thread(target=_listen, args=(source, requests, idle), daemon=True).start()
    waiting = Waiting(config, clock, idle)  # a large catalog revision (kassa_tui.sync.large)
    lock = SenderLock(config.database)
    asked = 0
    due = time.monotonic()  # rounds at start, then every interval (and when asked)
    told = False
    while True:
        try:
            got = requests.get(timeout=max(0.0, min(1.0, due - time.monotonic())))
        except queue.Empty:
            if os.getppid() != parent:
                return  # the App is gone (its pipe's end not seen yet)
            if time.monotonic() < due:
                continue
            got = asked
        if got == _EOF:
            return
        if got == _IDLE:  # only the large revision, if one is fetched: no round
            if waiting.prepared is not None and lock.acquire() and waiting.apply() is not None:
                with contextlib.suppress(OSError, ValueError):
                    _answer(out, asked, True, waiting.revision)
            continue
        asked = max(asked, got)
        while not requests.empty():  # requests that came meanwhile: this round covers them
            more = requests.get_nowait()
            if more == _EOF:
                return
            asked = max(asked, more)
        if lock.acquire():
            told = False
            healthy = sync_round(config, clock, idle)
            if healthy:  # then a large catalog revision: fetched now, applied while idle
                waiting.prepare(lambda: link.connect(settings))
                waiting.apply()
        else:  # `kassa sync` pushes for this register: it leaves its state in SQLite
            if not told:
                log.warning(
                    "sync: another sender (pid %s) pushes register %s; this till's child waits",
                    lock.holder(),
                    config.register_id,
                )
                told = True
            healthy = True
        due = time.monotonic() + settings.interval_seconds
        try:
            _answer(out, asked, healthy, waiting.revision)
        except (OSError, ValueError):
            return  # the App's end of the pipe is closed: it is gone


def _run() -> None:
    try:
        main()
    except Exception:
        log.exception("sync child failed")
        sys.exit(1)


if __name__ == "__main__":
    _run()
