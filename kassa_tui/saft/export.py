"""The SAF-T Cash Register export (norway-rules.md § 5).

`export_saft` writes one file for a range of business days (each from `[day] cutoff_hour` to the
next morning's, as the Z's) straight from the journal and the sales tables. The master data
comes first and holds only what the period uses (small sets, found in SQL); then, per register,
every journal row is an `event` and every sale a `cashtransaction` in chain order, each read
from a cursor and written as it comes, so a year takes the memory of one sale. Everything is
read in one snapshot while the till keeps selling; the export itself is journaled (13020) once
the file is in place. The XML is written by `kassa_tui.saft.writer`; checking a file's signature
chains is `kassa_tui.saft.verify`'s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.core.clock import Clock, Instant
from kassa_tui.core.errors import Stopped
from kassa_tui.core.files import write_new, writing_new
from kassa_tui.core.i18n import _
from kassa_tui.core.money import saft_amount, vat_split
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.retirement import retired
from kassa_tui.saft.codes import (
    DISCOUNT,
    LINE_TYPES,
    TRANS_TYPES,
    Node,
    address,
    event_report,
    leaves,
    payment_basic,
    percent,
    quantity,
    row,
    vat_code,
)
from kassa_tui.saft.master import (
    JOURNAL_IN_PERIOD,
    REPORT_EVENTS,
    SALE_IN_PERIOD,
    Selection,
    Used,
    report_of,
)
from kassa_tui.saft.writer import Writer
from kassa_tui.selling import gift_card_sales

#: A receipt's print, by the receipt's kind: counted as the transaction's receiptNum.
PRINTED = (Event.RECEIPT_PRINTED, Event.RETURN_RECEIPT_PRINTED)


def file_name(org_nr: str, created: Instant) -> str:
    """Skatteetaten's name: SAF-T Cash Register_<orgnr>_<yyyymmddhhmmss>_<n>_<total>.xml."""
    return f"SAF-T Cash Register_{org_nr}_{created.local:%Y%m%d%H%M%S}_1_1.xml"


def export_saft(
    db: SqliteDatabase,
    config: Config,
    from_date: date,
    to_date: date,
    out_dir: Path,
    *,
    clock: Clock | None = None,
) -> Path:
    """Write the SAF-T file for the business days `from_date`..`to_date` into `out_dir`; journal
    it. A business day runs from `config.day_cutoff_hour` to the next morning's (Oslo time)."""
    if from_date > to_date:
        raise Stopped(
            _("the period starts ({start}) after it ends ({end})").format(
                start=from_date, end=to_date
            )
        )
    # A retired register's file is still the shop's to give an auditor for the years the law
    # keeps it; its journal takes nothing after the retirement row, so that export is not
    # journaled (the .head sidecar still names the journal's head).
    journaled = retired(db, config.register_id) is None
    clock = clock or Clock()
    now = clock.now()
    name = file_name(config.org_nr, now)
    out_dir.mkdir(parents=True, exist_ok=True)
    period = (from_date.isoformat(), to_date.isoformat())
    # Readable by the till's user only; a second export in the same second is named '…-2.xml'.
    with writing_new(out_dir / name, unique=True) as file, db.atomic():  # one read snapshot
        export = _Export(db, config, period, now)
        written = export.write(file.file)
        heads = journal_heads(db)
    target = file.path
    # The SAF-T schema has no place for kassa's row hashes: the journal head at the export
    # goes into a sidecar beside it, and into the export's own journal row; so does each
    # register's last transaction in the file, so a file cut at its end is named
    # (`kassa saft verify`).
    text = "".join(f"{register} {seq}:{digest}\n" for register, (seq, digest) in heads.items())
    text += "".join(
        f"{register} last {end[0]} {end[1]}\n" if end else f"{register} last none\n"
        for register, end in export.ends.items()
    )
    sidecar = write_new(head_path(target), text.encode("ascii"), unique=False)
    if not journaled:
        return target
    with db.atomic("IMMEDIATE"):
        Journal(db, config.register_id, clock).write(
            Event.JOURNAL_EXPORT,
            file=target.name,
            from_date=period[0],
            to_date=period[1],
            transactions=written[0],
            events=written[1],
            head_file=sidecar.name,
            journal_heads={
                register: f"{seq}:{digest}" for register, (seq, digest) in heads.items()
            },
            last_transactions={
                register: {"nr": end[0], "signature": end[1]} if end else None
                for register, end in export.ends.items()
            },
        )
    return target


def head_path(saft_file: Path) -> Path:
    """Where an export's journal head is kept: `<file>.head` beside it."""
    return saft_file.with_name(saft_file.name + ".head")


def journal_heads(db: SqliteDatabase) -> dict[str, tuple[int, str]]:
    """Every register's journal head (last seq and its hash)."""
    # SQLite takes the bare `hash` from the row holding MAX(seq).
    rows = db.execute_sql(
        "SELECT register_id, MAX(seq), hash FROM journal GROUP BY register_id ORDER BY register_id"
    ).fetchall()
    return {str(register): (int(seq), str(digest)) for register, seq, digest in rows}


def read_heads(saft_file: Path) -> dict[str, tuple[int, str]]:
    """The journal heads recorded beside a kassa SAF-T export (`head_path`); ValueError when
    there is no such file or it cannot be read."""
    path = head_path(saft_file)
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        raise ValueError(
            f"{saft_file}: no journal head beside it ({path.name}); only a kassa export made"
            " since the head was recorded carries one"
        ) from None
    heads: dict[str, tuple[int, str]] = {}
    for line in lines:
        if _end_of(line) is not None:
            continue  # a register's last transaction: read_ends
        register, _, head = line.strip().rpartition(" ")
        seq, colon, digest = head.partition(":")
        if not register or not colon or not seq.isdigit() or len(digest) != 64:
            raise ValueError(f"{path}: {line!r} is not 'REGISTER SEQ:HASH'")
        heads[register] = (int(seq), digest)
    if not heads:
        raise ValueError(f"{path} records no journal head")
    return heads


def read_ends(saft_file: Path) -> dict[str, tuple[int, str] | None] | None:
    """Each register's last transaction in a kassa SAF-T export, (receipt number, signature),
    or None for a register with none, as recorded beside it at the export; None when the
    `.head` file is from before kassa recorded them. ValueError as `read_heads`."""
    path = head_path(saft_file)
    read_heads(saft_file)  # the same file, checked whole
    ends: dict[str, tuple[int, str] | None] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        found = _end_of(line)
        if found is None:
            continue
        register, end = found
        if end is not None and (not end[0].isdigit() or not end[1]):
            raise ValueError(f"{path}: {line!r} is not 'REGISTER last NR SIGNATURE'")
        ends[register] = (int(end[0]), end[1]) if end else None
    return ends or None


def _end_of(line: str) -> tuple[str, tuple[str, str] | None] | None:
    """'KASSE-1 last 42 SIG' → ('KASSE-1', ('42', 'SIG')); 'KASSE-1 last none' → ('KASSE-1',
    None); None for any other line (a journal head)."""
    words = line.strip().split(" ")
    if len(words) >= 3 and words[-2:] == ["last", "none"]:
        return " ".join(words[:-2]), None
    if len(words) >= 4 and words[-3] == "last":
        return " ".join(words[:-3]), (words[-2], words[-1])
    return None


def _details(text: str) -> dict[str, Any]:
    """A journal row's details (JSON); text that is not a JSON object is kept as 'text'."""
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        found = text
    return found if isinstance(found, dict) else {"text": text}


class _Export(Selection):
    """The file: the master data, then per register its events and transactions."""

    def write(self, out: IO[bytes]) -> tuple[int, int]:
        """Write the whole file; returns (transactions, events) written. `ends` then holds
        each register's last transaction written (receipt number, signature), or None."""
        self.ends: dict[str, tuple[int, str] | None] = {}
        used = self.used()
        xml = Writer(out)
        xml.begin("auditfile")
        xml.node(self.header(used))
        xml.open("company")
        for node in self.company(used):
            xml.node(node)
        xml.many("articles", self.articles(used))
        xml.node(("basics", self.basics(used)))
        xml.open("location")
        xml.node(("name", self.config.shop_name[:100]))
        xml.node(("streetAddress", address(self.config.shop_address)))
        transactions = events = 0
        for register in used.registers:
            xml.open("cashregister")
            xml.node(("registerID", register))
            xml.node(("regDesc", f"Kassapunkt {register}, {self.config.shop_name}"))
            self.ends[register] = None
            for node in self._events(register, used):
                xml.node(node)
                events += 1
            for node in self._transactions(register):
                xml.node(node)
                transactions += 1
            xml.close("cashregister")
        xml.close("location")
        xml.close("company")
        xml.finish("auditfile")
        return transactions, events

    def _events(self, register: str, used: Used) -> Iterator[Node]:
        for seq, code, basic_id, user, day, time, text, sale_id in self.rows(
            # The seq range first, by date, then the rows in seq order: no sort of a month.
            # (`+column` keeps SQLite on the date index rather than the register's whole year.)
            "SELECT seq, event_code, basic_id, user_number, local_date, local_time, text,"
            " sale_id FROM journal WHERE register_id = ? AND seq BETWEEN"
            f" (SELECT MIN(seq) FROM journal WHERE +register_id = ? AND {JOURNAL_IN_PERIOD}) AND"
            f" (SELECT MAX(seq) FROM journal WHERE +register_id = ? AND {JOURNAL_IN_PERIOD})"
            " AND +utc >= ? AND +utc < ? ORDER BY seq",
            register,
            *(register, *self.bounds) * 2,
            *self.bounds[2:],
        ):
            report = report_of(text) if code in REPORT_EVENTS and text else None
            if report is not None:
                number = f" {report.z_nr}" if report.z_nr is not None else ""
                text = f"{report.report_type}{number}"
            elif user is not None and user not in used.employees:
                # Not a user (a mistyped number at sign-in): kept in the text, not as empID.
                text = json.dumps({**_details(text), "user": user}, ensure_ascii=False)
            yield (
                "event",
                [
                    *leaves(
                        "eventID eventType transID empID eventDate eventTime eventText",
                        str(seq),
                        basic_id,
                        str(sale_id) if sale_id is not None else None,
                        str(user) if user in used.employees else None,
                        day,
                        time,
                        text[:9999] if text else None,
                    ),
                    event_report(report, seq, used.fallback_group) if report else ("", None),
                ],
            )

    def _transactions(self, register: str) -> Iterator[Node]:
        ids = self.db.execute_sql(
            f"SELECT MIN(id), MAX(id) FROM sale WHERE +register_id = ? AND {SALE_IN_PERIOD}",
            (register, *self.bounds),
        ).fetchone()
        first, last = ids[0] or 0, ids[1] or 0
        # Prints of a sale's (13012) or a return's receipt (13013), and copies (13014).
        print_ids = [basic for _code, basic in PRINTED]
        codes = sorted({code for code, _basic in PRINTED} | {Event.COPY_RECEIPT[0]})
        receipts = _BySale(
            self.rows(
                f"SELECT sale_id, SUM(basic_id IN ({', '.join('?' * len(print_ids))})),"
                " SUM(event_code = ?)"
                " FROM journal WHERE register_id = ? AND sale_id BETWEEN ? AND ?"
                f" AND event_code IN ({', '.join('?' * len(codes))})"
                " GROUP BY sale_id ORDER BY sale_id",
                *print_ids,
                Event.COPY_RECEIPT[0],
                register,
                first,
                last,
                *codes,
            )
        )
        lines = _BySale(
            self.rows(
                "SELECT l.sale_id, l.line_nr, l.group_code, COALESCE(p.plu, CAST(p.id AS TEXT)),"
                " l.name, l.qty_milli, l.unit_price_ore, l.discount_ore, l.amount_ore, l.vat_bp,"
                " l.vat_ore, (SELECT d.account FROM deposit_type d WHERE d.product_id = p.id)"
                " FROM sale_line l JOIN product p ON p.id = l.product_id"
                " WHERE l.sale_id BETWEEN ? AND ? ORDER BY l.sale_id, l.line_nr",
                first,
                last,
            )
        )
        payments = _BySale(
            self.rows(
                "SELECT sale_id, method, amount_ore FROM payment WHERE sale_id BETWEEN ? AND ?"
                " ORDER BY sale_id, id",
                first,
                last,
            )
        )
        for sale in self.rows(
            "SELECT s.id, s.receipt_nr, s.kind, s.training, s.total_ore, s.vat_ore,"
            " s.rounding_ore, s.local_date, s.local_time, s.signature, s.key_version,"
            " s.original_sale_id, s.reason, u.number FROM sale s"
            " LEFT JOIN user u ON u.id = s.user_id"
            f" WHERE s.register_id = ? AND {SALE_IN_PERIOD} ORDER BY s.id",
            register,
            *self.bounds,
        ):
            self.ends[register] = (int(sale[1]), str(sale[9] or "NA"))
            counted = receipts.take(sale[0])
            printed = (int(counted[0][0]), int(counted[0][1])) if counted else (0, 0)
            yield self._transaction(sale, printed, lines.take(sale[0]), payments.take(sale[0]))

    def _transaction(
        self,
        sale: tuple[Any, ...],
        printed: tuple[int, int],
        lines: list[tuple[Any, ...]],
        payments: list[tuple[Any, ...]],
    ) -> Node:
        (sale_id, nr, kind, training, total, vat, rounding, day, time) = sale[:9]
        signature, key_version, original, reason, emp = sale[9:]
        nr, sign = str(nr), "D" if kind == "return" else "C"
        emp = str(emp) if emp is not None else None  # never skip a sale: it breaks the chain
        children = leaves(
            "nr transID transType transAmntIn transAmntEx amntTp empID transDate transTime refID"
            " desc",
            nr,
            str(sale_id),
            TRANS_TYPES.get(kind, TRANS_TYPES["sale"])[0],
            saft_amount(total),
            saft_amount(total - vat),
            sign,
            emp,
            day,
            time,
            str(original) if original is not None else None,  # the sale a return returns
            reason or None,
        )
        line_type = LINE_TYPES.get(kind, LINE_TYPES["sale"])[0]
        gift = gift_card_sales.GIFT_GROUP  # a gift card sold: a liability, no VAT
        for line_nr, group, art, name, qty, ppu, discount, amount, rate, line_vat, acc in lines:
            if group == gift:
                acc = gift_card_sales.liability_account(self.config.accounting)
            ct_line = leaves(
                "nr lineID lineType artGroupID artID qnt lineAmntIn lineAmntEx amntTp ppu empID"
                " lineAmntInAccID cashTransLineDescr",
                nr,
                str(line_nr),
                gift_card_sales.LINE_TYPE[0] if group == gift else line_type,
                group,
                str(art)[:35],
                quantity(qty),
                saft_amount(amount),
                saft_amount(amount - line_vat),
                sign,
                saft_amount(ppu),
                emp,
                acc,  # pant: its deposit type's own account
                name,
            )
            if group != gift:
                ct_line.append(_vat(rate, line_vat, amount - line_vat, sign))
            if discount:
                ct_line.append(row("discount", "dscTp dscAmnt", DISCOUNT[0], saft_amount(discount)))
            children.append(("ctLine", ct_line))
        taxed = ((ln[7], ln[8]) for ln in lines if ln[1] != gift)
        for split in sorted(vat_split(taxed), key=lambda v: v.rate_bp):
            children.append(_vat(split.rate_bp, split.vat, split.basis, sign))
        if rounding:
            children.append(row("rounding", "roundingAmnt", saft_amount(rounding)))
        for method, paid in payments:
            names = "paymentType paidAmnt empID curCode"
            children.append(
                row("payment", names, payment_basic(method)[0], saft_amount(paid), emp, "NOK")
            )
        children += leaves(
            "signature keyVersion receiptNum receiptCopyNum trainingID",
            signature or "NA",  # "NA" only where signing was off (not in Norway)
            key_version or "NA",
            str(min(printed[0], 999)),
            str(min(printed[1], 999)),
            "true" if training else None,
        )
        return ("cashtransaction", children)


def _vat(rate: int, vat: int, basis: int, sign: str) -> Node:
    names = "vatCode vatPerc vatAmnt vatAmntTp vatBasAmnt"
    return row(
        "vat", names, vat_code(rate), percent(rate), saft_amount(vat), sign, saft_amount(basis)
    )


class _BySale:
    """Rows of a cursor ordered by sale id, handed out per sale as the sales stream past: one
    pass over each table instead of a query per sale (a month has tens of thousands)."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._row = next(rows, None)

    def take(self, sale_id: int) -> list[tuple[Any, ...]]:
        """This sale's rows (without the sale id); rows of sales not asked for are skipped."""
        found = []
        while self._row is not None and self._row[0] <= sale_id:
            if self._row[0] == sale_id:
                found.append(self._row[1:])
            self._row = next(self._rows, None)
        return found
