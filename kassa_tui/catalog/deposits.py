"""Deposit types (pant): kept by the shop with their amount, VAT and account, and the drinks
that carry them.

A deposit type is sold as its own product in the group PANT (inactive, so it is never found or
scanned by itself): a pant line is then an ordinary basket and sale line, summed by X/Z, SAF-T
and the voucher like any other, and told apart by that group. The amounts are data, not code
(today 2 kr up to 0,5 l and 3 kr above).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import OperationalError, SqliteDatabase

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _

PANT_GROUP = "PANT"
PANT_GROUP_NAME = "Pant"
PANT_SAFT_GROUP = "04999"  # PredefinedBasicID-04 has no code for pant: Other
PANT_LINE_NAME = "Pant"  # on the screen and the receipt

_TYPES = (
    "SELECT d.id, d.code, d.name, d.amount_ore, d.vat_bp, d.account, d.product_id, p.plu"
    " FROM deposit_type d JOIN product p ON p.id = d.product_id"
)


@dataclass(frozen=True)
class DepositType:
    id: int
    code: str
    name: str
    amount_ore: int
    vat_bp: int | None  # None: the drink's own rate
    account: str
    product_id: int
    plu: str  # the code a pant line carries

    def vat_for(self, drink_vat_bp: int) -> int:
        return drink_vat_bp if self.vat_bp is None else self.vat_bp


def deposit_types(db: SqliteDatabase) -> list[DepositType]:
    rows = db.execute_sql(f"{_TYPES} ORDER BY d.code").fetchall()
    return [DepositType(*row) for row in rows]


def deposit_type(db: SqliteDatabase, code: str) -> DepositType:
    row = db.execute_sql(f"{_TYPES} WHERE d.code = ?", (code.strip(),)).fetchone()
    if row is None:
        raise Refused(_("There is no deposit type {code}.").format(code=code))
    return DepositType(*row)


def deposit_of(db: SqliteDatabase, product_id: int) -> DepositType | None:
    """The deposit type a product carries, if any (the scan path: one indexed query)."""
    try:
        row = db.execute_sql(
            f"{_TYPES} JOIN product_deposit pd ON pd.deposit_type_id = d.id"
            " WHERE pd.product_id = ?",
            (product_id,),
        ).fetchone()
    except OperationalError as exc:  # a database before schema 9 (the upgrade tests sell on it)
        if "no such table" in str(exc):
            return None
        raise
    return DepositType(*row) if row else None


def pant_product_ids(db: SqliteDatabase) -> set[int]:
    return {row[0] for row in db.execute_sql("SELECT product_id FROM deposit_type")}


def _pant_group_id(db: SqliteDatabase) -> int:
    row = db.execute_sql("SELECT id FROM product_group WHERE code = ?", (PANT_GROUP,)).fetchone()
    if row:
        return int(row[0])
    cursor = db.execute_sql(
        "INSERT INTO product_group (code, name, saft_group) VALUES (?, ?, ?)",
        (PANT_GROUP, PANT_GROUP_NAME, PANT_SAFT_GROUP),
    )
    return int(cursor.lastrowid)


def check_type(code: str, name: str, amount_ore: int, vat_bp: int | None, account: str) -> None:
    """Refuse a deposit type that cannot be right, before anything is written."""
    if not code.strip() or len(code.strip()) > 8 or not code.strip().isalnum():
        raise Refused(_("A deposit type's code is 1 to 8 letters or digits."))
    if not name.strip():
        raise Refused(_("A deposit type needs a name."))
    if amount_ore <= 0 or amount_ore > 100_000:
        raise Refused(_("A deposit amount must be more than 0 and at most 1000 kr."))
    if vat_bp is not None and vat_bp not in (0, 1200, 1500, 2500):
        raise Refused(_("VAT must be 0, 12, 15 or 25 %, or the drink's own rate."))
    if not (account.isdigit() and len(account) == 4):
        raise Refused(_("An account is four digits, e.g. 3031."))


def add_type(
    db: SqliteDatabase,
    code: str,
    name: str,
    amount_ore: int,
    vat_bp: int | None,
    account: str,
) -> DepositType:
    """A new deposit type with its product; inside the caller's transaction or its own."""
    check_type(code, name, amount_ore, vat_bp, account)
    code = code.strip().upper()
    with db.atomic():
        if db.execute_sql("SELECT 1 FROM deposit_type WHERE code = ?", (code,)).fetchone():
            raise Refused(_("Deposit type {code} already exists.").format(code=code))
        plu = f"PANT{code}"
        if db.execute_sql("SELECT 1 FROM product WHERE plu = ?", (plu,)).fetchone():
            raise Refused(_("PLU {plu} is taken by another product.").format(plu=plu))
        cursor = db.execute_sql(
            "INSERT INTO product (plu, name, group_id, vat_bp, price_ore, unit, active)"
            " VALUES (?, ?, ?, ?, ?, 'stk', 0)",
            (plu, PANT_LINE_NAME, _pant_group_id(db), vat_bp or 0, amount_ore),
        )
        product_id = int(cursor.lastrowid)
        db.execute_sql(
            "INSERT INTO deposit_type (code, name, amount_ore, vat_bp, account, product_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (code, name.strip(), amount_ore, vat_bp, account, product_id),
        )
    return deposit_type(db, code)


def change_type(
    db: SqliteDatabase,
    code: str,
    *,
    amount_ore: int | None = None,
    vat_bp: int | str | None = "keep",
    account: str | None = None,
    name: str | None = None,
) -> DepositType:
    """Change a deposit type's amount, VAT, account or name (lines already sold keep theirs)."""
    old = deposit_type(db, code)
    new_vat = old.vat_bp if vat_bp == "keep" else vat_bp
    assert not isinstance(new_vat, str)
    new = (
        old.name if name is None else name,
        old.amount_ore if amount_ore is None else amount_ore,
        new_vat,
        old.account if account is None else account,
    )
    check_type(old.code, *new)
    with db.atomic():
        db.execute_sql(
            "UPDATE deposit_type SET name = ?, amount_ore = ?, vat_bp = ?, account = ?"
            " WHERE id = ?",
            (*new, old.id),
        )
        db.execute_sql("UPDATE product SET price_ore = ? WHERE id = ?", (new[1], old.product_id))
    return deposit_type(db, old.code)


def set_product_deposit(db: SqliteDatabase, product_id: int, code: str | None) -> None:
    """Let a product carry a deposit type (`code`), or none (None or '')."""
    with db.atomic():
        if product_id in pant_product_ids(db):
            raise Refused(_("Pant itself carries no pant."))
        if not code:
            db.execute_sql("DELETE FROM product_deposit WHERE product_id = ?", (product_id,))
            return
        kind = deposit_type(db, code)
        db.execute_sql(
            "INSERT INTO product_deposit (product_id, deposit_type_id) VALUES (?, ?)"
            " ON CONFLICT (product_id) DO UPDATE SET deposit_type_id = excluded.deposit_type_id",
            (product_id, kind.id),
        )


def deposit_code_of(db: SqliteDatabase, product_id: int) -> str:
    """The code of the deposit type a product carries, '' for none (product form, export)."""
    kind = deposit_of(db, product_id)
    return kind.code if kind else ""


def load_demo_deposits(db: SqliteDatabase) -> int:
    """The demo shop's deposit types (data/demo_deposits.csv) and its drinks that carry them
    (data/demo_pant.csv); returns how many drinks carry pant."""
    import csv

    from kassa_tui.core.paths import data_dir

    if not db.table_exists("deposit_type"):
        return 0  # a database before schema 9 (the upgrade tests build one)
    with open(data_dir() / "demo_deposits.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            vat = int(row["vat"]) * 100 if row["vat"] else None
            add_type(db, row["code"], row["name"], int(row["amount_ore"]), vat, row["account"])
    count = 0
    with open(data_dir() / "demo_pant.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            found = db.execute_sql("SELECT id FROM product WHERE plu = ?", (row["plu"],)).fetchone()
            if found:
                set_product_deposit(db, int(found[0]), row["deposit"])
                count += 1
    return count


# -- the import's pant column (stock.importing) -----------------------------------------------

_NO_PANT = ("-", "INGEN", "NONE", "0")


def deposit_cell(text: str, problems: list[str]) -> str | None:
    """A product file's pant cell: None (empty: leave the product's pant alone), '' (none:
    '-', 'ingen') or a deposit type's code; a malformed one adds to `problems`."""
    code = text.strip().upper()
    if not code:
        return None
    if code in _NO_PANT:
        return ""
    if len(code) > 8 or not code.isalnum():
        problems.append(_("bad deposit type '{value}'").format(value=text))
        return None
    return code


def unknown_deposit(db: SqliteDatabase, code: str | None) -> str | None:
    """Why a row's pant cannot be taken (no such deposit type), or None."""
    if not code:
        return None
    if db.execute_sql("SELECT 1 FROM deposit_type WHERE code = ?", (code,)).fetchone():
        return None
    return _("unknown deposit type '{code}' (kassa deposits list)").format(code=code)
