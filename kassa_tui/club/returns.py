"""A return of a member's sale is the member's too: linked in the return's own transaction, so
the club's spend (`kassa report members`, the Members tab) is net of refunds. Only when the
original sale is linked and the member still consents to their purchases being kept (a
withdrawn consent links nothing new); never a training return. A return counts no visit."""

from __future__ import annotations

from peewee import SqliteDatabase


def link_return(
    db: SqliteDatabase, original_sale_id: int | None, return_sale_id: int, training: bool
) -> int | None:
    """Inside the return's transaction: link it to the original sale's member; their number."""
    if original_sale_id is None or training:
        return None
    row = db.execute_sql(
        "SELECT m.member_id FROM member_sale m JOIN member c ON c.id = m.member_id"
        " WHERE m.sale_id = ? AND c.consent_purchases = 1 AND c.forgotten_utc IS NULL",
        (original_sale_id,),
    ).fetchone()
    if row is None:
        return None
    db.execute_sql(
        "INSERT INTO member_sale (sale_id, member_id) VALUES (?, ?)", (return_sale_id, row[0])
    )
    return int(row[0])
