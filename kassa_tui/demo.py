"""The demo shop and the benchmark catalog: realistic Norwegian products, users with known PINs.

`kassa init --demo` loads the ~600 products in data/demo_products.csv; `--products N` tops the
catalog up with generated items (valid EAN-13s under the 70 prefix) for benchmarks.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.catalog.barcodes import with_check_digit
from kassa_tui.catalog.counter_rules import load_demo_rules
from kassa_tui.catalog.deposits import load_demo_deposits
from kassa_tui.catalog.search import reindex_all
from kassa_tui.club.members import load_demo_members
from kassa_tui.core.paths import data_dir
from kassa_tui.ordering.suppliers import load_demo_suppliers
from kassa_tui.people.users import Users
from kassa_tui.records.journal import Journal
from kassa_tui.selling.gift_cards import load_demo_cards
from kassa_tui.stock.opening import journal_opening

DEMO_USERS = (
    # number, name, role, PIN — listed in the README
    (1, "Kari Kasserer", "cashier", "1111"),
    (2, "Siri Skiftleder", "shift_lead", "2222"),
    (9, "Tor Tekniker", "technician", "9999"),
)


@dataclass(frozen=True)
class DemoProduct:
    plu: str
    barcodes: tuple[str, ...]
    name: str
    group: str
    vat_bp: int
    price_ore: int
    unit: str


def demo_groups() -> list[tuple[str, str, str]]:
    with open(data_dir() / "demo_groups.csv", encoding="utf-8", newline="") as handle:
        return [
            (r["code"], r["name"], r["saft_group"]) for r in csv.DictReader(handle, delimiter=";")
        ]


def demo_products() -> list[DemoProduct]:
    with open(data_dir() / "demo_products.csv", encoding="utf-8", newline="") as handle:
        return [
            DemoProduct(
                plu=row["plu"],
                barcodes=tuple(code for code in row["ean"].split("|") if code),
                name=row["name"],
                group=row["group"],
                vat_bp=int(row["vat"]) * 100,
                price_ore=int(row["price_ore"]),
                unit=row["unit"],
            )
            for row in csv.DictReader(handle, delimiter=";")
        ]


_BRANDS = (
    "Tine",
    "Q",
    "Gilde",
    "Prior",
    "Nora",
    "Mills",
    "Freia",
    "Nidar",
    "Kims",
    "Sørlandschips",
    "Stabburet",
    "First Price",
    "Eldorado",
    "Coop",
    "Rema",
    "Idun",
    "Toro",
    "Lerum",
    "Synnøve",
    "Fjordland",
    "Grandiosa",
    "Bama",
    "Hatting",
    "Bakehuset",
    "Møllerens",
    "Regal",
    "Ali",
    "Friele",
    "Evergood",
    "Lofoten",
    "Findus",
    "Sætre",
    "Kavli",
    "Maarud",
)
_NOUNS = (
    "Brød",
    "Ost",
    "Melk",
    "Yoghurt",
    "Pølse",
    "Skinke",
    "Laks",
    "Torsk",
    "Saft",
    "Kaffe",
    "Te",
    "Kjeks",
    "Sjokolade",
    "Müsli",
    "Pasta",
    "Ris",
    "Suppe",
    "Saus",
    "Juice",
    "Smør",
    "Rømme",
    "Fløte",
    "Potetgull",
    "Nøtter",
    "Syltetøy",
    "Honning",
    "Pizza",
    "Boller",
    "Leverpostei",
    "Makrell",
    "Kylling",
    "Kjøttdeig",
    "Fiskekaker",
    "Lefse",
    "Flatbrød",
    "Knekkebrød",
    "Cornflakes",
    "Havregryn",
    "Mel",
    "Sukker",
    "Salt",
    "Pepper",
    "Ketchup",
    "Sennep",
    "Majones",
    "Remulade",
    "Vaffelrøre",
    "Pannekaker",
    "Is",
    "Sorbet",
)
_VARIANTS = (
    "Original",
    "Lett",
    "Ekstra",
    "Grov",
    "Fin",
    "Søt",
    "Sterk",
    "Mild",
    "Røkt",
    "Økologisk",
    "Klassisk",
    "Familie",
    "Mini",
    "Hverdag",
    "Fest",
    "Sukkerfri",
)
_SIZES = (
    "100 g",
    "200 g",
    "250 g",
    "400 g",
    "500 g",
    "750 g",
    "1 kg",
    "0,33 l",
    "0,5 l",
    "1 l",
    "1,5 l",
    "6 stk",
    "10 stk",
)


def generated_products(
    count: int, groups: list[str], taken: frozenset[str] = frozenset(), seed: int = 7
) -> Iterator[DemoProduct]:
    """`count` synthetic products with unique names, PLUs from 100000 and valid EANs."""
    rng = random.Random(seed)
    names = itertools.product(_BRANDS, _NOUNS, _VARIANTS, _SIZES)  # 353,600 unique names
    for n in range(count):
        brand, noun, variant, size = next(names, ("Vare", str(n), "", ""))
        name = " ".join(part for part in (brand, noun, variant, size) if part)
        code = with_check_digit(f"7099{n:08d}")
        yield DemoProduct(
            plu=str(100000 + n),
            barcodes=() if code in taken else (code,),
            name=name,
            group=rng.choice(groups),
            vat_bp=rng.choice((1500, 1500, 2500)),
            price_ore=rng.randrange(990, 49990, 100),
            unit="stk",
        )


def load_products(
    database: SqliteDatabase, products: Iterator[DemoProduct] | list[DemoProduct]
) -> int:
    """Insert products and barcodes in one transaction with plain executemany (fast)."""
    group_ids = dict(database.execute_sql("SELECT code, id FROM product_group").fetchall())
    count = 0
    with database.atomic("IMMEDIATE"):
        cursor = database.cursor()
        for batch in _batches(products, 5000):
            cursor.executemany(
                "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active)"
                " VALUES (?, ?, ?, ?, ?, ?, 1)",
                [(p.plu, p.name, group_ids[p.group], p.vat_bp, p.price_ore, p.unit) for p in batch],
            )
            ids = dict(
                database.execute_sql(
                    f"SELECT plu, id FROM product WHERE plu IN ({','.join('?' * len(batch))})",
                    [p.plu for p in batch],
                ).fetchall()
            )
            cursor.executemany(
                "INSERT INTO barcode (code, product_id) VALUES (?, ?)",
                [(code, ids[p.plu]) for p in batch for code in p.barcodes],
            )
            count += len(batch)
    return count


def _batches(
    items: Iterator[DemoProduct] | list[DemoProduct], size: int
) -> Iterator[list[DemoProduct]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def load_demo(database: SqliteDatabase, users: Users, extra_products: int = 0) -> int:
    """Groups, the demo catalog, generated products up to `extra_products`, and demo users."""
    with database.atomic("IMMEDIATE"):
        database.cursor().executemany(
            "INSERT INTO product_group (code, name, saft_group) VALUES (?, ?, ?)", demo_groups()
        )
    demo = demo_products()
    count = load_products(database, demo)
    opening_stock(database, demo, journal=users.journal)  # journaled per product for HQ
    with database.atomic("IMMEDIATE"):
        load_demo_deposits(database)  # pant: after the products, before the search index
        load_demo_cards(database)  # gift cards and a credit note to pay with
        load_demo_members(database)  # two customer club members with cards
        load_demo_rules(database)  # age limits, beer hours, eat-in VAT
        load_demo_suppliers(database, data_dir())  # suppliers, packs (kassa_tui.ordering)
    if extra_products > count:
        codes = [g[0] for g in demo_groups()]
        taken = frozenset(code for p in demo for code in p.barcodes)
        count += load_products(database, generated_products(extra_products - count, codes, taken))
    with database.atomic("IMMEDIATE"):
        reindex_all(database)
    users.add_first(DEMO_USERS)
    return count


def opening_stock(
    database: SqliteDatabase,
    products: list[DemoProduct],
    seed: int = 11,
    journal: Journal | None = None,
) -> None:
    """A believable shelf: opening stock as movements, and reorder points (some items low);
    with `journal`, the levels journaled per product (OPENINGSTOCK, kassa_tui.stock.opening)."""
    rng = random.Random(seed)
    opened: list[tuple[int, int]] = []
    ids = dict(database.execute_sql("SELECT plu, id FROM product").fetchall())
    now = "2026-01-01T06:00:00.000000Z"
    with database.atomic("IMMEDIATE"):
        cursor = database.cursor()
        for product in products:
            weighed = product.unit == "kg"
            reorder = (5 if weighed else rng.choice((4, 6, 10, 12))) * 1000
            on_hand = rng.randrange(0, 40) * (1000 if not weighed else 500)
            cursor.execute(
                "UPDATE product SET reorder_point_milli = ? WHERE id = ?",
                (reorder, ids[product.plu]),
            )
            if on_hand:
                cursor.execute(
                    "INSERT INTO stock_movement (uuid, product_id, delta_milli, reason, sale_id,"
                    " register_id, created_utc) VALUES (?, ?, ?, 'opening', NULL, 'DEMO', ?)",
                    (f"demo-opening-{product.plu}", ids[product.plu], on_hand, now),
                )
                opened.append((ids[product.plu], on_hand))
        if journal is not None:
            journal_opening(database, journal, opened, source="demo")
