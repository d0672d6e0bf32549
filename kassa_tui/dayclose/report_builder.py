"""What an X or Z report says: a period's sales, returns, payments, VAT and counted events.

A period is everything after the register's previous Z (by journal sequence, sale id and cash
event id), so nothing appears in two Z reports. It is summed in SQL: a busy day has 15,000
lines. Grand totals run from installation and never reset. Training sales are counted only as
training; every other figure leaves them out. Field names follow SAF-T's `eventReport`.
"""

from __future__ import annotations

import json
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.core.clock import Instant, business_date
from kassa_tui.core.money import vat_split_counted
from kassa_tui.dayclose.campaign_figures import period_campaigns
from kassa_tui.dayclose.content import (
    SIGNATURE_PRINTED,
    EmpPaymentLine,
    GroupLine,
    PantAccountLine,
    PaymentLine,
    Report,
    Tally,
    TypeLine,
    VatReportLine,
)
from kassa_tui.records.journal import GENESIS
from kassa_tui.selling import gift_card_sales, pant
from kassa_tui.selling.cash import CashEvents, Period

PAYMENT_CODES = {"cash": "12001", "card": "12002"}  # PredefinedBasicID-12; others 12999
VAT_CODES = {2500: "3", 1500: "31", 1200: "33", 1111: "32", 0: "5"}  # Standard_Tax_Codes
CORRECTIONS = {"LINEDELETE": "Delete line", "LINEREDUCE": "Reduce quantity"}
OTHER_CORRECTIONS = {"PRICEOVERRIDE": "Price override", "RETURNNORECEIPT": "Return without receipt"}
NO_SALE_OPENINGS = ("NOSALE", "DRAWOPENMAN")  # nullinnslag; openings for a sale don't count
# Receipts counted by their event code, whichever service writes them (amount from the row's
# text, else the sale's total): copy, provisional, delivery, void.
COUNTED_EVENTS = {"13014": "copies", "13015": "provisional", "13016": "delivery", "13028": "voided"}


def last_id(db: SqliteDatabase, register_id: str, table: str, column: str) -> int:
    """The register's highest `column` in `table` (0 if none): where a period ends."""
    row = db.execute_sql(
        f"SELECT COALESCE(MAX({column}), 0) FROM {table} WHERE register_id = ?",
        (register_id,),
    ).fetchone()
    return int(row[0])


class ReportBuilder:
    """Builds a report's content from the database; stores and journals nothing."""

    def __init__(
        self, database: SqliteDatabase, config: Config, cash: CashEvents, cutoff_hour: int
    ) -> None:
        self.db = database
        self.config = config
        self.register_id = config.register_id
        self.cash = cash
        self.cutoff_hour = cutoff_hour

    def _payment_codes(self) -> dict[str, str]:
        """Each payment method's SAF-T code ([[payment]] saft_code, PredefinedBasicID-12)."""
        return {**PAYMENT_CODES, **{m.key: m.saft_code for m in self.config.payment_methods}}

    def build(
        self, report_type: str, z_nr: int | None, user: int | None, now: Instant, prev: Period
    ) -> Report:
        """The report taken `now`: the period after `prev` up to the last journal row, sale and
        cash event, with `z_nr` for a Z (None for an X) and `user` who took it."""
        seq, sale, cash = (
            last_id(self.db, self.register_id, "journal", "seq"),
            last_id(self.db, self.register_id, "sale", "id"),
            last_id(self.db, self.register_id, "cash_event", "id"),
        )
        period = (self.register_id, prev.last_sale_id, sale)
        in_period = "s.register_id = ? AND s.id > ? AND s.id <= ?"
        kinds: dict[str, tuple[int, int, int]] = {}
        for kind, number, total, rounding in self.db.execute_sql(
            "SELECT kind, COUNT(*), SUM(total_ore), SUM(rounding_ore) FROM sale s"
            f" WHERE {in_period} AND s.training = 0 GROUP BY kind",
            period,
        ):
            kinds[kind] = (int(number), int(total), int(rounding))
        training = self.db.execute_sql(
            f"SELECT COUNT(*), COALESCE(SUM(total_ore), 0) FROM sale s WHERE {in_period}"
            " AND s.training = 1",
            period,
        ).fetchone()
        # Aggregated in SQL: a busy day has 15,000 lines. Article groups and payments count
        # sales (+1 a sale, -1 a refund, as SAF-T does), so they are summed per sale first.
        lines = f"sale_line l JOIN sale s ON s.id = l.sale_id WHERE {in_period} AND s.training = 0"
        lines += f" AND l.group_code != '{gift_card_sales.GIFT_GROUP}'"  # no sale: a liability
        art_groups = tuple(
            GroupLine(group, int(n), int(amount))
            for group, n, amount in self.db.execute_sql(
                "SELECT group_code, SUM(a > 0) - SUM(a < 0), SUM(a) FROM (SELECT l.group_code,"
                f" SUM(l.amount_ore) a FROM {lines} GROUP BY l.sale_id, l.group_code)"
                " GROUP BY group_code ORDER BY group_code",
                period,
            )
        )
        # Per (amount, rate): how many lines, and how many of them with a discount and how much.
        vat_lines = self.db.execute_sql(
            "SELECT l.amount_ore, l.vat_bp, COUNT(*), SUM(l.discount_ore != 0),"
            f" SUM(l.discount_ore) FROM {lines} GROUP BY 1, 2",
            period,
        ).fetchall()
        discounts = (sum(int(g[3]) for g in vat_lines), sum(int(g[4]) for g in vat_lines))
        pays = self.db.execute_sql(
            "SELECT emp, method, SUM(a > 0) - SUM(a < 0), SUM(a) FROM (SELECT u.number emp,"
            " p.method, SUM(p.amount_ore) a FROM payment p JOIN sale s ON s.id = p.sale_id"
            f" JOIN user u ON u.id = s.user_id WHERE {in_period} AND s.training = 0"
            " GROUP BY p.sale_id, p.method) GROUP BY emp, method ORDER BY emp, method",
            period,
        ).fetchall()
        pant_sold, pant_paid_out = pant.period_figures(self.db, in_period, period)
        cards_sold = gift_card_sales.sold_in_period(self.db, in_period, period)
        cards = gift_card_sales.period_figures(self.db, in_period, period)
        gift, credit = cards.get("gift", (0, 0, 0, 0)), cards.get("credit", (0, 0, 0, 0))
        before_sales, before_returns = self._grand_totals(prev)
        last_signed = self.db.execute_sql(  # the chain's last link: sales, returns, training
            "SELECT receipt_nr, signature FROM sale WHERE register_id = ? AND id = ?",
            (self.register_id, sale),
        ).fetchone()
        events, lookups = self._events(prev.last_journal_seq, seq)
        after_cash = prev.last_cash_event_id
        sales_total = before_sales + kinds.get("sale", (0, 0, 0))[1] - cards_sold[1]
        returns_total = before_returns - kinds.get("return", (0, 0, 0))[1]
        return Report(
            report_type=report_type,
            z_nr=z_nr,
            company_name=self.config.shop_name,
            company_ident=self.config.org_nr,
            report_date=now.local_date,
            report_time=now.local_time,
            register_id=self.register_id,
            business_date=business_date(now, self.cutoff_hour),
            user_number=user,
            total_cash_sale=sum(t for _n, t, _r in kinds.values()) - cards_sold[1],
            art_groups=art_groups,
            payments=_payments(pays, self._payment_codes()),
            emp_payments=_emp_payments(pays, self._payment_codes()),
            vat=self._vat(vat_lines),
            opening_float=self.cash.tally("float", after_cash, cash)[1],
            receipts=kinds.get("sale", (0, 0, 0))[0],
            open_cash_box_num=events["openings"].num,
            copies=events["copies"],
            provisional=events["provisional"],
            returns=Tally(kinds.get("return", (0, 0, 0))[0], -kinds.get("return", (0, 0, 0))[1]),
            discounts=Tally(int(discounts[0]), int(discounts[1])),
            campaigns=period_campaigns(self.db, in_period, period),
            voided=events["voided"],
            corr_lines=tuple(
                TypeLine(name, events[basic].num, events[basic].amount)
                for basic, name in CORRECTIONS.items()
            ),
            price_inquiries=lookups,
            other_corrs=tuple(
                TypeLine(name, events[basic].num, events[basic].amount)
                for basic, name in OTHER_CORRECTIONS.items()
            ),
            delivery=events["delivery"],
            training=Tally(int(training[0]), int(training[1])),
            pay_ins=tuple(TypeLine(*r) for r in self.cash.by_reason("payin", after_cash, cash)),
            pay_outs=tuple(TypeLine(*r) for r in self.cash.by_reason("payout", after_cash, cash)),
            grand_total_sales=sales_total,
            grand_total_returns=returns_total,
            grand_total_net=sales_total - returns_total,
            rounding=sum(r for _n, _t, r in kinds.values()),
            cash_expected=self.cash.expected_cash(prev),
            cash_count=self.cash.last_count(after_cash, cash),
            last_journal_seq=seq,
            last_sale_id=sale,
            last_cash_event_id=cash,
            journal_head_hash=self._hash_of(seq),
            last_receipt_nr=None if last_signed is None else int(last_signed[0]),
            last_signature=(last_signed[1] or "")[:SIGNATURE_PRINTED] if last_signed else "",
            pant_sold=Tally(*pant_sold),
            pant_paid_out=Tally(*pant_paid_out),
            pant_accounts=tuple(
                PantAccountLine(*line) for line in pant.period_accounts(self.db, in_period, period)
            ),
            gift_cards_sold=Tally(*cards_sold),
            gift_cards_redeemed=Tally(gift[2], gift[3]),
            credit_notes_issued=Tally(credit[0], credit[1]),
            credit_notes_redeemed=Tally(credit[2], credit[3]),
        )

    def _hash_of(self, seq: int) -> str:
        """The hash of the register's journal row `seq` (GENESIS before the first row)."""
        row = self.db.execute_sql(
            "SELECT hash FROM journal WHERE register_id = ? AND seq = ?", (self.register_id, seq)
        ).fetchone()
        return str(row[0]) if row else GENESIS

    def _grand_totals(self, prev: Period) -> tuple[int, int]:
        """Grand totals (sales, returns) up to the last Z: carried from that Z, so a report reads
        only its own period, not a year of sales."""
        if prev.z_nr == 0:
            return 0, 0
        row = self.db.execute_sql(
            "SELECT json_extract(report, '$.grand_total_sales'),"
            " json_extract(report, '$.grand_total_returns') FROM z_report"
            " WHERE register_id = ? AND z_nr = ?",
            (self.register_id, prev.z_nr),
        ).fetchone()
        if row is not None and row[0] is not None and row[1] is not None:
            return int(row[0]), int(row[1])
        totals = dict(  # a Z stored without them: count from the first sale
            self.db.execute_sql(
                "SELECT kind, SUM(total_ore) FROM sale WHERE register_id = ? AND id <= ?"
                " AND training = 0 GROUP BY kind",
                (self.register_id, prev.last_sale_id),
            ).fetchall()
        )
        return int(totals.get("sale") or 0), -int(totals.get("return") or 0)

    def _events(
        self, after_seq: int, upto_seq: int
    ) -> tuple[dict[str, Tally], tuple[GroupLine, ...]]:
        """Counted journal events of the period (nullinnslag, corrections, copies, ...) and its
        price look-ups (13022) by article group and amount (§ 2-7 (4)): one pass over the
        period's journal."""
        counts: dict[str, list[int]] = {
            key: [0, 0]
            for key in (*CORRECTIONS, *OTHER_CORRECTIONS, *COUNTED_EVENTS.values(), "openings")
        }
        lookups: dict[str, list[int]] = {}
        basics = (*NO_SALE_OPENINGS, *CORRECTIONS, *OTHER_CORRECTIONS, "PRICELOOKUP")
        codes = tuple(COUNTED_EVENTS)
        rows = self.db.execute_sql(
            "SELECT j.basic_id, j.event_code, j.text, s.total_ore FROM journal j"
            " LEFT JOIN sale s ON s.id = j.sale_id WHERE j.register_id = ? AND j.seq > ?"
            f" AND j.seq <= ? AND (j.basic_id IN ({','.join('?' * len(basics))})"
            f" OR j.event_code IN ({','.join('?' * len(codes))}))",
            (self.register_id, after_seq, upto_seq, *basics, *codes),
        ).fetchall()
        for basic, code, text, sale_total in rows:
            details = json.loads(text) if text else {}
            if basic == "PRICELOOKUP":
                entry = lookups.setdefault(str(details.get("group", "")), [0, 0])
                entry[0] += 1
                entry[1] += int(details.get("amount", 0))
                continue
            if basic in NO_SALE_OPENINGS:
                key, amount = "openings", 0
            elif basic in OTHER_CORRECTIONS:
                # A price override: what the unit price came down by (negative if raised); a
                # return without a receipt: the amount returned (also among the returns).
                before_after = int(details.get("before", 0)) - int(details.get("after", 0))
                key, amount = basic, int(details.get("amount", before_after))
            elif basic in CORRECTIONS:
                key, amount = basic, int(details.get("amount", 0))
            else:
                key = COUNTED_EVENTS[code]
                amount = int(details.get("amount", sale_total or 0))
            counts[key][0] += 1
            counts[key][1] += amount
        return (
            {key: Tally(n, a) for key, (n, a) in counts.items()},
            tuple(GroupLine(g, n, a) for g, (n, a) in sorted(lookups.items())),
        )

    def _vat(self, lines: list[tuple[Any, ...]]) -> tuple[VatReportLine, ...]:
        """Basis and VAT per rate, VAT per line summed; every rate of the till, zeros too.

        `lines` are (amount, rate, how many lines, ...) groups.
        """
        split = {v.rate_bp: v for v in vat_split_counted(ln[:3] for ln in lines)}
        rates = sorted(set(self.config.vat_rates_bp) | set(split), reverse=True)
        out = []
        for rate in rates:
            found = split.get(rate)
            basis, vat = (found.basis, found.vat) if found else (0, 0)
            out.append(VatReportLine(VAT_CODES.get(rate, "3"), rate, basis, vat))
        return tuple(out)


def _payments(
    pays: list[tuple[Any, ...]], codes: dict[str, str] = PAYMENT_CODES
) -> tuple[PaymentLine, ...]:
    """Per method over all employees; cash and card always, at zero when unused."""
    per: dict[str, list[int]] = {method: [0, 0] for method in PAYMENT_CODES}
    for _emp, method, n, amount in pays:
        entry = per.setdefault(method, [0, 0])
        entry[0] += int(n)
        entry[1] += int(amount)
    return tuple(
        PaymentLine(method, codes.get(method, "12999"), n, a) for method, (n, a) in per.items()
    )


def _emp_payments(
    pays: list[tuple[Any, ...]], codes: dict[str, str] = PAYMENT_CODES
) -> tuple[EmpPaymentLine, ...]:
    return tuple(
        EmpPaymentLine(int(emp), method, codes.get(method, "12999"), int(n), int(a))
        for emp, method, n, a in pays
    )
