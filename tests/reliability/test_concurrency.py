"""A till sells in one process while the back office runs reports, exports and backups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.shop import REPO, demo_till

DURATION = 22.0  # seconds of back-office commands against the selling till
TECHNICIAN = "9\n9999\n"  # the demo technician's number and PIN, read from stdin
KASSA = [sys.executable, "-m", "kassa_tui"]

SELLER = r"""
import json, sys, time
from pathlib import Path
from devices.printer import MemoryPrinter
from devices.spooler import print_pending
from kassa_tui.config import load
from kassa_tui.composition import open_till

config, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
till = open_till(load(config))
cashier = till.users.sign_in("1", "1111")
print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)
times = {"scan": [], "sale": []}


def timed(kind, action):
    started = time.perf_counter()
    result = action()
    times[kind].append(time.perf_counter() - started)
    return result


print("selling", flush=True)
while not stop.exists():
    timed("scan", lambda: till.baskets.add(cashier, "7020164760728"))
    # Toothpaste, not beer: this till runs on the wall clock, and beer is refused outside the
    # beer hours (after 20:00, on Sundays), whenever the suite happens to run.
    timed("scan", lambda: till.baskets.add(cashier, "7013767908024"))
    assert timed("sale", lambda: till.sales.pay_card(cashier, "")).completed is not None
    print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)
    time.sleep(0.02)
till.db.close()
out.write_text(json.dumps(times))
"""


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KASSA, "--config", str(config), *args],
        input=TECHNICIAN,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_back_office_while_selling(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    demo_till(tmp_path / "shop", language='"en"').db.close()
    config = tmp_path / "shop" / "kassa.toml"
    stop, timings, errors = tmp_path / "stop", tmp_path / "times.json", tmp_path / "seller.err"

    with errors.open("w") as stderr:
        seller = subprocess.Popen(
            [sys.executable, "-c", SELLER, str(config), str(stop), str(timings)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        try:
            assert seller.stdout is not None
            assert seller.stdout.readline().strip() == "selling", errors.read_text()
            runs: list[tuple[str, int, str]] = []
            ends = time.monotonic() + DURATION
            n = 0
            while time.monotonic() < ends:
                n += 1
                commands = [
                    ("report", "x"),
                    ("export", "saft", "--from", "2020-01-01", "--to", "2099-12-31",
                     "--out", str(tmp_path / f"saft-{n}.xml")),
                    ("backup", str(tmp_path / f"backup-{n}.db")),
                ]  # fmt: skip
                for args in commands:
                    done = run(config, *args)
                    runs.append((args[0], done.returncode, done.stdout + done.stderr))
                assert seller.poll() is None, errors.read_text()
        finally:
            stop.touch()
            try:
                seller.wait(timeout=30)
            except subprocess.TimeoutExpired:
                seller.kill()
                seller.wait()
                raise

    seller_err = errors.read_text()
    assert seller.returncode == 0, seller_err
    assert "locked" not in seller_err.lower(), seller_err
    for what, code, output in runs:
        assert code == 0, f"`kassa {what}` failed ({code}): {output}"
        assert "database is locked" not in output.lower(), output
    kinds = {what for what, _, _ in runs}
    assert len(runs) >= 9 and len(kinds) == 3, runs

    times = {kind: sorted(values) for kind, values in json.loads(timings.read_text()).items()}
    assert len(times["sale"]) >= 20, f"only {len(times['sale'])} sales in {DURATION} s"

    def ms(kind: str, q: float) -> float:
        values = times[kind]
        return 1000 * values[round(q * (len(values) - 1))]

    print(
        f"{len(runs)} back-office commands beside {len(times['sale'])} sales:"
        + "".join(
            f" {kind} p50 {ms(kind, 0.5):.1f} / p95 {ms(kind, 0.95):.1f} / p99 {ms(kind, 0.99):.1f}"
            f" / max {ms(kind, 1.0):.1f} ms;"
            for kind in ("scan", "sale")
        )
    )
    # Speed is the benchmark's to measure (bench/, on a quiet machine): a median here moves with
    # whatever else the machine runs (it read 2.4 ms for a scan under a loaded CI box). What this
    # test holds is that nobody waits on a lock: far below the 5 s busy timeout even at p95.
    assert ms("sale", 0.95) <= 200 and ms("scan", 0.95) <= 200, times
    assert len(list(tmp_path.glob("backup-*.db"))) == len(runs) // 3
