"""The receiving shop checks what arrives against what was sent (issue 15, stock transfers).

Two tills of two shops push to a real PostgreSQL. OSLO1 sends 3 × rømme and 2 × epler to
BERGEN1 and pushes; BERGEN1 asks HQ (transfer_sent, 0025) and books the goods in with `kassa
stock receive`: exactly what was sent books with no question; 2 × rømme shows the difference and
is not booked until a shift lead accepts it, then the TRANSFERIN row has sent 3 beside received
2; an id HQ does not hold books as before, marked unchecked; a transfer meant for another shop
is not found (HQ says nothing of it), nor is one asked for by another register's role.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.config.hq import HqSettings
from kassa_tui.hq import migrations
from kassa_tui.hq.report import report
from kassa_tui.stock import transfer_check
from kassa_tui.stock.transfers import Transfers
from kassa_tui.sync import link
from tests.unit.conftest import APPLES_PLU, ROMME

from .pushing import Hq, role_dsn
from .shops import Shop, open_shop

APPLES = "7045811781536"  # Epler Pink Lady 4 stk (PLU 1001): the code its stock moves carry


def _open(hq: Hq, tmp_path: Path, shop: str, register: str) -> Shop:
    """A shop's till with [hq] in its kassa.toml (its CLI asks HQ)."""
    return open_shop(hq, tmp_path, shop, register, hq_section=True)


def _sent_from_oslo(hq: Hq, tmp_path: Path, to: str = "BERGEN1") -> str:
    """OSLO1 sends 3 × rømme and 2 × epler to `to` and pushes; the transfer id."""
    oslo = _open(hq, tmp_path, "OSLO1", "KASSE-A")
    sent = oslo.cli("stock", "transfer", "--to", to, ROMME, "3", APPLES_PLU, "2")
    assert sent.exit_code == 0, sent.output
    transfer = str(sent.output.split()[1])
    oslo.push()
    oslo.till.db.close()
    return transfer


def test_exactly_what_was_sent_books_with_no_question(hq: Hq, tmp_path: Path) -> None:
    transfer = _sent_from_oslo(hq, tmp_path)
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    answer = bergen.ask(transfer)
    assert isinstance(answer, transfer_check.Sent)
    assert answer.sender == "OSLO1" and len(answer.sent_on) == 10  # the sender's local date
    assert [(line.code, line.qty_milli) for line in answer.lines] == [
        (ROMME, 3_000),
        (APPLES, 2_000),
    ]
    before = bergen.on_hand(ROMME)
    # no --from: HQ's sending shop
    got = bergen.cli("stock", "receive", "--transfer", transfer, ROMME, "3", APPLES, "2")
    assert got.exit_code == 0, got.output
    assert "Checked against what OSLO1 sent: the same." in got.output
    assert f"Transfer {transfer} from OSLO1: 2 lines received." in got.output
    assert bergen.on_hand(ROMME) == before + 3_000
    (row,) = bergen.transfer_in()
    assert row["checked"] is True
    assert row["sent"] == [
        [ROMME, 3000, "Rømme 18 % 3 dl"],
        [APPLES, 2000, "Epler Pink Lady 4 stk"],
    ]
    assert "differences" not in row
    bergen.till.db.close()


def test_a_box_short_shows_the_difference_and_needs_the_shift_lead(hq: Hq, tmp_path: Path) -> None:
    transfer = _sent_from_oslo(hq, tmp_path)
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    before = bergen.on_hand(ROMME)
    receive = ("stock", "receive", "--transfer", transfer, "--from", "OSLO1", ROMME, "2")
    refused = bergen.cli(*receive, APPLES, "2")
    assert refused.exit_code == 1, refused.output
    assert "Rømme 18 % 3 dl: sent 3, scanned 2" in refused.output
    assert "Epler" not in refused.output  # the same as sent: not a difference
    assert "--accept-difference" in refused.output
    assert bergen.on_hand(ROMME) == before and not bergen.transfer_in()

    lead = bergen.till.users.sign_in("2", "2222")
    cashier = bergen.till.users.sign_in("1", "1111")
    answer = bergen.ask(transfer)
    transfers = Transfers(
        bergen.till.db,
        bergen.till.config,
        bergen.till.journal,
        bergen.till.catalog,
        bergen.till.clock,
    )
    romme = bergen.till.catalog.by_barcode(ROMME)
    apples = bergen.till.catalog.by_plu(APPLES_PLU)
    lines = [(romme.id, 2_000), (apples.id, 2_000)]
    for approver in (None, cashier):  # no approval, or a cashier's: refused, nothing booked
        with pytest.raises(Exception, match="a shift lead confirms it"):
            transfers.receive(lead, transfer, "OSLO1", lines, answer, approver)
    assert bergen.on_hand(ROMME) == before and not bergen.transfer_in()
    with pytest.raises(Exception, match=r"was sent by OSLO1 \(HQ\), not TROMSO1"):
        transfers.receive(lead, transfer, "TROMSO1", lines, answer, lead)

    booked = bergen.cli(*receive, APPLES, "2", "--accept-difference")
    assert booked.exit_code == 0, booked.output
    assert bergen.on_hand(ROMME) == before + 2_000
    (row,) = bergen.transfer_in()
    assert row["checked"] is True
    assert row["moves"][0][:2] == [ROMME, 2000]
    assert row["differences"] == [[ROMME, 3000, 2000, "Rømme 18 % 3 dl"]]
    assert row["difference_approved_by"] == 2
    bergen.push()  # HQ takes the row with its new fields as any TRANSFERIN
    held = hq.one("SELECT text FROM entry WHERE basic_id = 'TRANSFERIN'")
    assert json.loads(held)["differences"] == [[ROMME, 3000, 2000, "Rømme 18 % 3 dl"]]
    bergen.till.db.close()
    # HQ's transfers report: booked in, so nothing is in transit any more; the rømme short by one
    with psycopg.connect(hq.dsn, autocommit=True) as conn:
        rows = report(conn, "transfers", date(2000, 1, 1), date(2100, 1, 1)).as_json()
    by_code = {r["code"]: r for r in rows}
    columns = ("sent_milli", "received_milli", "in_transit_milli", "difference_milli")
    assert tuple(by_code[ROMME][c] for c in columns) == (3_000, 2_000, 0, -1_000)
    assert tuple(by_code[APPLES][c] for c in columns) == (2_000, 2_000, 0, 0)
    env = {"KASSA_HQ_DSN": hq.dsn}
    args = ["hq", "report", "transfers", "--from", "2000-01-01", "--to", "2100-01-01"]
    text = CliRunner().invoke(main, args, env=env)
    assert text.exit_code == 0, text.output
    heading = text.output.splitlines()[0]
    assert "Differanse" in heading or "Difference" in heading  # the CLI's language
    assert "-1" in next(ln for ln in text.output.splitlines() if ROMME in ln)


def test_goods_never_sent_are_a_difference(hq: Hq, tmp_path: Path) -> None:
    transfer = _sent_from_oslo(hq, tmp_path)
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    extra = bergen.cli(
        "stock",
        "receive",
        "--transfer",
        transfer,
        "--from",
        "OSLO1",
        ROMME,
        "3",
        APPLES,
        "2",
        "7013767908024",
        "1",
    )
    assert extra.exit_code == 1 and "Colgate Max Fresh 75 ml: sent 0, scanned 1" in extra.output
    assert not bergen.transfer_in()
    bergen.till.db.close()


def test_an_id_hq_does_not_hold_books_as_before_marked_unchecked(hq: Hq, tmp_path: Path) -> None:
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    made_up = str(uuid.uuid4())
    before = bergen.on_hand(ROMME)
    nobody = bergen.cli("stock", "receive", "--transfer", made_up, ROMME, "2")
    assert nobody.exit_code == 2 and "Give --from SHOP: HQ cannot say" in nobody.output
    assert bergen.on_hand(ROMME) == before and not bergen.transfer_in()
    got = bergen.cli("stock", "receive", "--transfer", made_up, "--from", "OSLO1", ROMME, "2")
    assert got.exit_code == 0, got.output
    assert "Not checked against the sender: HQ does not know it (not pushed yet?)" in got.output
    assert bergen.on_hand(ROMME) == before + 2_000
    (row,) = bergen.transfer_in()
    assert (row["checked"], row["unchecked"]) == (False, "not_at_hq")
    assert "sent" not in row
    bergen.till.db.close()


def test_hq_out_of_reach_books_as_before_marked_unchecked(hq: Hq, tmp_path: Path) -> None:
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    away = HqSettings(
        dsn="host=127.0.0.1 port=1 dbname=x user=y sslmode=disable",
        password_file=bergen.settings.password_file,
        tls=False,
        timeout_seconds=1,
    )
    answer = transfer_check.ask_hq(away, "KASSE-B", str(uuid.uuid4()), link.connect, link.deadline)
    assert isinstance(answer, transfer_check.Unchecked) and answer.why == "unreachable"
    assert answer.message == "Not checked against the sender: HQ is out of reach."
    none = transfer_check.ask_hq(None, "KASSE-B", str(uuid.uuid4()), link.connect, link.deadline)
    assert isinstance(none, transfer_check.Unchecked) and none.why == "no_hq"
    bergen.till.db.close()


def test_a_transfer_meant_for_another_shop_is_not_found(hq: Hq, tmp_path: Path) -> None:
    transfer = _sent_from_oslo(hq, tmp_path, to="TROMSO1")
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    answer = bergen.ask(transfer)
    assert isinstance(answer, transfer_check.Unchecked) and answer.why == "not_at_hq"
    bergen.till.db.close()
    tromso = _open(hq, tmp_path, "TROMSO1", "KASSE-C")
    assert isinstance(tromso.ask(transfer), transfer_check.Sent)
    # a register's role asks only for its own register, and reads no table
    role = role_dsn(tromso.settings)
    with (
        psycopg.connect(role, autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT transfer_sent('KASSE-A', %s::uuid)", (transfer,))
    with (
        psycopg.connect(role, autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT * FROM stock_move")
    tromso.till.db.close()


def test_found_once_a_report_has_derived_the_moves(hq: Hq, tmp_path: Path) -> None:
    """A report deriving stock_move (0009) in between changes nothing in the answer."""
    transfer = _sent_from_oslo(hq, tmp_path)
    with hq.connect() as conn:
        conn.execute("SELECT hq_stock_moves()")
    assert hq.one("SELECT count(*) FROM stock_move WHERE transfer_id = %s", transfer) == 2
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    answer = bergen.ask(transfer)
    assert isinstance(answer, transfer_check.Sent)
    assert [(line.code, line.qty_milli) for line in answer.lines] == [(ROMME, 3000), (APPLES, 2000)]
    bergen.till.db.close()


def test_an_hq_at_0024_gets_0025_from_the_runner(
    hq_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registers added and a transfer pushed before 0025; `kassa hq init` then applies 0025 (and
    the ones after it) and the receiving register's role (added before it) may ask."""
    known = migrations.available()
    monkeypatch.setattr(migrations, "available", lambda: [m for m in known if m.version < 25])
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        migrations.upgrade(conn)
    hq = Hq(hq_dsn)
    transfer = _sent_from_oslo(hq, tmp_path)
    bergen = _open(hq, tmp_path, "BERGEN1", "KASSE-B")
    before = bergen.ask(transfer)
    assert isinstance(before, transfer_check.Unchecked) and before.why == "hq_too_old"
    assert before.message == "Not checked against the sender: HQ is too old to say (kassa hq init)."
    monkeypatch.undo()
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        assert migrations.upgrade(conn)[:1] == ["0025_transfer_sent"]  # and what came after
        assert migrations.upgrade(conn) == []
    assert isinstance(bergen.ask(transfer), transfer_check.Sent)
    bergen.till.db.close()


def test_the_sent_lines_are_found_through_an_index(hq: Hq, tmp_path: Path) -> None:
    """transfer_sent's lookup is the partial index entry_transfer_out's expression (0025): one
    index lookup however long the journals are (1,000,000 entries: ~0.1 ms, README)."""
    transfer = _sent_from_oslo(hq, tmp_path)
    with hq.connect() as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                "EXPLAIN SELECT seq FROM entry WHERE basic_id = 'TRANSFEROUT'"
                ' AND substring(text FROM \'"transfer": "([0-9a-f-]{36})"\')'
                f" = '{uuid.UUID(transfer)}'"
            )
        )
    assert "entry_transfer_out" in plan, plan
    sql = (Path(migrations.SQL_DIR) / "0025_transfer_sent.sql").read_text(encoding="utf-8")
    assert sql.count('substring(e.text FROM \'"transfer": "([0-9a-f-]{36})"\')') == 1
    assert sql.count('(substring(text FROM \'"transfer": "([0-9a-f-]{36})"\'))') == 1
