#!/usr/bin/env python3
"""The till's benchmark: kassa's hot paths on a 200,000-product catalog, each beside its floor.

    python bench/bench_till.py [--products 200000] [--out FILE]

Builds a throwaway shop in a temp dir (`kassa init --demo --products N`), then measures in one
run: scan → basket line, sale completion, cold start to the sign-in screen (through tmux) and the
running till's memory; each beside a floor (raw sqlite3 doing the same durable work, or a bare
Textual app) and a target. Prints one markdown table. A benchmark, not a test: it asserts no
timing. See bench/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import import_bench
from bench_search import search_bench
from benchlib import (
    Row,
    Summary,
    machine_lines,
    markdown_table,
    toml_string,
    verdict,
    write_config,
)
from floor_sqlite import RawTill, copy_database
from tui_probe import ProbeError, Tmux, memory_kib

REPO = Path(__file__).resolve().parent.parent
SCAN_P99_MS = 2.0
SCAN_MAX_RATIO = 5.0
SALE_P50_MS = 5.0
START_S = 1.0
RSS_MB = 120.0
TUI_SCANS = 10
BARE_APP = '''\
"""The floor of a cold start: a bare Textual app that draws one label."""
import textual.app
from textual.app import App
from textual.widgets import Label


class Bare(App[None]):
    def compose(self):
        yield Label("kassabench bare app")


Bare().run()
'''
BARE_MARKER = "kassabench bare app"


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profile: str = ""


def ms(ns: int) -> float:
    return ns / 1e6


def mb(kib: int) -> float:
    """KiB from /proc to MB (10^6 bytes), the unit of the target."""
    return kib * 1024 / 1e6


# -- the throwaway shop ----------------------------------------------------------------------


def bench_env(workdir: Path) -> dict[str, str]:
    """The subprocesses' environment: .pyc files go to a cache in the temp dir.

    PYTHONDONTWRITEBYTECODE is dropped (a till on a Pi keeps its .pyc files), and
    PYTHONPYCACHEPREFIX keeps them out of the checkout; the first start fills that cache.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    env.pop("KASSA_CONFIG", None)
    return env


def kassa_command() -> list[str]:
    script = Path(sys.executable).with_name("kassa")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from kassa_tui.cli import main; main()"]


def make_shop(folder: Path) -> Path:
    """A kassa.toml in `folder`: the repo's, with the database, log and printer moved here."""
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "kassa.toml"
    write_config(
        REPO / "kassa.toml",
        config_path,
        {
            ("database", "path"): toml_string(folder / "kassa.db"),
            ("log", "file"): toml_string(folder / "kassa.log"),
            ("ui", "idle_lock_seconds"): "0",
            ("printer", "type"): '"dummy"',
            ("printer", "path"): toml_string(folder / "receipts.bin"),
            ("signing", "key_file"): toml_string(folder / "signing-key.pem"),
        },
    )
    from kassa_tui.config import load
    from kassa_tui.signing import generate_key_pair

    config = load(config_path)
    if not (folder / "signing-key.pem").exists():  # a throwaway shop's own demo key
        generate_key_pair(folder / "signing-key.pem", folder / "signing-key.pub.pem")
    if (
        config.database != folder / "kassa.db"
        or config.printer.type != "dummy"
        or (config.idle_lock_seconds != 0)
    ):
        raise SystemExit(f"bench: could not point {config_path} at {folder}")
    return config_path


def init_shop(config_path: Path, products: int, env: dict[str, str]) -> float:
    argv = [
        *kassa_command(),
        "--config",
        str(config_path),
        "init",
        "--demo",
        "--products",
        str(products),
    ]
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    print(f"  {done.stdout.splitlines()[1] if len(done.stdout.splitlines()) > 1 else ''}")
    return elapsed


# -- steps 2 and 3: scan → line and sale completion, in process ------------------------------


def eligible_codes(database: Any, classify: Callable[[str], Any]) -> list[str]:
    """Barcodes a scanner could add with no quantity first: active, sold per piece, plain EAN."""
    from kassa_tui.errors import Refused

    rows = database.execute_sql(
        "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id"
        " WHERE p.active = 1 AND p.unit = 'stk' ORDER BY b.code"
    ).fetchall()
    codes = []
    for (code,) in rows:
        try:
            if classify(code).kind == "ean":
                codes.append(code)
        except Refused:  # a code kassa refuses is simply not scanned
            continue
    return codes


def services_bench(
    args: argparse.Namespace, shop_cfg: Path, floor_db: Path, results: Results
) -> list[str]:
    from kassa_tui.config import load
    from kassa_tui.demo import DEMO_USERS
    from kassa_tui.services import open_till
    from kassa_tui.store import PRAGMAS

    config = load(shop_cfg)
    till = open_till(config)
    number, _, _, pin = DEMO_USERS[0]
    person = till.users.sign_in(str(number), pin)
    journal_mode = till.db.execute_sql("PRAGMA journal_mode").fetchone()[0]
    synchronous = till.db.execute_sql("PRAGMA synchronous").fetchone()[0]
    codes = eligible_codes(till.db, till.baskets.classify)
    rng = random.Random(args.seed)
    floor = RawTill(floor_db, PRAGMAS, "FLOOR-1", number)
    print(
        f"  {len(codes)} scannable barcodes; kassa's connection: journal_mode={journal_mode},"
        f" synchronous={synchronous}"
    )

    probe = []
    for _ in range(200):
        t = time.perf_counter_ns()
        floor.bare_commit()
        probe.append(ms(time.perf_counter_ns() - t))
    bare = Summary.of(probe)
    results.notes.append(
        f"durable commit alone (raw sqlite3, one tiny row, WAL + synchronous=FULL):"
        f" p50 {bare.p50:.3f} ms, p99 {bare.top:.3f} ms — the disk's share of every row below"
    )

    from devices.printer import MemoryPrinter
    from devices.spooler import print_pending

    printer = MemoryPrinter()

    def drain() -> None:
        print_pending(till.print_queue, printer, config.printer, till.drawer)
        printer.jobs.clear()

    def kassa_basket(picks: list[str], times: list[float] | None) -> None:
        for code in picks:
            t = time.perf_counter_ns()
            till.baskets.add(person, code)
            if times is not None:
                times.append(ms(time.perf_counter_ns() - t))
        till.sales.pay_card(person)
        drain()  # the till prints each receipt before the next sale (not timed)

    def floor_basket(picks: list[str], times: list[float] | None) -> None:
        for code in picks:
            t = time.perf_counter_ns()
            floor.scan(code)
            if times is not None:
                times.append(ms(time.perf_counter_ns() - t))
        floor.finish_basket()

    # Scan → line. Both sides scan the same random codes, a basket at a time, taking turns.
    size = args.basket
    warm = [rng.choice(codes) for _ in range(size)]
    kassa_basket(warm, None)
    floor_basket(warm, None)
    kassa_scan: list[float] = []
    floor_scan: list[float] = []
    rounds = math.ceil(args.scans / size)
    for r in range(rounds):
        picks = [rng.choice(codes) for _ in range(min(size, args.scans - r * size))]
        if r % 2:
            floor_basket(picks, floor_scan)
            kassa_basket(picks, kassa_scan)
        else:
            kassa_basket(picks, kassa_scan)
            floor_basket(picks, floor_scan)
    k, f = Summary.of(kassa_scan), Summary.of(floor_scan)
    results.rows.append(
        Row(
            f"scan → line (lookup + line + journal, durable), ms, n={k.n}",
            k,
            f,
            target=f"p99 ≤ {SCAN_P99_MS:g} ms and ≤ {SCAN_MAX_RATIO:g}× floor",
            verdict=verdict(
                [("p99", k.top <= SCAN_P99_MS), ("ratio", k.p50 <= SCAN_MAX_RATIO * f.p50)]
            ),
        )
    )
    slow_k = sum(v > SCAN_P99_MS for v in kassa_scan)
    slow_f = sum(v > SCAN_P99_MS for v in floor_scan)
    results.notes.append(
        f"scan → line: p99 ratio kassa/floor {k.top / f.top:.1f}×; scans slower than"
        f" {SCAN_P99_MS:g} ms: kassa {slow_k}, floor {slow_f} (of {k.n}); max kassa"
        f" {max(kassa_scan):.1f} ms, floor {max(floor_scan):.1f} ms"
    )
    scan_missed = k.top > SCAN_P99_MS or k.p50 > SCAN_MAX_RATIO * f.p50

    # Sale completion of 5-line baskets, card, one transaction each.
    kassa_sale: list[float] = []
    floor_sale: list[float] = []
    for i in range(args.sales):
        picks = rng.sample(codes, args.sale_lines)

        def kassa_once(picks: list[str] = picks) -> None:
            for code in picks:
                till.baskets.add(person, code)
            t = time.perf_counter_ns()
            done = till.sales.pay_card(person)
            kassa_sale.append(ms(time.perf_counter_ns() - t))
            drain()
            if done.completed is None:
                raise SystemExit("bench: pay_card left the sale open")

        def floor_once(picks: list[str] = picks) -> None:
            products = [floor.lookup(code) for code in picks]
            t = time.perf_counter_ns()
            floor.sale(products)
            floor_sale.append(ms(time.perf_counter_ns() - t))

        for step in (floor_once, kassa_once) if i % 2 else (kassa_once, floor_once):
            step()
    k, f = Summary.of(kassa_sale), Summary.of(floor_sale)
    results.rows.append(
        Row(
            f"sale completion, {args.sale_lines} lines, card (durable), ms, n={k.n}",
            k,
            f,
            target=f"p50 ≤ {SALE_P50_MS:g} ms",
            verdict=verdict([("p50", k.p50 <= SALE_P50_MS)]),
        )
    )

    if args.profile or scan_missed:
        results.profile = profile_scans(till, person, codes, rng, size)
    floor.close()
    till.db.close()
    return codes


def _calls(stats: pstats.Stats, method: str) -> int:
    return sum(
        value[1]
        for key, value in stats.stats.items()  # type: ignore[attr-defined]
        if key[0] == "~" and f"'{method}' of 'sqlite3." in key[2]
    )


def _drain(till: Any) -> None:
    from devices.printer import MemoryPrinter
    from devices.spooler import print_pending

    print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)


def profile_scans(
    till: Any, person: Any, codes: list[str], rng: random.Random, size: int, scans: int = 500
) -> str:
    """cProfile over `scans` scans (only the add calls): where the scan path spends its time."""
    profiler = cProfile.Profile()
    baskets, sales = till.baskets, till.sales
    for i in range(scans):
        code = rng.choice(codes)
        profiler.enable()
        baskets.add(person, code)
        profiler.disable()
        if i % size == size - 1:
            sales.pay_card(person)
            _drain(till)
    if baskets.current().priced.lines:
        sales.pay_card(person)
        _drain(till)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt  # type: ignore[attr-defined]
    sqlite_tt = sum(
        value[2]
        for key, value in stats.stats.items()  # type: ignore[attr-defined]
        if key[0] == "~" and "sqlite3." in key[2]
    )
    out.write(
        f"scan path under cProfile: {total / scans * 1e6:.0f} µs/scan, of which inside sqlite3"
        f" calls {sqlite_tt / scans * 1e6:.0f} µs ({sqlite_tt / total:.0%}; peewee sends BEGIN"
        f" and COMMIT, with its fsync, through cursor.execute too); the rest is Python, which"
        f" cProfile inflates. Executes per scan: {_calls(stats, 'execute') / scans:.1f}.\n"
    )
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


# -- steps 4 and 5: cold start and memory, through tmux --------------------------------------


def tui_bench(
    args: argparse.Namespace,
    workdir: Path,
    env: dict[str, str],
    tui_cfg: Path,
    codes: list[str],
    results: Results,
) -> None:
    from kassa_tui import i18n
    from kassa_tui.config import load
    from kassa_tui.demo import DEMO_USERS

    config = load(tui_cfg)
    i18n.set_language(config.language)
    markers = (config.shop_name, i18n._("User number, then Enter"))
    number, name, _, pin = DEMO_USERS[0]
    bare_script = workdir / "bare_app.py"
    bare_script.write_text(BARE_APP, encoding="utf-8")
    kassa_argv = [*kassa_command(), "--config", str(tui_cfg)]
    bare_argv = [sys.executable, str(bare_script)]

    def kassa_ready(text: str) -> bool:
        return all(m in text for m in markers)

    def bare_ready(text: str) -> bool:
        return BARE_MARKER in text

    tmux = Tmux(f"kassabench-{os.getpid()}", env)
    tmux.start_server()
    try:
        starts: dict[str, list[float]] = {"kassa": [], "bare": []}
        rss: dict[str, list[int]] = {"kassa": [], "bare": []}
        first: dict[str, float] = {}
        for i in range(args.starts + 1):
            order = [("kassa", kassa_argv, kassa_ready), ("bare", bare_argv, bare_ready)]
            for who, argv, ready in order if i % 2 == 0 else order[::-1]:
                session = f"{who}{i}"
                since = tmux.launch(session, argv)
                elapsed = tmux.wait_for(session, ready, since, interval=args.poll_ms / 1000)
                pid = tmux.program_pid(session)
                memory = memory_kib(pid)
                tmux.stop(session, pid)
                if i == 0:
                    first[who] = elapsed
                    continue
                starts[who].append(elapsed)
                rss[who].append(memory["VmRSS"])
            print(
                f"  start {i}: kassa {starts['kassa'][-1] if i else first['kassa']:.3f} s,"
                f" bare app {starts['bare'][-1] if i else first['bare']:.3f} s"
            )
        k, f = Summary.of(starts["kassa"], 100), Summary.of(starts["bare"], 100)
        results.rows.append(
            Row(
                f"cold start to sign-in screen, s, n={k.n} (p99 col = max)",
                k,
                f,
                target=f"p95 ≤ {START_S:g} s",
                verdict=verdict([("p95", k.p95 <= START_S)]),
            )
        )
        results.notes.append(
            f"first start with an empty .pyc cache (not in the row): kassa {first['kassa']:.2f} s"
            f" (its own modules already compiled by `kassa init`), bare app {first['bare']:.2f} s"
            f" (textual already compiled by kassa's first start)"
        )
        results.notes.append(
            "cold starts, sorted (s): kassa "
            + " ".join(f"{v:.2f}" for v in sorted(starts["kassa"]))
            + "; bare app "
            + " ".join(f"{v:.2f}" for v in sorted(starts["bare"]))
        )
        rk = Summary.of([mb(v) for v in rss["kassa"]], 100)
        rf = Summary.of([mb(v) for v in rss["bare"]], 100)
        results.rows.append(
            Row(
                f"RSS at the sign-in screen (VmRSS), MB, n={rk.n} (p99 col = max)",
                rk,
                rf,
                digits=1,
                target=f"≤ {RSS_MB:g} MB",
                verdict=verdict([("max", rk.top <= RSS_MB)]),
            )
        )

        # One more start: sign in, scan a few codes, then read the till's memory.
        session = "kassa-rss"
        since = tmux.launch(session, kassa_argv)
        tmux.wait_for(session, kassa_ready, since)
        pid = tmux.program_pid(session)
        tmux.send(session, str(number), "Enter")
        tmux.send(session, pin, "Enter")
        tmux.wait_for(session, lambda text: name in text, time.perf_counter(), timeout=15)
        db = sqlite3.connect(str(config.database))
        count = _open_lines(db)
        scan_ms: list[float] = []
        for code in codes[:TUI_SCANS]:
            t = time.perf_counter()
            tmux.send(session, code, literal=True)
            tmux.send(session, "Enter")
            count = _wait_lines(db, count + 1)
            scan_ms.append((time.perf_counter() - t) * 1000)
        db.close()
        time.sleep(0.5)
        screen, _ = tmux.capture(session)
        memory = memory_kib(pid)
        tmux.stop(session, pid)
        bare_hwm = []
        for i in range(3):
            session = f"bare-rss{i}"
            since = tmux.launch(session, bare_argv)
            tmux.wait_for(session, bare_ready, since)
            bare_pid = tmux.program_pid(session)
            time.sleep(0.5)
            bare_hwm.append(memory_kib(bare_pid))
            tmux.stop(session, bare_pid)
        fr = Summary.single(mb(sorted(m["VmRSS"] for m in bare_hwm)[1]))
        fh = Summary.single(mb(sorted(m["VmHWM"] for m in bare_hwm)[1]))
        kr, kh = Summary.single(mb(memory["VmRSS"])), Summary.single(mb(memory["VmHWM"]))
        results.rows.append(
            Row(
                f"RSS signed in + {TUI_SCANS} scans (VmRSS), MB",
                kr,
                fr,
                digits=1,
                target=f"≤ {RSS_MB:g} MB",
                verdict=verdict([("rss", kr.p50 <= RSS_MB)]),
            )
        )
        results.rows.append(
            Row(
                f"peak RSS signed in + {TUI_SCANS} scans (VmHWM), MB",
                kh,
                fh,
                digits=1,
                target=f"≤ {RSS_MB:g} MB",
                verdict=verdict([("peak", kh.p50 <= RSS_MB)]),
            )
        )
        results.notes.append(
            f"scan through the TUI (send-keys code + Enter until the line is committed, tmux"
            f" round trips included): median {sorted(scan_ms)[len(scan_ms) // 2]:.0f} ms,"
            f" max {max(scan_ms):.0f} ms"
        )
        if name not in screen:
            results.notes.append("warning: the signed-in screen was not seen at the RSS reading")
    finally:
        tmux.kill_server()


def _open_lines(db: sqlite3.Connection) -> int:
    return int(
        db.execute(
            "SELECT COUNT(*) FROM basket_line l JOIN basket b ON b.id = l.basket_id"
            " WHERE b.status = 'open'"
        ).fetchone()[0]
    )


def _wait_lines(db: sqlite3.Connection, wanted: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        count = _open_lines(db)
        if count >= wanted:
            return count
        if time.monotonic() > deadline:
            raise ProbeError(f"the TUI committed {count} basket lines, expected {wanted}")
        time.sleep(0.005)


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=200_000, help="catalog size")
    parser.add_argument("--scans", type=int, default=2000, help="timed scans per side")
    parser.add_argument("--basket", type=int, default=20, help="scans per basket (then a sale)")
    parser.add_argument("--sales", type=int, default=300, help="timed sale completions per side")
    parser.add_argument("--sale-lines", type=int, default=5, help="lines per completed sale")
    parser.add_argument(
        "--starts",
        type=int,
        default=9,
        help="measured cold starts per side (after one discarded warm-up)",
    )
    parser.add_argument(
        "--poll-ms", type=float, default=10.0, help="how often the cold start polls the tmux pane"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="parent folder of the throwaway shop (default: the system temp dir;"
        " pick one on the till's real disk, never a tmpfs)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway shop")
    parser.add_argument("--no-tui", action="store_true", help="skip cold start and RSS (no tmux)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the scan path (done anyway when it misses its target)",
    )
    args = parser.parse_args(argv)
    if args.starts < 1 or args.scans < 1 or args.sales < 1 or args.basket < 1:
        parser.error("--starts, --scans, --sales and --basket must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.no_tui and shutil.which("tmux") is None:
        raise SystemExit("bench: tmux is needed for the cold start and RSS rows (or --no-tui)")
    workdir = Path(tempfile.mkdtemp(prefix="kassabench-", dir=args.dir))
    env = bench_env(workdir)
    results = Results()
    results.notes.append(f"load average at the start: {loadavg()}")
    try:
        print(f"bench: throwaway shop in {workdir}")
        shop_cfg = make_shop(workdir / "shop")
        print(f"step 1: kassa init --demo --products {args.products}")
        init_s = init_shop(shop_cfg, args.products, env)
        results.rows.append(
            Row(f"init demo + {args.products // 1000}k catalog, s", Summary.single(init_s))
        )
        floor_db = workdir / "floor" / "kassa.db"
        floor_db.parent.mkdir()
        copy_database(workdir / "shop" / "kassa.db", floor_db)
        tui_cfg = make_shop(workdir / "tui")
        copy_database(workdir / "shop" / "kassa.db", workdir / "tui" / "kassa.db")

        print(f"steps 2–3: {args.scans} scans and {args.sales} sales per side")
        codes = services_bench(args, shop_cfg, floor_db, results)
        print("step 3b: search as you type")
        search_bench(shop_cfg, floor_db, args.seed, 200, results.rows)
        print("step 3c: catalog import of the whole catalog")
        import_bench(shop_cfg, make_shop, kassa_command(), env, workdir, results.rows)
        if args.no_tui:
            results.notes.append("cold start and RSS not measured (--no-tui)")
        else:
            print(f"steps 4–5: {args.starts} measured cold starts per side through tmux")
            random.Random(args.seed + 1).shuffle(codes)
            tui_bench(args, workdir, env, tui_cfg, codes, results)
        results.notes.append(f"load average at the end: {loadavg()}")
        report = render(args, workdir, results)
        print()
        print(report)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(report + "\n", encoding="utf-8")
            print(f"\nwritten to {args.out}")
    finally:
        if args.keep:
            print(f"bench: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def render(args: argparse.Namespace, workdir: Path, results: Results) -> str:
    parts = [
        "# kassa till benchmark",
        "",
        *machine_lines(workdir),
        f"- run: {args.products} products, {args.scans} scans (baskets of {args.basket}),"
        f" {args.sales} sales of {args.sale_lines} lines, {args.starts} cold starts per side,"
        f" terminal 80×24 in tmux",
        "",
        markdown_table(results.rows),
        "",
        *(f"- {note}" for note in results.notes),
    ]
    if results.profile:
        parts += [
            "",
            "## where the scan path spends its time",
            "",
            "```",
            results.profile.rstrip(),
            "```",
        ]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
