"""The registered signing keys (records.keyring): the till signs as the newest registered
version, registers its first key journaled, and refuses a key nobody registered."""

from __future__ import annotations

from pathlib import Path

import pytest

from kassa_tui.composition import open_till
from kassa_tui.config import Config
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Stopped
from kassa_tui.demo import load_demo
from kassa_tui.records import keyring
from kassa_tui.records.signing import (
    ChainRow,
    Signer,
    generate_key_pair,
    signing_string,
    verify_chain_by_version,
)

from .conftest import PILSNER, ROMME, SteeredTime, print_waiting


def key_file(config: Config) -> Path:
    assert config.signing.key_file is not None
    return config.signing.key_file


def test_the_first_start_registers_the_key_journaled(config: Config) -> None:
    till = open_till(config)
    keys = keyring.registered(till.db)
    assert [(key.version, key.registered_by) for key in keys] == [("1", None)]
    assert till.sales.signer is not None
    assert keys[0].fingerprint == keyring.fingerprint(till.sales.signer.public_key_pem())
    assert [row.basic_id for row in till.journal.rows()] == ["KEYREG"]
    till.db.close()
    till = open_till(config)  # the second start registers nothing
    assert len(keyring.registered(till.db)) == 1 and len(till.journal.rows()) == 1


def test_the_till_signs_as_the_newest_registered_version(config: Config) -> None:
    till = open_till(config)
    load_demo(till.db, till.users)
    new = key_file(config).with_name("new.pem")
    pem = generate_key_pair(new, new.with_name("new.pub.pem"))
    with till.db.atomic("IMMEDIATE"):
        assert keyring.next_version(till.db, "1") == "2"
        keyring.register(till.db, till.journal, pem, "2", 9)
    till.db.close()

    with pytest.raises(Stopped, match="is key version 1, replaced by version 2"):
        open_till(config)  # the retired key is not taken back
    new.replace(key_file(config))
    till = open_till(config)
    assert till.sales.signer is not None and till.sales.signer.key_version == "2"
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME)
    till.sales.pay_card(cashier, "")
    print_waiting(till)
    assert till.db.execute_sql("SELECT key_version FROM sale").fetchall() == [("2",)]


def test_a_key_nobody_registered_is_refused(config: Config) -> None:
    open_till(config).db.close()
    generate_key_pair(key_file(config), key_file(config).with_name("x.pub.pem"), overwrite=True)
    with pytest.raises(Stopped, match="not the shop's registered key"):
        open_till(config)


def test_the_key_versions_continue_above_those_on_the_sales(config: Config) -> None:
    till = open_till(config, Clock(SteeredTime()))  # noon: beer is sold whenever this runs
    load_demo(till.db, till.users)
    assert till.sales.signer is not None
    till.sales.signer.key_version = "5"  # a sale from a version never registered here
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, PILSNER)
    till.baskets.confirm_age(cashier, 18)  # the cashier's J: the beer is sold from 18
    till.sales.pay_card(cashier, "")
    assert keyring.next_version(till.db, "1") == "6"


def test_each_row_is_checked_with_its_own_version(tmp_path: Path) -> None:
    first = Signer.load(_key(tmp_path, "a"), "1")
    second = Signer.load(_key(tmp_path, "b"), "2")
    rows: list[ChainRow] = []
    prev: str | None = None
    for nr, signer in ((1, first), (2, first), (3, second), (4, second)):
        data = signing_string(prev, "2026-11-27", "12:00:00", str(nr), 100, 80)
        prev = signer.sign(data)
        rows.append(ChainRow(str(nr), "2026-11-27", "12:00:00", 100, 80, prev, signer.key_version))
    both = {"1": first.public_key_pem(), "2": second.public_key_pem()}
    assert verify_chain_by_version(rows, both).bad_nr is None
    swapped = {"1": first.public_key_pem(), "2": first.public_key_pem()}
    assert verify_chain_by_version(rows, swapped).bad_nr == 3
    only_first = verify_chain_by_version(rows, {"1": first.public_key_pem()})
    assert only_first.bad_nr is None and only_first.unknown == {"2": ["3", "4"]}


def _key(folder: Path, name: str) -> Path:
    path = folder / f"{name}.pem"
    generate_key_pair(path, folder / f"{name}.pub.pem")
    return path
