"""A 'users' revision from HQ applied on the till (kassa_tui.hq.users says why no PIN travels).

Inside the revision's SQLite transaction (kassa_tui.sync.pull.apply_revision): a user new to
this till is added with no PIN (an empty hash, which no PIN matches: they cannot sign in until
the till's technician runs `kassa users set-pin N`); a user the till has keeps their PIN and
takes HQ's name, role and active. Each change is journaled as USERADD / USERCHANGE with the
revision (no local user did it). A row that would disable or demote this till's last active
technician is rejected (nobody could administer the till); so is a row the till cannot read.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.core.i18n import _
from kassa_tui.people.person import ROLES
from kassa_tui.records.journal import Event, Journal

#: The PIN hash of a user HQ published who has no PIN on this till yet: matches no PIN.
NO_PIN = ""


def apply_users(
    db: SqliteDatabase, journal: Journal, revision: int, rows: Collection[dict[str, Any]]
) -> list[tuple[int, str]]:
    """Apply the staff rows; (row number, reason) for each rejected one."""
    rejected: list[tuple[int, str]] = []
    for number_in_file, row in enumerate(rows, start=1):
        try:
            number = int(str(row["number"]))
            name, role = str(row["name"]), str(row["role"])
            active = str(row.get("active", "1")) not in ("0", "false", "False")
        except (KeyError, ValueError):
            rejected.append((number_in_file, _("not a user row")))
            continue
        if role not in ROLES or number <= 0 or not name:
            rejected.append((number_in_file, _("not a user row")))
            continue
        found = db.execute_sql(
            "SELECT name, role, active FROM user WHERE number = ?", (number,)
        ).fetchone()
        if found is None:
            db.execute_sql(
                "INSERT INTO user (number, name, role, pin_hash, active) VALUES (?, ?, ?, ?, ?)",
                (number, name, role, NO_PIN, int(active)),
            )
            journal.write(
                Event.USER_ADDED,
                added_user=number,
                name=name,
                role=role,
                active=active,
                hq_revision=revision,
                pin="none: set on this till",
            )
            continue
        old_name, old_role, old_active = str(found[0]), str(found[1]), bool(found[2])
        if (old_name, old_role, old_active) == (name, role, active):
            continue
        if old_role == "technician" and old_active and (role != "technician" or not active):
            others = db.execute_sql(
                "SELECT COUNT(*) FROM user WHERE role = 'technician' AND active = 1"
                " AND number != ? AND pin_hash != ?",
                (number, NO_PIN),
            ).fetchone()[0]
            if others == 0:
                rejected.append(
                    (number_in_file, _("{name} is the last active technician.").format(name=name))
                )
                continue
        db.execute_sql(
            "UPDATE user SET name = ?, role = ?, active = ? WHERE number = ?",
            (name, role, int(active), number),
        )
        changed: dict[str, list[object]] = {}
        if old_name != name:
            changed["name"] = [old_name, name]
        if old_role != role:
            changed["role"] = [old_role, role]
        if old_active != active:
            changed["active"] = [old_active, active]
        journal.write(
            Event.USER_CHANGED, changed_user=number, details=changed, hq_revision=revision
        )
    return rejected


def without_pin(db: SqliteDatabase) -> list[int]:
    """Users HQ published whom this till has given no PIN yet."""
    rows = db.execute_sql(
        "SELECT number FROM user WHERE pin_hash = ? AND active = 1 ORDER BY number", (NO_PIN,)
    ).fetchall()
    return [int(r[0]) for r in rows]
