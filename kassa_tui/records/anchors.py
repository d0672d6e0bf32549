"""Anchors outside the database: what the journal must still hold, whoever rewrote it.

Someone with the till's files can drop the append-only triggers, edit or delete rows and then
recompute the journal's SHA-256 chain: it needs no key. What they cannot rewrite is a copy kept
elsewhere:

* a head printed on an X or Z («Kontrollspor»: its last row's sequence number and hash),
  `check_head`, and the Z's own journal row that recorded it, `check_z_head`;
* a backup (a copy of the database): every one of its journal rows, `check_extends` with
  `BackupJournal.rows`, both journals streamed in sequence order so a year takes the memory of
  a row;
* a SAF-T export: the journal heads and each register's last transaction recorded in the
  `.head` file beside it, which its own journal row (13020) records too, `check_export_row`.

Plain SQL throughout: the rooms that write these tables are above this one.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.core.i18n import _
from kassa_tui.records.journal import GENESIS, journal_head

#: Fewer hex digits than an X or Z prints would be too easy to match with a rewritten journal.
HEAD_MIN_DIGITS = 16
#: The first bytes of every SQLite database file.
_SQLITE_MAGIC = b"SQLite format 3\x00"


# -- a printed head ----------------------------------------------------------------------------


def parse_head(text: str) -> tuple[int, str]:
    """'1234:0123456789abcdef' (as printed on an X or Z) → (1234, '0123456789abcdef')."""
    seq_text, colon, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if (
        not colon
        or not seq_text.strip().isdigit()
        or not HEAD_MIN_DIGITS <= len(digest) <= 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise ValueError(
            f"{text!r} is not a journal head: give it as printed on an X or Z report,"
            f" sequence:hash with at least {HEAD_MIN_DIGITS} hex digits"
        )
    return int(seq_text), digest


def parse_anchor(text: str) -> tuple[int | None, int, str]:
    """'Z3=1234:0123…' (the head printed on Z 3) or '1234:0123…' → (3 or None, seq, hash)."""
    z_text, equals, head = text.strip().partition("=")
    if not equals:
        return (None, *parse_head(text))
    digits = z_text.strip().upper().removeprefix("Z")
    if not digits.isdigit():
        raise ValueError(f"{text!r}: say which Z printed the head as Z<number>=seq:hash")
    return (int(digits), *parse_head(head))


def check_z_head(
    database: SqliteDatabase, register_id: str, z_nr: int, seq: int, digest: str
) -> str | None:
    """None when Z `z_nr`'s journal row (13009) records the head printed on it."""
    rows = database.execute_sql(
        "SELECT json_extract(text, '$.report.last_journal_seq'),"
        " json_extract(text, '$.report.journal_head_hash') FROM journal"
        " WHERE event_code = '13009' AND basic_id = 'ZREPORT' AND register_id = ?"
        " AND json_extract(text, '$.z_nr') = ?",
        (register_id, z_nr),
    ).fetchall()
    if len(rows) != 1:
        return f"Z {z_nr} has {len(rows)} journal rows, not one: it was removed or forged"
    journaled_seq, journaled_hash = rows[0]
    if journaled_seq != seq or not str(journaled_hash or "").startswith(digest.lower()):
        return f"Z {z_nr}'s journal row does not record the head printed on it: it was rewritten"
    return None


def check_head(database: SqliteDatabase, register_id: str, seq: int, digest: str) -> str | None:
    """None when the journal holds row `seq` with a hash that starts with `digest`; otherwise
    what is wrong. Only meaningful with the chain itself intact (`Journal.verify`)."""
    if seq == 0:
        found: str | None = GENESIS
    else:
        row = database.execute_sql(
            "SELECT hash FROM journal WHERE register_id = ? AND seq = ?", (register_id, seq)
        ).fetchone()
        found = str(row[0]) if row else None
    if found is None:
        last = journal_head(database, register_id)[0]
        return (
            f"the journal ends at row {last}, before row {seq} of the printed head {seq}:{digest}:"
            " rows were removed"
        )
    if not found.startswith(digest.lower()):
        return (
            f"journal row {seq} has hash {found[: len(digest)]}, not the printed {digest}:"
            f" the journal was rewritten at or before row {seq}"
        )
    return None


# -- a backup, or any list of rows the journal must still hold ---------------------------------


class BackupJournal:
    """A kassa backup's journal, read row by row: per register its (seq, hash), oldest first.

    Opening checks the file (ValueError when it is not a readable, unencrypted kassa database);
    the rows are only read when `rows` is iterated, so a year of sales is never held at once.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as file:
                magic = file.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise ValueError(f"{path}: {exc.strerror or exc}") from None
        if magic != _SQLITE_MAGIC:
            if path.name.endswith(".enc"):
                raise ValueError(
                    f"{path} is an encrypted backup: decrypt it first (kassa backup decrypt FILE"
                    " --key PRIVATE.pem -o OUT) and give the decrypted copy"
                )
            raise ValueError(f"{path} is neither a kassa backup (SQLite database) nor a SAF-T file")
        self._conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            self._registers = [
                str(r)
                for (r,) in self._conn.execute(
                    "SELECT DISTINCT register_id FROM journal ORDER BY register_id"
                )
            ]
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise ValueError(f"{path} is not a kassa database: {exc}") from None

    def registers(self) -> list[str]:
        """The registers whose journal rows the backup holds."""
        return list(self._registers)

    def rows(self, register_id: str) -> Iterator[tuple[int, str]]:
        """The register's journal rows in the backup, (seq, hash) in sequence order."""
        cursor = self._conn.execute(
            "SELECT seq, hash FROM journal WHERE register_id = ? ORDER BY seq", (register_id,)
        )
        try:
            for seq, digest in cursor:
                yield int(seq), str(digest)
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # the backup already closed
                cursor.close()

    def close(self) -> None:
        self._conn.close()


@dataclass(frozen=True)
class Extension:
    """What `check_extends` found: the first difference (None: the journal extends the anchor),
    how many of the anchor's rows were compared and the anchor's last row."""

    problem: str | None
    rows: int
    head: tuple[int, str]


def check_extends(
    database: SqliteDatabase, register_id: str, anchor: Iterable[tuple[int, str]], what: str
) -> Extension:
    """Whether the register's journal holds every row of `anchor` ((seq, hash), ascending)
    unchanged. Both are walked side by side in sequence order: a backup of a year of sales takes
    the memory of one row. `what` names the anchor in the problem."""
    rows = iter(anchor)
    first = next(rows, None)
    if first is None:
        return Extension(None, 0, (0, GENESIS))
    current = database.execute_sql(
        "SELECT seq, hash FROM journal WHERE register_id = ? AND seq >= ? ORDER BY seq",
        (register_id, first[0]),
    )
    count, head = 0, first
    try:
        held = next(current, None)
        for seq, digest in chain((first,), rows):
            count, head = count + 1, (seq, digest)
            while held is not None and int(held[0]) < seq:
                held = next(current, None)
            if held is None or int(held[0]) != seq:
                last = journal_head(database, register_id)[0]
                ends = f"ends at row {last}" if last < seq else "has no row"
                problem = (
                    f"register {register_id}: the journal {ends} where {what} holds row {seq}:"
                    " rows were removed"
                )
                return Extension(problem, count, head)
            if str(held[1]) != digest:
                problem = (
                    f"register {register_id}: journal row {seq} has hash {str(held[1])[:16]},"
                    f" {what} has {digest[:16]}: the journal was rewritten at or before row {seq}"
                )
                return Extension(problem, count, head)
    finally:
        current.close()
    return Extension(None, count, head)


# -- a SAF-T export's own journal row ----------------------------------------------------------


def export_rows(database: SqliteDatabase, file_name: str) -> list[dict[str, Any]]:
    """The details of every export row (13020) that names a SAF-T file called `file_name`, on
    any register (two exports into two folders in one second share a name)."""
    found = []
    for (text,) in database.execute_sql(
        "SELECT text FROM journal WHERE event_code = '13020' AND basic_id = 'EXPORT'"
        " AND json_valid(text) AND json_extract(text, '$.file') = ? ORDER BY register_id, seq",
        (file_name,),
    ):
        details = json.loads(text)
        if isinstance(details, dict):
            found.append(details)
    return found


def _made_after_retirement(database: SqliteDatabase, heads: Mapping[str, tuple[int, str]]) -> bool:
    """A retired register's export is not journaled (nothing may follow its retirement row,
    kassa_tui.saft.export): its `.head` then names, for every register, the retirement row
    that is still the journal's last, which anchors the file as an export row would."""
    if not heads:
        return False
    for register, (seq, digest) in heads.items():
        last = database.execute_sql(
            "SELECT seq, hash, basic_id FROM journal WHERE register_id = ? ORDER BY seq DESC"
            " LIMIT 1",
            (register,),
        ).fetchone()
        if last is None or (int(last[0]), str(last[1]), str(last[2])) != (
            seq,
            digest,
            "REGISTERRETIRE",
        ):
            return False
    return True


def check_export_row(
    database: SqliteDatabase,
    file_name: str,
    heads: Mapping[str, tuple[int, str]],
    ends: Mapping[str, tuple[int, str] | None] | None = None,
) -> str | None:
    """None when an export row (13020) for `file_name` records exactly the journal heads of its
    `.head` file, and the same last transaction of each register (`ends`, when the `.head`
    records them): so a `.head` edited to match a shortened journal or a cut file, or the row
    rewritten to match a shortened `.head`, is named."""
    rows = export_rows(database, file_name)
    if not rows and _made_after_retirement(database, heads):
        return None
    if not rows:
        return _(
            "no journal row records the export {name} (13020): it was removed, or the file was"
            " renamed"
        ).format(name=file_name)
    wanted = {register: f"{seq}:{digest}" for register, (seq, digest) in heads.items()}
    matching = [row for row in rows if row.get("journal_heads") == wanted]
    if matching:
        return None if ends is None else _check_ends_row(file_name, matching, ends)
    recorded = rows[-1].get("journal_heads") or {}
    differing = sorted(
        register
        for register in set(wanted) | set(recorded)
        if wanted.get(register) != recorded.get(register)
    )
    shown = ", ".join(
        _("register {register}: journal row {row}, .head {head}").format(
            register=register,
            row=_short(recorded.get(register)),
            head=_short(wanted.get(register)),
        )
        for register in differing
    )
    return _(
        "the journal row of the export {name} and its .head file record different heads"
        " ({heads}): one of them was changed"
    ).format(name=file_name, heads=shown)


def journaled_ends(row: Mapping[str, Any]) -> dict[str, tuple[int, str] | None] | None:
    """An export row's `last_transactions` as (receipt number, signature) per register, None
    per register without a transaction; None when the row records none (an older export)."""
    journaled = row.get("last_transactions")
    if not isinstance(journaled, dict):
        return None
    ends: dict[str, tuple[int, str] | None] = {}
    for register, end in journaled.items():
        if isinstance(end, dict):
            ends[str(register)] = (int(end.get("nr", -1)), str(end.get("signature", "")))
        else:
            ends[str(register)] = None
    return ends


def _check_ends_row(
    file_name: str, rows: list[dict[str, Any]], ends: Mapping[str, tuple[int, str] | None]
) -> str | None:
    if any(journaled_ends(row) == dict(ends) for row in rows):
        return None
    recorded = journaled_ends(rows[-1]) or {}
    shown = ", ".join(
        _("register {register}: journal row {row}, .head {head}").format(
            register=register,
            row=_end(recorded.get(register), ends.get(register)),
            head=_end(ends.get(register), recorded.get(register)),
        )
        for register in sorted(set(ends) | set(recorded))
        if ends.get(register) != recorded.get(register)
    )
    return _(
        "the journal row of the export {name} and its .head file record different last"
        " transactions ({ends}): one of them was changed"
    ).format(name=file_name, ends=shown)


def _end(end: tuple[int, str] | None, other: tuple[int, str] | None) -> str:
    """A last transaction as the message shows it: 'nr 4', or with '(another signature)'."""
    if end is None:
        return _("none")
    if other is not None and other[0] == end[0]:
        return _("nr {nr} (another signature)").format(nr=end[0])
    return _("nr {nr}").format(nr=end[0])


def _short(head: object) -> str:
    """'1234:<64 hex digits>' as the X and Z print it, with 16 digits; 'none' for no head."""
    if not isinstance(head, str):
        return _("none")
    seq, _colon, digest = head.partition(":")
    return f"{seq}:{digest[:16]}"
