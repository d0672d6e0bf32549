"""Signing a register out for good (issue 15, operations): `kassa register retire`.

The till does it, not HQ: the retirement is a row of the register's own signed journal
(REGISTERRETIRE, 13999 Other: the code list has no code for taking a register out of use), so
the till's SAF-T file and HQ hold the same fact at the same place in the chain. The till then
sells nothing (kassa_tui.records.retirement); pushed, the row marks the register retired at HQ
(kassa_tui/hq/sql/0010_register_retire.sql) and HQ takes nothing after it. A replaced till gets
a new register ID.

With [hq] configured it is refused while journal rows wait for HQ (kassa_tui.sync.unsent, the
same check as `kassa restore`): those rows would exist only on a till about to be switched off.
`--despite-unsent` with a technician's PIN retires anyway; the row then records how many rows
HQ had not acknowledged.
"""

from __future__ import annotations

from typing import Any

from peewee import SqliteDatabase

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Journal
from kassa_tui.records.retirement import RETIRE_BASIC_ID, Retired, retired
from kassa_tui.sync.unsent import Unsent

#: The register signed out for good (no code of its own in PredefinedBasicID-13).
REGISTER_RETIRE = ("13999", RETIRE_BASIC_ID)

_MAX_REASON = 200


def retire(
    database: SqliteDatabase,
    journal: Journal,
    register_id: str,
    person: Person,
    reason: str,
    despite: Unsent | None = None,
) -> Retired:
    """Journal the retirement and mark the register (one transaction); a technician's."""
    permissions.require(database, journal, person, Permission.EXPORT)
    reason = " ".join(reason.split())
    if not reason:
        raise Refused(_("Say why the register is signed out for good (--reason)."))
    if len(reason) > _MAX_REASON:
        raise Refused(_("The reason is at most {n} characters.").format(n=_MAX_REASON))
    details: dict[str, Any] = {"reason": reason}
    if despite is not None and despite.count:
        details["despite_unsent"] = despite.details()
    with database.atomic("IMMEDIATE"):
        if retired(database, register_id) is not None:
            raise Refused(
                _("Register {register} is already signed out for good.").format(
                    register=register_id
                )
            )
        now = journal.write(REGISTER_RETIRE, user=person.number, **details)
        seq = journal.head()[0]
        database.execute_sql(
            "INSERT INTO register_retired (register_id, seq, utc, user_number, reason)"
            " VALUES (?, ?, ?, ?, ?)",
            (register_id, seq, now.utc_text, person.number, reason),
        )
    found = retired(database, register_id)
    assert found is not None
    return found
