"""The insight screen's Sales and Products figures read in a process of their own (issue 16,
«Speed»: the till's peak memory with the insight screen open).

On the benchmark's year the Products read (insight.product_table) takes the process's RSS up by
~61 MB at its peak while what it keeps is 24.6 MB: SQLite's sort of 145,662 rows and the heap
the fetched rows leave behind. Here `python -m kassa_tui.insight.figures_apart` reads them on a
read-only connection and pickles the result (numpy columns and a few strings) through a pipe;
the till loads it as it comes. The figures are the same objects as in-process.
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
    """compute_here in a child process, its result pickled through a pipe (no file: /tmp may be
    memory on the till); read in this process if the child fails."""
    with tempfile.TemporaryFile() as errors:
        try:
            child = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kassa_tui.insight.figures_apart",
                    str(database),
                    now_utc,
                    str(cutoff),
                    "-",
                ],
                stdin=subprocess.DEVNULL,  # never the till's terminal
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as problem:  # no Python to start: read here
            log.warning("insight figures process could not start: %s", problem)
            return compute_here(database, now_utc, cutoff)
        assert child.stdout is not None
        found: tuple[SalesFigures, ProductTable] | None = None
        try:
            found = pickle.load(child.stdout)  # our child wrote it
        except (EOFError, pickle.UnpicklingError):
            pass  # the child ended without its figures: said below
        finally:
            child.stdout.close()
            code = child.wait()
        if code == 0 and found is not None:
            return found
        errors.seek(0)
        said = errors.read()[-2000:].decode(errors="replace")
        log.warning("insight figures process failed (%s): %s", code, said)
    return compute_here(database, now_utc, cutoff)


def _main(argv: list[str]) -> None:
    path, now_utc, cutoff, out = argv
    found = compute_here(path, now_utc, int(cutoff))
    if out == "-":
        pickle.dump(found, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
        sys.stdout.buffer.flush()
        return
    with open(out, "wb") as file:
        pickle.dump(found, file, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _main(sys.argv[1:])
