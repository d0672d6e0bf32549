"""HQ exports a register's SAF-T file, and it matches the till's own (issue 15).

A till sells a day (sales, pant, a gift card, a void, a return), takes its Z and pushes; the
till's own `export_saft` and HQ's `kassa hq saft` for that day hold the same transactions with
the same signatures (the parsed XML's cashtransactions and events compared, not the bytes: the
header's creation time and the master data HQ does not hold, the staff's names, differ). HQ's
file is valid against the official XSD and `kassa saft verify` accepts it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
from click.testing import CliRunner
from lxml import etree

from kassa_tui.cli import main
from kassa_tui.cli.hq_saft import export_register
from kassa_tui.composition import Till
from kassa_tui.core.clock import Clock
from kassa_tui.core.i18n import _
from kassa_tui.hq import catalog
from kassa_tui.people.person import Person
from kassa_tui.saft.export import export_saft
from kassa_tui.selling import gift_card_sales
from kassa_tui.sync import link, push
from tests.unit.conftest import REPO, ROMME, TOOTHPASTE, SteeredTime, print_waiting
from tests.unit.test_pant import COLA_05
from tests.unit.test_saft import NS, schema

from .pushing import Hq, make_till, sell

REGISTER = "KASSE-1"


def _publish(hq: Hq, till: Till) -> None:
    """HQ owns the shop's groups and deposit types (the demo's, as the till has them)."""
    with psycopg.connect(hq.dsn, autocommit=True) as conn:
        for kind in ("groups", "deposits"):
            catalog.publish_file(conn, REPO / f"data/demo_{kind}.csv", till.config, kind=kind)


def _a_day(till: Till) -> date:
    technician = Person(9, "Tekniker", "technician")
    till.users.add(5, "Ola Nordmann", "cashier", "5555", by=technician)  # journaled: USERADD
    ola = till.users.sign_in("5", "5555")
    till.baskets.add(ola, ROMME)
    till.sales.pay_cash(ola, "")
    print_waiting(till)
    sell(till)
    sell(till, COLA_05, TOOTHPASTE, card=True)  # a drink with pant
    cashier = till.users.sign_in("1", "1111")
    gift_card_sales.sell(till.baskets, cashier, "7090012345678", "500", training=False)
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, TOOTHPASTE)
    till.baskets.void_sale(cashier, "Feil registrering")
    assert till.returns.return_lines(cashier, 1, [(1, 1000)], "Skadet", "2", "2222").total < 0
    print_waiting(till)
    lead = till.users.sign_in("2", "2222")
    z = till.reports.z_report(lead, not_counted=True)
    return date.fromisoformat(z.business_date)


def _parts(path: Path) -> tuple[list[str], list[str], list[str]]:
    """The file's cashtransactions and events (canonical XML, each whole) and signatures."""
    tree = etree.parse(str(path))
    texts = [
        etree.tostring(node, method="c14n").decode()
        for node in tree.iterfind(".//s:cashtransaction", NS)
    ]
    events = [
        etree.tostring(node, method="c14n").decode() for node in tree.iterfind(".//s:event", NS)
    ]
    sigs = [node.text or "" for node in tree.iterfind(".//s:cashtransaction/s:signature", NS)]
    return texts, events, sigs


def _rest(path: Path) -> str:
    """The file without its creation time and without the employees of the demo's users 1, 2
    and 9 (Kari, Siri and Tor at the till, «Bruker 1» … at HQ: never journaled)."""
    tree = etree.parse(str(path))
    for tag in ("dateCreated", "timeCreated"):
        for node in tree.iterfind(f".//s:header/s:{tag}", NS):
            node.text = ""
    for node in tree.iterfind(".//s:employees/s:employee", NS):
        if node.findtext("s:empID", namespaces=NS) in ("1", "2", "9"):
            node.getparent().remove(node)
    return etree.tostring(tree, method="c14n").decode()


def test_hq_saft_file_has_the_tills_transactions_and_signatures(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    _publish(hq, till)
    day = _a_day(till)
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings))
    assert result.status == "ok", result.message
    own = export_saft(till.db, till.config, day, day, tmp_path / "till-saft", clock=till.clock)
    with psycopg.connect(hq.dsn) as conn:
        done, _held = export_register(conn, till.config, REGISTER, day, day, tmp_path / "hq.xml")
    mine, theirs = _parts(own), _parts(done.path)
    assert len(mine[0]) == 5  # 4 sales (pant on one, a gift card on one), 1 return
    assert len(set(mine[2])) == 5 and "NA" not in mine[2]
    assert theirs[2] == mine[2]  # the same signatures, in the same order
    assert theirs[0] == mine[0]  # every transaction whole: lines, VAT, payments, accounts
    assert theirs[1] == mine[1]  # every event, the Z's report with it
    assert done.transactions == 5
    # The whole file but the header's creation time and the staff HQ knows by number only
    # (the demo's users 1, 2, 9 were never journaled; Ola, added on the till, was).
    assert _rest(done.path) == _rest(own)
    assert "<firstName>Ola</firstName>" in done.path.read_text(encoding="utf-8")
    # The command: the same file from `kassa hq saft` (the shop's details from kassa.toml).
    out = tmp_path / "cli.xml"
    args = ["--from", day.isoformat(), "--to", day.isoformat(), "-o", str(out), "--dsn", hq.dsn]
    config = str(tmp_path / "till" / "kassa.toml")
    run = CliRunner().invoke(main, ["--config", config, "hq", "saft", REGISTER, *args])
    assert run.exit_code == 0, run.output
    assert _parts(out) == theirs and out.with_name("cli.xml.head").is_file()
    assert schema().validate(etree.parse(str(done.path))), schema().error_log
    pem = till.config.signing.public_key_file
    assert pem is not None
    run = CliRunner().invoke(main, ["saft", "verify", str(done.path), "--public-key", str(pem)])
    assert run.exit_code == 0, run.output
    verified = _("{name}: every signature chain verifies").format(name=done.path.name)
    assert verified in run.output  # not only "inside the file; the rest is not proven"


def test_hq_saft_command_refuses_an_unknown_register(hq: Hq, tmp_path: Path) -> None:
    out = tmp_path / "x.xml"
    run = CliRunner().invoke(
        main,
        [
            "--config",
            str(REPO / "kassa.toml"),
            "hq",
            "saft",
            "NOPE",
            "--from",
            "2026-11-27",
            "--to",
            "2026-11-27",
            "-o",
            str(out),
            "--dsn",
            hq.dsn,
        ],
    )
    assert run.exit_code == 1, run.output
    assert "NOPE" in run.output and not out.exists()


def test_a_transaction_hq_lost_is_named_by_saft_verify(hq: Hq, till: Till, tmp_path: Path) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    day = _a_day(till)
    result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings))
    assert result.status == "ok", result.message
    with psycopg.connect(hq.dsn, autocommit=True) as conn:  # someone with HQ's superuser
        conn.execute("SET session_replication_role = replica")  # no triggers, no keys
        conn.execute(
            "DELETE FROM entry WHERE register_id = %s AND basic_id = 'SALE' AND sale_id = 3",
            (REGISTER,),
        )
    with psycopg.connect(hq.dsn) as conn:
        done, _held = export_register(conn, till.config, REGISTER, day, day, tmp_path / "hq.xml")
    assert done.transactions == 4
    pem = till.config.signing.public_key_file
    assert pem is not None
    run = CliRunner().invoke(main, ["saft", "verify", str(done.path), "--public-key", str(pem)])
    assert run.exit_code == 1, run.output
    assert "KASSE-1" in run.output and " 4 " in run.output  # the one after the lost sale


def test_a_later_period_goes_on_from_the_sale_before_it(hq: Hq, tmp_path: Path) -> None:
    """Days later: HQ's file names the chain's start (the last signature before the period,
    in the header's comment) as the till's does, from a sale HQ holds outside the period."""
    time = SteeredTime()
    till = make_till(tmp_path / "till", Clock(source=time), REGISTER)
    try:
        settings = hq.add(REGISTER, "OSLO1", tmp_path)
        _publish(hq, till)
        _a_day(till)
        time.advance(3 * 24 * 3600)
        sell(till)
        sell(till, TOOTHPASTE, card=True)
        z = till.reports.z_report(till.users.sign_in("2", "2222"), not_counted=True)
        day = date.fromisoformat(z.business_date)
        result = push.push(till.db, REGISTER, till.clock, lambda: link.connect(settings))
        assert result.status == "ok", result.message
        own = export_saft(till.db, till.config, day, day, tmp_path / "own", clock=till.clock)
        with psycopg.connect(hq.dsn) as conn:
            done, _held = export_register(
                conn, till.config, REGISTER, day, day, tmp_path / "hq.xml"
            )
    finally:
        till.db.close()
    assert done.transactions == 2
    comment = etree.parse(str(done.path)).findtext(".//s:header/s:headerComment", namespaces=NS)
    assert comment is not None and "KASSE-1" in comment and _parts(own)[2][0] not in comment
    assert _rest(done.path) == _rest(own)
