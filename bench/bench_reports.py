"""X and Z reports and the SAF-T export on the year of sales, each beside its raw-sqlite3 floor.

- X on the busy day: `till.reports.x_report(None)`, the call `kassa report x` makes (journaled),
  repeated on one copy of the year; the floor computes the same figures with SQL aggregates
  and journals them (floor_reports.py).
- Z: `till.reports.z_report(lead)` is a one-shot (it closes the day), so the busy day's Z is taken
  once per fresh copy of the year (copying untimed); a normal day's Z is taken after a normal
  day of sales made on top of that copy by the generator (untimed), one day per repeat. The
  floor's Z is the aggregates plus its journal row and `z_report` row, in one durable transaction.
- SAF-T: `kassa export saft` of a week, a month and two months of the closed days, each in its
  own process; wall time and that process's peak RSS (its `VmHWM`, polled while it runs). The
  floor is floor_saft.py in its own process.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchlib import Row, Summary, verdict
from floor_reports import RawReports
from floor_sqlite import copy_database
from year_of_sales import BUSY_DAY, CLOSES, OPENS, Generator, Plan, SteeredTime

REPORT_RATIO = 5.0
Z_MS = 100.0
SAFT_MB_SLACK = 10.0  # "constant memory": two months' export within this of a week's


def ms(seconds: float) -> float:
    return seconds * 1000


class Clocked:
    """kassa's services on a copy of the year, with a steered clock (the busy day's evening)."""

    def __init__(self, config_path: Path, moment: datetime) -> None:
        from kassa_tui.composition import open_till
        from kassa_tui.config import load
        from kassa_tui.core.clock import Clock

        self.time = SteeredTime(moment)
        self.till = open_till(load(config_path), clock=Clock(source=self.time))
        self.lead = self.till.users.sign_in("2", "2222")

    def timed(self, action: Callable[[], Any]) -> float:
        self.time.advance(1)
        started = time.perf_counter()
        action()
        return ms(time.perf_counter() - started)

    def z(self) -> None:
        self.till.reports.z_report(self.lead, not_counted=True)

    def x(self) -> None:
        self.till.reports.x_report(None)

    def close(self) -> None:
        self.till.db.close()


def evening(day: date, hour: int = CLOSES + 1, minute: int = 30) -> datetime:
    from kassa_tui.core.clock import OSLO

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO).astimezone(UTC)


def reports_bench(
    plan: Plan,
    year_db: Path,
    make_shop: Callable[[Path], Path],
    floor_db: Path,
    workdir: Path,
    repeats: int,
    z_repeats: int,
    rows: list[Row],
    notes: list[str],
) -> Path:
    """X and Z rows; returns the config of the copy the reports ran on (for the SAF-T export)."""
    from kassa_tui.store.database import PRAGMAS

    copies = []

    def fresh_copy(name: str) -> Path:
        config = make_shop(workdir / name)
        copy_database(year_db, workdir / name / "kassa.db")
        copies.append(workdir / name)
        return config

    floor = RawReports(floor_db, PRAGMAS, "KASSE-1", "FLOOR-R")
    # X on the busy day, repeated on one copy, turn about with the floor.
    reports_cfg = fresh_copy("reports")
    shop = Clocked(reports_cfg, evening(BUSY_DAY))
    receipts = shop.till.db.execute_sql(
        "SELECT COUNT(*) FROM sale WHERE id > (SELECT MAX(last_sale_id) FROM z_report)"
    ).fetchone()[0]
    kassa_x: list[float] = []
    floor_x: list[float] = []
    steps: list[tuple[str, Callable[[], float]]] = [
        ("kassa", lambda: shop.timed(shop.x)),
        ("floor", lambda: _timed(floor.x_report)),
    ]
    for i in range(repeats + 1):
        for who, step in steps if i % 2 == 0 else steps[::-1]:
            took = step()
            if i:  # the first of each is a warm-up
                (kassa_x if who == "kassa" else floor_x).append(took)
    x = shop.till.reports.x_report(None)  # for the notes (journaled like every X)
    k, f = Summary.of(kassa_x, 100), Summary.of(floor_x, 100)
    rows.append(
        Row(
            f"X report, busy day ({receipts} receipts), journaled, ms, n={k.n} (p99 col = max)",
            k,
            f,
            target=f"≤ {REPORT_RATIO:g}× floor",
            verdict=verdict([("ratio", k.p50 <= REPORT_RATIO * f.p50)]),
        )
    )
    notes.append(
        f"X on the busy day: {x.receipts} receipts, {len(x.art_groups)} article groups,"
        f" {len(x.emp_payments)} employee/payment lines, copies {x.copies.num}, total"
        f" {x.total_cash_sale / 100:,.2f} kr"
    )

    # Z of the busy day: once on this copy, then once on each further fresh copy.
    busy_z = [shop.timed(shop.z)]
    shop.close()
    for n in range(1, z_repeats):
        config = fresh_copy(f"z{n}")
        other = Clocked(config, evening(BUSY_DAY))
        busy_z.append(other.timed(other.z))
        other.close()
        _remove_shop(copies.pop())
    floor_busy = [_timed(lambda: floor.z_report(closed_day=False)) for _ in range(z_repeats + 1)]
    k, f = Summary.of(busy_z, 100), Summary.of(floor_busy[1:], 100)
    rows.append(
        Row(
            f"Z report, busy day ({receipts} receipts), durable, ms, n={k.n} (p99 col = max)",
            k,
            f,
            target=f"≤ {Z_MS:g} ms and ≤ {REPORT_RATIO:g}× floor",
            verdict=verdict([("time", k.top <= Z_MS), ("ratio", k.p50 <= REPORT_RATIO * f.p50)]),
        )
    )

    # Z of a normal day: a normal day's sales made on the reports copy (untimed), then its Z.
    normal_receipts = max(1, plan.receipts // max(1, plan.days))
    normal_z: list[float] = []
    for n in range(1, z_repeats + 1):
        day = BUSY_DAY + timedelta(days=n)
        generator = Generator(reports_cfg, plan, lambda _text: None, day)
        generator.day(day, normal_receipts, OPENS, CLOSES, close=False)
        generator.close()
        closing = Clocked(reports_cfg, evening(day, CLOSES, 45))
        normal_z.append(closing.timed(closing.z))
        closing.close()
    floor_normal = [_timed(lambda: floor.z_report(closed_day=True)) for _ in range(z_repeats + 1)]
    floor.close()
    k, f = Summary.of(normal_z, 100), Summary.of(floor_normal[1:], 100)
    rows.append(
        Row(
            f"Z report, normal day ({normal_receipts} receipts), durable, ms, n={k.n}"
            " (p99 col = max)",
            k,
            f,
            target=f"≤ {Z_MS:g} ms and ≤ {REPORT_RATIO:g}× floor",
            verdict=verdict([("time", k.top <= Z_MS), ("ratio", k.p50 <= REPORT_RATIO * f.p50)]),
        )
    )
    return reports_cfg


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return ms(time.perf_counter() - started)


def _remove_shop(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


# -- SAF-T -----------------------------------------------------------------------------------


def run_measured(
    argv: list[str], env: dict[str, str], workdir: Path, stdin: str = ""
) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one process.

    The peak is the process's own `VmHWM`, polled from /proc every 20 ms while it runs (the peak
    is monotonic, so the last reading stands). Not `ru_maxrss`: Linux carries the parent's high
    water mark over into a child across fork and exec, so every child would report at least
    the benchmark's own size.
    """
    out_path, err_path = workdir / "run.out", workdir / "run.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, env=env, stdin=subprocess.PIPE, stdout=out, stderr=err, text=True
        )
        assert process.stdin
        process.stdin.write(stdin)
        process.stdin.close()
        peak_kib = 0
        while process.poll() is None:
            peak_kib = max(peak_kib, _hwm_kib(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(argv)} failed ({process.returncode}):\n{err_path.read_text()}"
        )
    return seconds, peak_kib * 1024 / 1e6, out_path.read_text()


def _hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def saft_bench(
    plan: Plan,
    config_path: Path,
    kassa: list[str],
    env: dict[str, str],
    workdir: Path,
    repeats: int,
    rows: list[Row],
    notes: list[str],
) -> None:
    from kassa_tui.config import load
    from kassa_tui.demo import DEMO_USERS

    config = load(config_path)
    technician = next(u for u in DEMO_USERS if u[2] == "technician")
    credentials = f"{technician[0]}\n{technician[3]}\n"
    last = BUSY_DAY - timedelta(days=1)
    first_day = BUSY_DAY - timedelta(days=plan.days)
    periods = {
        "week": max(first_day, last - timedelta(days=6)),
        "month": max(first_day, last - timedelta(days=29)),
        "two months": max(first_day, last - timedelta(days=60)),
    }
    out_dir = workdir / "saft"
    floor_script = str(Path(__file__).with_name("floor_saft.py"))
    results: dict[str, dict[str, list[tuple[float, float, int]]]] = {}
    for name, start in periods.items():
        runs = repeats if name == "month" else 1
        for i in range(runs):
            kassa_argv = [
                *kassa,
                "--config",
                str(config_path),
                "export",
                "saft",
                "--from",
                start.isoformat(),
                "--to",
                last.isoformat(),
                "--out",
                str(out_dir / f"kassa-{name}-{i}"),
            ]
            floor_file = out_dir / f"floor-{name}-{i}.xml"
            floor_argv = [
                sys.executable,
                floor_script,
                str(config.database),
                config.register_id,
                start.isoformat(),
                last.isoformat(),
                str(floor_file),
            ]
            out_dir.mkdir(parents=True, exist_ok=True)
            steps = [("kassa", kassa_argv, credentials), ("floor", floor_argv, "")]
            for who, argv, stdin in steps if i % 2 == 0 else steps[::-1]:
                seconds, peak, printed = run_measured(argv, env, workdir, stdin)
                path = Path(printed.strip().splitlines()[-1]) if who == "kassa" else floor_file
                size = path.stat().st_size
                results.setdefault(name, {}).setdefault(who, []).append((seconds, peak, size))
                path.unlink()
            print(f"  SAF-T {name} ({start}–{last}) run {i + 1}: done")
    month = results["month"]
    k = Summary.of([r[0] for r in month["kassa"]], 100)
    f = Summary.of([r[0] for r in month["floor"]], 100)
    month_days = (last - periods["month"]).days + 1
    rows.append(
        Row(
            f"SAF-T export, {month_days} days ({periods['month']}–{last}), s, n={k.n}"
            " (p99 col = max)",
            k,
            f,
            target=f"≤ {REPORT_RATIO:g}× floor",
            verdict=verdict([("ratio", k.p50 <= REPORT_RATIO * f.p50)]),
        )
    )
    week_peak = results["week"]["kassa"][0][1]
    for name in periods:
        kassa_runs, floor_runs = results[name]["kassa"], results[name]["floor"]
        kp = Summary.of([r[1] for r in kassa_runs], 100)
        fp = Summary.of([r[1] for r in floor_runs], 100)
        days = (last - periods[name]).days + 1
        size_mb = kassa_runs[0][2] / 1e6
        ok = kp.top <= week_peak + SAFT_MB_SLACK
        rows.append(
            Row(
                f"SAF-T export peak RSS, {name} ({days} days, file {size_mb:.0f} MB), MB",
                kp,
                fp,
                digits=1,
                target=f"≤ week + {SAFT_MB_SLACK:g} MB (constant memory)",
                verdict="—" if name == "week" else verdict([("memory", ok)]),
            )
        )
    notes.append(
        "SAF-T exports (kassa | floor): "
        + "; ".join(
            f"{name} {results[name]['kassa'][0][0]:.1f} s, {results[name]['kassa'][0][2] / 1e6:.0f}"
            f" MB file | {results[name]['floor'][0][0]:.1f} s,"
            f" {results[name]['floor'][0][2] / 1e6:.0f} MB file"
            for name in periods
        )
        + ". kassa's peak includes its PIN check (scrypt, 16 MB) and the whole `kassa` CLI;"
        " the floor writes fewer elements (no master data beyond the articles, no event"
        " reports), so its file is smaller"
    )
