"""The till's SAF-T export over a copy of a register's rows, e.g. HQ's (`kassa hq saft`).

`kassa_tui.hq.saft` writes what HQ holds of a register into a SQLite with the till's schema;
this runs the till's own export (`kassa_tui.saft.export`'s selection and writer) over it, so
the file's transactions and events are the till's, and writes the `.head` beside it from the
copy's journal head as HQ knows it. Nothing is journaled: the copy is not a till.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.core.clock import Clock
from kassa_tui.core.files import write_new, writing_new
from kassa_tui.saft.export import _Export, head_path


@dataclass(frozen=True)
class Written:
    path: Path
    transactions: int
    events: int


def export_copy(
    database: Path,
    config: Config,
    register: str,
    period: tuple[date, date],
    target: Path,
    head: tuple[int, str],
    *,
    clock: Clock | None = None,
) -> Written:
    """Write `register`'s SAF-T file for the business days `period` from the SQLite copy at
    `database` to `target` (a new file, its owner's only), and `<target>.head` with `head`
    (the register's last seq and its hash) and the file's last transaction."""
    config = replace(config, register_id=register)  # no empty register of the caller's own
    now = (clock or Clock()).now()
    db = SqliteDatabase(str(database))
    db.connect()
    try:
        days = (period[0].isoformat(), period[1].isoformat())
        with writing_new(target, unique=False) as file, db.atomic():
            export = _Export(db, config, days, now)
            transactions, events = export.write(file.file)
    finally:
        db.close()
    end = export.ends.get(register)
    text = f"{register} {head[0]}:{head[1]}\n"
    text += f"{register} last {end[0]} {end[1]}\n" if end else f"{register} last none\n"
    write_new(head_path(file.path), text.encode("ascii"), unique=False)
    return Written(file.path, transactions, events)
