"""`kassa hq verify` and the till's anchor against HQ (issue 15), against a real PostgreSQL.

A till sells and pushes; HQ verifies the journal chain and the SAF-T signature chain with the
public keys its technician gave it, as its journal registers them. Then, one at a time, what an
auditor must be told: a signature forged at HQ (the chain rewritten consistently, only the
private key missing), an entry deleted at HQ, a till whose journal was rolled back, a key
rotation HQ has no key for.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import make_conninfo

from kassa_tui.cli import main
from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.demo import load_demo
from kassa_tui.hq import verify
from kassa_tui.hq.admin import add_register
from kassa_tui.people import users
from kassa_tui.records import keyring
from kassa_tui.sync import pull
from kassa_tui.sync.push import push
from tests.unit.conftest import ROMME, TOOTHPASTE, SteeredTime, print_waiting, write_config

from .hq_schema import hq_schema


@pytest.fixture(autouse=True)
def _fast_pins_in_english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


class Shop:
    """HQ (its owner's connection) and one till that pushes to it as its own role."""

    def __init__(self, hq_dsn: str, folder: Path) -> None:
        hq_schema(hq_dsn)
        self.hq = psycopg.connect(hq_dsn, autocommit=True)
        self.folder = folder
        self.time = SteeredTime()
        self.config_path = write_config(folder)
        self.till = self.open()
        load_demo(self.till.db, self.till.users)
        self.register = self.till.config.register_id
        creds = add_register(self.hq, self.register, "OSLO1")
        self.register_dsn = make_conninfo(hq_dsn, user=creds.role, password=creds.password)

    def open(self) -> Till:
        opened = open_till(load(self.config_path), clock=Clock(source=self.time))
        i18n.set_language("en")
        return opened

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.register_dsn, autocommit=True)

    def give_hq_the_key(self) -> None:
        for key in keyring.registered(self.till.db):
            verify.add_key(self.hq, self.register, key.public_pem)

    def sell(self, *codes: str) -> None:
        cashier = self.till.users.sign_in("1", "1111")
        for code in codes:
            self.till.baskets.add(cashier, code)
        self.till.sales.pay_cash(cashier, "")
        print_waiting(self.till)
        self.time.advance(60)

    def push(self) -> str:
        return push(self.till.db, self.register, self.till.clock, self.connect).status

    def check(self) -> verify.RegisterCheck:
        (found,) = verify.verify_all(self.hq, self.register)
        return found


@pytest.fixture
def shop(hq_dsn: str, tmp_path: Path) -> Iterator[Shop]:
    made = Shop(hq_dsn, tmp_path)
    yield made
    made.till.db.close()
    made.hq.close()


def _sold_and_pushed(shop: Shop) -> None:
    shop.give_hq_the_key()
    shop.sell(ROMME)
    shop.sell(TOOTHPASTE, ROMME)
    shop.sell(ROMME)
    assert shop.push() == "ok"


def test_a_clean_register_verifies(shop: Shop) -> None:
    _sold_and_pushed(shop)
    found = shop.check()
    assert found.problems == []
    assert (found.transactions, found.signed) == (3, 3)
    head = shop.till.journal.head()
    assert found.last_seq == head[0]
    with shop.connect() as conn:
        assert pull.check_against_hq(conn, shop.till.db, shop.register).problem is None


def _rewrite(
    hq: psycopg.Connection[Any], register: str, change: Callable[[dict[str, Any]], bool]
) -> None:
    """Rewrite the first transaction `change` alters and every entry after it at HQ, hashes
    and all, as an attacker with HQ's superuser could: only the signature cannot be redone."""
    hq.execute("ALTER TABLE entry DISABLE TRIGGER entry_append_only")
    hq.execute("ALTER TABLE sale DISABLE TRIGGER sale_append_only")
    rows = hq.execute(
        "SELECT seq, payload, record FROM entry WHERE register_id = %s ORDER BY seq", (register,)
    ).fetchall()
    prev: str | None = None
    changed = False
    for seq, payload, record in rows:
        fields = json.loads(payload)
        if record is not None and not changed:
            sale = json.loads(record)
            box = {"sale": sale}
            if change(box):
                changed = True
                record = json.dumps(box["sale"], ensure_ascii=False, separators=(",", ":"))
                text = json.loads(fields[10])
                text["content"] = hashlib.sha256(record.encode("utf-8")).hexdigest()
                fields[10] = json.dumps(text, ensure_ascii=False, sort_keys=True)
                hq.execute(
                    "UPDATE sale SET signature = %s WHERE register_id = %s AND seq = %s",
                    (box["sale"][0][14], register, seq),
                )
        if prev is not None:
            fields[0] = prev
        if changed:
            payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
            digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
            hq.execute(
                "UPDATE entry SET payload = %s, hash = %s, prev_hash = %s, text = %s, record = %s"
                " WHERE register_id = %s AND seq = %s",
                (payload, digest, fields[0], fields[10], record, register, seq),
            )
            prev = digest
    assert changed
    hq.execute("UPDATE register SET last_hash = %s WHERE register_id = %s", (prev, register))


def test_a_forged_signature_at_hq_is_named(shop: Shop) -> None:
    _sold_and_pushed(shop)

    def forge(box: dict[str, Any]) -> bool:
        sale = box["sale"][0]
        if sale[1] != 2:  # the second receipt
            return False
        other = "A" * len(sale[14])  # a signature only the till's private key could make
        sale[14] = other
        return True

    _rewrite(shop.hq, shop.register, forge)
    found = shop.check()
    assert found.problems == ["the signature of receipt 2 does not verify: the chain breaks there"]


def test_an_entry_deleted_at_hq_is_named(shop: Shop) -> None:
    _sold_and_pushed(shop)
    shop.hq.execute("ALTER TABLE entry DISABLE TRIGGER entry_append_only")
    row = shop.hq.execute(
        "SELECT min(seq) FROM entry WHERE register_id = %s AND basic_id = 'LOGIN'",
        (shop.register,),
    ).fetchone()
    assert row is not None
    seq = int(row[0])
    shop.hq.execute("DELETE FROM entry WHERE register_id = %s AND seq = %s", (shop.register, seq))
    found = shop.check()
    assert found.problems[0] == (
        f"entry {seq} is missing at HQ (deleted?): the chain jumps to {seq + 1}"
    )


def test_a_till_whose_journal_was_rolled_back_is_reported_by_both(shop: Shop) -> None:
    shop.give_hq_the_key()
    shop.sell(ROMME)
    assert shop.push() == "ok"
    copy = shop.folder / "old-copy.db"
    shop.till.db.execute_sql(f"VACUUM INTO '{copy}'")  # yesterday's copy of the till
    shop.sell(TOOTHPASTE)
    assert shop.push() == "ok"
    shop.till.db.close()
    shutil.copyfile(copy, shop.till.config.database)
    for suffix in ("-wal", "-shm"):
        Path(f"{shop.till.config.database}{suffix}").unlink(missing_ok=True)
    shop.till = shop.open()
    with shop.connect() as conn:
        anchor = pull.check_against_hq(conn, shop.till.db, shop.register)
    assert anchor.problem is not None and "it was rolled back" in anchor.problem
    # The restored till sells again: its journal leaves HQ's, the push is refused, HQ reports it.
    shop.sell(ROMME)
    assert shop.push() == "fork"
    found = shop.check()
    assert found.problems[0].startswith("the till's journal no longer extends what HQ holds")


def test_a_key_rotation_counts_when_it_arrives_in_the_chain(shop: Shop) -> None:
    from kassa_tui.records.signing import new_private_key, public_pem_of

    shop.give_hq_the_key()
    shop.sell(ROMME)
    new_key = new_private_key()
    with shop.till.db.atomic("IMMEDIATE"):
        keyring.register(shop.till.db, shop.till.journal, public_pem_of(new_key), "2", None)
    assert shop.push() == "ok"
    found = shop.check()
    assert any("key version 2" in p and "HQ has no public key" in p for p in found.problems)
    verify.add_key(shop.hq, shop.register, public_pem_of(new_key))
    assert shop.check().problems == []


def test_kassa_hq_verify_exits_1_and_names_the_register(shop: Shop, hq_dsn: str) -> None:
    _sold_and_pushed(shop)
    runner = CliRunner()
    env = {"KASSA_HQ_DSN": hq_dsn}
    good = runner.invoke(main, ["hq", "verify"], env=env)
    assert good.exit_code == 0, good.output
    assert f"OK {shop.register}" in good.output
    shop.hq.execute("ALTER TABLE entry DISABLE TRIGGER entry_append_only")
    shop.hq.execute("DELETE FROM entry WHERE register_id = %s AND seq = 1", (shop.register,))
    bad = runner.invoke(main, ["hq", "verify", "--json"], env=env)
    assert bad.exit_code == 1
    (reported,) = json.loads(bad.output)
    assert reported["register"] == shop.register and not reported["ok"]


def test_a_receipt_claiming_a_key_version_registered_only_later_is_named(shop: Shop) -> None:
    from kassa_tui.records.signing import new_private_key, public_pem_of

    shop.give_hq_the_key()
    shop.sell(ROMME)
    new_key = new_private_key()
    with shop.till.db.atomic("IMMEDIATE"):
        keyring.register(shop.till.db, shop.till.journal, public_pem_of(new_key), "2", None)
    verify.add_key(shop.hq, shop.register, public_pem_of(new_key))
    assert shop.push() == "ok"
    assert shop.check().problems == []

    def claim_version_2(box: dict[str, Any]) -> bool:
        box["sale"][0][15] = "2"  # receipt 1 says it was signed with the later key
        return True

    _rewrite(shop.hq, shop.register, claim_version_2)
    problems = shop.check().problems
    assert any(
        "is signed with key version 2, which the journal registers only later" in p
        for p in problems
    )
