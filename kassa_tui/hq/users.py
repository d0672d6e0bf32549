"""Staff published from HQ (issue 15: «users if the shop wants central staff»).

`kassa hq publish --kind users FILE` (number;name;role[;active]) publishes the shop's staff as a
catalog revision of kind 'users'; each till applies it in one SQLite transaction like the
catalog (kassa_tui.sync.users_pull). A PIN is never published, nor its hash: every till
peppers its PIN hashes with a secret file of its own (kassa_tui/people/pepper.py), so a hash
made at HQ or on another till would verify nowhere, and a PIN set centrally would have to
travel. A user new to a till therefore arrives without a PIN and cannot sign in there until
the till's technician sets one (`kassa users set-pin N`, journaled); a PIN set by whoever first
typed the number would let anyone take over a published user. A user the till has keeps their
PIN; name, role and active follow HQ.
"""

from __future__ import annotations

from collections.abc import Callable

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.person import ROLES

_COLUMNS = {
    "number": ("number", "nummer", "nr", "user"),
    "name": ("name", "navn", "namn"),
    "role": ("role", "rolle"),
    "active": ("active", "aktiv"),
}
_PIN_COLUMNS = ("pin", "pin_hash", "kode", "passord", "password")
_YES = ("", "1", "yes", "ja", "true", "y", "j")
_NO = ("0", "no", "nei", "false", "n")
_ROLE_WORDS = {
    "cashier": "cashier",
    "kasserer": "cashier",
    "shift_lead": "shift_lead",
    "skiftleder": "shift_lead",
    "technician": "technician",
    "tekniker": "technician",
    "teknikar": "technician",
}


def user_rows(
    numbered: list[tuple[int, list[str]]],
    columns_of: Callable[..., dict[str, int]],
    refuse: Callable[[list[str]], None],
) -> list[dict[str, str]]:
    """The staff file's users (its numbered CSV records, read and refused with the catalog's
    own helpers: kassa_tui.hq.catalog), each checked; `Refused` naming every bad line (nothing
    published). A column that looks like a PIN refuses the whole file."""
    header = numbered[0][1]
    pins = [h.strip() for h in header if h.strip().lower() in _PIN_COLUMNS]
    if pins:
        raise Refused(
            _(
                "The file has a column {column}: PINs are never published (each till sets its"
                " own); nothing published."
            ).format(column=pins[0])
        )
    columns = columns_of(header, _COLUMNS, optional=("active",))
    rows: list[dict[str, str]] = []
    problems: list[str] = []
    seen: dict[int, int] = {}
    for line, record in numbered[1:]:
        cell = {f: (record[i].strip() if i < len(record) else "") for f, i in columns.items()}
        why: list[str] = []
        number = int(cell["number"]) if cell["number"].isdigit() else 0
        if not 1 <= number <= 99999:
            why.append(_("a user number is 1 to 99999, not {value}").format(value=cell["number"]))
        elif number in seen:
            why.append(_("the same user as line {other}").format(other=seen[number]))
        if not cell["name"] or len(cell["name"]) > 40:
            why.append(_("a user's name is 1 to 40 characters"))
        role = _ROLE_WORDS.get(cell["role"].lower())
        if role not in ROLES:
            why.append(
                _("unknown role {value} (cashier, shift_lead, technician)").format(
                    value=repr(cell["role"])
                )
            )
        active = cell.get("active", "").lower()
        if active not in _YES and active not in _NO:
            why.append(_("active is yes or no, not {value}").format(value=repr(active)))
        if why:
            problems.append(_("line {line}: {reason}").format(line=line, reason="; ".join(why)))
            continue
        seen[number] = line
        assert role is not None
        rows.append(
            {
                "number": str(number),
                "name": cell["name"],
                "role": role,
                "active": "0" if active in _NO else "1",
            }
        )
    refuse(problems)
    if not rows:
        raise Refused(_("The file has no users: nothing published."))
    return rows
