"""What work beside the till does to a durable commit's tail on this machine (issue 15).

    python bench/bench_commit_tail.py [--commits 400] [--rounds 3]

bench_hq.py found the scan -> line p99 at 6-8 ms while a push drains against 1-3 ms without,
and the raw durable commit beside it (its Floor: raw sqlite3, BEGIN IMMEDIATE, two rows,
COMMIT with fsync) rising just as much, even with HQ in the kernel's idle scheduling class.
This asks the question without kassa, HQ or the network: the same raw commit, spaced as a
cashier's scans, with nothing beside it, then with two CPU-bound loops beside it in the idle
class (they run only when a core has nothing else to do), at nice 19 and at nice 0. Rounds
interleave the four, so a machine whose speed moves within minutes moves them all.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_hq import Floor
from benchlib import percentile

BESIDE = {
    "nothing": None,
    "2 loops, idle class": "idle",
    "2 loops, nice 19": "nice19",
    "2 loops, nice 0": "nice0",
    "loopback TCP, 300 KB messages, idle class": "loopback",
    "a reader of the same file (idle class), a write every 0.5 s": "reader",
}
MESSAGE = b"x" * 300_000  # about a push batch's body


def _loop(how: str) -> None:
    """A core kept busy at the given priority."""
    if how == "idle":
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif how == "nice19":
        os.nice(19)
    while True:
        pass


def _loopback(port: int) -> None:
    """Sends push-sized messages over loopback as fast as the other side takes them, each
    answered by a short reply (as ingest answers), in the idle class: the network, not the CPU."""
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    with socket.create_connection(("127.0.0.1", port)) as link, contextlib.suppress(OSError):
        while True:  # until the other side is stopped
            link.sendall(MESSAGE)
            link.recv(64)


def _loopback_hq(server: socket.socket) -> None:
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    link, _address = server.accept()
    with link:
        while True:
            got = 0
            while got < len(MESSAGE):
                chunk = link.recv(1 << 20)
                if not chunk:
                    return
                got += len(chunk)
            link.sendall(b"ok")


def _reader(path: str) -> None:
    """The push's SQLite side without the network: the journal read in 500-row batches in the
    idle class, the cursor's row written every 0.5 s (each a durable commit)."""
    import sqlite3

    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("CREATE TABLE IF NOT EXISTS bench_cursor (k INTEGER PRIMARY KEY, v INTEGER)")
    written, after = time.monotonic(), 0
    while True:
        rows = conn.execute(
            "SELECT * FROM bench_floor_journal WHERE seq > ? ORDER BY seq LIMIT 500", (after,)
        ).fetchall()
        after = rows[-1][0] if len(rows) == 500 else 0
        if time.monotonic() - written >= 0.5:
            conn.execute("INSERT OR REPLACE INTO bench_cursor VALUES (1, ?)", (after,))
            written = time.monotonic()


def _beside(spawn: Any, how: str | None, path: Path) -> list[Any]:
    """The processes one case runs beside the commits (not started yet)."""
    if how is None:
        return []
    if how == "loopback":
        server = socket.create_server(("127.0.0.1", 0))
        port = server.getsockname()[1]
        return [
            spawn.Process(target=_loopback_hq, args=(server,)),
            spawn.Process(target=_loopback, args=(port,)),
        ]
    if how == "reader":
        return [spawn.Process(target=_reader, args=(str(path),))]
    return [spawn.Process(target=_loop, args=(how,)) for _ in range(2)]


def _commits(floor: Floor, n: int) -> list[float]:
    took = []
    for i in range(n):
        took.append(floor.scan(f"{i:013d}"))
        time.sleep(0.002)  # as bench_hq's scans: a scan, its floor, a short pause
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=400, help="commits per case and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    took: dict[str, list[float]] = {case: [] for case in BESIDE}
    with tempfile.TemporaryDirectory(prefix="kassa-bench-tail-") as folder:  # as bench_hq's till
        path = Path(folder) / "floor.db"
        floor = Floor(path)
        _commits(floor, 50)  # warm up
        for _round in range(args.rounds):
            for case, how in BESIDE.items():
                loops = _beside(spawn, how, path)
                for loop in loops:
                    loop.start()
                time.sleep(0.3 if loops else 0)
                try:
                    took[case] += _commits(floor, args.commits)
                finally:
                    for loop in loops:
                        loop.terminate()
                        loop.join()
        floor.conn.close()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the end\n")
    print("| beside the commits | n | p50 ms | p95 ms | p99 ms | commits > 2 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for case in BESIDE:
        values = took[case]
        print(
            f"| {case} | {len(values)} | {percentile(values, 50):.2f} |"
            f" {percentile(values, 95):.2f} | {percentile(values, 99):.2f} |"
            f" {sum(v > 2 for v in values)} |"
        )


if __name__ == "__main__":
    main()
