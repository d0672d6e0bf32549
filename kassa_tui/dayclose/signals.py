"""Fraud signals per cashier: the figures a shop owner compares before asking questions.

For a period of business days (inclusive; each runs from `[day] cutoff_hour` to the next
morning's, as the Z's does) and one register, per user who sold or did anything counted:
returns with and without a receipt, line corrections, voided receipts, no-sale drawer openings,
price overrides, discounts and minutes in training mode, beside the number and amount of their
(non-training) sales.

Where each figure comes from:

- returns: `sale` rows of kind 'return' (training left out), with or without `original_sale_id`;
  the amount is what was paid back (positive).
- line corrections: LINEDELETE and LINEREDUCE journal rows; amount from their text.
- voided: journal rows with event code 13028 (void receipt): a whole sale voided before
  payment (selling.void, Shift+F8); the amount is the basket's total.
- no-sale openings: NOSALEREQ (the approved request, which carries the cashier) and
  DRAWOPENMAN rows that name a user; NOSALE (the kick itself) is not counted twice.
- price overrides: PRICEOVERRIDE rows; amount is what the unit price came down by.
- discounts: completed sales (not training) whose `discount_ore` is above zero, less what
  campaigns took off (`sale_campaign`: the shop's discount, not the cashier's).
- training minutes: from each TRAININGON row of a user to the next TRAININGOFF on the register
  (training mode is the register's, whoever turns it off), clipped to the period; an interval
  still open ends at the period's end (or at `now`, if given and earlier).

Ranking: each figure's count is turned into a rate per 100 sales (training: minutes per 100
sales) so a full-time and a part-time cashier compare. The shop's usual rate for a signal is the
median over the cashiers in the report. A cashier's score is the sum over the signals of
rate / max(median, FLOOR): how many times the usual they are; highest first. The floor keeps a
signal nobody usually shows (median 0) from dividing by zero and from blowing up.

Every figure keeps the ids behind it (sale ids, journal seqs) so a screen can list them.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from peewee import SqliteDatabase

from kassa_tui.core.clock import DEFAULT_CUTOFF_HOUR, business_days_utc, parse_utc, utc_text
from kassa_tui.core.i18n import language
from kassa_tui.core.money import format_kr

#: The signals, in the order they are shown.
SIGNALS = (
    "returns_receipt",
    "returns_no_receipt",
    "line_corrections",
    "voided",
    "no_sale",
    "price_overrides",
    "discounts",
    "training",
)
#: The smallest "usual" rate a cashier is compared with, per 100 sales.
FLOOR = 1.0
CORRECTION_EVENTS = ("LINEDELETE", "LINEREDUCE")
NO_SALE_EVENTS = ("NOSALEREQ", "DRAWOPENMAN")
VOID_EVENT_CODE = "13028"


@dataclass(frozen=True)
class Item:
    """One transaction behind a figure: a sale (receipt) or a journal row."""

    source: str  # "sale" or "journal"
    ref: int  # sale id or journal seq
    local_date: str
    local_time: str
    what: str  # "receipt 12" or "LINEDELETE"
    amount: int  # øre
    receipt_nr: int | None = None  # a sale's receipt number
    about: str = ""  # a line correction's or price override's product, a void's reason
    minutes: int = 0  # training: the minutes of this spell

    def line(self) -> str:
        where = self.what if self.source == "sale" else f"journal {self.ref} {self.what}"
        return f"{self.local_date} {self.local_time}  {where}  {format_kr(self.amount)}"


@dataclass
class Figure:
    count: int = 0
    amount: int = 0  # øre; for training: 0 (the count is minutes)
    items: list[Item] = field(default_factory=list)

    def add(self, item: Item, count: int = 1) -> None:
        self.count += count
        self.amount += item.amount
        self.items.append(item)


@dataclass
class CashierSignals:
    user_number: int
    name: str
    sales: int = 0
    sales_amount: int = 0
    figures: dict[str, Figure] = field(default_factory=lambda: {s: Figure() for s in SIGNALS})
    score: float = 0.0

    def rate(self, signal: str) -> float:
        """The signal's count per 100 sales (a cashier without sales counts as one sale)."""
        return self.figures[signal].count * 100 / max(self.sales, 1)


@dataclass
class SignalsReport:
    register_id: str
    from_date: str
    to_date: str
    cashiers: list[CashierSignals]  # highest score first
    medians: dict[str, float]

    def cashier(self, user_number: int) -> CashierSignals:
        for found in self.cashiers:
            if found.user_number == user_number:
                return found
        raise KeyError(user_number)

    def behind(self, user_number: int, signal: str) -> list[str]:
        """The transactions behind one figure, as lines to show: date time, what, amount."""
        if signal not in SIGNALS:
            raise KeyError(signal)
        return [item.line() for item in self.cashier(user_number).figures[signal].items]

    def to_dict(self) -> dict[str, Any]:
        return {
            "register_id": self.register_id,
            "from_date": self.from_date,
            "to_date": self.to_date,
            "medians": self.medians,
            "cashiers": [
                {
                    "user_number": c.user_number,
                    "name": c.name,
                    "sales": c.sales,
                    "sales_amount": c.sales_amount,
                    "score": c.score,
                    "figures": {
                        s: {
                            "count": f.count,
                            "amount": f.amount,
                            "items": [item.__dict__ for item in f.items],
                        }
                        for s, f in c.figures.items()
                    },
                }
                for c in self.cashiers
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignalsReport:
        cashiers = [
            CashierSignals(
                user_number=c["user_number"],
                name=c["name"],
                sales=c["sales"],
                sales_amount=c["sales_amount"],
                score=c["score"],
                figures={
                    s: Figure(f["count"], f["amount"], [Item(**i) for i in f["items"]])
                    for s, f in c["figures"].items()
                },
            )
            for c in data["cashiers"]
        ]
        return cls(
            data["register_id"], data["from_date"], data["to_date"], cashiers, data["medians"]
        )


def format_score(score: float) -> str:
    """A score with one decimal, written as the language writes it: '5,0' in Norwegian."""
    text = f"{score:.1f}"
    return text if language() == "en" else text.replace(".", ",")


def signals(
    db: SqliteDatabase,
    register_id: str,
    from_date: str,
    to_date: str,
    now: datetime | None = None,
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
) -> SignalsReport:
    """The signals of one register for the business days from_date..to_date (inclusive).

    A business day runs from `cutoff_hour` to `cutoff_hour` the next morning (Oslo time), as
    the Z's does, so a sale at 01:30 counts for the evening before.
    """
    start, end = business_days_utc(from_date, to_date, cutoff_hour)
    # The local_date range (indexed) holds the period; the UTC bounds cut it to business days.
    dates = (from_date, (date.fromisoformat(to_date) + timedelta(days=1)).isoformat())
    bounds = (utc_text(start), utc_text(end))
    names = {int(n): str(name) for n, name in db.execute_sql("SELECT number, name FROM user")}
    people: dict[int, CashierSignals] = {}

    def of(number: int) -> CashierSignals:
        if number not in people:
            people[number] = CashierSignals(number, names.get(number, f"#{number}"))
        return people[number]

    with db.atomic():  # one read snapshot
        sales = db.execute_sql(
            "SELECT s.id, u.number, s.kind, s.original_sale_id, s.total_ore, s.discount_ore"
            # a campaign's discount is the shop's, not the cashier's (issue 14)
            " - COALESCE((SELECT SUM(c.discount_ore) FROM sale_campaign c"
            " WHERE c.sale_id = s.id), 0),"
            " s.receipt_nr, s.local_date, s.local_time FROM sale s JOIN user u ON u.id = s.user_id"
            " WHERE s.register_id = ? AND s.training = 0 AND s.local_date BETWEEN ? AND ?"
            " AND s.completed_utc >= ? AND s.completed_utc < ? ORDER BY s.id",
            (register_id, *dates, *bounds),
        ).fetchall()
        basics = (
            *CORRECTION_EVENTS,
            *NO_SALE_EVENTS,
            "PRICEOVERRIDE",
            "TRAININGON",
            "TRAININGOFF",
        )
        period_rows = db.execute_sql(
            "SELECT seq, basic_id, event_code, user_number, local_date, local_time, text"
            " FROM journal WHERE register_id = ? AND local_date BETWEEN ? AND ?"
            " AND utc >= ? AND utc < ?"
            f" AND (basic_id IN ({','.join('?' * len(basics))}) OR event_code = ?)"
            " ORDER BY seq",
            (register_id, *dates, *bounds, *basics, VOID_EVENT_CODE),
        ).fetchall()
        switches = db.execute_sql(
            "SELECT seq, basic_id, user_number, utc, local_date, local_time FROM journal"
            " WHERE register_id = ? AND basic_id IN ('TRAININGON', 'TRAININGOFF')"
            " AND local_date <= ? ORDER BY seq",
            (register_id, dates[1]),
        ).fetchall()

    for sale_id, number, kind, original, total, discount, nr, day, clock in sales:
        cashier = of(int(number))
        receipt = int(nr) if nr is not None else None
        if kind == "sale":
            cashier.sales += 1
            cashier.sales_amount += int(total)
            if discount and int(discount) > 0:
                item = Item(
                    "sale", int(sale_id), day, clock, f"receipt {nr}", int(discount), receipt
                )
                cashier.figures["discounts"].add(item)
        elif kind == "return":
            signal = "returns_receipt" if original is not None else "returns_no_receipt"
            item = Item("sale", int(sale_id), day, clock, f"receipt {nr}", -int(total), receipt)
            cashier.figures[signal].add(item)

    for seq, basic, code, number, day, clock, text in period_rows:
        if number is None or basic in ("TRAININGON", "TRAININGOFF"):
            continue
        details = json.loads(text) if text else {}
        if basic in CORRECTION_EVENTS:
            signal, amount = "line_corrections", int(details.get("amount", 0))
        elif basic in NO_SALE_EVENTS:
            signal, amount = "no_sale", 0
        elif basic == "PRICEOVERRIDE":
            before_after = int(details.get("before", 0)) - int(details.get("after", 0))
            signal, amount = "price_overrides", before_after
        elif code == VOID_EVENT_CODE:
            signal, amount = "voided", int(details.get("amount", 0))
        else:  # pragma: no cover - the query selects nothing else
            continue
        about = str(details.get("name") or details.get("reason") or "")
        item = Item("journal", int(seq), day, clock, basic, amount, about=about)
        of(int(number)).figures[signal].add(item)

    _training(switches, start, end, now, of)

    report = SignalsReport(register_id, from_date, to_date, list(people.values()), {})
    _rank(report)
    return report


def _training(
    switches: list[tuple[Any, ...]],
    start: datetime,
    end: datetime,
    now: datetime | None,
    of: Callable[[int], CashierSignals],
) -> None:
    if now is not None and now < end:
        end = max(now, start)
    intervals: list[tuple[int, datetime, datetime, tuple[Any, ...]]] = []
    opened: tuple[int, datetime, tuple[Any, ...]] | None = None  # user, since, the ON row
    for seq, basic, number, utc, day, clock in switches:
        if basic == "TRAININGON" and opened is None and number is not None:
            opened = (int(number), parse_utc(utc).utc, (seq, day, clock))
        elif basic == "TRAININGOFF" and opened is not None:
            intervals.append((*opened[:2], parse_utc(utc).utc, opened[2]))
            opened = None
    if opened is not None:  # still on: ends with the period
        intervals.append((*opened[:2], end, opened[2]))
    for user, since, until, (on_seq, on_day, on_clock) in intervals:
        seconds = (min(until, end) - max(since, start)).total_seconds()
        if seconds <= 0:
            continue
        minutes = round(seconds / 60)
        what = f"TRAININGON {minutes} min"
        item = Item("journal", int(on_seq), on_day, on_clock, what, 0, minutes=minutes)
        of(user).figures["training"].add(item, count=minutes)


def _rank(report: SignalsReport) -> None:
    cashiers = report.cashiers
    for signal in SIGNALS:
        rates = [c.rate(signal) for c in cashiers]
        report.medians[signal] = float(statistics.median(rates)) if rates else 0.0
    for cashier in cashiers:
        cashier.score = round(
            sum(cashier.rate(s) / max(report.medians[s], FLOOR) for s in SIGNALS), 2
        )
    cashiers.sort(key=lambda c: (-c.score, c.user_number))
