"""A product's counter rules (issue 14): its age limit, whether it is beer sold only in the
beer hours, and its eat-in VAT rate. A group's rule holds for its products; a product's own
row overrides it (NULL: as its group). Tables `group_counter_rule`, `product_counter_rule`.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _

#: The age limits a product may carry (Norway: 18 for beer, wine and tobacco, 20 for spirits).
AGE_LIMITS = (0, 18, 20)

_RULE = (
    "SELECT COALESCE(pr.age_limit, gr.age_limit, 0), COALESCE(pr.beer, gr.beer, 0),"
    " pr.eat_in_vat_bp FROM product p"
    " LEFT JOIN product_counter_rule pr ON pr.product_id = p.id"
    " LEFT JOIN group_counter_rule gr ON gr.group_id = p.group_id WHERE p.id = ?"
)


@dataclass(frozen=True)
class CounterRule:
    age_limit: int = 0
    beer: bool = False
    eat_in_vat_bp: int | None = None  # None: the same rate eaten in and taken away


def rule_of(db: SqliteDatabase, product_id: int) -> CounterRule:
    """The rule a product is sold under: its own, else its group's, else none."""
    row = db.execute_sql(_RULE, (product_id,)).fetchone()
    if row is None:
        return CounterRule()
    return CounterRule(int(row[0]), bool(row[1]), None if row[2] is None else int(row[2]))


def set_group_rule(db: SqliteDatabase, group_code: str, age_limit: int, beer: bool) -> None:
    """A group's age limit and beer flag (inside the caller's transaction)."""
    check_age(age_limit)
    row = db.execute_sql("SELECT id FROM product_group WHERE code = ?", (group_code,)).fetchone()
    if row is None:
        raise Refused(_("There is no product group {code}.").format(code=group_code))
    db.execute_sql(
        "INSERT INTO group_counter_rule (group_id, age_limit, beer) VALUES (?, ?, ?)"
        " ON CONFLICT (group_id) DO UPDATE SET age_limit = excluded.age_limit,"
        " beer = excluded.beer",
        (row[0], age_limit, int(beer)),
    )


def set_product_rule(
    db: SqliteDatabase,
    product_id: int,
    *,
    age_limit: int | None = None,
    beer: bool | None = None,
    eat_in_vat_bp: int | None = None,
    vat_rates_bp: tuple[int, ...] = (2500, 1500, 1200, 0),
) -> None:
    """A product's own rule (None: as its group; no eat-in rate); in the caller's transaction."""
    if age_limit is not None:
        check_age(age_limit)
    if eat_in_vat_bp is not None and eat_in_vat_bp not in vat_rates_bp:
        raise Refused(
            _("The eat-in VAT rate must be one of the till's rates, not {rate}.").format(
                rate=eat_in_vat_bp // 100
            )
        )
    db.execute_sql(
        "INSERT INTO product_counter_rule (product_id, age_limit, beer, eat_in_vat_bp)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET"
        " age_limit = excluded.age_limit, beer = excluded.beer,"
        " eat_in_vat_bp = excluded.eat_in_vat_bp",
        (product_id, age_limit, None if beer is None else int(beer), eat_in_vat_bp),
    )


def check_age(age_limit: int) -> None:
    """Refuse an age limit Norway does not use."""
    if age_limit not in AGE_LIMITS:
        raise Refused(_("An age limit is 0 (none), 18 or 20, not {age}.").format(age=age_limit))


def load_demo_rules(db: SqliteDatabase) -> int:
    """The demo shop's rules (data/demo_counter_rules.csv: beer and tobacco from 18, beer in the
    beer hours, buns and baguettes at 25 % eaten in); returns how many rows were set."""
    import csv

    from kassa_tui.core.paths import data_dir

    if not db.table_exists("group_counter_rule"):
        return 0  # a database before schema 9 (the upgrade tests build one)
    count = 0
    with open(data_dir() / "demo_counter_rules.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            age = int(row["age_limit"]) if row["age_limit"] else None
            beer = bool(int(row["beer"])) if row["beer"] else None
            if row["kind"] == "group":
                set_group_rule(db, row["code"], age or 0, bool(beer))
            else:
                found = db.execute_sql("SELECT id FROM product WHERE plu = ?", (row["code"],))
                product_id = int(found.fetchone()[0])
                eat_in = int(row["eat_in_vat"]) * 100 if row["eat_in_vat"] else None
                set_product_rule(db, product_id, age_limit=age, beer=beer, eat_in_vat_bp=eat_in)
            count += 1
    return count
