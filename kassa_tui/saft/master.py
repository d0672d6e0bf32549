"""The SAF-T file's master data: what a period uses, and the header and company parts.

The file lists only what the period's journal rows, sales and reports use (norway-rules.md
§ 5.2): employees, articles, VAT codes and every code in `basics`. These sets are found in SQL
and stay small (bounded by the staff and the catalog, never by the number of sales); the
articles are streamed from their cursor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from peewee import SqliteDatabase

from kassa_tui import __version__
from kassa_tui.config import Config
from kassa_tui.core.clock import Instant, business_days_utc, utc_text
from kassa_tui.core.money import format_rate
from kassa_tui.dayclose.content import Report
from kassa_tui.saft.codes import (
    ARTICLE_GROUPS,
    DISCOUNT,
    LINE_TYPES,
    NONE,
    ROLES,
    TRANS_TYPES,
    Node,
    address,
    chain_note,
    event_desc,
    leaves,
    payment_basic,
    report_groups,
    row,
    split_name,
    vat_code,
)
from kassa_tui.selling import gift_card_sales, pant

SOFTWARE_COMPANY = "kassa (open source, AGPL-3.0-or-later)"
REPORT_EVENTS = ("13008", "13009")
#: The period is of business days, as the Z's: each runs from `[day] cutoff_hour` (Oslo time)
#: to the next morning's, so a sale at 01:30 belongs to the evening before. The Oslo dates
#: (indexed) hold the period, the UTC instants cut it to the business days; the parameters
#: are `Selection.bounds`.
JOURNAL_IN_PERIOD = "local_date BETWEEN ? AND ? AND utc >= ? AND utc < ?"
SALE_IN_PERIOD = "local_date BETWEEN ? AND ? AND completed_utc >= ? AND completed_utc < ?"


@dataclass
class Used:
    """What the period uses, so the master data lists exactly that (all small sets)."""

    registers: list[str] = field(default_factory=list)
    vat_rates: set[int] = field(default_factory=set)
    employees: dict[int, tuple[str, str]] = field(default_factory=dict)
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    events: dict[str, str] = field(default_factory=dict)
    discount: bool = False
    fallback_group: str = NONE
    entered: tuple[str, str] = ("", "")
    chains: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # pant's accounts: accID, accDesc
    gift_cards: bool = False  # a gift card sold: its line type (05) is declared


def report_of(text: str) -> Report | None:
    """The X or Z report a 13008/13009 journal row carries, if it does."""
    try:
        return Report.from_dict(json.loads(text)["report"])
    except (ValueError, KeyError, TypeError):
        return None


class Selection:
    """One shop's database over a range of business days, as the SAF-T file sees it."""

    def __init__(
        self, db: SqliteDatabase, config: Config, period: tuple[str, str], now: Instant
    ) -> None:
        self.db = db
        self.config = config
        self.period = period  # the first and the last business day
        self.now = now
        start, end = business_days_utc(*period, config.day_cutoff_hour)
        after = (date.fromisoformat(period[1]) + timedelta(days=1)).isoformat()
        #: The parameters of JOURNAL_IN_PERIOD and SALE_IN_PERIOD.
        self.bounds = (period[0], after, utc_text(start), utc_text(end))

    def rows(self, sql: str, *params: Any) -> Iterator[tuple[Any, ...]]:
        """The rows of `sql`, read from its cursor as they are needed."""
        yield from self.db.execute_sql(sql, params)

    def scalar_set(self, sql: str, *params: Any) -> set[Any]:
        return {row[0] for row in self.rows(sql, *params)}

    # -- what the period uses ----------------------------------------------------------------

    def used(self) -> Used:
        """What the period uses: the master data lists exactly that."""
        p = self.bounds
        used = Used()
        sold = f"SELECT id FROM sale WHERE {SALE_IN_PERIOD}"
        lines = f"SELECT product_id FROM sale_line WHERE sale_id IN ({sold})"
        used.registers = sorted(
            self.scalar_set(
                f"SELECT register_id FROM sale WHERE {SALE_IN_PERIOD} UNION"
                f" SELECT register_id FROM journal WHERE {JOURNAL_IN_PERIOD}",
                *p,
                *p,
            )
            | {self.config.register_id}
        )
        emps: set[int] = set()
        groups: set[str] = set()
        for (text,) in self.rows(
            f"SELECT text FROM journal WHERE {JOURNAL_IN_PERIOD} AND event_code IN (?, ?)",
            *p,
            *REPORT_EVENTS,
        ):
            report = report_of(text)
            if report is None:
                continue
            emps |= {e.emp for e in report.emp_payments}
            groups |= {g for g in report_groups(report) if g}
            used.methods |= {pay.method for pay in report.payments}
            used.vat_rates |= {v.rate_bp for v in report.vat}
            if not report.art_groups or not report.price_inquiries:
                groups.add("")  # the fallback group stands in for an empty list
        marks = ",".join("?" * len(emps))
        for number, name, role in self.rows(
            "SELECT number, name, role FROM user WHERE number IN"
            f" (SELECT user_number FROM journal WHERE {JOURNAL_IN_PERIOD}) OR id IN"
            f" (SELECT user_id FROM sale WHERE {SALE_IN_PERIOD}) OR number IN ({marks})"
            " ORDER BY number",
            *p,
            *p,
            *emps,
        ):
            used.employees[int(number)] = (str(name), str(role))
        groups |= self.scalar_set(
            f"SELECT group_code FROM sale_line WHERE sale_id IN ({sold}) UNION SELECT g.code"
            f" FROM product p JOIN product_group g ON g.id = p.group_id WHERE p.id IN ({lines})",
            *p,
            *p,
        )
        if "" in groups:
            groups.discard("")
            first = self.db.execute_sql("SELECT MIN(code) FROM product_group").fetchone()[0]
            used.fallback_group = str(first) if first else NONE
            groups.add(used.fallback_group)
        known = {
            str(code): (str(saft), str(name))
            for code, saft, name in self.rows("SELECT code, saft_group, name FROM product_group")
            if code in groups
        }
        used.groups = {g: known.get(g, ("04999", g)) for g in sorted(groups)}
        used.vat_rates |= self.scalar_set(
            f"SELECT DISTINCT vat_bp FROM sale_line WHERE sale_id IN ({sold})", *p
        )
        used.kinds = self.scalar_set(f"SELECT DISTINCT kind FROM sale WHERE {SALE_IN_PERIOD}", *p)
        used.accounts = pant.accounts_used(self.db, sold, p)
        gift_accounts = gift_card_sales.accounts_used(self.db, self.config.accounting, sold, p)
        used.gift_cards = bool(gift_accounts)
        used.accounts.update(gift_accounts)
        used.methods |= self.scalar_set(
            f"SELECT DISTINCT method FROM payment WHERE sale_id IN ({sold})", *p
        )
        used.discount = bool(
            self.scalar_set(
                f"SELECT 1 FROM sale_line WHERE sale_id IN ({sold}) AND discount_ore != 0 LIMIT 1",
                *p,
            )
        )
        for basic_id, code in self.rows(
            f"SELECT DISTINCT basic_id, event_code FROM journal WHERE {JOURNAL_IN_PERIOD}"
            " ORDER BY event_code, basic_id",
            *p,
        ):
            used.events.setdefault(str(basic_id), str(code))  # one code per basic ID
        first_row = self.db.execute_sql(
            "SELECT local_date, local_time FROM journal ORDER BY id LIMIT 1"
        ).fetchone()
        if first_row:  # kassa does not record when a user or a product was entered
            used.entered = (str(first_row[0]), str(first_row[1]))
        else:
            used.entered = (self.now.local_date, self.now.local_time)
        for register in used.registers:
            row = self.db.execute_sql(
                "SELECT signature FROM sale WHERE register_id = ? AND id < (SELECT MIN(id)"
                f" FROM sale WHERE +register_id = ? AND {SALE_IN_PERIOD}) ORDER BY id DESC LIMIT 1",
                (register, register, *p),
            ).fetchone()
            if row and row[0]:
                used.chains[register] = str(row[0])
        return used

    # -- the master data ---------------------------------------------------------------------

    def header(self, used: Used) -> Node:
        start, end = self.period
        comment = (
            f"Selection: every journal row and transaction of the business days {start} to"
            f" {end}, each from {self.config.day_cutoff_hour:02d}:00 Oslo time to the next"
            f" morning's, registers {', '.join(used.registers)}."
        )
        for register, signature in used.chains.items():
            note = f" {chain_note(register, signature)}"
            comment += note if len(comment) + len(note) <= 999 else ""
        return (
            "header",
            leaves(
                "fiscalYear startDate endDate curCode dateCreated timeCreated softwareDesc"
                " softwareVersion softwareCompanyName auditfileVersion headerComment",
                start[:4] if start[:4] == end[:4] else f"{start[:4]}-{end[:4]}",
                start,
                end,
                "NOK",
                self.now.local_date,
                self.now.local_time,
                "kassa",
                __version__,
                SOFTWARE_COMPANY,
                "1.0",
                comment,
            ),
        )

    def company(self, used: Used) -> list[Node]:
        config, (day, time) = self.config, used.entered
        vat_codes = {vat_code(rate): rate for rate in sorted(used.vat_rates, reverse=True)}
        employees: list[Node] = [
            (
                "employee",
                [
                    *leaves("empID dateOfEntry timeOfEntry", str(number), day, time),
                    *leaves("firstName surName", *split_name(name)),
                    row("employeeRole", "roleType roleTypeDesc", role[:50], ROLES.get(role)),
                ],
            )
            for number, (name, role) in used.employees.items()
        ]
        vat_details = [
            row(
                "vatCodeDetail",
                "vatCode dateOfEntry vatDesc standardVatCode",
                code,
                day,
                f"Output VAT {format_rate(rate)}",
                code,
            )
            for code, rate in sorted(vat_codes.items())
        ]
        return [
            *leaves(
                "companyIdent companyName taxRegistrationCountry taxRegIdent",
                config.org_nr,
                config.shop_name[:100],
                "NO",
                f"{config.org_nr}MVA" if config.vat_registered else None,
            ),
            ("streetAddress", address(config.shop_address)),
            *(
                [("generalLedger", [row("ledgerAccount", "accID accDesc", *acc) for acc in accs])]
                if (accs := sorted(used.accounts.items()))
                else []
            ),
            ("vatCodeDetails", vat_details),
            ("employees", employees),
        ]

    def articles(self, used: Used) -> Iterator[Node]:
        for art, group, name in self.rows(
            "SELECT COALESCE(p.plu, CAST(p.id AS TEXT)), g.code, p.name FROM product p"
            " JOIN product_group g ON g.id = p.group_id WHERE p.id IN (SELECT product_id"
            f" FROM sale_line WHERE sale_id IN (SELECT id FROM sale WHERE {SALE_IN_PERIOD}))"
            " ORDER BY p.id",
            *self.bounds,
        ):
            yield row(
                "article",
                "artID dateOfEntry artGroupID artDesc",
                str(art)[:35],
                used.entered[0],
                str(group),
                str(name)[:999] or str(art),
            )

    def _payment_basic(self, method: str) -> tuple[str, str, str]:
        found = self.config.accounting.payment_method(method)
        if found is None:
            return payment_basic(method)
        return payment_basic(method, found.saft_code, found.name)

    def basics(self, used: Used) -> list[Node]:
        basics: list[tuple[str, str, str, str]] = [
            ("04", code, saft if saft in ARTICLE_GROUPS else "04999", name)
            for code, (saft, name) in used.groups.items()
        ]
        kinds = sorted(used.kinds)
        basics += [("05", *LINE_TYPES.get(kind, LINE_TYPES["sale"])) for kind in kinds]
        if used.gift_cards:
            basics.append(("05", *gift_card_sales.LINE_TYPE))
        if used.discount:
            basics.append(("08", *DISCOUNT))
        basics += [("11", *TRANS_TYPES.get(kind, TRANS_TYPES["sale"])) for kind in kinds]
        basics += [("12", *self._payment_basic(method)) for method in sorted(used.methods)]
        basics += [
            ("13", basic_id, code, event_desc(basic_id, code))
            for basic_id, code in used.events.items()
        ]
        unique: dict[tuple[str, str], tuple[str, str, str, str]] = {}
        for basic in basics:
            unique.setdefault(basic[:2], basic)  # basic IDs are unique within a type
        names = "basicType basicID predefinedBasicID basicDesc"
        return [row("basic", names, *basic[:3], basic[3][:999]) for basic in unique.values()]
