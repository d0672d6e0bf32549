"""The Accuracy tab's figures computed in a process of their own (issue 16, «Speed»).

`shop_accuracy` forecasts half a year of daily demand of every product sold on enough days: on
the benchmark's year (200,000 products) that took the till's own process from about 400 to 800 MB
when done at once (bench/bench_till_memory.py). It runs in a child Python (insight.apart, as
the other tabs' counts) on a read-only connection, a chunk of products at a time (insight.chunks:
the child peaks at ~102 MB on the year instead of ~490 MB, bench/bench_forecast_memory.py); the
result comes back pickled through a pipe, so the figures are the same as in-process, and the
memory goes back to the system when the child ends.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

from kassa_tui.core import i18n
from kassa_tui.insight import apart
from kassa_tui.insight.accuracy import Accuracy, GroupAccuracy
from kassa_tui.insight.chunks import shop_accuracy


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


def compute_apart(database_path: Path | str, last_day: str, cutoff_hour: int) -> Accuracy | None:
    """`compute_here` in a child process (insight.apart), in the caller's language; its error
    raised here (never computed in the till's own process: that is the ~400 MB it is for)."""
    args = (str(database_path), last_day, cutoff_hour)
    try:
        found: Accuracy | None = apart.run_child(
            "kassa_tui.insight.accuracy_apart:compute_here", args
        )
    except (OSError, apart.ChildFailed) as problem:
        raise RuntimeError(f"accuracy process failed: {problem}") from problem
    return found


def _main(argv: list[str]) -> None:
    """`python -m kassa_tui.insight.accuracy_apart DB LAST CUTOFF LANG`: the figures as JSON
    (bench/bench_forecast_memory.py measures this child on its own)."""
    path, last_day, cutoff, language = argv
    i18n.set_language(language)
    found = compute_here(path, last_day, int(cutoff))
    print(json.dumps(None if found is None else found.to_dict()))


if __name__ == "__main__":
    _main(sys.argv[1:])
