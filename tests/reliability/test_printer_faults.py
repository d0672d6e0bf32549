"""Printer faults through emupos: paper out, an open cover and offline, between receipts and in
the middle of one, and a cable pulled mid-receipt. Afterwards every sale's receipt is on the paper
exactly once and whole, in order, and no sale is lost.

The faults land mid-receipt through a loopback wire between kassa and emupos
(tests/reliability/wire.py), which cuts a receipt's bytes at a chosen point and acts there.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from devices.printer import open_printer
from devices.render import render
from devices.spooler import print_pending
from kassa_tui.app import KassaApp
from kassa_tui.composition import Till
from kassa_tui.core import i18n
from kassa_tui.core.errors import Refused
from kassa_tui.people import users
from kassa_tui.people.person import Person
from kassa_tui.records.spooling import SpoolResult, finishes_when
from screens.dialogs.trouble import UncertainPrintDialog
from tests.devices.emupos import Emupos, running_emupos
from tests.devices.test_emupos import printer_label, sale_message, scan, settle, sign_in_and_scan
from tests.reliability.figures import FIGURES
from tests.reliability.wire import Wire
from tests.shop import demo_till, selling_codes

SALES = 60
SEED = 20261127
FAULTS = ("paper-out", "cover-open", "offline")
PULLED = "pulled cable mid-receipt"
#: Every kind of trouble three times, each at a random sale.
TROUBLE = [f"{f} {where}" for f in FAULTS for where in ("between receipts", "mid-receipt")] * 3 + [
    PULLED
] * 3
FOOTER = "Takk for handelen!"
RECEIPT_NR = re.compile(r"Kvittering nr (\d+)\b")
WAIT = 10.0  # seconds for emupos to show paper; it takes milliseconds
RUN_LIMIT = 75.0  # seconds for the long run, start-up included; it takes a few


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


@pytest.fixture
def emupos(tmp_path: Path) -> Iterator[Emupos]:
    folder = tmp_path / "emupos"
    folder.mkdir()
    # A job left half-sent stays open while a test sets the fault, never split by the idle timer.
    with running_emupos(folder, job_idle_timeout_ms=30_000) as emulator:
        yield emulator


@pytest.fixture
def wire(emupos: Emupos) -> Iterator[Wire]:
    with Wire(emupos.printer_port) as cable:
        yield cable


@pytest.fixture
def till(tmp_path: Path, wire: Wire) -> Iterator[Till]:
    till = demo_till(
        tmp_path,
        language='"en"',
        idle_lock_seconds="0",
        type='"network"',
        host='"127.0.0.1"',
        port=str(wire.port),
        timeout="2.0",
    )
    i18n.set_language("en")
    yield till
    till.db.close()


def wait_for_paper(emupos: Emupos, count: int) -> None:
    deadline = time.monotonic() + WAIT
    while emupos.receipt_count() < count:
        assert time.monotonic() < deadline, f"emupos shows fewer than {count} receipts"
        time.sleep(0.02)


def count(till: Till, rows: str) -> int:
    return int(till.db.execute_sql(f"SELECT COUNT(*) FROM {rows}").fetchone()[0])


def whole(ending: str, text: str) -> bool:
    """A receipt that came out to its cut and its last line."""
    return ending == "cut" and FOOTER in text


def receipt_nr(text: str) -> int | None:
    found = RECEIPT_NR.search(text)
    return int(found.group(1)) if found else None


class Shop:
    """The cashier's side: sell, print as the till does after each sale, look at the paper."""

    def __init__(self, till: Till, emupos: Emupos, wire: Wire, rng: random.Random) -> None:
        self.till = till
        self.emupos = emupos
        self.wire = wire
        self.rng = rng
        self.printer = open_printer(till.config.printer)
        self.cashier: Person = till.users.sign_in("1", "1111")
        self.codes = selling_codes(till)
        self.sold: list[int] = []
        self.paper = 0  # receipts out of the printer, torn ones included

    def sell(self) -> int:
        for _ in range(self.rng.randint(1, 3)):
            self.till.baskets.add(self.cashier, self.rng.choice(self.codes))
        if self.rng.random() < 0.5:
            done = self.till.sales.pay_cash(self.cashier, "").completed
        else:
            done = self.till.sales.pay_card(self.cashier).completed
        assert done is not None
        self.sold.append(done.receipt_nr)
        return done.receipt_nr

    def print(self) -> SpoolResult:
        queue = self.till.print_queue
        return print_pending(queue, self.printer, self.till.config.printer, self.till.drawer)

    def somewhere_inside_the_next_receipt(self) -> int:
        """The end of a random line of text between the header and the cut.

        The wire's own status question must not land inside a command's parameters, so the
        cut falls after a line feed that ends printed text.
        """
        job = self.till.print_queue.pending()[0]
        data = render(job.doc, self.till.config.printer, kick_drawer=job.kick_drawer)
        line_ends = [
            end + 1
            for end in range(len(data) // 5, len(data) - 40)
            if data[end] == 0x0A and all(0x20 <= byte < 0x7F for byte in data[end - 3 : end])
        ]
        return self.rng.choice(line_ends)

    def next_sale_waits(self) -> None:
        """§ 2-6: while a receipt has not printed, the next sale cannot start."""
        with pytest.raises(Refused):
            self.till.baskets.add(self.cashier, self.codes[0])

    def printed_one(self, result: SpoolResult) -> None:
        assert (result.printed, result.waiting, result.error) == (1, 0, ""), result
        self.paper += 1
        wait_for_paper(self.emupos, self.paper)

    def fault_between_receipts(self, fault: str) -> None:
        self.emupos.fault(fault)
        self.sell()
        sent = self.wire.jobs
        held = self.print()
        assert (held.printed, held.waiting, held.state) == (0, 1, fault), held
        assert self.wire.jobs == sent  # asked first, sent nothing: no second copy later
        self.next_sale_waits()
        self.emupos.fault(fault, active=False)
        self.printed_one(self.print())

    def fault_mid_receipt(self, fault: str) -> None:
        self.sell()
        at = self.somewhere_inside_the_next_receipt()
        cut = self.wire.cut_next_job(at, lambda: self.emupos.fault(fault))
        taken = self.print()
        assert cut.done.is_set()
        assert (taken.printed, taken.waiting, taken.state) == (1, 0, fault), taken
        assert taken.notice == finishes_when(fault)
        assert self.till.print_queue.pending() == self.till.print_queue.uncertain() == []
        assert self.emupos.receipt_count() == self.paper  # the printer holds the rest
        if self.rng.random() < 0.5:  # the next customer comes before the fault is fixed
            self.sell()
            held = self.print()
            assert (held.printed, held.waiting, held.state) == (0, 1, fault), held
            self.next_sale_waits()
        self.emupos.fault(fault, active=False)
        self.paper += 1
        wait_for_paper(self.emupos, self.paper)  # the held receipt finishes by itself
        if self.till.print_queue.pending():
            self.printed_one(self.print())

    def cable_pulled_mid_receipt(self) -> None:
        nr = self.sell()
        at = self.somewhere_inside_the_next_receipt()
        cut = self.wire.pull_cable_in_next_job(at)
        broken = self.print()
        assert cut.done.is_set()
        assert broken.unsure and broken.printed == 0, broken
        [job] = self.till.print_queue.uncertain()
        assert job.receipt_nr == nr
        self.next_sale_waits()
        sent = self.wire.jobs
        assert self.print().unsure and self.wire.jobs == sent  # nothing prints until answered
        self.paper += 1
        wait_for_paper(self.emupos, self.paper)
        # The cashier looks at the printer: the last receipt on the paper is this one's, torn.
        ending, text = self.emupos.paper()[-1]
        came_out_whole = whole(ending, text) and receipt_nr(text) == nr
        self.till.print_queue.resolve_uncertain(
            job, printed=came_out_whole, user=self.cashier.number
        )
        if not came_out_whole:
            self.printed_one(self.print())


def test_faults_between_and_in_the_middle_of_receipts_lose_nothing(
    till: Till, emupos: Emupos, wire: Wire
) -> None:
    started = time.monotonic()
    rng = random.Random(SEED)
    shop = Shop(till, emupos, wire, rng)
    planned = sorted(zip(rng.sample(range(SALES), len(TROUBLE)), TROUBLE, strict=True))
    injected: Counter[str] = Counter()
    while len(shop.sold) < SALES or planned:
        if not planned or planned[0][0] > len(shop.sold):
            shop.sell()
            shop.printed_one(shop.print())
            continue
        _moment, trouble = planned.pop(0)
        fault, _, where = trouble.partition(" ")
        if trouble == PULLED:
            shop.cable_pulled_mid_receipt()
        elif where == "between receipts":
            shop.fault_between_receipts(fault)
        else:
            shop.fault_mid_receipt(fault)
        injected[trouble] += 1
    FIGURES.faults.update(injected)
    assert injected == Counter(TROUBLE)

    wait_for_paper(emupos, shop.paper)
    paper = emupos.paper()
    complete = [receipt_nr(text) for ending, text in paper if whole(ending, text)]
    torn = [(ending, text) for ending, text in paper if not whole(ending, text)]
    copies = Counter(complete)
    lost = sum(1 for nr in shop.sold if copies[nr] != 1)
    FIGURES.checks["printer faults"] += 1
    FIGURES.lost["printer faults"] += lost
    assert lost == 0, {nr: copies[nr] for nr in shop.sold if copies[nr] != 1}
    assert sorted(copies) == sorted(shop.sold)  # no receipt nobody sold
    assert complete == sorted(complete)  # the paper is in the order of the sales
    assert len(torn) == injected[PULLED]
    assert all(ending != "cut" for ending, _text in torn)  # the cable went before the cut
    assert till.print_queue.pending() == till.print_queue.uncertain() == []
    assert count(till, "print_job WHERE status != 'printed'") == 0
    assert count(till, "sale WHERE kind = 'sale'") == len(shop.sold) >= SALES
    assert till.journal.verify() is None
    assert time.monotonic() - started < RUN_LIMIT


# -- what the cashier sees ---------------------------------------------------------------------


@pytest.fixture
def app(till: Till) -> KassaApp:
    return KassaApp(till, open_printer(till.config.printer))


async def test_paper_out_mid_receipt_says_so_and_prints_it_once_after_the_new_roll(
    app: KassaApp, till: Till, emupos: Emupos, wire: Wire
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        cut = wire.cut_next_job(b"TOTALT", lambda: emupos.fault("paper-out"))
        await pilot.press("f11", "enter")
        await settle(pilot)
        assert cut.done.is_set()
        assert "the receipt finishes printing when a new roll is in" in sale_message(app)
        assert "Paper out" in printer_label(app)
        assert emupos.receipt_count() == 0  # held in the printer, not lost, not sent again
        assert till.print_queue.pending() == []

        emupos.fault("paper-out", active=False)
        wait_for_paper(emupos, 1)
        app.poll_devices()
        await settle(pilot)
        assert "Printer OK" in printer_label(app)
        await scan(pilot, "7020164760728")  # the next customer
        await pilot.press("f11", "enter")
        await settle(pilot)
    wait_for_paper(emupos, 2)
    paper = emupos.paper()
    assert [receipt_nr(text) for _ending, text in paper] == [1, 2]
    assert all(whole(ending, text) for ending, text in paper)
    FIGURES.faults["paper-out mid-receipt (on screen)"] += 1


async def test_a_pulled_cable_mid_receipt_asks_the_cashier_and_prints_it_again(
    app: KassaApp, till: Till, emupos: Emupos, wire: Wire
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_and_scan(pilot)
        wire.pull_cable_in_next_job(b"TOTALT")
        await pilot.press("f11", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UncertainPrintDialog)
        assert "Did receipt 1 print?" in str(app.screen.query_one(".dialog-title").render())
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "the connection broke" in text
        wait_for_paper(emupos, 1)
        ending, torn = emupos.paper()[0]
        assert not whole(ending, torn)  # the cashier sees half a receipt
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, UncertainPrintDialog)
        assert till.print_queue.uncertain() == till.print_queue.pending() == []
    wait_for_paper(emupos, 2)
    ending, again = emupos.paper()[1]
    assert whole(ending, again) and receipt_nr(again) == 1
    events = [row.basic_id for row in till.journal.rows()]
    assert "PRINTFAIL" in events and "PRINTCHECK" in events and "RECEIPT" in events
    FIGURES.faults[f"{PULLED} (on screen)"] += 1
