"""Stock across shops at HQ (issue 15): deliveries, counts and transfers arrive as deltas.

Two tills of two shops push to a real PostgreSQL. Shop OSLO1 gets a delivery, counts and finds
2 missing (the till journals the adjustment it computed, never the level), sends 5 to BERGEN1
with `kassa stock transfer` and sells past zero; BERGEN1 books the transfer in with `kassa stock
receive`. `kassa hq report stock` then has each shop's level equal to the till's own (the
demo's opening stock is journaled per product as OPENINGSTOCK since 0012, so HQ has it too),
each kind of move in its column, and the negative flagged; `transfers` shows the 5 in transit
until BERGEN1 has pushed its receipt.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.hq.report import report
from kassa_tui.stock.transfers import Transfers
from tests.unit.conftest import ROMME, print_waiting

from .pushing import Hq, make_hq
from .shops import Shop, open_shop

DAY = date(2026, 11, 27)  # SteeredTime's day (Oslo)


def _open(hq: Hq, tmp_path: Path, shop: str, register: str) -> Shop:
    return open_shop(hq, tmp_path, shop, register, hq_section=False)


@pytest.fixture
def hq(hq_dsn: str) -> Hq:
    return make_hq(hq_dsn)


def _transfers_of(shop: Shop) -> Transfers:
    t = shop.till
    return Transfers(t.db, t.config, t.journal, t.catalog, t.clock)


def _stock(hq: Hq) -> dict[tuple[str, str], dict[str, Any]]:
    with psycopg.connect(hq.dsn, autocommit=True) as conn:
        rows = report(conn, "stock", DAY, DAY).as_json()
    return {(r["shop"], r["code"]): r for r in rows}


def _transfers(hq: Hq) -> list[dict[str, Any]]:
    with psycopg.connect(hq.dsn, autocommit=True) as conn:
        return report(conn, "transfers", DAY, DAY).as_json()


def test_deliveries_counts_transfers_and_sales_reach_hq_as_deltas(hq: Hq, tmp_path: Path) -> None:
    oslo = _open(hq, tmp_path, "OSLO1", "KASSE-A")
    till = oslo.till
    lead = till.users.sign_in("2", "2222")
    romme = till.catalog.by_barcode(ROMME)
    start = oslo.on_hand(ROMME)
    # a delivery of 10
    till.stock.receive(lead, [(romme.id, 10_000, 1200)], "Tine 4711")
    assert oslo.on_hand(ROMME) == start + 10_000
    # a count that finds 2 missing: the till journals the -2 it computed
    count = till.stocktakes.start_count(lead, None)
    till.stocktakes.count(lead, count.id, romme.id, start + 8_000)
    assert till.stocktakes.post_count(lead, count.id) == 1
    assert oslo.on_hand(ROMME) == start + 8_000
    # 5 sent to BERGEN1
    transfer = _transfers_of(oslo).send(lead, "BERGEN1", [(romme.id, 5_000)])
    assert oslo.on_hand(ROMME) == start + 3_000
    # a sale past zero
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME, qty_milli=start + 4_000)
    till.sales.pay_cash(cashier, "")
    print_waiting(till)
    oslo.push()
    oslo_level, oslo_opening = oslo.on_hand(ROMME), oslo.opening(ROMME)
    assert oslo_level == -1_000
    till.db.close()
    # HQ: in transit until BERGEN1 books the goods in and pushes
    (moving,) = _transfers(hq)
    assert (moving["transfer"], moving["from"], moving["to"], moving["code"]) == (
        transfer,
        "OSLO1",
        "BERGEN1",
        ROMME,
    )
    assert (moving["sent_milli"], moving["received_milli"], moving["in_transit_milli"]) == (
        5_000,
        0,
        5_000,
    )
    assert moving["difference_milli"] == 0  # not booked in yet: in transit, not a difference
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    there = bergen.on_hand(ROMME)
    lead = bergen.till.users.sign_in("2", "2222")
    _transfers_of(bergen).receive(lead, transfer, "OSLO1", [(romme.id, 5_000)])
    bergen.push()
    bergen_level, bergen_opening = bergen.on_hand(ROMME), bergen.opening(ROMME)
    assert bergen_level == there + 5_000
    bergen.till.db.close()
    (arrived,) = _transfers(hq)
    assert (arrived["received_milli"], arrived["in_transit_milli"]) == (5_000, 0)
    assert arrived["difference_milli"] == 0
    # HQ's level per shop is each till's own, the demo's opening stock included (OPENINGSTOCK)
    stock = _stock(hq)
    a, b = stock[("OSLO1", ROMME)], stock[("BERGEN1", ROMME)]
    assert a["level_milli"] == oslo_level
    assert b["level_milli"] == bergen_level
    assert oslo_opening == start and bergen_opening > 0  # the opening is in HQ's level
    assert (
        a["sold_milli"],
        a["delivered_milli"],
        a["counted_milli"],
        a["transfer_in_milli"],
        a["transfer_out_milli"],
    ) == (-(start + 4_000), 10_000, -2_000, 0, -5_000)
    assert (b["transfer_in_milli"], b["transfer_out_milli"], b["moved_milli"]) == (5_000, 0, 5_000)
    assert a["negative"] is True and b["negative"] is False
    # the CLI prints it, the negative flagged
    env = {"KASSA_HQ_DSN": hq.dsn}
    text = CliRunner().invoke(main, ["hq", "report", "stock", "--from", DAY.isoformat()], env=env)
    assert text.exit_code == 0, text.output
    oslo_line = next(ln for ln in text.output.splitlines() if "OSLO1" in ln and ROMME in ln)
    assert "NEGATIV" in oslo_line  # the flag, in English or Norwegian
    args = ["hq", "report", "transfers", "--from", DAY.isoformat(), "--json"]
    as_json = CliRunner().invoke(main, args, env=env)
    assert json.loads(as_json.output)[0]["in_transit_milli"] == 0


def test_bad_transfers_are_refused_and_change_nothing(hq: Hq, tmp_path: Path) -> None:
    oslo = _open(hq, tmp_path, "OSLO1", "KASSE-A")
    before = oslo.on_hand(ROMME)
    rows = len(oslo.till.journal.rows())
    for args in (
        ("stock", "transfer", "--to", "BERGEN1", ROMME, "0"),
        ("stock", "transfer", "--to", "BERGEN1", ROMME),
        ("stock", "transfer", "--to", "no shop!", ROMME, "5"),
        ("stock", "transfer", "--to", "BERGEN1", "7038010009990", "5"),
    ):
        result = oslo.cli(*args)
        assert result.exit_code != 0, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
    assert oslo.on_hand(ROMME) == before
    assert len(oslo.till.journal.rows()) == rows
    sent = oslo.cli("stock", "transfer", "--to", "BERGEN1", ROMME, "5")
    transfer = sent.output.split()[1]
    oslo.till.db.close()
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    receive = ("stock", "receive", "--transfer", transfer, "--from", "OSLO1", ROMME, "5")
    assert bergen.cli(*receive).exit_code == 0
    there = bergen.on_hand(ROMME)
    twice = bergen.cli(*receive)
    assert twice.exit_code != 0 and "already booked in" in twice.output
    bad = bergen.cli("stock", "receive", "--transfer", "x", "--from", "OSLO1", ROMME, "5")
    assert bad.exit_code != 0 and "not a transfer id" in bad.output
    assert bergen.on_hand(ROMME) == there
    bergen.till.db.close()


def test_a_transfer_is_in_the_saft_file_as_its_events(hq: Hq, tmp_path: Path) -> None:
    """The day's SAF-T file carries TRANSFEROUT and TRANSFERIN as events (13999, described in
    the basics), with the transfer id and the lines in the event text; valid against the XSD."""
    from lxml import etree  # type: ignore[import-untyped]

    from kassa_tui.saft.export import export_saft
    from tests.unit.test_saft import NS, schema

    oslo = _open(hq, tmp_path, "OSLO1", "KASSE-A")
    till = oslo.till
    lead = till.users.sign_in("2", "2222")
    romme = till.catalog.by_barcode(ROMME)
    transfers = _transfers_of(oslo)
    sent = transfers.send(lead, "BERGEN1", [(romme.id, 5_000)])
    transfers.receive(lead, "0c5a8f7e-1d2b-4c3a-9e8f-7a6b5c4d3e2f", "BERGEN1", [(romme.id, 1_000)])
    out = tmp_path / "saft"
    out.mkdir()
    doc = etree.parse(str(export_saft(till.db, till.config, DAY, DAY, out, clock=till.clock)))
    till.db.close()
    schema().assertValid(doc)
    events = {
        e.findtext("s:eventType", None, NS): json.loads(e.findtext("s:eventText", "", NS))
        for e in doc.iterfind(".//s:event", NS)
        if e.findtext("s:eventType", None, NS) in ("TRANSFEROUT", "TRANSFERIN")
    }
    assert events["TRANSFEROUT"] == {
        "transfer": sent,
        "to": "BERGEN1",
        "moves": [[ROMME, -5000, "Rømme 18 % 3 dl"]],
    }
    assert events["TRANSFERIN"]["moves"] == [[ROMME, 1000, "Rømme 18 % 3 dl"]]
    basics = {
        b.findtext("s:basicID", None, NS): (
            b.findtext("s:predefinedBasicID", None, NS),
            b.findtext("s:basicDesc", None, NS),
        )
        for b in doc.iterfind(".//s:basics/s:basic", NS)
    }
    assert basics["TRANSFEROUT"][0] == basics["TRANSFERIN"][0] == "13999"
    assert "another shop" in (basics["TRANSFEROUT"][1] or "")
