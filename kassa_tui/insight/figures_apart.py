"""The insight screen's Sales and Products figures read in a process of their own (issue 16,
«Speed»: the till's peak memory with the insight screen open).

On the benchmark's year the Products read (insight.product_table) takes the process's RSS up by
~61 MB at its peak while what it keeps is 24.6 MB: SQLite's sort of 145,662 rows and the heap
the fetched rows leave behind. Here `python -m kassa_tui.insight.figures_apart` reads them on a
read-only connection and pickles the result (numpy columns and a few strings) into a file of a
private temporary folder; the till loads it. The figures are the same objects as in-process.
If the child cannot run, the till reads them itself (and logs why).
"""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from peewee import SqliteDatabase

from kassa_tui.core.clock import parse_utc
from kassa_tui.insight.figures import SalesFigures, sales_figures
from kassa_tui.insight.product_table import ProductTable, product_table

log = logging.getLogger(__name__)


def compute_here(
    database: Path | str, now_utc: str, cutoff: int
) -> tuple[SalesFigures, ProductTable]:
    """Both tabs' figures on a read-only connection of this thread."""
    db = SqliteDatabase(str(database), pragmas={"query_only": 1})
    try:
        now = parse_utc(now_utc)
        return sales_figures(db, now, cutoff), product_table(db, now, cutoff)
    finally:
        db.close()


def compute_apart(
    database: Path | str, now_utc: str, cutoff: int
) -> tuple[SalesFigures, ProductTable]:
    """compute_here in a child process; in this one if the child fails."""
    with tempfile.TemporaryDirectory(prefix="kassa-figures-") as folder:
        out = Path(folder) / "figures.pickle"
        try:
            done = _run_child(database, now_utc, cutoff, out)
        except OSError as problem:  # no Python to start: read here
            log.warning("insight figures process could not start: %s", problem)
            return compute_here(database, now_utc, cutoff)
        if done.returncode == 0 and out.exists():
            with out.open("rb") as file:
                found: tuple[SalesFigures, ProductTable] = pickle.load(file)  # our child wrote it
            return found
        log.warning("insight figures process failed (%s): %s", done.returncode, done.stderr[-2000:])
    return compute_here(database, now_utc, cutoff)


def _run_child(
    database: Path | str, now_utc: str, cutoff: int, out: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kassa_tui.insight.figures_apart",
            str(database),
            now_utc,
            str(cutoff),
            str(out),
        ],
        stdin=subprocess.DEVNULL,  # never the till's terminal
        capture_output=True,
        text=True,
        check=False,
    )


def _main(argv: list[str]) -> None:
    path, now_utc, cutoff, out = argv
    found = compute_here(path, now_utc, int(cutoff))
    with open(out, "wb") as file:
        pickle.dump(found, file, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _main(sys.argv[1:])
