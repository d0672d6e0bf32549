"""Is this register signed out for good? (`kassa register retire`, kassa_tui.sync.retire)

A retired register sells nothing: every change to a basket and every payment asks
`refuse_if_retired` first (the basket's guard), so the sale screen and the CLI say the same.
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
