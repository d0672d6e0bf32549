"""`kassa init --demo --history DAYS`: the demo shop gets a past, sold through kassa itself.

Every receipt of the DAYS days before today is made by the till's own services on a steered
clock, as at the counter and as bench/year_of_sales.py makes the benchmark's year: scans
(`baskets.add`), cash or card (`sales.pay_cash`, `pay_card`), the receipt taken by a printer
that accepts everything, and each day opened with a float and closed with a cash count and a Z.
So the history is real: signed, journaled, in the X/Z, SAF-T and stock, and every insight tab
has something to show on a fresh install.

What makes it believable: the shop is closed on Sundays and Norway's public holidays, busier on
Fridays and Saturdays, with lunch and after-work peaks; products sell by a long-tailed
popularity (some never: dead stock), a few daily goods every day (smooth), many now and then
(intermittent); and shopping missions put things together in a basket: taco (kjøttdeig, spice,
sauce, shells, rømme), hot dogs (wienerpølser, pølsebrød or lomper, ketchup, sennep), coffee
(filter coffee and kaffefløte), breakfast (corn flakes and milk), bread and butter. Goods
arrive twice a week (Monday and Thursday, before opening: what sold since, a little more, with a
cost price), so stock stays believable and the margins and the reorder proposals have figures;
members of the customer club join at the till and come back (about one receipt in eight). The clock
stands still between steps, so every row carries the day and hour it would have had; the
generation's own connection writes with synchronous=OFF and many receipts per transaction
(the services' transactions become savepoints), as the benchmark does, then goes back to FULL.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from kassa_tui.club.members import Club
from kassa_tui.composition import Till
from kassa_tui.config import Config
from kassa_tui.core.clock import OSLO, Clock, Instant, business_date
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.selling.club_basket import identify

FLOAT_ORE = 200_000
NOTES = (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100)
BATCH = 40  # receipts per outer transaction
CASH_SHARE = 0.3
#: Receipts on a weekday (Monday first); Sunday closed.
DAY_RECEIPTS = (90, 95, 100, 110, 140, 150, 0)
#: Opening hours (Oslo): weekdays and Saturdays.
HOURS = {"weekday": (9, 21), "saturday": (9, 18)}
#: How busy each hour is (from opening): lunch and after-work peaks.
HOUR_WEIGHT = {9: 4, 10: 5, 11: 7, 12: 9, 13: 7, 14: 5, 15: 7, 16: 10, 17: 10, 18: 7, 19: 4, 20: 2}
#: Shopping missions by PLU (data/demo_products.csv): the products that go together.
MISSIONS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (0.06, ("4001", "5051", "5053", "5054", "2025")),  # taco
    (0.05, ("4010", "3020", "5037", "5039")),  # hot dogs in bread
    (0.03, ("4010", "3021", "5037", "5039")),  # hot dogs in lompe
    (0.05, ("5055", "2032")),  # filter coffee and cream
    (0.05, ("5024", "2001")),  # corn flakes and milk
    (0.06, ("3001", "2020")),  # bread and butter
)
#: Daily goods: on many receipts every open day (smooth demand).
STAPLES = ("2001", "2003", "3001", "3004", "2020")
#: Goods arrive before opening on these weekdays (Monday first).
DELIVERY_DAYS = (0, 3)
#: A receipt bought by a member of the customer club; new members join now and then.
MEMBER_SHARE = 0.12
JOIN_SHARE = 0.004


def cash_pieces(amount_ore: int) -> dict[int, int]:
    pieces = {}
    for value in NOTES:
        pieces[value], amount_ore = divmod(amount_ore, value)
    return pieces


class SteeredTime:
    """The till's clock source for the generation: stands still until moved."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at_least(self, moment: datetime) -> None:
        self.now = max(self.now, moment)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def at(day: date, hour: int, minute: int = 0, second: float = 0) -> datetime:
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)
    return (local + timedelta(seconds=second)).astimezone(UTC)


def history_start(today: Instant, days: int, cutoff_hour: int) -> datetime:
    """The moment the steered clock starts: 07:00 on the first day of the history."""
    first = date.fromisoformat(business_date(today, cutoff_hour)) - timedelta(days=days)
    return at(first, 7)


def _norway_holidays(years: set[int]) -> set[date]:
    import holidays

    found: set[date] = set()
    for year in years:
        found |= set(holidays.country_holidays("NO", years=year))
    return found


class _Shop:
    def __init__(self, till: Till, time: SteeredTime, seed: int) -> None:
        self.till = till
        self.time = time
        self.rng = random.Random(seed)
        self.cashier = till.users.sign_in("1", "1111")
        self.lead = till.users.sign_in("2", "2222")
        self.codes, self.by_plu, self.product_of = self._sellable()
        # a long tail: popularity 1/rank^1.1 over a shuffled catalog; a tenth never sells
        order = self.codes[:]
        self.rng.shuffle(order)
        selling = order[: int(len(order) * 0.9)]
        self.popular = selling
        self.weights = [1 / (rank + 1) ** 1.1 for rank in range(len(selling))]
        self.receipts = 0
        self.lines = 0
        self.sold: Counter[int] = Counter()  # units per product since the last delivery
        self.club = Club(till.db, till.journal, till.clock, till.config)
        self.members = [member.number for member in self.club.members() if not member.forgotten]
        self.next_phone = 91000000

    def _sellable(self) -> tuple[list[str], dict[str, str], dict[str, int]]:
        """Barcodes a cashier scans with nothing typed first: per piece, a price, no age limit
        (no question to answer), a plain EAN; and the barcode of each PLU."""
        rows = self.till.db.execute_sql(
            "SELECT p.plu, MIN(b.code), p.id FROM product p JOIN barcode b ON b.product_id = p.id"
            " JOIN product_group g ON g.id = p.group_id"
            " LEFT JOIN product_counter_rule pr ON pr.product_id = p.id"
            " LEFT JOIN group_counter_rule gr ON gr.group_id = p.group_id"
            " WHERE p.active = 1 AND p.unit = 'stk' AND p.price_ore > 0 AND g.code != 'GAVEKORT'"
            " AND COALESCE(pr.age_limit, gr.age_limit, 0) = 0 GROUP BY p.id ORDER BY p.id"
        ).fetchall()
        codes: list[str] = []
        by_plu: dict[str, str] = {}
        product_of: dict[str, int] = {}
        for plu, code, product_id in rows:
            try:
                if self.till.baskets.classify(code).kind != "ean":
                    continue
            except Refused:
                continue
            codes.append(code)
            product_of[code] = int(product_id)
            if plu:
                by_plu[str(plu)] = code
        return codes, by_plu, product_of

    def basket(self) -> list[str]:
        rng = self.rng
        items: list[str] = []
        for share, plus in MISSIONS:
            if rng.random() < share:  # what the mission is for, and most of what goes with it
                chosen = [plus[0], *(p for p in plus[1:] if rng.random() < 0.65)]
                items += [self.by_plu[p] for p in chosen if p in self.by_plu]
        for plu in STAPLES:
            if rng.random() < 0.08 and plu in self.by_plu:
                items.append(self.by_plu[plu])
        extra = rng.choice((0, 1, 1, 2, 2, 3, 4, 6)) if items else rng.choice((1, 1, 2, 3, 4, 6))
        items += rng.choices(self.popular, self.weights, k=extra)
        return items

    def print_all(self) -> None:
        queue = self.till.print_queue
        for job in queue.pending():
            if queue.mark_sending(job):
                queue.mark_printed(job)
                if job.kick_drawer:
                    self.till.drawer.kicked()

    def deliver(self) -> None:
        """The week's goods: what sold since the last delivery, a little more, and whatever a
        product is short, at a cost price of 55–75 % of its price without VAT."""
        if not self.sold:
            return
        ids = sorted(self.sold)
        levels = self.till.stock.on_hand(ids)
        prices = dict(
            self.till.db.execute_sql(
                f"SELECT id, price_ore * 10000 / (10000 + vat_bp) FROM product"
                f" WHERE id IN ({','.join('?' * len(ids))})",
                ids,
            ).fetchall()
        )
        lines: list[tuple[int, int, int | None]] = []
        for product_id in ids:
            units = math.ceil(self.sold[product_id] * self.rng.uniform(1.0, 1.3))
            units += max(0, -(levels.get(product_id, 0) // 1000))
            cost = round(prices[product_id] * self.rng.uniform(0.55, 0.75))
            lines.append((product_id, units * 1000, max(cost, 1)))
        self.till.stock.receive(self.lead, lines, reference=f"DEMO-{self.receipts}")
        self.sold.clear()

    def member(self) -> None:
        """A member's receipt: someone joins at the till now and then; of the others, a few
        regulars come often and most now and then."""
        rng = self.rng
        if not self.members or rng.random() < JOIN_SHARE / (MEMBER_SHARE + JOIN_SHARE):
            self.next_phone += rng.randint(1, 999)
            joined = self.club.join(
                self.cashier,
                str(self.next_phone),
                consent_purchases=True,
                consent_offers=rng.random() < 0.7,
            )
            self.members.append(joined.number)
            number = joined.number
        else:
            number = self.members[min(int(rng.expovariate(0.15)), len(self.members) - 1)]
        identify(self.till.baskets, self.club, self.cashier, str(number))

    def receipt(self) -> None:
        till, rng = self.till, self.rng
        if rng.random() < MEMBER_SHARE + JOIN_SHARE:
            self.member()
        for code in self.basket():
            till.baskets.add(self.cashier, code)
            self.sold[self.product_of[code]] += 1
            self.lines += 1
            self.time.advance(rng.uniform(1.0, 4.0))
        self.time.advance(rng.uniform(3.0, 10.0))
        if rng.random() < CASH_SHARE:
            done = till.sales.pay_cash(self.cashier, "")
        else:
            done = till.sales.pay_card(self.cashier, "")
        if done.completed is None:  # pragma: no cover - the services said no: say so
            raise Refused(_("The demo history stopped: a payment left the sale open."))
        self.print_all()
        self.receipts += 1

    def moments(self, day: date, count: int, opens: int, closes: int) -> list[datetime]:
        hours = [h for h in range(opens, closes)]
        weights = [HOUR_WEIGHT.get(h, 1) for h in hours]
        picked = self.rng.choices(hours, weights, k=count)
        return sorted(at(day, hour, 0, self.rng.uniform(0, 3540)) for hour in picked)

    def day(self, day: date, count: int, opens: int, closes: int) -> None:
        till = self.till
        self.time.at_least(at(day, opens - 1, 30))
        if day.weekday() in DELIVERY_DAYS:
            self.deliver()
        self.time.at_least(at(day, opens - 1, 45))
        till.cash.opening_float(self.lead, FLOAT_ORE)
        self.print_all()
        moments = self.moments(day, count, opens, closes)
        for first in range(0, len(moments), BATCH):
            with till.db.atomic("IMMEDIATE"):
                for moment in moments[first : first + BATCH]:
                    self.time.at_least(moment)
                    self.receipt()
        self.time.at_least(at(day, closes, 15))
        till.cash.count(self.lead, cash_pieces(till.cash.expected_cash()))
        self.time.advance(60)
        till.reports.z_report(self.lead)
        self.print_all()


def generate(
    till: Till,
    time: SteeredTime,
    days: int,
    *,
    seed: int = 16,
    log: Callable[[str], None] = lambda _text: None,
) -> tuple[int, int, int]:
    """Sell the `days` days that start at the steered clock's day: (open days, receipts,
    lines). The till must have been opened on `time` and loaded with the demo shop."""
    db = till.db
    db.execute_sql("PRAGMA synchronous = OFF")  # this connection, for the generation only
    shop = _Shop(till, time, seed)
    first = time.now.astimezone(OSLO).date()
    holidays = _norway_holidays({first.year, (first + timedelta(days=days)).year})
    open_days = 0
    try:
        for offset in range(days):
            day = first + timedelta(days=offset)
            base = DAY_RECEIPTS[day.weekday()]
            if not base or day in holidays:
                continue
            opens, closes = HOURS["saturday" if day.weekday() == 5 else "weekday"]
            count = max(10, round(base * shop.rng.uniform(0.8, 1.2)))
            shop.day(day, count, opens, closes)
            open_days += 1
            if open_days % 10 == 0:
                log(f"{day.isoformat()}: {shop.receipts} receipts")
    finally:
        db.execute_sql("PRAGMA synchronous = FULL")
    return open_days, shop.receipts, shop.lines


def steered_clock(config: Config, days: int) -> tuple[SteeredTime | None, Clock | None]:
    """For `kassa init --demo --history DAYS`: a clock that starts DAYS days before today (the
    till's own clock says which day that is), so the shop is made then; (None, None) for 0."""
    if days <= 0:
        return None, None
    time = SteeredTime(history_start(Clock().now(), days, config.day_cutoff_hour))
    return time, Clock(source=time)


def sell_history(till: Till, time: SteeredTime, days: int) -> str:
    """Sell the history and say what it made."""
    open_days, receipts, lines = generate(till, time, days)
    till.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return _(
        "Demo history: {days} days, {open} of them open, {receipts} receipts with {lines} "
        "lines, each day closed with a Z."
    ).format(days=days, open=open_days, receipts=receipts, lines=lines)
