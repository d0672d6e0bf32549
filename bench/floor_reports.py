"""The floor of the X and Z reports: the same figures in raw `sqlite3`, aggregated by SQLite.

Every figure of the prescribed content (kassa_tui/dayclose/content.py) for one period of one
register: sales and returns by kind, training, article groups, VAT per rate, discounts, payments
per method and per employee, grand totals from installation, counted journal events (drawer
openings without a sale, corrections, copies, provisional, delivery, voided), price look-ups, the
float, pay-ins and pay-outs, the last cash count and the expected cash. Each is one `GROUP BY`
query over the same tables and indexes kassa uses; the amounts in journal rows are read with
SQLite's `json_extract`. Then one durable transaction writes the X's journal row (and for a Z the
`z_report` row too).

Two choices make it the fastest plain way with the same indexes: a period's sales are found by
their id range (`+register_id` keeps SQLite off the register_id index, which would read every sale
the register ever made), and the grand totals are the previous Z's plus the period's, instead of
a sum over every sale since installation.

It writes under its own register ID, so the period it reads (the shop's register, after its last
Z) is the same every time; the journal chain is kept in memory.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from floor_sqlite import raw_connection

#: From kassa_tui/dayclose/reports.py: what X and Z count among the journal rows.
OPENINGS = ("NOSALE", "DRAWOPENMAN")
CORRECTIONS = ("LINEDELETE", "LINEREDUCE", "PRICEOVERRIDE", "RETURNNORECEIPT")
COUNTED_CODES = ("13014", "13015", "13016", "13028")


class RawReports:
    def __init__(
        self, path: Path, pragmas: dict[str, object], register_id: str, writer_id: str
    ) -> None:
        self.conn = raw_connection(path, pragmas)
        self.register_id = register_id
        self.writer_id = writer_id
        self.seq = 0
        self.prev_hash = "0" * 64
        self.z_nr = 0

    def _one(self, sql: str, *params: Any) -> tuple[Any, ...]:
        row = self.conn.execute(sql, params).fetchone()
        return tuple(row) if row else ()

    def _all(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.conn.execute(sql, params)]

    def periods(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """((after seq, sale, cash), (upto seq, sale, cash)) of the register's last closed day."""
        rows = self._all(
            "SELECT last_journal_seq, last_sale_id, last_cash_event_id FROM z_report"
            " WHERE register_id = ? ORDER BY z_nr DESC LIMIT 2",
            self.register_id,
        )
        last = rows[0]
        before = rows[1] if len(rows) > 1 else (0, 0, 0)
        return (int(before[0]), int(before[1]), int(before[2])), (
            int(last[0]),
            int(last[1]),
            int(last[2]),
        )

    def figures(self, closed_day: bool) -> dict[str, Any]:
        """The report's figures for the open period, or for the last closed day."""
        r = self.register_id
        before = 1 if closed_day else 0
        a_seq, a_sale, a_cash, *grand_before = self._one(
            "SELECT last_journal_seq, last_sale_id, last_cash_event_id,"
            " json_extract(report, '$.grand_total_sales'),"
            " json_extract(report, '$.grand_total_returns') FROM z_report"
            " WHERE register_id = ? ORDER BY z_nr DESC LIMIT 1 OFFSET ?",
            r,
            before,
        ) or (0, 0, 0, 0, 0)
        if closed_day:
            _after, (seq, sale, cash) = self.periods()
        else:
            seq = self._one("SELECT COALESCE(MAX(seq), 0) FROM journal WHERE register_id = ?", r)[0]
            sale = (
                self._one("SELECT id FROM sale WHERE +register_id = ? ORDER BY id DESC LIMIT 1", r)
                or (0,)
            )[0]
            cash = self._one(
                "SELECT COALESCE(MAX(id), 0) FROM cash_event WHERE register_id = ?", r
            )[0]
        period = (r, a_sale, sale)
        in_period = "+s.register_id = ? AND s.id > ? AND s.id <= ?"
        lines = f"sale_line l JOIN sale s ON s.id = l.sale_id WHERE {in_period} AND s.training = 0"
        pays = (
            "payment p JOIN sale s ON s.id = p.sale_id JOIN user u ON u.id = s.user_id"
            f" WHERE {in_period} AND s.training = 0"
        )
        journal = "journal WHERE register_id = ? AND seq > ? AND seq <= ?"
        cash_events = "cash_event WHERE register_id = ? AND id > ? AND id <= ?"
        marks = ",".join("?" * len(OPENINGS + CORRECTIONS))
        codes = ",".join("?" * len(COUNTED_CODES))
        return {
            "kinds": self._all(
                "SELECT kind, COUNT(*), SUM(total_ore), SUM(rounding_ore) FROM sale s"
                f" WHERE {in_period} AND s.training = 0 GROUP BY kind",
                *period,
            ),
            "training": self._one(
                f"SELECT COUNT(*), COALESCE(SUM(total_ore), 0) FROM sale s WHERE {in_period}"
                " AND s.training = 1",
                *period,
            ),
            "groups": self._all(
                "SELECT group_code, COUNT(DISTINCT l.sale_id), SUM(l.amount_ore)"
                f" FROM {lines} GROUP BY group_code",
                *period,
            ),
            "vat": self._all(
                f"SELECT l.vat_bp, SUM(l.amount_ore), SUM(l.vat_ore) FROM {lines}"
                " GROUP BY l.vat_bp",
                *period,
            ),
            "discounts": self._one(
                f"SELECT SUM(l.discount_ore != 0), COALESCE(SUM(l.discount_ore), 0) FROM {lines}",
                *period,
            ),
            "payments": self._all(
                f"SELECT p.method, COUNT(*), SUM(p.amount_ore) FROM {pays} GROUP BY p.method",
                *period,
            ),
            "emp_payments": self._all(
                f"SELECT u.number, p.method, COUNT(*), SUM(p.amount_ore) FROM {pays}"
                " GROUP BY u.number, p.method",
                *period,
            ),
            "grand_before": grand_before,  # + the period's kinds: the grand totals
            "events": self._all(
                "SELECT basic_id, event_code, COUNT(*),"
                " SUM(COALESCE(json_extract(text, '$.amount'), 0)) FROM"
                f" {journal} AND (basic_id IN ({marks}) OR event_code IN ({codes}))"
                " GROUP BY basic_id, event_code",
                r,
                a_seq,
                seq,
                *OPENINGS,
                *CORRECTIONS,
                *COUNTED_CODES,
            ),
            "lookups": self._all(
                "SELECT json_extract(text, '$.group'), COUNT(*),"
                f" SUM(json_extract(text, '$.amount')) FROM {journal}"
                " AND basic_id = 'PRICELOOKUP' GROUP BY 1",
                r,
                a_seq,
                seq,
            ),
            "cash": self._all(
                f"SELECT kind, reason, COUNT(*), SUM(amount_ore) FROM {cash_events}"
                " AND kind IN ('float', 'payin', 'payout') GROUP BY kind, reason",
                r,
                a_cash,
                cash,
            ),
            "count": self._one(
                f"SELECT amount_ore, details FROM {cash_events} AND kind = 'count'"
                " ORDER BY id DESC LIMIT 1",
                r,
                a_cash,
                cash,
            ),
            "cash_sales": self._one(
                "SELECT COALESCE(SUM(p.amount_ore), 0) FROM payment p JOIN sale s"
                " ON s.id = p.sale_id WHERE +s.register_id = ? AND s.id > ? AND s.training = 0"
                " AND p.method = 'cash'",
                r,
                a_sale,
            ),
            "upto": (seq, sale, cash),
        }

    def _journal(self, event_code: str, basic_id: str, text: str, now: datetime) -> None:
        self.seq += 1
        fields = (
            self.writer_id,
            self.seq,
            str(uuid.uuid4()),
            event_code,
            basic_id,
            2,
            now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            now.strftime("%Y-%m-%d"),
            now.strftime("%H:%M:%S"),
            text,
            None,
        )
        payload = json.dumps([self.prev_hash, *fields], separators=(",", ":"))
        digest = hashlib.sha256(payload.encode()).hexdigest()
        self.conn.execute(
            "INSERT INTO journal (register_id, seq, uuid, event_code, basic_id, user_number, utc,"
            " local_date, local_time, text, sale_id, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*fields, self.prev_hash, digest),
        )
        self.prev_hash = digest

    def x_report(self) -> dict[str, Any]:
        """One durable transaction: the open period's figures and the X's journal row."""
        now = datetime.now(UTC)
        self.conn.execute("BEGIN IMMEDIATE")
        figures = self.figures(closed_day=False)
        self._journal("13008", "XREPORT", json.dumps({"report": figures}), now)
        self.conn.execute("COMMIT")
        return figures

    def z_report(self, closed_day: bool) -> dict[str, Any]:
        """One durable transaction: the figures, the Z's journal row and its `z_report` row."""
        now = datetime.now(UTC)
        self.conn.execute("BEGIN IMMEDIATE")
        figures = self.figures(closed_day)
        text = json.dumps(figures)
        self.z_nr += 1
        self._journal("13009", "ZREPORT", json.dumps({"report": figures}), now)
        seq, sale, cash = figures["upto"]
        self.conn.execute(
            "INSERT INTO z_report (register_id, z_nr, business_date, last_journal_seq,"
            " last_sale_id, last_cash_event_id, user_number, utc, local_date, local_time,"
            " report) VALUES (?, ?, ?, ?, ?, ?, 2, ?, ?, ?, ?)",
            (
                self.writer_id,
                self.z_nr,
                f"floor-{self.z_nr}",
                seq,
                sale,
                cash,
                now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                now.strftime("%Y-%m-%d"),
                now.strftime("%H:%M:%S"),
                text,
            ),
        )
        self.conn.execute("COMMIT")
        return figures

    def close(self) -> None:
        self.conn.close()
