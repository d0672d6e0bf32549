"""The till's memory with the insight screen open, on the benchmark's year (issue 16, «Speed»:
"peak memory of the till still <= 120 MB" with the insight tabs on the year of 200,000 products).

The real `kassa` TUI runs in tmux (80x24) on a COPY of the year's database (bench/results/
year-200k.db is only read: copied with cp, its signing key beside it). The shift lead signs in,
opens the insight screen (Ctrl+E 4) and visits each tab in turn, waiting for its figures:
Sales (read on opening), Products (F4), Together (F5, 90 days), Accuracy (F11),
Reorder (F10; one supplier of the 2,000 products sold most in the last 90 days, made here in the
copy the way bench_reorder.py makes it, lead 2 + review 7 days), Members (F12). After each tab
the till's VmRSS and VmHWM (the kernel's peak of the resident set, so nothing between two reads
is missed) are read from /proc/PID/status. The Accuracy tab's forecasts run in a child process
(kassa_tui.insight.accuracy_apart) started when the screen opens: its VmHWM is polled every 50 ms
while a tab is awaited and shown beside that step (the last 50 ms before it ends may be missed);
so are the Sales/Products read's, the Together tab's pair count's and the Reorder tab's
proposal's children (kassa_tui.insight.apart), and each kind's peak over the whole run.
The floor, in the same run: a bare Textual app that draws one label (bench_till.py's), its
VmRSS/VmHWM after 0.5 s.

The till's clock is steered to the day after the year's last sale (10:00 local, then running),
so the tabs' windows (90 days, the Accuracy tab's last four weeks, the Reorder tab's half year)
hold sales; on the wall clock of a later date they would be partly empty and measure less.

Not measured: the Together tab's 365 days. F10 on that tab opens the Reorder tab (the screen's
F10 binding has priority over the pane's), so a user cannot reach them either (2026-12-04).

The panes' workers start when the screen opens (their on_mount), not when their tab is shown:
a tab's time is what is left to wait when its key is pressed after the one before it finished.
Times are wall clock from the key to the tab's words on the pane (polled every 50 ms): other
work on the machine slows them; the memory figures do not depend on load.

    .venv/bin/python bench/bench_till_memory.py [--year-db PATH] [--workdir DIR] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_till import BARE_APP, BARE_MARKER, RSS_MB, bench_env, kassa_command, make_shop, mb
from tui_probe import ProbeError, Tmux, memory_kib

REPO = Path(__file__).resolve().parent.parent
#: The insight screen's child processes (kassa_tui.insight.apart names its target in its
#: command line): what to look for, and the column.
CHILDREN = (
    ("accuracy_apart", "Accuracy"),
    ("figures_apart", "figures"),
    ("pairs:report_at", "Together"),
    ("suggest:suggest_at", "Reorder"),
)
SUPPLIER_PRODUCTS = 2000
STEER = '''\
"""kassa with its clock steered: argv[1] is the UTC start (ISO); the clock runs from there."""
import sys
import time
from datetime import datetime, timedelta

import kassa_tui.core.clock as clock

start = datetime.fromisoformat(sys.argv.pop(1))
t0 = time.monotonic()
_init = clock.Clock.__init__


def _steered(self, source=None):
    _init(self, source or (lambda: start + timedelta(seconds=time.monotonic() - t0)))


clock.Clock.__init__ = _steered
from kassa_tui.cli import main  # noqa: E402

sys.argv[0] = "kassa"
main()
'''


def prefix(template: str, **known: object) -> str:
    """The words a finished tab shows: the translated template up to its first unknown field."""
    from kassa_tui.core import i18n

    text = i18n._(template)
    cut = re.search(r"\{(\w+)\}", text)
    while cut and cut.group(1) in known:
        text = text.replace(cut.group(0), str(known[cut.group(1)]), 1)
        cut = re.search(r"\{(\w+)\}", text)
    return (text[: cut.start()] if cut else text).strip()


def children(pid: int, marker: str = "accuracy_apart") -> list[int]:
    """The process's children running `marker` (the Accuracy tab's, or figures_apart: the
    Sales/Products read; not the till's push process, kassa_tui.sync.child), of all its
    threads (a worker thread's child is under its task)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = [int(p) for p in task.read_text().split()]
        except OSError:
            continue
        for kid in kids:
            try:
                if marker in Path(f"/proc/{kid}/cmdline").read_bytes().decode(errors="replace"):
                    found.append(kid)
            except OSError:
                continue
    return found


def flat(text: str) -> str:
    return " ".join(text.split())


def copy_year(year_db: Path, folder: Path) -> Path:
    """cp the year's database and its signing key into the shop folder (the source only read)."""
    folder.mkdir(parents=True, exist_ok=True)
    wal = year_db.with_name(year_db.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise SystemExit(f"bench: {wal} is not empty: checkpoint it first (not done here)")
    target = folder / "kassa.db"
    print(f"  copying {year_db} ({year_db.stat().st_size / 1e9:.2f} GB) ...", flush=True)
    shutil.copyfile(year_db, target)
    for suffix, name in (
        (".signing-key.pem", "signing-key.pem"),
        (".signing-key.pub.pem", "signing-key.pub.pem"),
    ):
        shutil.copyfile(year_db.with_name(year_db.name + suffix), folder / name)
        (folder / name).chmod(0o600)
    return target


def add_supplier(db_path: Path, last_utc: str) -> int:
    """One supplier (BIG, lead 2 + review 7) of the 2,000 products sold most in 90 days."""
    conn = sqlite3.connect(str(db_path))
    try:
        if conn.execute("SELECT COUNT(*) FROM supplier WHERE code = 'BIG'").fetchone()[0]:
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM product_supplier ps JOIN supplier s"
                    " ON s.id = ps.supplier_id WHERE s.code = 'BIG'"
                ).fetchone()[0]
            )
        start = (parse(last_utc) - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        top = [
            row[0]
            for row in conn.execute(
                "SELECT l.product_id FROM sale s JOIN sale_line l ON l.sale_id = s.id"
                " WHERE s.training = 0 AND s.completed_utc >= ? GROUP BY l.product_id"
                " ORDER BY COUNT(*) DESC LIMIT ?",
                (start, SUPPLIER_PRODUCTS),
            )
        ]
        cur = conn.execute(
            "INSERT INTO supplier (code, name, lead_days, review_days) VALUES"
            " ('BIG', 'Grossisten', 2, 7)"
        )
        conn.executemany(
            "INSERT INTO product_supplier (product_id, supplier_id, pack_size) VALUES (?, ?, 6)",
            [(p, cur.lastrowid) for p in top],
        )
        conn.commit()
        return len(top)
    finally:
        conn.close()


def parse(utc: str) -> datetime:
    return datetime.strptime(utc, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year-db", type=Path, default=REPO / "bench/results/year-200k.db")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kassabench-tillmem"))
    parser.add_argument("--reuse", action="store_true", help="use the copy already in workdir")
    parser.add_argument("--timeout", type=float, default=600.0, help="s per tab")
    args = parser.parse_args()

    from kassa_tui.config import load
    from kassa_tui.core import i18n
    from kassa_tui.demo import DEMO_USERS

    shop = args.workdir / "tui"
    db_path = shop / "kassa.db"
    if not (args.reuse and db_path.exists()):
        copy_year(args.year_db, shop)
    cfg = make_shop(shop)
    config = load(cfg)
    i18n.set_language(config.language)
    env = bench_env(args.workdir)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    last_utc = conn.execute("SELECT MAX(completed_utc) FROM sale").fetchone()[0]
    products = conn.execute("SELECT COUNT(*) FROM product").fetchone()[0]
    conn.close()
    # The day after the last sale, 10:00 local (UTC+1 in November): the clock runs from there.
    steer_to = (parse(last_utc) + timedelta(days=1)).replace(hour=9, minute=0, second=0)
    steer_script = args.workdir / "kassa_steered.py"
    steer_script.write_text(STEER, encoding="utf-8")
    bare_script = args.workdir / "bare_app.py"
    bare_script.write_text(BARE_APP, encoding="utf-8")
    # Migration 11 (suppliers, club) on the copy first: a CLI command the till's start would run.
    import subprocess

    (shop / "signing-key.pem").chmod(0o600)
    subprocess.run(
        [*kassa_command(), "--config", str(cfg), "order", "suppliers", "list"],
        env=env,
        capture_output=True,
        check=True,
    )
    sold = add_supplier(db_path, last_utc)
    print(f"  {products} products, last sale {last_utc}, clock at {steer_to.isoformat()}")
    print(f"  supplier BIG: {sold} products")

    lead = next(u for u in DEMO_USERS if u[2] == "shift_lead")
    number, name, _, pin = lead
    tmux = Tmux(f"kassamem-{args.workdir.name}", env)
    tmux.start_server()
    rows: list[tuple[str, str, float | None, dict[str, int]]] = []
    try:
        # The floor: a bare Textual app (median of 3 by VmRSS).
        bare = []
        for i in range(3):
            session = f"bare{i}"
            since = tmux.launch(session, [sys.executable, str(bare_script)])
            tmux.wait_for(session, lambda t: BARE_MARKER in t, since)
            pid = tmux.program_pid(session)
            time.sleep(0.5)
            bare.append(memory_kib(pid))
            tmux.stop(session, pid)
        floor = sorted(bare, key=lambda m: m["VmRSS"])[1]

        session = "till"
        argv = [sys.executable, str(steer_script), steer_to.isoformat(), "--config", str(cfg)]
        since = tmux.launch(session, argv)
        signin = prefix("User number, then Enter")
        tmux.wait_for(session, lambda t: signin in flat(t), since, timeout=60)
        pid = tmux.program_pid(session)
        rows.append(("sign-in screen", "", None, memory_kib(pid)))
        tmux.send(session, str(number), "Enter")
        tmux.send(session, pin, "Enter")
        tmux.wait_for(session, lambda t: name in t, time.perf_counter(), timeout=60)
        time.sleep(0.5)
        rows.append(("sale screen (shift lead)", "", None, memory_kib(pid)))

        errors = [
            prefix(t)
            for t in (
                "The accuracy could not be computed (see the log).",
                "The pairs could not be counted (see the log).",
                "The proposal could not be worked out (see the log).",
                "The club's figures could not be read (see the log).",
                "The insight screen is for a shift lead: sign in as one.",
                "No suppliers yet: kassa order suppliers add, then assign products.",
            )
        ]

        child_peak: dict[str, int] = {}

        def visit(label: str, keys: tuple[str, ...], done: list[str], note: str = "") -> None:
            started = time.perf_counter()
            for key in keys:
                tmux.send(session, key)

            def ready(text: str) -> bool:
                # The Accuracy tab's process and the Sales/Products read's, from the screen's start;
                # the Together tab's pair count and the Reorder tab's proposal (insight.apart).
                for marker, key in CHILDREN:
                    for child in children(pid, marker):
                        try:
                            seen = memory_kib(child).get("VmHWM", 0)
                        except OSError:
                            continue
                        child_peak[key + label] = max(child_peak.get(key + label, 0), seen)
                        child_peak[key] = max(child_peak.get(key, 0), seen)
                text = flat(text)
                for error in errors:
                    if error in text:
                        raise ProbeError(f"{label}: {error}\n{text}")
                return any(d in text for d in done)

            seconds = tmux.wait_for(session, ready, started, timeout=args.timeout, interval=0.05)
            time.sleep(0.3)  # the table drawn after the words
            memory = memory_kib(pid)
            for _marker, key in CHILDREN:
                if key + label in child_peak:
                    memory = {**memory, key: child_peak[key + label]}
            rows.append((label, note, seconds, memory))
            print(
                f"  {label}: {seconds:.2f} s, VmRSS {mb(memory['VmRSS']):.1f} MB,"
                f" VmHWM {mb(memory['VmHWM']):.1f} MB",
                flush=True,
            )

        figures = [prefix("Insight: figures as of {time} (business day {day})")]
        visit("Sales (opening the screen)", ("C-e", "4"), figures)
        visit("Products (F4)", ("F4",), figures, "same read as Sales")
        visit(
            "Together (F5), 90 days",
            ("F5",),
            [prefix("Last {days} days, {first} to {last}: {baskets} receipts ({time})", days=90)],
        )
        visit(
            "Accuracy (F11)",
            ("F11",),
            [
                prefix("Forecasts for {first} to {last} against the sales ({time})"),
                prefix("Too little history: the accuracy needs {n} days of sales."),
            ],
        )
        visit(
            f"Reorder (F10), BIG: {sold} products",
            ("F10",),
            [prefix("To order: {lines} lines, {units} units")],
        )
        visit(
            "Members (F12)",
            ("F12",),
            [prefix("Customer club {first} to {last}, {days} days ({time}) · F12: 30/90/365")],
        )
        tmux.stop(session, pid)
    except ProbeError as problem:
        print(f"bench: {problem}", file=sys.stderr)
        raise SystemExit(1) from problem
    finally:
        tmux.kill_server()

    print()
    print(f"The till on the benchmark's year ({products} products), 80x24, the shift lead;")
    print(
        f"target: VmHWM <= {RSS_MB:g} MB. Floor: a bare Textual app,"
        f" VmRSS {mb(floor['VmRSS']):.1f} MB, VmHWM {mb(floor['VmHWM']):.1f} MB."
    )
    print()
    print(
        "| step | figures' time, s | till VmRSS, MB | till VmHWM (peak so far), MB"
        " | Accuracy child's VmHWM seen, MB | figures child's VmHWM seen, MB"
        " | Together child's, MB | Reorder child's, MB | floor VmRSS, MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, note, seconds, memory in rows:
        shown = "—" if seconds is None else f"{seconds:.2f}"
        label = f"{label} ({note})" if note else label
        kids = " | ".join(
            f"{mb(memory[key]):.0f}" if key in memory else "—" for _marker, key in CHILDREN
        )
        print(
            f"| {label} | {shown} | {mb(memory['VmRSS']):.1f} | {mb(memory['VmHWM']):.1f}"
            f" | {kids} | {mb(floor['VmRSS']):.1f} |"
        )
    print()
    for _marker, key in CHILDREN:
        if key in child_peak:
            print(f"{key} child's VmHWM seen (the whole run): {mb(child_peak[key]):.1f} MB")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    peak = max(m["VmHWM"] for *_, m in rows)
    verdict = "within" if mb(peak) <= RSS_MB else "OVER"
    print()
    print(f"peak VmHWM {mb(peak):.1f} MB: {verdict} the {RSS_MB:g} MB target")


if __name__ == "__main__":
    main()
