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
import json
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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import import_bench
from bench_reports import reports_bench, saft_bench
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
from year_of_sales import Plan, eligible_codes

REPO = Path(__file__).resolve().parent.parent
SCAN_P99_MS = 2.0
SCAN_MAX_RATIO = 5.0
SALE_P50_MS = 5.0
START_S = 1.0
START_MAX_RATIO = 3.0
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
    from kassa_tui.records.signing import generate_key_pair

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


# -- step 1b: a year of sales -------------------------------------------------------------------

KEY_FILES = ("signing-key.pem", "signing-key.pub.pem")


@dataclass
class Year:
    plan: Plan
    stats: dict[str, Any]
    seconds: float  # wall time of the generation (when it was made, if cached)
    cached: Path | None  # the --year-db it came from


def year_of_sales(
    args: argparse.Namespace, shop_cfg: Path, env: dict[str, str], workdir: Path
) -> Year:
    """Fill the shop with a year of sales: from a matching --year-db, or made here (and cached)."""
    plan = Plan(args.products, args.seed, args.days, args.lines, args.busy)
    shop = shop_cfg.parent
    cache: Path | None = args.year_db
    sidecar = cache.with_name(cache.name + ".json") if cache else None
    if cache and sidecar and cache.exists() and sidecar.exists():
        stored = json.loads(sidecar.read_text(encoding="utf-8"))
        if stored.get("plan") == asdict(plan):
            print(f"  reusing {cache} (made in {stored['generation_s']:.0f} s)")
            copy_database(cache, shop / "kassa.db")
            for name in KEY_FILES:  # its sales are signed with the key it was made with
                shutil.copyfile(cache.with_name(f"{cache.name}.{name}"), shop / name)
            return Year(plan, stored, float(stored["generation_s"]), cache)
        print(f"  {cache} was made for another plan: making it again")
    argv = [
        sys.executable,
        str(Path(__file__).with_name("year_of_sales.py")),
        "--config",
        str(shop_cfg),
        "--products",
        str(plan.products),
        "--days",
        str(plan.days),
        "--lines",
        str(plan.lines),
        "--busy",
        str(plan.busy),
        "--seed",
        str(plan.seed),
        "--stats",
        str(workdir / "year.json"),
    ]
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: generating the year of sales failed ({done.returncode})")
    stats = json.loads((workdir / "year.json").read_text(encoding="utf-8"))
    stats["generation_s"] = seconds
    if cache and sidecar:
        cache.parent.mkdir(parents=True, exist_ok=True)
        sidecar.unlink(missing_ok=True)
        copy_database(shop / "kassa.db", cache)
        for name in KEY_FILES:
            shutil.copyfile(shop / name, cache.with_name(f"{cache.name}.{name}"))
        sidecar.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
        print(f"  cached in {cache}")
    return Year(plan, stats, seconds, None)


def year_row(year: Year) -> Row:
    stats = year.stats
    how = f"reused from {year.cached.name}" if year.cached else "made in this run"
    return Row(
        f"a year of sales through kassa's services ({stats['receipts'] + stats['busy_receipts']}"
        f" receipts, {stats['lines'] + stats['busy_lines']} lines), generation s ({how})",
        Summary.single(year.seconds),
    )


def year_note(year: Year, year_db: Path) -> str:
    stats = year.stats
    rows = ", ".join(f"{table} {n:,}" for table, n in stats["rows"].items())
    return (
        f"the year of sales: {stats['closed_days']} closed days up to {stats['last_closed_day']}"
        f" ({stats['receipts']:,} receipts, {stats['lines']:,} lines, {stats['copies']} copy"
        f" receipts, {stats['z_reports']} Z reports) made in {stats['year_s']:.0f} s, then the"
        f" busy day {year.plan.busy_day} ({stats['busy_receipts']:,} receipts,"
        f" {stats['busy_lines']:,} lines, left open) in {stats['busy_s']:.0f} s; rows: {rows};"
        f" database {year_db.stat().st_size / 1e9:.2f} GB"
    )


# -- steps 2 and 3: scan → line and sale completion, in process ------------------------------


def campaign_codes(db: Any) -> list[str]:
    """Plain barcodes of products in a running campaign (bench --campaigns)."""
    rows = db.execute_sql(
        "SELECT MIN(b.code) FROM campaign_product cp JOIN barcode b ON b.product_id = cp.product_id"
        " GROUP BY cp.product_id"
    ).fetchall()
    return [str(r[0]) for r in rows]


def mixed_picks(picks: list[str], in_campaigns: list[str], rng: random.Random) -> list[str]:
    """The basket's size kept: half its scans are campaign products, each once to three times."""
    out = picks[: len(picks) // 2]
    while len(out) < len(picks):
        code = rng.choice(in_campaigns)
        out.extend([code] * min(rng.randint(1, 3), len(picks) - len(out)))
    return out


def services_bench(
    args: argparse.Namespace, shop_cfg: Path, floor_db: Path, results: Results
) -> list[str]:
    from kassa_tui.composition import open_till
    from kassa_tui.config import load
    from kassa_tui.demo import DEMO_USERS
    from kassa_tui.store.database import PRAGMAS

    config = load(shop_cfg)
    till = open_till(config)
    number, _, _, pin = DEMO_USERS[0]
    person = till.users.sign_in(str(number), pin)
    journal_mode = till.db.execute_sql("PRAGMA journal_mode").fetchone()[0]
    synchronous = till.db.execute_sql("PRAGMA synchronous").fetchone()[0]
    codes = without_beer(till.db, eligible_codes(till.db, till.baskets.classify))
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

    priced_times: list[float] = []

    def kassa_basket(picks: list[str], times: list[float] | None) -> None:
        for code in picks:
            t = time.perf_counter_ns()
            till.baskets.add(person, code)
            if times is not None:
                times.append(ms(time.perf_counter_ns() - t))
            if times is not None:
                # What the screen does next: the basket priced (with its campaigns, if any).
                till.baskets.current()
                priced_times.append(ms(time.perf_counter_ns() - t))
        confirm_age(till, person)
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
    scannable = set(codes)
    in_campaigns = (
        [c for c in campaign_codes(till.db) if c in scannable] if args.campaigns > 0 else []
    )
    for r in range(rounds):
        picks = [rng.choice(codes) for _ in range(min(size, args.scans - r * size))]
        if in_campaigns:  # half the basket from campaigns, some twice or three times
            picks = mixed_picks(picks, in_campaigns, rng)
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
    if priced_times:
        p = Summary.of(priced_times)
        results.rows.append(
            Row(
                f"scan → priced basket (add, then the basket priced as the screen shows it), ms,"
                f" n={p.n}",
                p,
                f,
                target=f"p99 ≤ {SCAN_P99_MS:g} ms and ≤ {SCAN_MAX_RATIO:g}× floor",
                verdict=verdict(
                    [("p99", p.top <= SCAN_P99_MS), ("ratio", p.p50 <= SCAN_MAX_RATIO * f.p50)]
                ),
            )
        )

    # Sale completion of 5-line baskets, card, one transaction each.
    kassa_sale: list[float] = []
    floor_sale: list[float] = []
    for i in range(args.sales):
        picks = rng.sample(codes, args.sale_lines)

        def kassa_once(picks: list[str] = picks) -> None:
            for code in picks:
                till.baskets.add(person, code)
            confirm_age(till, person)  # the cashier's J at the scan, before payment
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

    sale_missed = k.p50 > SALE_P50_MS
    if args.profile or scan_missed or sale_missed:
        results.profile = profile_scans(till, person, codes, rng, size)
        results.profile += "\n" + sql_breakdown(till, person, codes, rng, args.sale_lines)
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


def confirm_age(till: Any, person: Any) -> None:
    """The cashier's J for a basket with an age limit (18 for the generated catalog's beer and
    tobacco groups): the sale service refuses the payment without it (issue 14)."""
    age = till.baskets.age_to_confirm()
    if age:
        till.baskets.confirm_age(person, age)


def without_beer(database: Any, codes: list[str]) -> list[str]:
    """The codes less beer's: beer is refused at the scan outside the beer hours (after 20:00 on
    a weekday, all Sunday), so a run in the evening would stop; the floor has no such rule."""
    beer = {
        str(row[0])
        for row in database.execute_sql(
            "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id"
            " LEFT JOIN product_counter_rule pr ON pr.product_id = p.id"
            " LEFT JOIN group_counter_rule gr ON gr.group_id = p.group_id"
            " WHERE COALESCE(pr.beer, gr.beer, 0) = 1"
        ).fetchall()
    }
    return [code for code in codes if code not in beer]


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
            confirm_age(till, person)
            sales.pay_card(person)
            _drain(till)
    if baskets.current().priced.lines:
        confirm_age(till, person)
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


def sql_breakdown(
    till: Any, person: Any, codes: list[str], rng: random.Random, lines: int, sales: int = 40
) -> str:
    """Each SQL statement of the scan and sale paths, timed: which ones cost, and their plans."""
    db = till.db
    spent: dict[str, list[float]] = {}
    original = db.execute_sql

    def timed(sql: str, params: Any = None, *rest: Any, **named: Any) -> Any:
        started = time.perf_counter_ns()
        cursor = original(sql, params, *rest, **named)
        spent.setdefault(sql, []).append((time.perf_counter_ns() - started) / 1e3)
        return cursor

    db.execute_sql = timed  # this instance only, for these calls
    try:
        for _ in range(sales):
            for code in rng.sample(codes, lines):
                till.baskets.add(person, code)
            confirm_age(till, person)
            till.sales.pay_card(person)
            _drain(till)
    finally:
        del db.execute_sql
    total = sum(sum(v) for v in spent.values())
    out = io.StringIO()
    out.write(
        f"every SQL statement of {sales} sales of {lines} scans each (add + pay_card + print"
        f" bookkeeping), by time spent in execute (µs; the statement's first row is found"
        f" there): {total / sales / 1e3:.1f} ms a sale in all\n\n"
    )
    out.write(f"{'total ms':>9} {'calls':>6} {'µs/call':>8}  statement\n")
    ranked = sorted(spent.items(), key=lambda item: -sum(item[1]))
    for sql, times in ranked[:12]:
        out.write(
            f"{sum(times) / 1e3:9.1f} {len(times):6d} {sum(times) / len(times):8.0f}  {sql[:150]}\n"
        )
    out.write("\nquery plans of the three costliest:\n")
    for sql, _times in ranked[:3]:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        params = (till.config.register_id,) * sql.count("?")
        plan = db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        out.write(f"\n{sql[:150]}\n" + "".join(f"  {row[-1]}\n" for row in plan))
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
    from kassa_tui.config import load
    from kassa_tui.core import i18n
    from kassa_tui.demo import DEMO_USERS

    config = load(tui_cfg)
    i18n.set_language(config.language)
    markers = (config.shop_name, i18n._("User number, then Enter"))
    number, name, _, pin = DEMO_USERS[0]
    bare_script = workdir / "bare_app.py"
    bare_script.write_text(BARE_APP, encoding="utf-8")
    kassa_argv = [*kassa_command(), "--config", str(tui_cfg)]
    bare_argv = [sys.executable, str(bare_script)]

    sale_markers = (name, i18n._("Scan or type a code"))

    def kassa_ready(text: str) -> bool:
        return all(m in text for m in markers)

    def sale_ready(text: str) -> bool:
        return all(m in text for m in sale_markers)

    def bare_ready(text: str) -> bool:
        return BARE_MARKER in text

    tmux = Tmux(f"kassabench-{os.getpid()}", env)
    tmux.start_server()
    try:
        starts: dict[str, list[float]] = {"kassa": [], "bare": []}
        rss: dict[str, list[int]] = {"kassa": [], "bare": []}
        to_sale: list[float] = []
        sale_rss: list[int] = []
        first: dict[str, float] = {}
        for i in range(args.starts + 1):
            order = [("kassa", kassa_argv, kassa_ready), ("bare", bare_argv, bare_ready)]
            for who, argv, ready in order if i % 2 == 0 else order[::-1]:
                session = f"{who}{i}"
                poll = args.poll_ms / 1000
                since = tmux.launch(session, argv)
                elapsed = tmux.wait_for(session, ready, since, interval=poll)
                pid = tmux.program_pid(session)
                memory = memory_kib(pid)
                if who == "kassa":  # on to the sale screen: number, Enter, PIN, Enter
                    tmux.send(session, str(number), "Enter")
                    tmux.send(session, pin, "Enter")
                    signed_in = tmux.wait_for(session, sale_ready, since, timeout=30, interval=poll)
                    if i:
                        to_sale.append(signed_in)
                        sale_rss.append(memory_kib(pid)["VmRSS"])
                tmux.stop(session, pid)
                if i == 0:
                    first[who] = elapsed
                    continue
                starts[who].append(elapsed)
                rss[who].append(memory["VmRSS"])
            print(
                f"  start {i}: kassa {starts['kassa'][-1] if i else first['kassa']:.3f} s"
                f" ({to_sale[-1] if i else signed_in:.3f} s to the sale screen),"
                f" bare app {starts['bare'][-1] if i else first['bare']:.3f} s"
            )
        k, f = Summary.of(starts["kassa"], 100), Summary.of(starts["bare"], 100)
        results.rows.append(
            Row(
                f"cold start to sign-in screen, s, n={k.n} (p99 col = max)",
                k,
                f,
                target=f"p95 ≤ {START_S:g} s and ≤ {START_MAX_RATIO:g}× bare app",
                verdict=verdict(
                    [("p95", k.p95 <= START_S), ("ratio", k.p50 <= START_MAX_RATIO * f.p50)]
                ),
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
        ks = Summary.of(to_sale, 100)
        results.rows.append(
            Row(
                f"cold start to the sale screen (sign in 1/1111 by send-keys), s, n={ks.n}"
                " (p99 col = max)",
                ks,
                f,
                target=f"≤ {START_MAX_RATIO:g}× bare app",
                verdict=verdict([("ratio", ks.p50 <= START_MAX_RATIO * f.p50)]),
            )
        )
        rf = Summary.of([mb(v) for v in rss["bare"]], 100)
        for screen_name, kib in (
            ("the sign-in screen", rss["kassa"]),
            ("the sale screen", sale_rss),
        ):
            rk = Summary.of([mb(v) for v in kib], 100)
            results.rows.append(
                Row(
                    f"RSS at {screen_name} (VmRSS), MB, n={rk.n} (p99 col = max)",
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
    parser.add_argument("--days", type=int, default=365, help="closed days of sales, each with a Z")
    parser.add_argument(
        "--lines", type=int, default=1_000_000, help="sale lines over those days (~5 a receipt)"
    )
    parser.add_argument(
        "--busy", type=int, default=3000, help="receipts on the busy day (left open: X and Z)"
    )
    parser.add_argument("--reports", type=int, default=9, help="timed X reports per side")
    parser.add_argument(
        "--z-repeats", type=int, default=3, help="Z reports per kind of day (a fresh copy each)"
    )
    parser.add_argument(
        "--saft-repeats", type=int, default=3, help="SAF-T exports of the month per side"
    )
    parser.add_argument(
        "--year-db",
        type=Path,
        default=None,
        help="reuse the year of sales made for the same products/seed/days/lines/busy from this"
        " file, or make it and keep it there (with its signing key and a .json beside it)",
    )
    parser.add_argument(
        "--campaigns",
        type=float,
        default=0.0,
        help="share of the catalog in running campaigns (issue 14: 0.333); half of each timed"
        " basket's scans are then campaign products",
    )
    parser.add_argument(
        "--scan-only",
        action="store_true",
        help="a short run: scan → line and sale completion only, on the fresh catalog",
    )
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
    counts = (args.starts, args.scans, args.sales, args.basket, args.days, args.reports)
    if min(*counts, args.z_repeats, args.saft_repeats, args.busy) < 1:
        parser.error(
            "--starts, --scans, --sales, --basket, --days, --busy and the repeats must be"
            " at least 1"
        )
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
        if args.scan_only:
            return scan_only(args, workdir, shop_cfg, results)
        print(
            f"step 1b: a year of sales ({args.days} closed days, {args.lines} lines, then a busy"
            f" day of {args.busy} receipts)"
        )
        year = year_of_sales(args, shop_cfg, env, workdir)
        year_db = workdir / "shop" / "kassa.db"
        results.rows.append(year_row(year))
        with_campaigns(args, year_db, results)
        results.notes.append(year_note(year, year_db))
        floor_db = workdir / "floor" / "kassa.db"
        floor_db.parent.mkdir()
        copy_database(year_db, floor_db)
        tui_cfg = make_shop(workdir / "tui")
        copy_database(year_db, workdir / "tui" / "kassa.db")

        print(f"step 1c: X and Z reports ({args.reports} X, {args.z_repeats} Z per kind)")
        reports_cfg = reports_bench(
            year.plan,
            year_db,
            make_shop,
            floor_db,
            workdir,
            args.reports,
            args.z_repeats,
            results.rows,
            results.notes,
        )
        print("step 1d: SAF-T exports (a week, a month, two months)")
        saft_bench(
            year.plan,
            reports_cfg,
            kassa_command(),
            env,
            workdir,
            args.saft_repeats,
            results.rows,
            results.notes,
        )
        shutil.rmtree(reports_cfg.parent, ignore_errors=True)

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


def with_campaigns(args: argparse.Namespace, db: Path, results: Results) -> None:
    """bench --campaigns: that share of the catalog in running campaigns (issue 14)."""
    if args.campaigns <= 0:
        return
    from campaign_shop import add_campaigns

    made, members = add_campaigns(db, args.campaigns)
    results.notes.append(
        f"campaigns: {made} running, over {members} products ({args.campaigns:.0%} of"
        " the catalog: 3 for 2, 2 for a price, any 3 of 25 for a price); half of each timed"
        " basket's scans are campaign products, each scanned one to three times"
    )


def scan_only(args: argparse.Namespace, workdir: Path, shop_cfg: Path, results: Results) -> int:
    """bench --scan-only: scan → line and sale completion on the fresh catalog, nothing else."""
    shop_db = workdir / "shop" / "kassa.db"
    with_campaigns(args, shop_db, results)
    floor_db = workdir / "floor" / "kassa.db"
    floor_db.parent.mkdir()
    copy_database(shop_db, floor_db)
    print(f"steps 2–3: {args.scans} scans and {args.sales} sales per side")
    services_bench(args, shop_cfg, floor_db, results)
    results.notes.append("--scan-only: no year of sales, reports, SAF-T, search, import or TUI")
    report = render(args, workdir, results)
    print()
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report + "\n", encoding="utf-8")
        print(f"\nwritten to {args.out}")
    return 0


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def render(args: argparse.Namespace, workdir: Path, results: Results) -> str:
    run = (
        f"- run: {args.products} products, a year of {args.days} closed days and"
        f" {args.lines} sale lines plus a busy day of {args.busy} receipts; {args.reports} X"
        f" and {args.z_repeats} Z reports per kind of day, {args.saft_repeats} SAF-T months;"
        f" {args.scans} scans (baskets of {args.basket}), {args.sales} sales of"
        f" {args.sale_lines} lines, {args.starts} cold starts per side, terminal 80×24 in tmux"
    )
    if args.scan_only:
        run = (
            f"- run (--scan-only): {args.products} products, no sales before; {args.scans} scans"
            f" (baskets of {args.basket}), {args.sales} sales of {args.sale_lines} lines"
        )
    parts = [
        "# kassa till benchmark",
        "",
        *machine_lines(workdir),
        run,
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
