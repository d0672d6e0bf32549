"""Small helpers of the till benchmark: percentiles, the results table, the machine, the config.

Nothing here imports kassa: it is plain bookkeeping shared by `bench_till.py` and its probes.
"""

from __future__ import annotations

import math
import os
import platform
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

# -- statistics ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100) of a non-empty list; 100 gives the maximum."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """p50, p95 and a third column (p99, or the maximum for small samples) of one series."""

    p50: float
    p95: float
    top: float
    n: int

    @classmethod
    def of(cls, values: list[float], top_q: float = 99) -> Summary:
        return cls(
            percentile(values, 50), percentile(values, 95), percentile(values, top_q), len(values)
        )

    @classmethod
    def single(cls, value: float) -> Summary:
        return cls(value, math.nan, math.nan, 1)


# -- the table -------------------------------------------------------------------------------

HEADER = (
    "measure",
    "kassa p50",
    "p95",
    "p99",
    "floor p50",
    "floor p95",
    "floor p99",
    "ratio (p50)",
    "target",
    "within target?",
)


@dataclass
class Row:
    measure: str
    kassa: Summary | None
    floor: Summary | None = None
    digits: int = 3
    target: str = "—"
    verdict: str = "—"

    def cells(self) -> list[str]:
        def num(value: float | None) -> str:
            if value is None or math.isnan(value):
                return "—"
            return f"{value:.{self.digits}f}"

        k, f = self.kassa, self.floor
        ratio = "—"
        if k is not None and f is not None and f.p50 > 0:
            ratio = f"{k.p50 / f.p50:.1f}×"
        return [
            self.measure,
            num(k.p50 if k else None),
            num(k.p95 if k else None),
            num(k.top if k else None),
            num(f.p50 if f else None),
            num(f.p95 if f else None),
            num(f.top if f else None),
            ratio,
            self.target,
            self.verdict,
        ]


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def verdict(checks: list[tuple[str, bool]]) -> str:
    """'yes' when every check passes, else 'NO (names of the failed checks)'."""
    failed = [name for name, ok in checks if not ok]
    return "yes" if not failed else f"NO ({', '.join(failed)})"


# -- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    """'model name' on x86; on a Raspberry Pi the board model (cpuinfo has no model name)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or platform.machine()
    for key in ("model name", "Model", "Hardware", "Processor"):
        match = re.search(rf"^{key}\s*:\s*(.+)$", text, re.MULTILINE)
        if match:
            return match.group(1).strip()
    return platform.machine()


def filesystem_of(path: Path) -> str:
    """Type and device of the filesystem holding `path` (from /proc/mounts); tmpfs never syncs."""
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "unknown"
    resolved = str(path.resolve())
    best = ("", "unknown", "?")
    for fields in mounts:
        if len(fields) < 3:
            continue
        device, mount_point, fs_type = fields[0], fields[1], fields[2]
        inside = resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best[0]):
            best = (mount_point, fs_type, device)
    return f"{best[1]} ({best[2]} on {best[0]})"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def machine_lines(shop_dir: Path) -> list[str]:
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {cpu_model()}, {cores} cores ({usable} usable), {platform.machine()},"
        f" Linux {platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version},"
        f" peewee {_version('peewee')}, textual {_version('textual')}, kassa {_version('kassa')}",
        f"- shop files: {shop_dir} on {filesystem_of(shop_dir)}",
    ]


# -- the throwaway shop's config -------------------------------------------------------------


def write_config(source: Path, target: Path, changes: dict[tuple[str, str], str]) -> None:
    """Copy kassa.toml, replacing `key = value` lines of the given (section, key) pairs.

    Values are TOML literals (strings already quoted). A pair that is not found is appended to
    its section, so a shortened kassa.toml still gets every setting the benchmark needs.
    """
    section = ""
    done: set[tuple[str, str]] = set()
    out: list[str] = []
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    assignment = re.compile(r"^(\s*)([A-Za-z0-9_-]+)(\s*=\s*)")

    def flush_missing(current: str) -> None:
        for (sec, key), value in changes.items():
            if sec == current and (sec, key) not in done:
                out.append(f"{key} = {value}")
                done.add((sec, key))

    for line in source.read_text(encoding="utf-8").splitlines():
        match = header.match(line)
        if match:
            flush_missing(section)
            section = match.group(1)
            out.append(line)
            continue
        match = assignment.match(line)
        if match and (section, match.group(2)) in changes:
            key = match.group(2)
            out.append(f"{match.group(1)}{key}{match.group(3)}{changes[(section, key)]}")
            done.add((section, key))
            continue
        out.append(line)
    flush_missing(section)
    for (sec, key), value in changes.items():  # sections missing altogether
        if (sec, key) not in done:
            out += ["", f"[{sec}]", f"{key} = {value}"]
    target.write_text("\n".join(out) + "\n", encoding="utf-8")


def toml_string(path: Path) -> str:
    """A TOML basic string for a path."""
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'
