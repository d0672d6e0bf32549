"""entry's register, checked once a statement (kassa_tui/hq/sql/0016_ingest_cheaper.sql): the
foreign key it replaced checked one row at a time. What an auditor relies on stays: HQ holds no
journal row of a register it does not know, and a register whose rows HQ holds can be neither
deleted nor renamed away from them — whoever writes, ingest or an administrator by hand.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from kassa_tui.composition import Till

from .pushing import Hq, journal_rows
from .test_push import _push

REGISTER = "KASSE-1"
COLUMNS = (
    "seq, uuid, event_code, basic_id, user_number, utc, local_date, local_time, text, sale_id,"
    " prev_hash, hash, payload, record"
)


def test_a_row_of_a_register_hq_does_not_know_is_refused_and_nothing_of_it_stored(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    journal_rows(till, 3)
    assert _push(till, settings).status == "ok"
    held = hq.one("SELECT count(*) FROM entry")
    with hq.connect() as conn:
        # the same rows again under a register HQ never added (new uuids: only the register
        # is wrong), the way an administrator's hand-made INSERT would put them
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="KASSE-404"):
            conn.execute(
                f"INSERT INTO entry (register_id, {COLUMNS})"
                f" SELECT 'KASSE-404', seq, gen_random_uuid(), event_code, basic_id,"
                f" user_number, utc, local_date, local_time, text, sale_id, prev_hash, hash,"
                f" payload, record FROM entry"
            )
        # one known and one unknown register in one statement: refused whole
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="KASSE-404"):
            conn.execute(
                f"INSERT INTO entry (register_id, {COLUMNS})"
                f" SELECT CASE WHEN seq = 1 THEN 'KASSE-404' ELSE register_id END, seq + 100,"
                f" gen_random_uuid(), event_code, basic_id, user_number, utc, local_date,"
                f" local_time, text, sale_id, prev_hash, hash, payload, record FROM entry"
            )
    assert hq.one("SELECT count(*) FROM entry") == held > 0
    assert hq.all("SELECT DISTINCT register_id FROM entry") == [(REGISTER,)]


def test_a_register_whose_rows_hq_holds_is_neither_deleted_nor_renamed(
    hq: Hq, till: Till, tmp_path: Path
) -> None:
    settings = hq.add(REGISTER, "OSLO1", tmp_path)
    hq.add("KASSE-2", "OSLO1", tmp_path / "two")  # nothing pushed from it
    journal_rows(till, 2)
    assert _push(till, settings).status == "ok"
    with hq.connect() as conn:
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="holds its journal"):
            conn.execute("DELETE FROM register WHERE register_id = %s", (REGISTER,))
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="holds its journal"):
            conn.execute(
                "UPDATE register SET register_id = 'KASSE-7' WHERE register_id = %s", (REGISTER,)
            )
        # what is not about its ID changes as before; a register with no rows may go
        conn.execute("UPDATE register SET last_contact = now() WHERE register_id = %s", (REGISTER,))
        conn.execute("DELETE FROM register WHERE register_id = 'KASSE-2'")
    assert hq.all("SELECT register_id FROM register") == [(REGISTER,)]
    assert hq.one("SELECT count(*) FROM entry WHERE register_id = %s", REGISTER) > 0
