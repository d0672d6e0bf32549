"""Product groups: their SAF-T article group codes (PredefinedBasicID-04), listed and set.

A group's `saft_group` is what the SAF-T export writes as the group's article group
(kassa_tui.saft.master). Groups an import creates get the file's code, or 04999 Other. Setting
a code is a change of fixed data: one transaction with its master-data journal row, allowed to
whoever may change products (Permission.PRODUCTS).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal


def _codes(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.strip().splitlines())


#: PredefinedBasicID-04: article groups (product_group.saft_group), Skatteetaten's code list.
ARTICLE_GROUPS = _codes("""
04001 Withdrawal of treatment services
04002 Withdrawal of goods used for treatment services
04003 Sale of goods
04004 Sale of treatment services
04005 Sale of haircut
04006 Food
04007 Beer
04008 Wine
04009 Liquor
04010 Alcopops/Cider
04011 Soft drinks/Mineral water
04012 Other drinks (tea, coffee etc)
04013 Tobacco
04014 Other goods
04015 Entrance fee (cover charge)
04016 Free entrance (members etc)
04017 Cloakroom fee
04018 Free cloakroom
04019 Accommodation - full board
04020 Accommodation - half board
04021 Accommodation - with breakfast
04999 Other
""")
OTHER = "04999"


def saft_code(text: str) -> str | None:
    """The PredefinedBasicID-04 code `text` is ('4006' as a spreadsheet shows 04006), or None."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 5:
        text = text.zfill(5)
    return text if text in ARTICLE_GROUPS else None


@dataclass(frozen=True)
class GroupInfo:
    code: str
    name: str
    saft_group: str
    products: int


def list_groups(database: SqliteDatabase) -> list[GroupInfo]:
    """Every product group in code order, with how many products (active or not) it holds."""
    rows = database.execute_sql(
        "SELECT g.code, g.name, g.saft_group, (SELECT COUNT(*) FROM product p"
        " WHERE p.group_id = g.id) FROM product_group g ORDER BY g.code"
    ).fetchall()
    return [GroupInfo(str(c), str(n), str(s), int(k)) for c, n, s, k in rows]


def set_saft_group(
    database: SqliteDatabase, journal: Journal, person: Person, code: str, saft: str
) -> tuple[str, str]:
    """Give group `code` the SAF-T article group `saft`; returns (old, new). Journaled."""
    permissions.require(database, journal, person, Permission.PRODUCTS)
    new = saft_code(saft)
    if new is None:
        message = _("'{value}' is not a SAF-T article group code (PredefinedBasicID-04).")
        raise Refused(message.format(value=saft))
    with database.atomic("IMMEDIATE"):
        row = database.execute_sql(
            "SELECT id, saft_group FROM product_group WHERE code = ?", (code,)
        ).fetchone()
        if row is None:
            raise Refused(_("There is no product group {code}.").format(code=code))
        gid, old = int(row[0]), str(row[1])
        if old != new:
            database.execute_sql("UPDATE product_group SET saft_group = ? WHERE id = ?", (new, gid))
            journal.write(
                Event.MASTER_DATA,
                user=person.number,
                action="group_saft",
                group=code,
                changed={"saft_group": [old, new]},
            )
    return old, new
