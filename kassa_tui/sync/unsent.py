"""Journal rows the head office has not acknowledged, for the commands that would lose them.

`kassa restore` puts another database in place of this one; rows the push has not got HQ to
acknowledge (after `sync_cursor.acked_seq`) would then exist nowhere but in the replaced file
kept beside it. With [hq] configured such a command is refused, naming how many rows wait and
since when, unless the technician says `--despite-unsent` (with their PIN; the override is
journaled). A command that signs a register out for good must ask the same (`refusal`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kassa_tui.core.clock import parse_utc
from kassa_tui.core.i18n import _


@dataclass(frozen=True)
class Unsent:
    register_id: str
    count: int  # journal rows after the cursor
    acked_seq: int  # the last seq HQ acknowledged
    head_seq: int  # the till's last journal row
    oldest_utc: str | None  # the first waiting row's time

    def details(self) -> dict[str, object]:
        """What the override's journal row records."""
        return {
            "unsent": self.count,
            "acked_seq": self.acked_seq,
            "head_seq": self.head_seq,
            "oldest_utc": self.oldest_utc,
        }


def unsent(database: Path, register_id: str) -> Unsent:
    """What waits for HQ in `database` (read-only; a database that never pushed: every row)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "journal" not in tables:
            return Unsent(register_id, 0, 0, 0, None)
        acked = 0
        if "sync_cursor" in tables:
            row = conn.execute(
                "SELECT acked_seq FROM sync_cursor WHERE register_id = ?", (register_id,)
            ).fetchone()
            acked = int(row[0]) if row else 0
        head = int(
            conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE register_id = ?", (register_id,)
            ).fetchone()[0]
        )
        oldest = conn.execute(
            "SELECT utc FROM journal WHERE register_id = ? AND seq > ? ORDER BY seq LIMIT 1",
            (register_id, acked),
        ).fetchone()
    finally:
        conn.close()
    return Unsent(register_id, max(0, head - acked), acked, head, oldest[0] if oldest else None)


def _local(utc: str | None) -> str:
    return parse_utc(utc).local.strftime("%Y-%m-%d %H:%M") if utc else "-"


def refusal(waiting: Unsent, command: str) -> str:
    """The message a command that would lose the waiting rows stops with."""
    return _(
        "{n} journal rows of register {register} have not reached HQ, the oldest from {time}:"
        " run `kassa sync --once` until they are sent, or run {command} anyway with"
        " --despite-unsent (a technician's PIN; journaled)"
    ).format(
        n=waiting.count, register=waiting.register_id, time=_local(waiting.oldest_utc),
        command=command,
    )  # fmt: skip
