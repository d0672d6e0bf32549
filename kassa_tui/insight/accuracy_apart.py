"""The Accuracy tab's figures computed in a process of their own (issue 16, «Speed»).

`shop_accuracy` forecasts half a year of daily demand of every product sold on enough days: on
the benchmark's year (200,000 products) that took the till's own process from about 400 to 800 MB
when done at once (bench/bench_till_memory.py). It runs in a child Python (insight.apart, as
the other tabs' counts) on a read-only connection, a chunk of products at a time (insight.chunks:
the child peaks at ~102 MB on the year instead of ~490 MB, bench/bench_forecast_memory.py); the
result comes back pickled through a pipe, so the figures are the same as in-process, and the
memory goes back to the system when the child ends.

The figures of a business day are kept in a file beside the database (`kassa.db.accuracy.json`,
JSON, written whole and renamed into place): the four weeks up to yesterday do not change during
the day (completed sales are never edited; a return is today's), so only the first opening of
the tab in a business day waits for the child (~5 s on the benchmark's year), every later one,
after a restart too, reads the file. The file names what it was computed for (the day, the
cut-off hour, the language of its group names, the imported history's imports): anything else
is computed again. A file that cannot be written (a full disk) only means computing again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from kassa_tui.core import i18n
from kassa_tui.insight import apart
from kassa_tui.insight.accuracy import Accuracy, GroupAccuracy
from kassa_tui.insight.chunks import shop_accuracy

log = logging.getLogger(__name__)


def compute_here(database_path: Path | str, last_day: str, cutoff_hour: int) -> Accuracy | None:
    """The last four weeks' accuracy on a read-only connection (None: too little history)."""
    conn = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True, timeout=5.0)
    try:
        return shop_accuracy(conn, last_day, cutoff_hour)
    except ValueError:
        return None
    finally:
        conn.close()


def from_dict(data: dict[str, object]) -> Accuracy:
    groups = data["groups"]
    total = data["total"]
    assert isinstance(groups, list) and isinstance(total, dict)
    return Accuracy(
        str(data["first"]),
        str(data["last"]),
        [GroupAccuracy(**g) for g in groups],
        GroupAccuracy(**total),
    )


def kept_path(database_path: Path | str) -> Path:
    path = Path(database_path)
    return path.with_name(path.name + ".accuracy.json")


def _key(database_path: Path | str, last_day: str, cutoff_hour: int) -> dict[str, Any]:
    """What the figures were computed for (a database that cannot be read gives None for the
    imports, so nothing kept matches it)."""
    imports: int | None = None
    try:
        conn = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True, timeout=5.0)
        try:
            row = conn.execute("SELECT COUNT(*) FROM sales_history_import").fetchone()
            imports = int(row[0])
        finally:
            conn.close()
    except sqlite3.Error:
        pass
    return {
        "last_day": last_day,
        "cutoff_hour": cutoff_hour,
        "language": i18n.language(),
        "history_imports": imports,
    }


def read_kept(
    database_path: Path | str, last_day: str, cutoff_hour: int
) -> tuple[bool, Accuracy | None]:
    """(True, the figures) kept for exactly this day, cut-off, language and history; else
    (False, None)."""
    try:
        data = json.loads(kept_path(database_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False, None
    key = _key(database_path, last_day, cutoff_hour)
    if not isinstance(data, dict) or data.get("key") != key or key["history_imports"] is None:
        return False, None
    figures = data.get("figures")
    try:
        return True, None if figures is None else from_dict(figures)
    except (AssertionError, KeyError, TypeError):
        return False, None


def keep(
    database_path: Path | str, last_day: str, cutoff_hour: int, report: Accuracy | None
) -> None:
    """The figures into the file beside the database, whole (a temporary file renamed)."""
    path = kept_path(database_path)
    spare = path.with_name(path.name + ".tmp")
    data = {
        "key": _key(database_path, last_day, cutoff_hour),
        "figures": None if report is None else report.to_dict(),
    }
    try:
        spare.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(spare, path)
    except OSError as problem:  # computed again next time
        log.warning("accuracy figures not kept in %s: %s", path, problem)


def compute_apart(database_path: Path | str, last_day: str, cutoff_hour: int) -> Accuracy | None:
    """The figures kept for this business day, or `compute_here` in a child process
    (insight.apart), in the caller's language, then kept; its error raised here (never
    computed in the till's own process: that is the ~400 MB it is for)."""
    found_kept, report = read_kept(database_path, last_day, cutoff_hour)
    if found_kept:
        return report
    args = (str(database_path), last_day, cutoff_hour)
    try:
        found: Accuracy | None = apart.run_child(
            "kassa_tui.insight.accuracy_apart:compute_here", args
        )
    except (OSError, apart.ChildFailed) as problem:
        raise RuntimeError(f"accuracy process failed: {problem}") from problem
    keep(database_path, last_day, cutoff_hour, found)
    return found


def keep_later(database_path: Path | str, last_day: str, cutoff_hour: int) -> None:
    """Compute and keep `last_day`'s figures in a process of their own at the lowest priority,
    not waited for: after the Z of `last_day`, so the next business day's first opening of the
    tab reads the file instead of waiting for the forecasts."""
    if read_kept(database_path, last_day, cutoff_hour)[0]:
        return
    command = [sys.executable, "-m", "kassa_tui.insight.accuracy_apart", "--keep"]
    command += [str(database_path), last_day, str(cutoff_hour), i18n.language()]
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not the till's terminal, not its signals
        )
    except OSError as problem:  # the tab computes them when opened
        log.warning("accuracy figures not computed ahead: %s", problem)


def _main(argv: list[str]) -> None:
    """`python -m kassa_tui.insight.accuracy_apart DB LAST CUTOFF LANG`: the figures as JSON
    (bench/bench_forecast_memory.py measures this child on its own); with `--keep` first, at
    the lowest priority into the file beside the database instead (keep_later)."""
    store = argv[:1] == ["--keep"]
    path, last_day, cutoff, language = argv[1:] if store else argv
    i18n.set_language(language)
    if store:
        with contextlib.suppress(OSError):
            os.nice(19)
    found = compute_here(path, last_day, int(cutoff))
    if store:
        keep(path, last_day, int(cutoff), found)
        return
    print(json.dumps(None if found is None else found.to_dict()))


if __name__ == "__main__":
    _main(sys.argv[1:])
