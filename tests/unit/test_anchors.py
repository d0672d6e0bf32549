"""Anchors kept off the till (issue 12): a backup and a SAF-T export, and what each catches.

The attacker of test_tamper.py (triggers dropped, rows changed, the chain recomputed) against
the `.head` file beside a SAF-T export and the export's own journal row (13020): each catches
the other being edited to match a shortened or rewritten journal. And a backup of a year's
journal is compared row by row without holding either journal in memory.
"""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from kassa_tui.composition import Till
from kassa_tui.people.person import Person
from kassa_tui.records.anchors import BackupJournal, check_extends
from kassa_tui.saft.export import head_path

from .conftest import PILSNER
from .test_tamper import day, drop_triggers, rechain, saft, sell, verify  # noqa: F401  (day)


def export_row(till: Till) -> tuple[int, dict[str, object]]:
    seq, text = till.db.execute_sql(
        "SELECT seq, text FROM journal WHERE basic_id = 'EXPORT' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return int(seq), json.loads(text)


@pytest.mark.usefixtures("day")
def test_an_honest_export_agrees_with_its_journal_row(
    till: Till, cashier: Person, tmp_path: Path
) -> None:
    exported = saft(till, tmp_path)
    sell(till, cashier, PILSNER)
    code, out = verify(tmp_path, "--against", str(exported))
    assert code == 0, out
    assert "kassa:" not in out


@pytest.mark.usefixtures("day")
def test_a_head_file_edited_to_match_a_shortened_journal_is_caught_by_the_export_row(
    till: Till, cashier: Person, tmp_path: Path
) -> None:
    at_export = till.journal.head()[0]
    exported = saft(till, tmp_path)
    sell(till, cashier, PILSNER)
    drop_triggers(till.db)
    till.db.execute_sql(
        "DELETE FROM journal WHERE seq > ? AND seq <= ?", (at_export - 3, at_export)
    )
    rechain(till.db)
    # The .head now names a row the shortened journal holds, so the journal "extends" it.
    new_hash = till.db.execute_sql(
        "SELECT hash FROM journal WHERE seq = ?", (at_export - 3,)
    ).fetchone()[0]
    head_path(exported).write_text(f"{till.config.register_id} {at_export - 3}:{new_hash}\n")
    assert till.journal.verify() is None
    code, out = verify(tmp_path, "--against", str(exported))
    assert code == 1, out
    assert f"holds the head of the SAF-T export {exported.name}" in out  # the .head alone passes
    assert (
        f"kassa: the journal row of the export {exported.name} and its .head file record"
        f" different heads (register {till.config.register_id}: journal row {at_export}:" in out
    )
    assert f".head {at_export - 3}:{new_hash[:16]}): one of them was changed" in out


@pytest.mark.usefixtures("day")
def test_an_export_row_rewritten_is_caught_by_the_head_file(
    till: Till, cashier: Person, tmp_path: Path
) -> None:
    exported = saft(till, tmp_path)
    sell(till, cashier, PILSNER)
    seq, details = export_row(till)
    drop_triggers(till.db)
    details["journal_heads"] = {till.config.register_id: f"3:{'0' * 64}"}
    till.db.execute_sql(
        "UPDATE journal SET text = ? WHERE seq = ?", (json.dumps(details, sort_keys=True), seq)
    )
    rechain(till.db)
    assert till.journal.verify() is None
    code, out = verify(tmp_path, "--against", str(exported))
    assert code == 1, out
    assert "record different heads" in out
    assert "journal row 3:0000000000000000" in out


@pytest.mark.usefixtures("day")
def test_an_export_row_removed_is_named(till: Till, cashier: Person, tmp_path: Path) -> None:
    exported = saft(till, tmp_path)
    sell(till, cashier, PILSNER)
    drop_triggers(till.db)
    till.db.execute_sql("DELETE FROM journal WHERE basic_id = 'EXPORT'")
    rechain(till.db)
    code, out = verify(tmp_path, "--against", str(exported))
    assert code == 1, out
    assert f"no journal row records the export {exported.name} (13020): it was removed" in out


# -- a year's backup, row by row ---------------------------------------------------------------


def test_a_years_backup_is_compared_with_flat_memory(till: Till, tmp_path: Path) -> None:
    """60,000 journal rows (a busy shop's year has a few hundred thousand): compared row by row,
    neither journal is held in memory; held as tuples they would take several MB."""
    register = till.config.register_id
    last = till.journal.head()[0] + 60_000
    rows = [
        (register, seq, f"u{seq}", "13999", "LINEADD", "2026-11-27T11:00:00Z", f"{seq:064x}")
        for seq in range(till.journal.head()[0] + 1, last + 1)
    ]
    connection = till.db.connection()
    connection.executemany(
        "INSERT INTO journal (register_id, seq, uuid, event_code, basic_id, utc, local_date,"
        " local_time, text, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, '2026-11-27', '12:00:00',"
        " '', '', ?)",
        rows,
    )
    connection.commit()
    del rows
    copy = tmp_path / "year.db"
    source, target = sqlite3.connect(till.config.database), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    backup = BackupJournal(copy)
    tracemalloc.start()
    try:
        found = check_extends(till.db, register, backup.rows(register), "the backup")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        backup.close()
    assert found.problem is None and found.rows == last
    assert found.head == (last, f"{last:064x}")
    assert peak < 500_000, peak


@pytest.mark.usefixtures("day")
def test_a_head_files_last_transaction_edited_is_caught_by_the_export_row(
    till: Till, cashier: Person, tmp_path: Path
) -> None:
    """A .head made to name an earlier last transaction (to match a file cut at its end)."""
    exported = saft(till, tmp_path)
    sidecar = head_path(exported)
    lines = sidecar.read_text().splitlines()
    register = till.config.register_id
    last = next(line for line in lines if line.startswith(f"{register} last "))
    nr = int(last.split(" ")[2])
    earlier = till.db.execute_sql(
        "SELECT signature FROM sale WHERE receipt_nr = ? AND training = 0", (nr - 1,)
    ).fetchone()[0]
    sidecar.write_text(
        "\n".join(f"{register} last {nr - 1} {earlier}" if ln == last else ln for ln in lines)
        + "\n"
    )
    code, out = verify(tmp_path, "--against", str(exported))
    assert code == 1, out
    assert (
        f"kassa: the journal row of the export {exported.name} and its .head file record"
        f" different last transactions (register {register}: journal row nr {nr}, .head nr"
        f" {nr - 1}): one of them was changed"
    ) in out
