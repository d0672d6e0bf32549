"""A register's SAF-T Cash Register file made at HQ from what HQ holds (issue 15).

HQ keeps every journal row exactly as the till hashed it (`entry`: its fields and payload) and
each transaction's content exactly as the row's content hash covers it (`entry.record`: the
sale row, its lines and payments, as the till stored them). The till's SAF-T export
(`kassa_tui.saft.export`) reads its SQLite directly, in SQL throughout; rather than a second
writer, HQ materialises the register's rows around the period into a throwaway SQLite with the
till's own schema (journal rows with their seq as id, sales with the till's sale ids) and the
same export runs over it (`kassa_tui.saft.copy`; `kassa hq saft` joins the two). The
transactions and events come out as the till's: same numbers, ids, amounts and signatures.

What HQ does not hold is the till's own master data: product PLUs, group names and SAF-T codes,
deposit accounts and staff. They come from HQ's published catalog (groups, deposits, products)
and from the register's journal (each LINEADD row names the scanned code's article, USERADD and
USERCHANGE rows a user's name and role, MASTERDATA rows a deposit type's account); users a till
started with and never journaled are known by number only ("Bruker 1").
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from psycopg import Connection

from kassa_tui.catalog.deposits import PANT_GROUP, PANT_GROUP_NAME, PANT_SAFT_GROUP
from kassa_tui.core.errors import Stopped
from kassa_tui.core.i18n import _
from kassa_tui.records.audit import ANNOUNCING
from kassa_tui.selling import gift_card_sales
from kassa_tui.store.migrations import current_schema_sql

#: The groups every till makes for itself (pant, gift cards): never in HQ's catalog.
_BUILT_IN = {
    PANT_GROUP: {"name": PANT_GROUP_NAME, "saft_group": PANT_SAFT_GROUP},
    gift_card_sales.GIFT_GROUP: {
        "name": gift_card_sales.GIFT_GROUP_NAME,
        "saft_group": gift_card_sales.GIFT_SAFT_GROUP,
    },
}
_ENTRY = (
    "seq, uuid::text, event_code, basic_id, user_number, utc, local_date, local_time, text,"
    " sale_id, prev_hash, hash, record"
)


@dataclass(frozen=True)
class Held:
    """How far HQ's copy of a register goes."""

    last_seq: int
    last_hash: str
    till_head: int | None  # the till's last seq at its last contact (None: never said)


def materialise(
    conn: Connection[Any], register: str, from_date: date, to_date: date, path: Path
) -> Held:
    """Write `register`'s rows around the business days `from_date`..`to_date` into a new
    SQLite at `path` with the till's schema, for the till's SAF-T export to read
    (`kassa_tui.saft.copy`); `Stopped` for an unknown register or a bad period."""
    if from_date > to_date:
        raise Stopped(
            _("the period starts ({start}) after it ends ({end})").format(
                start=from_date, end=to_date
            )
        )
    found = conn.execute(
        "SELECT last_seq, last_hash, till_head FROM register WHERE register_id = %s", (register,)
    ).fetchone()
    if found is None:
        raise Stopped(_("HQ has no register {register}").format(register=register))
    _materialise(conn, register, from_date, to_date, path)
    return Held(int(found[0]), str(found[1]), int(found[2]) if found[2] is not None else None)


def _materialise(
    conn: Connection[Any], register: str, from_date: date, to_date: date, path: Path
) -> None:
    """The register's rows around the period in a new SQLite with the till's schema (the
    export's own SQL cuts the business days out of it)."""
    lo = (from_date - timedelta(days=1)).isoformat()
    hi = (to_date + timedelta(days=2)).isoformat()
    before = conn.execute(  # the sale before the period: where the file's chains go on from
        f"SELECT {_ENTRY} FROM entry WHERE register_id = %s AND local_date < %s"
        " AND basic_id = ANY(%s) AND sale_id IS NOT NULL ORDER BY seq DESC LIMIT 1",
        (register, lo, list(ANNOUNCING)),
    ).fetchone()
    db = sqlite3.connect(path)
    try:
        db.executescript(current_schema_sql())
        users: dict[int, int] = {}  # the till's user id → number
        lines: dict[int, tuple[str, str, str]] = {}  # product id → code, name, group
        numbers: set[int] = set()
        if before is not None:
            _sale(db, register, before, users, lines, whole=False)
        # Streamed from a server-side cursor: a month's rows never sit in memory at once.
        with conn.cursor(name="kassa_hq_saft") as entries:
            entries.itersize = 2000
            entries.execute(
                f"SELECT {_ENTRY} FROM entry WHERE register_id = %s AND"
                " (local_date BETWEEN %s AND %s OR seq = (SELECT min(seq) FROM entry"
                "  WHERE register_id = %s)) ORDER BY seq",
                (register, lo, hi, register),
            )
            for entry in entries:
                db.execute(
                    "INSERT INTO journal (id, register_id, seq, uuid, event_code, basic_id,"
                    " user_number, utc, local_date, local_time, text, sale_id, prev_hash, hash)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry[0], register, *entry[:12]),
                )
                if entry[4] is not None:
                    numbers.add(int(entry[4]))
                if entry[3] in ANNOUNCING and entry[9] is not None:
                    if before is not None and entry[0] == before[0]:
                        continue  # the register's first row, already in as the chain's start
                    _sale(db, register, entry, users, lines, whole=True)
        by_number: dict[int, int | None] = {n: None for n in numbers}
        for user_id, number in sorted(users.items(), reverse=True):
            by_number[number] = user_id
        staff = _staff(conn, register)
        # The till's user ids first, then the numbers HQ saw only in the journal.
        for number, known in sorted(by_number.items(), key=lambda item: item[1] is None):
            # Staff HQ never saw journaled: by number, in Norwegian as the rest of the file.
            name, role = staff.get(number, (f"Bruker {number}", "cashier"))
            db.execute(
                "INSERT INTO user (id, number, name, role, pin_hash, active)"
                " VALUES (?, ?, ?, ?, '', 1)",
                (known, number, name, role),
            )
        _master_data(conn, register, db, lines)
        db.commit()
    finally:
        db.close()


def _sale(
    db: sqlite3.Connection,
    register: str,
    entry: tuple[Any, ...],
    users: dict[int, int],
    lines: dict[int, tuple[str, str, str]],
    *,
    whole: bool,
) -> None:
    """The transaction an announcing entry carries, as the till stored it (`whole`: with its
    lines and payments; else the sale row alone, for the chain before the period)."""
    seq, user, sale_id, record = entry[0], entry[4], entry[9], entry[12]
    if record is None:
        raise Stopped(
            _(
                "HQ holds journal row {seq} of {register} without its transaction's"
                " content (from before the content hash): no SAF-T file from HQ"
            ).format(seq=seq, register=register)
        )
    sale, sold, paid = json.loads(record)
    db.execute(
        "INSERT INTO sale (id, register_id, receipt_nr, uuid, basket_uuid, user_id, kind,"
        " total_ore, vat_ore, discount_ore, rounding_ore, change_ore, completed_utc,"
        " local_date, local_time, signature, key_version, training, original_sale_id,"
        " reason, approved_by) VALUES (?" + ", ?" * 20 + ")",
        (sale_id, *sale),
    )
    if user is not None:
        users.setdefault(int(sale[4]), int(user))
    if not whole:
        return
    for line in sold:
        db.execute(
            "INSERT INTO sale_line (sale_id, line_nr, product_id, code, name, group_code,"
            " qty_milli, unit_price_ore, list_price_ore, discount_ore, amount_ore, vat_bp,"
            " vat_ore, price_overridden) VALUES (?" + ", ?" * 13 + ")",
            (sale_id, *line),
        )
        lines[int(line[1])] = (str(line[2]), str(line[3]), str(line[4]))
    for payment in paid:
        db.execute(
            "INSERT INTO payment (sale_id, method, amount_ore, tendered_ore) VALUES (?, ?, ?, ?)",
            (sale_id, *payment),
        )


def _staff(conn: Connection[Any], register: str) -> dict[int, tuple[str, str]]:
    """Each user's name and role as the register's USERADD and USERCHANGE rows left them (the
    users a till starts with are not journaled: HQ knows those by number only)."""
    staff: dict[int, tuple[str, str]] = {}
    for basic, text in conn.execute(
        "SELECT basic_id, text FROM entry WHERE register_id = %s"
        " AND basic_id IN ('USERADD', 'USERCHANGE') ORDER BY seq",
        (register,),
    ).fetchall():
        details = json.loads(text) if text else {}
        if basic == "USERADD" and details.get("added_user") is not None:
            staff[int(details["added_user"])] = (
                str(details.get("name") or ""),
                str(details.get("role") or "cashier"),
            )
        elif basic == "USERCHANGE" and int(details.get("changed_user") or 0) in staff:
            number, what = int(details["changed_user"]), details.get("details") or {}
            name, role = staff[number]
            staff[number] = (str(what.get("name", name)), str(what.get("role", role)))
    return staff


def _catalog(conn: Connection[Any], kind: str, key: str) -> dict[str, dict[str, str]]:
    """HQ's published catalog of `kind`: each row by `key`, as its latest revision has it."""
    return {
        str(row[0]): dict(row[1])
        for row in conn.execute(
            "SELECT DISTINCT ON (k) k, r FROM (SELECT r->>%s AS k, r, c.revision"
            " FROM catalog_revision c JOIN catalog_page p ON p.revision = c.revision,"
            " jsonb_array_elements(p.body) r WHERE c.kind = %s) t ORDER BY k, revision DESC",
            (key, kind),
        ).fetchall()
        if row[0] is not None
    }


def _master_data(
    conn: Connection[Any],
    register: str,
    db: sqlite3.Connection,
    lines: dict[int, tuple[str, str, str]],
) -> None:
    """Products, groups and deposit types for the lines the period sold, as far as HQ knows
    them: each code's article from the register's LINEADD rows or HQ's products, groups and
    deposit accounts from HQ's catalog or the register's MASTERDATA rows."""
    codes = sorted({code for code, _name, _group in lines.values()})
    articles: dict[str, str] = {}
    for product in _catalog(conn, "products", "plu").values():
        for ean in str(product.get("ean") or "").replace("|", ",").split(","):
            if ean.strip():
                articles[ean.strip()] = str(product["plu"])
        articles[str(product["plu"])] = str(product["plu"])
    for code, art in conn.execute(  # each code's latest article: one row a code
        "SELECT DISTINCT ON (c) c, a FROM (SELECT text::jsonb->>'code' AS c,"
        " text::jsonb->>'art' AS a, seq FROM entry WHERE register_id = %s"
        " AND basic_id = 'LINEADD') t WHERE c = ANY(%s) AND a IS NOT NULL ORDER BY c, seq DESC",
        (register, codes),
    ).fetchall():
        if code and art:
            articles[str(code)] = str(art)
    groups = _catalog(conn, "groups", "code")
    group_ids: dict[str, int] = {}
    # Every group HQ knows: an X/Z with no price inquiries names the lowest group code, as the
    # till's (its whole catalog) does.
    for code in sorted({group for _code, _name, group in lines.values()} | set(groups)):
        known = groups.get(code) or _BUILT_IN.get(code, {})
        cursor = db.execute(
            "INSERT INTO product_group (code, name, saft_group) VALUES (?, ?, ?)",
            (code, str(known.get("name") or code), str(known.get("saft_group") or "04999")),
        )
        group_ids[code] = int(cursor.lastrowid or 0)
    taken: set[str] = set()
    for product_id, (code, name, group) in sorted(lines.items()):
        art = articles.get(code)
        plu = art if art and art != str(product_id) and art not in taken else None
        if plu:
            taken.add(plu)
        db.execute(
            "INSERT INTO product (id, plu, name, group_id, vat_bp, price_ore, unit, active)"
            " VALUES (?, ?, ?, ?, 0, 0, 'stk', 1)",
            (product_id, plu, name, group_ids[group]),
        )
    deposits = {
        code: (str(row.get("account") or ""), str(row.get("name") or ""))
        for code, row in _catalog(conn, "deposits", "code").items()
    }
    for (text,) in conn.execute(
        "SELECT text FROM entry WHERE register_id = %s AND basic_id = 'MASTERDATA'"
        " AND text LIKE '%%deposit_type%%' ORDER BY seq",
        (register,),
    ).fetchall():
        details = json.loads(text)
        after = details.get("after")
        account = details.get("account") or (after[3] if isinstance(after, list) else None)
        name = details.get("name") or (after[0] if isinstance(after, list) else "")
        if details.get("deposit_type") and account:
            deposits[str(details["deposit_type"])] = (str(account), str(name or ""))
    for product_id, (code, name, group) in sorted(lines.items()):
        kind = code[len(PANT_GROUP) :]
        if group == PANT_GROUP and code.startswith(PANT_GROUP) and deposits.get(kind):
            account, kind_name = deposits[kind]
            db.execute(
                "INSERT INTO deposit_type (code, name, amount_ore, vat_bp, account, product_id)"
                " VALUES (?, ?, 0, NULL, ?, ?)",
                (kind, kind_name or name, account, product_id),
            )
