"""The customer club's figures for a period (`kassa report members`, the insight screen's
Members tab): members, new and active members, visits, spend, average basket, favourite
groups, lapsed members, offers given and redeemed. Counts and amounts only: no phone number,
no name. Days are the sales' local dates; training sales are never linked to a member.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta

from peewee import SqliteDatabase

from kassa_tui.core.money import round_half_up


@dataclass(frozen=True)
class GroupFigure:
    code: str
    name: str
    amount_ore: int
    units_milli: int


@dataclass(frozen=True)
class MemberFigures:
    first: str
    last: str
    members: int  # not forgotten, joined by `last`
    new_members: int  # joined in the period
    active_members: int  # with a visit in the period
    visits: int  # member sales in the period
    spend_ore: int
    average_basket_ore: int
    lapsed_days: int
    lapsed: tuple[int, ...]  # member numbers with no visit in the last `lapsed_days` to `last`
    offers_given: int
    offers_redeemed: int
    redeemed_discount_ore: int
    groups: tuple[GroupFigure, ...] = field(default_factory=tuple)


def member_figures(
    db: SqliteDatabase | sqlite3.Connection, first: str, last: str, lapsed_days: int = 60
) -> MemberFigures:
    """The figures for the local days `first`..`last` (YYYY-MM-DD); on the till's database or
    a plain read-only sqlite3 connection (the insight screen's worker thread)."""
    run = db.execute_sql if isinstance(db, SqliteDatabase) else db.execute
    end = f"{last}T23:59:59.999999Z"
    period = "s.local_date BETWEEN ? AND ?"
    members, new = run(
        "SELECT COUNT(*), COALESCE(SUM(joined_utc >= ?), 0) FROM member"
        " WHERE forgotten_utc IS NULL AND joined_utc <= ?",
        (f"{first}T00:00:00", end),
    ).fetchone()
    active, visits, spend = run(
        "SELECT COUNT(DISTINCT CASE WHEN s.kind = 'sale' THEN m.member_id END),"
        " COALESCE(SUM(s.kind = 'sale'), 0), COALESCE(SUM(s.total_ore), 0)"
        f" FROM member_sale m JOIN sale s ON s.id = m.sale_id WHERE {period}",
        (first, last),
    ).fetchone()
    groups = tuple(
        GroupFigure(str(code), str(name), int(amount), int(units))
        for code, name, amount, units in run(
            "SELECT l.group_code, COALESCE(g.name, l.group_code), SUM(l.amount_ore),"
            " SUM(l.qty_milli) FROM member_sale m JOIN sale s ON s.id = m.sale_id"
            " JOIN sale_line l ON l.sale_id = s.id"
            " LEFT JOIN product_group g ON g.code = l.group_code"
            f" WHERE {period} GROUP BY l.group_code HAVING SUM(l.amount_ore) > 0"
            " ORDER BY SUM(l.amount_ore) DESC,"
            " l.group_code LIMIT 5",
            (first, last),
        ).fetchall()
    )
    since = (date.fromisoformat(last) - timedelta(days=lapsed_days)).isoformat()
    lapsed = tuple(
        int(n)
        for (n,) in run(
            "SELECT id FROM member m WHERE forgotten_utc IS NULL AND joined_utc < ?"
            " AND NOT EXISTS (SELECT 1 FROM member_sale x JOIN sale s ON s.id = x.sale_id"
            " WHERE x.member_id = m.id AND s.kind = 'sale' AND s.local_date > ?"
            " AND s.local_date <= ?)"
            " ORDER BY id",
            (f"{since}T23:59:59.999999Z", since, last),
        ).fetchall()
    )
    given = run(
        f"SELECT COUNT(*) FROM member_offer o JOIN sale s ON s.id = o.given_sale_id WHERE {period}",
        (first, last),
    ).fetchone()[0]
    redeemed, discount = run(
        "SELECT COUNT(*), COALESCE(SUM(r.discount_ore), 0) FROM member_offer_redeemed r"
        f" JOIN sale s ON s.id = r.sale_id WHERE {period}",
        (first, last),
    ).fetchone()
    return MemberFigures(
        first,
        last,
        int(members),
        int(new),
        int(active),
        int(visits),
        int(spend),
        round_half_up(int(spend), int(visits)) if visits else 0,
        lapsed_days,
        lapsed,
        int(given),
        int(redeemed),
        int(discount),
        groups,
    )
