"""Is this register signed out for good? (`kassa register retire`, kassa_tui.sync.retire)

A retired register sells nothing: every change to a basket and every payment asks
`refuse_if_retired` first (the basket's guard), so the sale screen and the CLI say the same.
It writes nothing after its retirement row either: the journal refuses any row after
REGISTERRETIRE (kassa_tui.records.journal, `written_after_retirement`), so the app starts to a
screen saying so (no start or sign-in journaled) and every journaling CLI command is refused,
while `kassa sync` still pushes the retirement row to HQ.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import OperationalError, SqliteDatabase

from kassa_tui.core.clock import parse_utc
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _


@dataclass(frozen=True)
class Retired:
    register_id: str
    seq: int
    utc: str
    user_number: int
    reason: str


def retired(database: SqliteDatabase, register_id: str) -> Retired | None:
    """The register's retirement, or None (a database before migration 11: None)."""
    try:
        row = database.execute_sql(
            "SELECT seq, utc, user_number, reason FROM register_retired WHERE register_id = ?",
            (register_id,),
        ).fetchone()
    except OperationalError as exc:  # no table yet: an old schema read before it is migrated
        if "no such table" in str(exc):
            return None
        raise
    if row is None:
        return None
    return Retired(register_id, int(row[0]), str(row[1]), int(row[2]), str(row[3]))


def refuse_if_retired(database: SqliteDatabase, register_id: str) -> None:
    found = retired(database, register_id)
    if found is not None:
        raise Refused(
            _(
                "Register {register} was signed out for good on {time} ({reason}): it sells"
                " nothing more. A replaced till gets a new register ID."
            ).format(
                register=register_id,
                time=parse_utc(found.utc).local.strftime("%Y-%m-%d %H:%M"),
                reason=found.reason,
            )
        )


#: The journal's basic ID of the retirement row (kassa_tui.sync.retire.REGISTER_RETIRE).
RETIRE_BASIC_ID = "REGISTERRETIRE"


def retired_text(found: Retired) -> str:
    """What the till says instead of starting: when, why, and what to do."""
    return _(
        "This register was signed out for good on {time} ({reason}). Give the Pi a new register ID."
    ).format(time=parse_utc(found.utc).local.strftime("%Y-%m-%d %H:%M"), reason=found.reason)


def written_after_retirement(database: SqliteDatabase, register_id: str) -> Refused:
    """The journal's refusal of a row after the retirement row (nothing is written)."""
    found = retired(database, register_id)
    if found is None:  # the row is there but not the mark: say it without the details
        return Refused(_("This register was signed out for good. Give the Pi a new register ID."))
    return Refused(retired_text(found))
