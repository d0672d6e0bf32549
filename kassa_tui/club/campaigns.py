"""Member prices: campaigns that only members get (`campaign_member`), and whether a basket has
a member on it. The campaign engine (kassa_tui.selling.campaigns) leaves a members-only campaign
out unless the basket has a member; the import and the campaign form mark one."""

from __future__ import annotations

from collections.abc import Iterable

from peewee import SqliteDatabase


def has_member(db: SqliteDatabase, basket_id: int | None) -> bool:
    """A member is identified on basket `basket_id`."""
    if basket_id is None:
        return False
    row = db.execute_sql("SELECT 1 FROM basket_member WHERE basket_id = ?", (basket_id,))
    return row.fetchone() is not None


def members_only(db: SqliteDatabase, campaign_ids: Iterable[int]) -> set[int]:
    """Which of these campaigns only members get."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = db.execute_sql(
        f"SELECT campaign_id FROM campaign_member WHERE campaign_id IN ({marks})", ids
    ).fetchall()
    return {int(r[0]) for r in rows}


def mark_members_only(db: SqliteDatabase, campaign_id: int) -> None:
    """Inside the caller's transaction: campaign `campaign_id` is for members only."""
    db.execute_sql("INSERT INTO campaign_member (campaign_id) VALUES (?)", (campaign_id,))


#: A `members_only` cell: yes or no (empty: no).
YES = ("1", "yes", "ja", "true", "x", "j", "y")
NO = ("", "0", "no", "nei", "false", "n")


def parse_members_only(text: str) -> bool | None:
    """A `members_only` cell as yes/no; None when it is neither."""
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None
