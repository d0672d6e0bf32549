#!/usr/bin/env python3
"""The floor of the SAF-T export: the same period's rows streamed into XML with plain writes.

    python bench/floor_saft.py DATABASE REGISTER FROM TO OUT_FILE

Raw `sqlite3` in one read transaction: the articles the period sold, then every journal row of
the period as an `event`, then every sale as a `cashtransaction` with its lines, VAT and
payments. Lines and payments come from two more cursors ordered by sale, read alongside the
sales (a merge, no query per sale). Text is escaped and written with `write()`; the file is
fsync'd. Run as its own process, so its peak RSS can be read when it exits.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

NS = "urn:StandardAuditFile-Taxation-CashRegister:NO"


def amount(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def by_sale(cursor: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """Rows ordered by sale id (first column), grouped per sale."""
    group: list[tuple[Any, ...]] = []
    current = None
    for row in cursor:
        if row[0] != current and group:
            yield current, group  # type: ignore[misc]
            group = []
        current = row[0]
        group.append(row)
    if group:
        yield current, group  # type: ignore[misc]


def export(db_path: Path, register: str, start: str, end: str, target: Path) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    conn.execute("BEGIN")  # one snapshot
    period = (register, start, end)
    in_period = "s.register_id = ? AND s.local_date BETWEEN ? AND ?"
    events = transactions = 0
    with target.open("w", encoding="utf-8", buffering=1 << 16) as out:
        w = out.write
        w(f'<?xml version="1.0" encoding="utf-8"?>\n<auditfile xmlns="{NS}">\n')
        w(f"\t<header>\n\t\t<startDate>{start}</startDate>\n\t\t<endDate>{end}</endDate>\n")
        w("\t\t<curCode>NOK</curCode>\n\t</header>\n\t<company>\n\t\t<articles>\n")
        for art, group, name in conn.execute(
            "SELECT COALESCE(p.plu, CAST(p.id AS TEXT)), g.code, p.name FROM product p"
            " JOIN product_group g ON g.id = p.group_id WHERE p.id IN (SELECT l.product_id"
            f" FROM sale_line l JOIN sale s ON s.id = l.sale_id WHERE {in_period}) ORDER BY p.id",
            period,
        ):
            w(
                f"\t\t\t<article>\n\t\t\t\t<artID>{escape(art)}</artID>\n"
                f"\t\t\t\t<artGroupID>{escape(group)}</artGroupID>\n"
                f"\t\t\t\t<artDesc>{escape(name)}</artDesc>\n\t\t\t</article>\n"
            )
        w(f"\t\t</articles>\n\t\t<location>\n\t\t\t<cashregister>\n\t\t\t\t<registerID>{register}")
        w("</registerID>\n")
        for seq, basic, sale_id, user, day, time, text in conn.execute(
            "SELECT seq, basic_id, sale_id, user_number, local_date, local_time, text"
            " FROM journal WHERE register_id = ? AND local_date BETWEEN ? AND ? ORDER BY seq",
            period,
        ):
            w(f"\t\t\t\t<event>\n\t\t\t\t\t<eventID>{seq}</eventID>\n")
            w(f"\t\t\t\t\t<eventType>{basic}</eventType>\n")
            if sale_id is not None:
                w(f"\t\t\t\t\t<transID>{sale_id}</transID>\n")
            if user is not None:
                w(f"\t\t\t\t\t<empID>{user}</empID>\n")
            w(f"\t\t\t\t\t<eventDate>{day}</eventDate>\n\t\t\t\t\t<eventTime>{time}</eventTime>\n")
            if text:
                w(f"\t\t\t\t\t<eventText>{escape(text[:9999])}</eventText>\n")
            w("\t\t\t\t</event>\n")
            events += 1
        lines = by_sale(
            conn.cursor().execute(
                "SELECT l.sale_id, l.line_nr, l.group_code, COALESCE(p.plu, CAST(p.id AS TEXT)),"
                " l.name, l.qty_milli, l.unit_price_ore, l.amount_ore, l.vat_bp, l.vat_ore"
                " FROM sale s JOIN sale_line l ON l.sale_id = s.id JOIN product p"
                f" ON p.id = l.product_id WHERE {in_period} ORDER BY s.id, l.line_nr",
                period,
            )
        )
        payments = by_sale(
            conn.cursor().execute(
                "SELECT p.sale_id, p.method, p.amount_ore FROM sale s JOIN payment p"
                f" ON p.sale_id = s.id WHERE {in_period} ORDER BY s.id, p.id",
                period,
            )
        )
        next_lines = next(lines, None)
        next_pays = next(payments, None)
        for (
            sale_id,
            nr,
            kind,
            total,
            vat,
            rounding,
            day,
            time,
            signature,
            key,
            emp,
        ) in conn.cursor().execute(
            "SELECT s.id, s.receipt_nr, s.kind, s.total_ore, s.vat_ore, s.rounding_ore,"
            " s.local_date, s.local_time, s.signature, s.key_version, u.number FROM sale s"
            f" LEFT JOIN user u ON u.id = s.user_id WHERE {in_period} ORDER BY s.id",
            period,
        ):
            sign = "D" if kind == "return" else "C"
            w(
                f"\t\t\t\t<cashtransaction>\n\t\t\t\t\t<nr>{nr}</nr>\n"
                f"\t\t\t\t\t<transID>{sale_id}</transID>\n"
                f"\t\t\t\t\t<transAmntIn>{amount(total)}</transAmntIn>\n"
                f"\t\t\t\t\t<transAmntEx>{amount(total - vat)}</transAmntEx>\n"
                f"\t\t\t\t\t<amntTp>{sign}</amntTp>\n\t\t\t\t\t<empID>{emp}</empID>\n"
                f"\t\t\t\t\t<transDate>{day}</transDate>\n\t\t\t\t\t<transTime>{time}</transTime>\n"
            )
            vats: dict[int, list[int]] = {}
            while next_lines is not None and next_lines[0] < sale_id:
                next_lines = next(lines, None)
            if next_lines is not None and next_lines[0] == sale_id:
                for (
                    _s,
                    line_nr,
                    group,
                    art,
                    name,
                    qty,
                    ppu,
                    line_amount,
                    rate,
                    line_vat,
                ) in next_lines[1]:
                    w(
                        f"\t\t\t\t\t<ctLine>\n\t\t\t\t\t\t<nr>{nr}</nr>\n"
                        f"\t\t\t\t\t\t<lineID>{line_nr}</lineID>\n"
                        f"\t\t\t\t\t\t<artGroupID>{escape(group)}</artGroupID>\n"
                        f"\t\t\t\t\t\t<artID>{escape(art)}</artID>\n"
                        f"\t\t\t\t\t\t<qnt>{qty / 1000:.3f}</qnt>\n"
                        f"\t\t\t\t\t\t<lineAmntIn>{amount(line_amount)}</lineAmntIn>\n"
                        f"\t\t\t\t\t\t<lineAmntEx>{amount(line_amount - line_vat)}</lineAmntEx>\n"
                        f"\t\t\t\t\t\t<amntTp>{sign}</amntTp>\n\t\t\t\t\t\t<ppu>{amount(ppu)}</ppu>\n"
                        f"\t\t\t\t\t\t<cashTransLineDescr>{escape(name)}</cashTransLineDescr>\n"
                        f"\t\t\t\t\t\t<vat>\n\t\t\t\t\t\t\t<vatPerc>{rate / 100:.2f}</vatPerc>\n"
                        f"\t\t\t\t\t\t\t<vatAmnt>{amount(line_vat)}</vatAmnt>\n"
                        f"\t\t\t\t\t\t</vat>\n\t\t\t\t\t</ctLine>\n"
                    )
                    entry = vats.setdefault(rate, [0, 0])
                    entry[0] += line_amount - line_vat
                    entry[1] += line_vat
                next_lines = next(lines, None)
            for rate, (basis, rate_vat) in sorted(vats.items()):
                w(
                    f"\t\t\t\t\t<vat>\n\t\t\t\t\t\t<vatPerc>{rate / 100:.2f}</vatPerc>\n"
                    f"\t\t\t\t\t\t<vatAmnt>{amount(rate_vat)}</vatAmnt>\n"
                    f"\t\t\t\t\t\t<vatBasAmnt>{amount(basis)}</vatBasAmnt>\n\t\t\t\t\t</vat>\n"
                )
            if rounding:
                w(
                    f"\t\t\t\t\t<rounding><roundingAmnt>{amount(rounding)}</roundingAmnt></rounding>\n"
                )
            while next_pays is not None and next_pays[0] < sale_id:
                next_pays = next(payments, None)
            if next_pays is not None and next_pays[0] == sale_id:
                for _s, method, paid in next_pays[1]:
                    w(
                        f"\t\t\t\t\t<payment>\n\t\t\t\t\t\t<paymentType>{method}</paymentType>\n"
                        f"\t\t\t\t\t\t<paidAmnt>{amount(paid)}</paidAmnt>\n\t\t\t\t\t</payment>\n"
                    )
                next_pays = next(payments, None)
            w(
                f"\t\t\t\t\t<signature>{signature or 'NA'}</signature>\n"
                f"\t\t\t\t\t<keyVersion>{key or 'NA'}</keyVersion>\n"
                "\t\t\t\t</cashtransaction>\n"
            )
            transactions += 1
        w("\t\t\t</cashregister>\n\t\t</location>\n\t</company>\n</auditfile>\n")
        out.flush()
        os.fsync(out.fileno())
    conn.execute("COMMIT")
    conn.close()
    return transactions, events


if __name__ == "__main__":
    written = export(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], Path(sys.argv[5]))
    print(f"{written[0]} {written[1]}")
