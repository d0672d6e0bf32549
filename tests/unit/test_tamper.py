"""Trust that holds under attack (issue 12): someone at the shop with the till's files wants
sales to disappear. They drop the append-only triggers, change rows with SQL and recompute the
journal's SHA-256 chain (which needs no key). `kassa journal verify` must still say so: from
the records that no longer agree with the journal, or against the journal head printed on an
earlier X or Z report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from peewee import SqliteDatabase

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.dayclose.reports import Report, report_doc
from kassa_tui.people.person import Person
from kassa_tui.records.anchors import parse_head
from kassa_tui.records.audit import audit
from kassa_tui.records.journal import GENESIS, Event, row_hash
from kassa_tui.saft.export import export_saft, head_path, read_heads
from kassa_tui.store.backup import take_backup

from .conftest import PILSNER, ROMME, SteeredTime, print_waiting

HOUR = 3600.0


@dataclass(frozen=True)
class Day:
    """A day of trade closed by Z 1, and a sale the next day."""

    first: int  # sale ids
    returned: int
    last_of_day: int
    before_last_of_day: int  # the journal's last row before the day's last sale was rung up
    z1: Report
    next_day: int


def sell(till: Till, person: Person, *codes: str, card: bool = False) -> int:
    for code in codes:
        till.baskets.add(person, code)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    pay = till.sales.pay_card if card else till.sales.pay_cash
    done = pay(person, "").completed
    assert done is not None
    print_waiting(till)
    return done.sale_id


def receipt_nr(till: Till, sale_id: int) -> int:
    return int(
        till.db.execute_sql("SELECT receipt_nr FROM sale WHERE id = ?", (sale_id,)).fetchone()[0]
    )


@pytest.fixture
def day(till: Till, cashier: Person, shift_lead: Person, time: SteeredTime) -> Day:
    first = sell(till, cashier, ROMME, PILSNER)  # cash: 64,80 paid with 65 (øreavrunding)
    time.advance(60)
    till.baskets.price_lookup(cashier, PILSNER)
    returned = till.returns.return_lines(
        cashier, receipt_nr(till, first), [(1, 1000)], "Feil vare", "2", "2222"
    ).sale_id
    print_waiting(till)
    time.advance(60)
    before = till.journal.head()[0]
    last = sell(till, cashier, PILSNER, ROMME, card=True)
    time.advance(60)
    z1 = till.reports.z_report(shift_lead, not_counted=True)
    print_waiting(till)
    time.advance(24 * HOUR)
    next_day = sell(till, cashier, ROMME)
    return Day(first, returned, last, before, z1, next_day)


# -- the attacker's tools ----------------------------------------------------------------------


def drop_triggers(db: SqliteDatabase) -> None:
    for (name,) in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_%'"
    ).fetchall():
        db.execute_sql(f"DROP TRIGGER {name}")
    db.execute_sql("PRAGMA foreign_keys = OFF")


def rechain(db: SqliteDatabase) -> None:
    """Number the journal's rows 1, 2, 3 … again and recompute every hash."""
    rows = db.execute_sql(
        "SELECT id, register_id, uuid, event_code, basic_id, user_number, utc, local_date,"
        " local_time, text, sale_id FROM journal ORDER BY seq"
    ).fetchall()
    prev = GENESIS
    for seq, (row_id, register, uid, *rest) in enumerate(rows, start=1):
        digest = row_hash(prev, (register, seq, uid, *rest))
        db.execute_sql(
            "UPDATE journal SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (seq, prev, digest, row_id),
        )
        prev = digest


def delete_sale(db: SqliteDatabase, sale_id: int) -> None:
    basket = db.execute_sql("SELECT basket_uuid FROM sale WHERE id = ?", (sale_id,)).fetchone()[0]
    for table in ("print_job", "stock_movement", "sale_line", "payment"):
        db.execute_sql(f"DELETE FROM {table} WHERE sale_id = ?", (sale_id,))
    db.execute_sql("DELETE FROM sale WHERE id = ?", (sale_id,))
    db.execute_sql("DELETE FROM basket WHERE uuid = ?", (basket,))


def set_receipt_counter(db: SqliteDatabase) -> None:
    db.execute_sql(
        "UPDATE counter SET value = (SELECT COALESCE(MAX(receipt_nr), 0) FROM sale"
        " WHERE training = 0) WHERE series = 'receipt'"
    )


def problems(till: Till) -> list[str]:
    return audit(till.db, till.config.register_id).problems


def verify(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "kassa.toml"), "journal", "verify", *args]
    )
    return result.exit_code, result.output


# -- an honest till ----------------------------------------------------------------------------


def test_an_untouched_till_passes(till: Till, day: Day, tmp_path: Path) -> None:
    assert problems(till) == []
    code, out = verify(tmp_path, "--against", day.z1.journal_head)
    assert code == 0, out
    assert verify(tmp_path, "--against", f"Z1={day.z1.journal_head}")[0] == 0
    assert "Records agree with the journal: 4 transactions, 1 Z reports" in out
    assert f"Journal holds the printed head {day.z1.journal_head}" in out
    assert till.reports.stored_z(1) == day.z1  # read from its journal row


def test_transactions_journaled_before_the_content_hash_still_pass(
    till: Till, cashier: Person
) -> None:
    """A database from before this version: its rows name no payments and no content hash."""
    sell(till, cashier, ROMME, PILSNER)
    sell(till, cashier, PILSNER, card=True)
    drop_triggers(till.db)
    till.db.execute_sql(
        "UPDATE journal SET text = json_remove(text, '$.payments', '$.content')"
        " WHERE basic_id = 'SALE'"
    )
    rechain(till.db)
    assert till.journal.verify() is None
    assert problems(till) == []
    till.db.execute_sql("UPDATE sale_line SET amount_ore = amount_ore - 100 WHERE id = 1")
    assert any("lines do not sum" in p for p in problems(till))
    till.db.execute_sql("UPDATE payment SET amount_ore = amount_ore - 100 WHERE id = 1")
    assert any("payments do not sum" in p for p in problems(till))


def test_the_z_carries_and_prints_the_journal_head_and_the_last_signature(
    till: Till, day: Day
) -> None:
    z1 = day.z1
    seq, digest = parse_head(z1.journal_head)
    head = till.db.execute_sql("SELECT hash FROM journal WHERE seq = ?", (seq,)).fetchone()[0]
    assert (seq, z1.journal_head_hash) == (z1.last_journal_seq, head)
    assert head.startswith(digest) and len(digest) == 16
    nr, signature = till.db.execute_sql(
        "SELECT receipt_nr, signature FROM sale WHERE id = ?", (day.last_of_day,)
    ).fetchone()
    assert (z1.last_receipt_nr, z1.last_signature) == (nr, signature[:16])
    # In the journaled 13009 row, and on paper.
    text = till.db.execute_sql("SELECT text FROM journal WHERE basic_id = 'ZREPORT'").fetchone()[0]
    assert Report.from_dict(json.loads(text)["report"]) == z1
    paper = report_doc(till.config, z1).as_text(32)
    assert max(len(line) for line in paper.splitlines()) <= 32
    words = " ".join(paper.split())
    assert f"Kontrollspor Journal {z1.journal_head} Siste kvittering {nr}" in words
    assert f"Signatur {signature[:16]}" in words


def test_an_x_carries_the_head_as_well(till: Till, day: Day, cashier: Person) -> None:
    x = till.reports.x_report(cashier)
    head = till.db.execute_sql(
        "SELECT hash FROM journal WHERE seq = ?", (x.last_journal_seq,)
    ).fetchone()[0]
    assert x.journal_head == f"{x.last_journal_seq}:{head[:16]}"
    assert x.last_journal_seq == till.journal.head()[0] - 1  # the row before the X's own
    assert x.last_receipt_nr == receipt_nr(till, day.next_day)


def test_a_report_stored_before_the_head_was_added_still_reads(day: Day) -> None:
    old = day.z1.to_dict()
    for key in ("journal_head_hash", "last_receipt_nr", "last_signature"):
        del old[key]
    report = Report.from_dict(old)
    assert report.journal_head == "" and report.last_receipt_nr is None


# -- the attacks -------------------------------------------------------------------------------


def test_tail_deletion_with_the_counter_set_back_is_caught_against_the_printed_head(
    till: Till, day: Day, tmp_path: Path
) -> None:
    """The day's last sale, everything after it (Z 1 too) and the counter: a consistent till,
    except for the head printed on Z 1."""
    printed = day.z1.journal_head
    drop_triggers(till.db)
    for sale_id in (day.next_day, day.last_of_day):
        delete_sale(till.db, sale_id)
    till.db.execute_sql("DELETE FROM journal WHERE seq > ?", (day.before_last_of_day,))
    till.db.execute_sql("DELETE FROM z_report")
    set_receipt_counter(till.db)
    rechain(till.db)
    assert till.journal.verify() is None  # the chain alone is satisfied
    code, out = verify(tmp_path, "--against", printed)
    assert code == 1
    assert f"the journal ends at row {day.before_last_of_day}, before row" in out


def test_tail_deletion_keeping_the_z_is_caught_from_the_records(
    till: Till, day: Day, tmp_path: Path
) -> None:
    """The day's last sale and its journal rows removed, the chain recomputed, the counter
    set back, Z 1 kept: Z 1 still names the sale and the journal row it ended on."""
    drop_triggers(till.db)
    delete_sale(till.db, day.last_of_day)
    till.db.execute_sql(
        "DELETE FROM journal WHERE seq > ? AND seq <= ?",
        (day.before_last_of_day, day.z1.last_journal_seq),
    )
    set_receipt_counter(till.db)
    rechain(till.db)
    assert till.journal.verify() is None
    found = problems(till)
    assert any("its last transaction, receipt 3, is gone" in p for p in found), found
    assert any(p.startswith("the Z report in journal row") for p in found), found
    assert verify(tmp_path)[0] == 1


def test_a_removed_journal_row_with_the_chain_recomputed(
    till: Till, day: Day, tmp_path: Path
) -> None:
    drop_triggers(till.db)
    till.db.execute_sql("DELETE FROM journal WHERE basic_id = 'PRICELOOKUP'")
    rechain(till.db)
    assert till.journal.verify() is None
    found = problems(till)
    assert any(
        f"journal row {day.z1.last_journal_seq} has hash" in p and "Z report" in p for p in found
    ), found
    assert any("Z 1: the stored period differs" in p for p in found), found
    code, out = verify(tmp_path, "--against", day.z1.journal_head)
    assert code == 1
    assert f"journal row {day.z1.last_journal_seq} has hash" in out


@pytest.mark.parametrize("forged", ["missing sale", "second announcement", "z report"])
def test_a_forged_row_appended_to_the_chain(
    till: Till, day: Day, tmp_path: Path, forged: str
) -> None:
    with till.db.atomic():  # the chain's own writer: the forged row links up perfectly
        if forged == "missing sale":
            till.journal.write(Event.SALE, sale_id=day.next_day + 1, nr=5, total=100, vat=20)
        elif forged == "second announcement":
            till.journal.write(Event.SALE, sale_id=day.first, nr=1, total=0, vat=0)
        else:
            till.journal.write(Event.Z_REPORT, z_nr=2, report=day.z1.to_dict())
    assert till.journal.verify() is None
    found = problems(till)
    expected = {
        "missing sale": f"names sale {day.next_day + 1}, which is missing",
        "second announcement": "is announced by 2 journal rows",
        "z report": "Z 2 is journaled",
    }[forged]
    assert any(expected in p for p in found), found
    assert verify(tmp_path)[0] == 1


@pytest.mark.parametrize("shift", [False, True])
def test_a_changed_line_amount(till: Till, day: Day, tmp_path: Path, shift: bool) -> None:
    """Lowered, or moved to the sale's other line so that every sum still holds."""
    drop_triggers(till.db)
    line_ids = [
        r[0]
        for r in till.db.execute_sql(
            "SELECT id FROM sale_line WHERE sale_id = ? ORDER BY line_nr", (day.first,)
        ).fetchall()
    ]
    till.db.execute_sql(
        "UPDATE sale_line SET amount_ore = amount_ore - 1000 WHERE id = ?", (line_ids[0],)
    )
    if shift:
        till.db.execute_sql(
            "UPDATE sale_line SET amount_ore = amount_ore + 1000 WHERE id = ?", (line_ids[1],)
        )
    found = problems(till)
    assert any("receipt 1 (sale" in p and "were changed" in p for p in found), found
    assert any("lines do not sum" in p for p in found) is not shift
    assert verify(tmp_path)[0] == 1


@pytest.mark.parametrize("which", ["sale", "return"])
def test_a_changed_payment_method(till: Till, day: Day, tmp_path: Path, which: str) -> None:
    sale_id = day.first if which == "sale" else day.returned
    drop_triggers(till.db)
    till.db.execute_sql("UPDATE payment SET method = 'card' WHERE sale_id = ?", (sale_id,))
    found = problems(till)
    differ = "payments differ" if which == "sale" else "refunds differ"
    assert any(differ in p for p in found), found
    assert any("were changed" in p for p in found), found
    assert verify(tmp_path)[0] == 1


def test_a_changed_stored_z(till: Till, day: Day, tmp_path: Path) -> None:
    """500 kr taken out of the cash line: the voucher would post the wrong sales."""
    drop_triggers(till.db)
    till.db.execute_sql(
        "UPDATE z_report SET report = json_set(report, '$.payments[0].amount',"
        " json_extract(report, '$.payments[0].amount') - 50000)"
    )
    assert any("Z 1: the stored report differs from its journal row" in p for p in problems(till))
    code, out = verify(tmp_path)
    assert code == 1 and "Z 1: the stored report differs" in out
    with pytest.raises(Refused, match="differs from its journal row"):
        till.reports.stored_z(1)


def test_a_rewritten_z_is_caught_against_a_head_printed_after_it(
    till: Till, day: Day, cashier: Person, tmp_path: Path
) -> None:
    """500 kr out of Z 1, in its journal row and its stored copy, the chain recomputed: the
    head printed on Z 1 comes before Z 1's own row, a later X's head after it."""
    later = till.reports.x_report(cashier, queue_print=True).journal_head
    drop_triggers(till.db)
    less = (
        "json_set({0}, '$.payments[0].amount', json_extract({0}, '$.payments[0].amount') - 50000)"
    )
    till.db.execute_sql(f"UPDATE z_report SET report = {less.format('report')}")
    till.db.execute_sql(
        "UPDATE journal SET text = json_set(text, '$.report', json("
        + less.format("json_extract(text, '$.report')")
        + ")) WHERE basic_id = 'ZREPORT'"
    )
    rechain(till.db)
    assert till.journal.verify() is None
    assert till.reports.stored_z(1).payments[0].amount == day.z1.payments[0].amount - 50000
    out = verify(tmp_path, "--against", f"Z1={day.z1.journal_head}")[1]
    assert f"Journal holds the printed head {day.z1.journal_head}" in out  # it is before Z 1
    code, out = verify(tmp_path, "--against", later)
    assert code == 1
    assert f"journal row {parse_head(later)[0]} has hash" in out


def test_a_head_said_to_be_printed_on_a_z_must_be_that_zs(
    till: Till, day: Day, tmp_path: Path
) -> None:
    code, out = verify(tmp_path, "--against", f"Z2={day.z1.journal_head}")
    assert code == 1 and "Z 2 has 0 journal rows" in out
    code, out = verify(tmp_path, "--against", "12:abc")
    assert code == 2 and "at least 16 hex digits" in out


@pytest.mark.parametrize("left", ["counter", "journal rows", "lines"])
def test_a_removed_sale_with_something_left_behind(
    till: Till, day: Day, tmp_path: Path, left: str
) -> None:
    """The next day's sale removed, but not everything that names it."""
    drop_triggers(till.db)
    sale_id = day.next_day
    if left == "lines":
        till.db.execute_sql("DELETE FROM sale WHERE id = ?", (sale_id,))
    else:
        delete_sale(till.db, sale_id)
    if left != "journal rows":
        till.db.execute_sql("DELETE FROM journal WHERE seq > ?", (day.z1.last_journal_seq + 1,))
    if left != "counter":
        set_receipt_counter(till.db)
    assert till.journal.verify() is None
    expected = {
        "counter": "the receipt counter stands at 4, but 3 numbers up to 3",
        "journal rows": f"names sale {sale_id}, which is missing",
        "lines": "sale_line rows belong to no sale",
    }[left]
    found = problems(till)
    assert any(expected in p for p in found), found
    assert verify(tmp_path)[0] == 1


def test_a_sale_whose_journal_row_was_removed(till: Till, day: Day, tmp_path: Path) -> None:
    drop_triggers(till.db)
    till.db.execute_sql(
        "DELETE FROM journal WHERE basic_id = 'SALE' AND sale_id = ?", (day.next_day,)
    )
    rechain(till.db)
    assert till.journal.verify() is None
    assert f"receipt 4 (sale {day.next_day}) has no journal row" in problems(till)
    assert verify(tmp_path)[0] == 1


def test_the_voucher_is_built_from_the_journaled_z(till: Till, day: Day, tmp_path: Path) -> None:
    """`kassa export voucher --z 1` posts the Z as journaled, and refuses a changed copy."""

    def voucher() -> tuple[int, str]:
        result = CliRunner().invoke(
            main,
            ["--config", str(tmp_path / "kassa.toml"), "export", "voucher", "--z", "1"],
            input="9\n9999\n",  # the demo technician
        )
        return result.exit_code, result.output

    code, honest = voucher()
    assert code == 0, honest
    drop_triggers(till.db)
    till.db.execute_sql(
        "UPDATE z_report SET report = json_set(report, '$.payments[0].amount',"
        " json_extract(report, '$.payments[0].amount') - 50000)"
    )
    code, out = voucher()
    assert code == 1
    assert "The stored Z report 1 differs from its journal row" in out
    till.db.execute_sql(
        "UPDATE z_report SET report = (SELECT json_extract(text, '$.report') FROM journal"
        " WHERE basic_id = 'ZREPORT')"
    )
    assert voucher() == (0, honest)  # the same postings once the copy agrees again


# -- a backup as the anchor --------------------------------------------------------------------


def backup(till: Till, tmp_path: Path) -> Path:
    folder = tmp_path / "offsite"
    folder.mkdir()
    return take_backup(till.config.database, folder, till.config.register_id)[0]


def test_an_honest_till_extends_its_backup(
    till: Till, day: Day, cashier: Person, tmp_path: Path
) -> None:
    taken = backup(till, tmp_path)
    head = till.journal.head()
    sell(till, cashier, PILSNER)
    code, out = verify(tmp_path, "--against", str(taken))
    assert code == 0, out
    assert f"extends the backup {taken.name} ({head[0]} rows, head {head[0]}:{head[1][:16]})" in out


@pytest.mark.parametrize("later_rows", ["removed too", "kept"])
def test_rows_removed_before_the_backups_head_are_caught_against_the_backup(
    till: Till, day: Day, cashier: Person, tmp_path: Path, later_rows: str
) -> None:
    taken = backup(till, tmp_path)
    at_backup = till.journal.head()[0]
    sell(till, cashier, PILSNER)
    drop_triggers(till.db)
    upto = till.journal.head()[0] if later_rows == "removed too" else at_backup
    till.db.execute_sql("DELETE FROM journal WHERE seq > ? AND seq <= ?", (at_backup - 3, upto))
    rechain(till.db)
    assert till.journal.verify() is None  # the chain alone is satisfied
    code, out = verify(tmp_path, "--against", str(taken))
    assert code == 1
    if later_rows == "removed too":
        assert f"the journal ends at row {at_backup - 3} where the backup {taken.name}" in out
    else:
        assert f"journal row {at_backup - 2} has hash" in out
        assert f"rewritten at or before row {at_backup - 2}" in out


def test_a_row_rewritten_before_the_backups_head_is_caught_against_the_backup(
    till: Till, day: Day, cashier: Person, tmp_path: Path
) -> None:
    taken = backup(till, tmp_path)
    sell(till, cashier, PILSNER)
    drop_triggers(till.db)
    till.db.execute_sql("UPDATE journal SET text = 'x' WHERE basic_id = 'PRICELOOKUP'")
    rechain(till.db)
    assert till.journal.verify() is None
    seq = till.db.execute_sql("SELECT seq FROM journal WHERE basic_id = 'PRICELOOKUP'").fetchone()
    code, out = verify(tmp_path, "--against", str(taken))
    assert code == 1
    assert f"journal row {seq[0]} has hash" in out
    assert f"the journal was rewritten at or before row {seq[0]}" in out


def test_an_encrypted_backup_is_refused_with_what_to_do(till: Till, tmp_path: Path) -> None:
    sealed = tmp_path / "kassa-1.db.enc"
    sealed.write_bytes(b"KASSAENC\x00" + bytes(64))
    code, out = verify(tmp_path, "--against", str(sealed))
    assert code == 2
    assert "is an encrypted backup: decrypt it first" in out


# -- a SAF-T export as the anchor --------------------------------------------------------------


def saft(till: Till, tmp_path: Path) -> Path:
    return export_saft(
        till.db,
        till.config,
        date(2000, 1, 1),
        date(2099, 12, 31),
        tmp_path / "saft",
        clock=till.clock,
    )


def test_a_saft_export_records_the_journal_head_beside_it_and_in_its_journal_row(
    till: Till, day: Day, tmp_path: Path
) -> None:
    head = till.journal.head()
    exported = saft(till, tmp_path)
    sidecar = head_path(exported)
    last = till.db.execute_sql(
        "SELECT receipt_nr, signature FROM sale ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert sidecar.read_text() == (
        f"{till.config.register_id} {head[0]}:{head[1]}\n"
        f"{till.config.register_id} last {last[0]} {last[1]}\n"  # where the file's chain ends
    )
    assert sidecar.stat().st_mode & 0o777 == 0o600
    row = till.journal.rows()[-1]
    assert row.basic_id == "EXPORT"
    assert json.loads(row.text)["journal_heads"] == {
        till.config.register_id: f"{head[0]}:{head[1]}"
    }
    assert read_heads(exported) == {till.config.register_id: head}


def test_an_honest_till_holds_the_head_of_its_saft_export(
    till: Till, day: Day, cashier: Person, tmp_path: Path
) -> None:
    head = till.journal.head()
    exported = saft(till, tmp_path)
    sell(till, cashier, PILSNER)
    code, out = verify(tmp_path, "--against", str(exported))
    assert code == 0, out
    assert f"holds the head of the SAF-T export {exported.name} ({head[0]}:{head[1][:16]})" in out


@pytest.mark.parametrize("later_rows", ["removed too", "kept"])
def test_rows_removed_before_the_exports_head_are_caught_against_the_saft_file(
    till: Till, day: Day, cashier: Person, tmp_path: Path, later_rows: str
) -> None:
    at_export = till.journal.head()[0]
    exported = saft(till, tmp_path)
    sell(till, cashier, PILSNER)
    drop_triggers(till.db)
    upto = till.journal.head()[0] if later_rows == "removed too" else at_export
    till.db.execute_sql("DELETE FROM journal WHERE seq > ? AND seq <= ?", (at_export - 3, upto))
    rechain(till.db)
    assert till.journal.verify() is None  # the chain alone is satisfied
    code, out = verify(tmp_path, "--against", str(exported))
    assert code == 1
    if later_rows == "removed too":
        assert f"the journal ends at row {at_export - 3} where the SAF-T export" in out
    else:
        assert f"journal row {at_export} has hash" in out


def test_a_saft_file_without_its_head_is_refused(till: Till, day: Day, tmp_path: Path) -> None:
    exported = saft(till, tmp_path)
    head_path(exported).unlink()
    code, out = verify(tmp_path, "--against", str(exported))
    assert code == 2
    assert "no journal head beside it" in out
