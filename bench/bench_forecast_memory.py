"""The forecasts' peak memory on the benchmark's year (issue 16, «Speed»: "peak memory of the till
still <= 120 MB"; the Accuracy tab's child process counts as the till's, and `kassa forecast`
runs on the till too).

Each step is a process of its own; its peak is the kernel's (VmHWM, read by the parent as
ru_maxrss of the waited child: nothing is missed). On a COPY of the year (bench_till_memory.py's
workdir: run that first, or give --db; the copy is only read here):

- the Accuracy tab's child, `python -m kassa_tui.insight.accuracy_apart DB LAST 4 nb`
  (insight.chunks: a chunk of products at a time);
- `kassa forecast --json` (the 50 biggest, every product forecast; chunked), the till's clock
  steered to the day after the year's last sale so its 26 weeks hold sales;
- with --whole, the same figures the old way (every product's half year in memory at once:
  accuracy.shop_accuracy_whole, forecast(daily_demand(...))), for the comparison;
- the floor: a Python with numpy that holds the half year's units of the same products as one
  int16 array (the least the data needs), nothing else.

    .venv/bin/python bench/bench_forecast_memory.py [--db PATH] [--whole]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_till import bench_env

WORKDIR = Path("/tmp/kassabench-tillmem")
TARGET_MB = 120.0

WHOLE_ACCURACY = """
import sqlite3, sys
from kassa_tui.insight.accuracy import shop_accuracy_whole
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(shop_accuracy_whole(conn, sys.argv[2], 4).total)
"""
WHOLE_FORECAST = """
import sqlite3, sys
from datetime import date, timedelta
import numpy as np
from kassa_tui.insight.demand import daily_demand
from kassa_tui.insight.forecast import NEW_SALES, forecast
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
last = sys.argv[2]
first = (date.fromisoformat(last) - timedelta(days=181)).isoformat()
result = forecast(daily_demand(conn, first, last, 4, min_sale_days=NEW_SALES), 14)
totals = np.nan_to_num(result.values, nan=-1.0).sum(axis=1)
print(len(result.klass), [result.codes[i] for i in np.argsort(-totals, kind="stable")[:3]])
"""
FLOOR = """
import sqlite3, sys
import numpy as np
n, days = int(sys.argv[1]), int(sys.argv[2])
units = np.ones((n, days), np.int16)
print(units.nbytes)
"""


WRAP = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdin=sys.stdin, stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE, text=True, check=False)
sys.stderr.write(done.stderr[-2000:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""


def run(label: str, argv: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, float]:
    """Seconds and the process's peak (MB): a wrapper of its own reads its child's ru_maxrss
    (the kernel's high-water mark of the resident set, VmHWM), so steps never mix."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAP, *argv],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: {label} failed: {done.stderr[-2000:]}")
    peak = int(done.stdout.split()[-1]) / 1024
    print(f"  {label}: {seconds:.2f} s, VmHWM {peak:.1f} MB", flush=True)
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=WORKDIR / "tui/kassa.db")
    parser.add_argument("--whole", action="store_true", help="also the old whole computation")
    args = parser.parse_args()
    db = args.db
    cfg = db.parent / "kassa.toml"
    workdir = db.parent.parent
    env = bench_env(workdir)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    last_utc = conn.execute("SELECT MAX(completed_utc) FROM sale").fetchone()[0]
    last_day = conn.execute("SELECT MAX(local_date) FROM sale").fetchone()[0]
    conn.close()
    from kassa_tui.insight.chunks import demand_chunks
    from kassa_tui.insight.forecast import NEW_SALES

    first = (datetime.fromisoformat(last_day) - timedelta(days=181)).date().isoformat()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as read:
        n = sum(len(c) for c in demand_chunks(read, first, last_day, 4, NEW_SALES, 5000))
    print(f"  {n} products sold on >= {NEW_SALES} days of {first} to {last_day}", flush=True)
    steer = datetime.strptime(last_utc, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    steer = (steer + timedelta(days=1)).replace(hour=9, minute=0, second=0)
    steered = workdir / "kassa_steered.py"
    if not steered.exists():
        raise SystemExit(f"bench: {steered} missing: run bench_till_memory.py first")
    rows: list[tuple[str, float, float]] = []
    rows.append(
        (
            "floor: numpy + the units as int16",
            *run("floor", [sys.executable, "-c", FLOOR, str(n), "182"], env),
        )
    )
    rows.append(
        (
            "Accuracy tab's child (chunked)",
            *run(
                "accuracy child",
                [
                    sys.executable,
                    "-m",
                    "kassa_tui.insight.accuracy_apart",
                    str(db),
                    last_day,
                    "4",
                    "nb",
                ],
                env,
            ),
        )
    )
    rows.append(
        (
            "kassa forecast --json (chunked)",
            *run(
                "kassa forecast",
                [
                    sys.executable,
                    str(steered),
                    steer.isoformat(),
                    "--config",
                    str(cfg),
                    "forecast",
                    "--json",
                ],
                env,
                "2\n2222\n",
            ),
        )
    )
    if args.whole:
        rows.append(
            (
                "accuracy, whole (before)",
                *run(
                    "accuracy whole", [sys.executable, "-c", WHOLE_ACCURACY, str(db), last_day], env
                ),
            )
        )
        rows.append(
            (
                "forecast, whole (before)",
                *run(
                    "forecast whole", [sys.executable, "-c", WHOLE_FORECAST, str(db), last_day], env
                ),
            )
        )
    print()
    print(
        f"The forecasts on the benchmark's year ({n} products forecast, 182 days),"
        f" load {os.getloadavg()[0]:.1f}; target VmHWM <= {TARGET_MB:g} MB"
    )
    print()
    print("| process | time, s | VmHWM, MB |")
    print("|---|---|---|")
    for label, seconds, peak in rows:
        print(f"| {label} | {seconds:.2f} | {peak:.1f} |")


if __name__ == "__main__":
    main()
