"""Sign-in by a user HQ published who has no PIN on this till yet (kassa_tui.sync.users_pull).

Their PIN hash is empty and matches nothing, so sign-in refuses them as a wrong PIN; the
sign-in screen then says what to do instead. Only for an active user HQ published without a
PIN: an unknown number, a disabled user and a wrong PIN keep sign-in's own words.
"""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.core.i18n import _
from kassa_tui.sync.users_pull import NO_PIN


def no_pin_text(db: SqliteDatabase, number_text: str) -> str | None:
    """What to say to user `number_text` when they have no PIN here yet; None otherwise."""
    text = number_text.strip()
    if not text.isdigit() or len(text) > 9:
        return None
    row = db.execute_sql(
        "SELECT 1 FROM user WHERE number = ? AND pin_hash = ? AND active = 1", (int(text), NO_PIN)
    ).fetchone()
    if row is None:
        return None
    return _(
        "User {number} has no PIN on this till yet: the technician sets one with kassa users"
        " set-pin {number}"
    ).format(number=int(text))
