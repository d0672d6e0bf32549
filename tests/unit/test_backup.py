"""Backups taken while another process sells, checked, encrypted and restored."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devices.printer import MemoryPrinter
from devices.spooler import print_pending
from kassa_tui.config import load
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused, Stopped
from kassa_tui.store import backup as backups
from kassa_tui.store.backup import (
    MAGIC,
    check_database,
    decrypt_file,
    take_backup,
    take_encrypted_backup,
)
from kassa_tui.store.register_lock import RegisterLock
from kassa_tui.store.restore import restore
from tests.shop import REPO, demo_till

ROMME = "7020164760728"

SELLER = """
import sys
from kassa_tui.people import users
users.SCRYPT_N = 2**8
from kassa_tui.config import load
from kassa_tui.composition import open_till
from devices.printer import MemoryPrinter
from devices.spooler import print_pending
from kassa_tui.core.clock import Clock
till = open_till(load(sys.argv[1]))
cashier = till.users.sign_in("1", "1111")
for n in range(int(sys.argv[2])):
    print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)
    till.baskets.add(cashier, "7020164760728")
    assert till.sales.pay_card(cashier, "").completed is not None
    print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)
    print(n + 1, flush=True)
"""


def key_pair(bits: int = 2048) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A demo shop with two sales; returns its database path."""
    (tmp_path / "shop").mkdir()
    till = demo_till(tmp_path / "shop", language='"en"')
    cashier = till.users.sign_in("1", "1111")
    for _ in range(2):
        till.baskets.add(cashier, ROMME)
        assert till.sales.pay_card(cashier, "").completed is not None
        print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)
    till.db.close()
    return till.config.database


def who(database: Path) -> dict[str, Any]:
    """The shop's org number and signing key, as `kassa restore` passes them from kassa.toml."""
    config = load(database.parent.parent / "kassa.toml")
    return {"org_nr": config.org_nr, "signing": config.signing}


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def tamper(database: Path, seq: int) -> None:
    conn = sqlite3.connect(database)
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("UPDATE journal SET text = 'changed' WHERE seq = ?", (seq,))
    conn.commit()
    conn.close()


def test_a_backup_taken_while_another_process_sells_restores_intact(
    tmp_path: Path, shop: Path
) -> None:
    config = shop.parent.parent / "kassa.toml"
    out = tmp_path / "out"
    out.mkdir()
    seller = subprocess.Popen(
        [sys.executable, "-c", SELLER, str(config), "200"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert seller.stdout is not None
        assert seller.stdout.readline().strip() == "1"  # selling has begun
        taken: list[Path] = []
        while seller.poll() is None and len(taken) < 5:
            path, _ = take_backup(shop, out / f"b{len(taken)}.db", "KASSE-1")
            taken.append(path)
            time.sleep(0.05)
        _, err = seller.communicate(timeout=120)
    finally:
        if seller.poll() is None:
            seller.kill()
    assert seller.returncode == 0, err
    assert taken
    assert all(mode(p) == 0o600 for p in taken)
    total = check_database(shop).journal_rows
    assert check_database(taken[0]).journal_rows < total  # really taken mid-selling
    restored = tmp_path / "restored" / "kassa.db"
    restored.parent.mkdir()
    result = restore(taken[-1], restored, "KASSE-1", **who(shop))
    assert result.kept is None and mode(restored) == 0o600
    conn = sqlite3.connect(restored)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert check_database(restored).journal_rows == result.info.journal_rows


def test_a_folder_destination_names_the_file(tmp_path: Path, shop: Path) -> None:
    path, info = take_backup(shop, tmp_path, "KASSE 1")
    assert path.parent == tmp_path
    assert path.name.startswith("kassa-KASSE_1-") and path.suffix == ".db"
    assert mode(path) == 0o600 and info.journal_rows > 0
    assert not Path(f"{path}-wal").exists()  # a self-contained file


def test_an_existing_file_is_never_overwritten(tmp_path: Path, shop: Path) -> None:
    (tmp_path / "x.db").write_text("mine")
    with pytest.raises(Refused, match="already exists"):
        take_backup(shop, tmp_path / "x.db", "KASSE-1")
    assert (tmp_path / "x.db").read_text() == "mine"


def test_a_damaged_source_gives_no_backup(tmp_path: Path, shop: Path) -> None:
    tamper(shop, 3)
    with pytest.raises(Stopped, match=r"journal row 3 .* altered") as exc:
        take_backup(shop, tmp_path / "b.db", "KASSE-1")
    assert "deleted" in str(exc.value)
    assert not (tmp_path / "b.db").exists()


def test_encrypted_backup_needs_the_key(tmp_path: Path, shop: Path) -> None:
    private, public = key_pair()
    other, _ = key_pair()
    enc, _ = take_encrypted_backup(shop, tmp_path / "b.db", "KASSE-1", public)
    assert enc.name == "b.db.enc" and mode(enc) == 0o600
    assert sorted(tmp_path.iterdir()) == [enc, tmp_path / "shop"]
    data = enc.read_bytes()
    assert data.startswith(MAGIC) and b"SQLite format 3" not in data
    with pytest.raises(Stopped, match="wrong private key"):
        decrypt_file(enc, other, tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()
    with pytest.raises(Stopped, match="decrypt"):
        check_database(enc)
    plain = decrypt_file(enc, private, tmp_path / "plain.db")
    assert mode(plain) == 0o600 and check_database(plain).journal_rows > 0


def test_a_tampered_ciphertext_is_refused(tmp_path: Path, shop: Path) -> None:
    private, public = key_pair()
    enc, _ = take_encrypted_backup(shop, tmp_path / "b.db", "KASSE-1", public)
    data = bytearray(enc.read_bytes())
    data[-40] ^= 1
    enc.write_bytes(bytes(data))
    with pytest.raises(Stopped, match="damaged"):
        decrypt_file(enc, private, tmp_path / "plain.db")


def files_beside(database: Path) -> list[str]:
    return sorted(p.name for p in database.parent.iterdir())


def test_a_failed_encryption_leaves_no_plaintext_anywhere(
    tmp_path: Path, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, public = key_pair()
    out = tmp_path / "out"
    out.mkdir()
    before = files_beside(shop)
    seen: list[list[Path]] = []

    def fails(_key: object, plain: bytes) -> bytes:
        assert plain.startswith(b"SQLite format 3")
        seen.append(list(out.iterdir()))  # mid-way: the destination holds nothing yet
        raise MemoryError("out of memory while encrypting")

    monkeypatch.setattr(backups, "_encrypt", fails)
    with pytest.raises(MemoryError):
        take_encrypted_backup(shop, out, "KASSE-1", public)
    assert seen == [[]]
    assert list(out.iterdir()) == [] and files_beside(shop) == before


def test_a_destination_that_fills_up_leaves_no_file_behind(
    tmp_path: Path, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, public = key_pair()
    out = tmp_path / "out"
    out.mkdir()
    before = files_beside(shop)

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(Stopped, match="No space left"):
        take_encrypted_backup(shop, out, "KASSE-1", public)
    assert list(out.iterdir()) == [] and files_beside(shop) == before


def test_a_weak_key_and_the_tills_own_signing_key_are_refused(tmp_path: Path, shop: Path) -> None:
    signing = load(shop.parent.parent / "kassa.toml").signing
    assert signing.public_key_file is not None
    own = signing.public_key_file.read_bytes()
    with pytest.raises(Stopped, match="the till's own signing key"):
        take_encrypted_backup(shop, tmp_path, "KASSE-1", own, signing=signing)
    _, weak = key_pair(1024)
    with pytest.raises(Stopped, match="the key has 1024 bits; a backup key needs at least 2048"):
        take_encrypted_backup(shop, tmp_path, "KASSE-1", weak, signing=signing)
    assert not list(tmp_path.glob("kassa-*"))


def test_two_backups_in_one_second_are_both_kept_and_private(tmp_path: Path, shop: Path) -> None:
    _, public = key_pair()
    out = tmp_path / "out"
    out.mkdir()
    now = Clock().now()
    old = os.umask(0)
    try:
        plain = [take_backup(shop, out, "KASSE-1", now)[0] for _ in range(2)]
        enc = [take_encrypted_backup(shop, out, "KASSE-1", public, now=now)[0] for _ in range(2)]
    finally:
        os.umask(old)
    stem = plain[0].name[: -len(".db")]
    assert [p.name for p in plain + enc] == [
        f"{stem}.db",
        f"{stem}-2.db",
        f"{stem}.db.enc",
        f"{stem}-2.db.enc",
    ]
    assert sorted(out.iterdir()) == sorted(plain + enc)
    assert {mode(p) for p in plain + enc} == {0o600}


def test_restore_refuses_a_newer_database_without_force(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "old.db", "KASSE-1")
    from kassa_tui.composition import open_till
    from kassa_tui.config import load

    till = open_till(load(shop.parent.parent / "kassa.toml"))  # it sells on after the backup
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ROMME)
    till.sales.pay_card(cashier, "")
    print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)
    till.db.close()
    with pytest.raises(Refused, match="newer than the backup"):
        restore(backup, shop, "KASSE-1", **who(shop))
    result = restore(backup, shop, "KASSE-1", force=True, **who(shop))
    assert result.kept is not None and mode(result.kept) == 0o600
    assert ".before-restore-" in result.kept.name
    assert check_database(result.kept).journal_rows > result.info.journal_rows
    assert check_database(shop).journal_rows == result.info.journal_rows
    assert not Path(f"{shop}-wal").exists()


def test_restore_refuses_while_the_till_sells(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    lock = RegisterLock(shop, "KASSE-1")
    lock.acquire()
    try:
        with pytest.raises(Refused, match="selling"):
            restore(backup, shop, "KASSE-1", force=True, **who(shop))
    finally:
        lock.release()


def test_restore_refuses_a_tampered_backup(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    tamper(backup, 4)
    with pytest.raises(Stopped, match="journal row 4"):
        restore(backup, shop, "KASSE-1", force=True, **who(shop))


def test_restore_refuses_a_newer_schema(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE setting SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(Refused, match="schema 99"):
        restore(backup, shop, "KASSE-1", force=True, **who(shop))


HOLDER = """
import sys
from kassa_tui.people import users
users.SCRYPT_N = 2**8
from kassa_tui.config import load
from kassa_tui.composition import open_till
from kassa_tui.store.register_lock import RegisterLock
config = load(sys.argv[1])
lock = RegisterLock(config.database, config.register_id)
lock.acquire()  # as `kassa` does before it sells
till = open_till(config)
cashier = till.users.sign_in("1", "1111")
till.baskets.add(cashier, "7020164760728")
assert till.sales.pay_card(cashier, "").completed is not None
print("selling", flush=True)
sys.stdin.readline()
"""


def test_restore_refuses_while_a_till_sells_on_another_register(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    config = shop.parent.parent / "kassa.toml"
    other = tmp_path / "kasse-2.toml"
    other.write_text(
        config.read_text(encoding="utf-8")
        .replace('id = "KASSE-1"', 'id = "KASSE-2"')
        .replace('"var/', f'"{shop.parent}/'),
        encoding="utf-8",
    )
    assert load(other).register_id == "KASSE-2" and load(other).database == shop
    till = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(other)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert till.stdout is not None and till.stdin is not None
        assert till.stdout.readline().strip() == "selling", till.stderr and till.stderr.read()
        with pytest.raises(Refused, match="selling on"):
            restore(backup, shop, "KASSE-1", force=True, **who(shop))
        till.stdin.write("\n")
        till.stdin.flush()
        assert till.wait(timeout=60) == 0
    finally:
        if till.poll() is None:
            till.kill()
    result = restore(backup, shop, "KASSE-1", force=True, **who(shop))  # the till has stopped
    assert result.kept is not None


def test_a_till_cannot_start_while_a_restore_holds_the_database(shop: Path) -> None:
    from kassa_tui.store.register_lock import DatabaseLock, RegisterBusy

    whole = DatabaseLock(shop)
    whole.acquire(exclusive=True)
    try:
        with pytest.raises(RegisterBusy, match="restore"):
            RegisterLock(shop, "KASSE-2").acquire()
    finally:
        whole.release()
    lock = RegisterLock(shop, "KASSE-2")
    lock.acquire()
    lock.release()


def take_z(database: Path) -> None:
    from kassa_tui.composition import open_till

    till = open_till(load(database.parent.parent / "kassa.toml"))
    till.reports.z_report(till.users.sign_in("2", "2222"), not_counted=True)
    till.db.close()


def test_another_shops_backup_needs_other_shop_and_is_journaled(tmp_path: Path, shop: Path) -> None:
    take_z(shop)
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    ours = who(shop)
    theirs = {**ours, "org_nr": "974760673"}
    with pytest.raises(
        Refused, match=r"org number 999999999's; this till is 974760673's; use --other-shop"
    ):
        restore(backup, shop, "KASSE-1", force=True, **theirs)
    result = restore(backup, shop, "KASSE-1", force=True, other_shop=True, **theirs)
    assert result.override is not None and "999999999" in result.override
    conn = sqlite3.connect(shop)
    rows = conn.execute(
        "SELECT json_extract(text, '$.reason') FROM journal WHERE basic_id = 'RESTOREOTHER'"
    ).fetchall()
    conn.close()
    assert rows == [(result.override,)]
    assert check_database(shop).journal_rows == result.info.journal_rows + 1  # chain intact
    # our own shop's backup needs no flag and journals nothing
    fresh = tmp_path / "fresh" / "kassa.db"
    assert restore(backup, fresh, "KASSE-1", **ours).override is None


def test_another_registers_backup_needs_other_shop(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")  # no Z: no org number in it
    with pytest.raises(Refused, match=r"register\(s\) KASSE-1, not KASSE-2"):
        restore(backup, shop, "KASSE-2", force=True, **who(shop))
    result = restore(backup, shop, "KASSE-2", force=True, other_shop=True, **who(shop))
    assert result.override is not None


def test_a_backup_whose_signature_was_altered_is_refused(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    conn = sqlite3.connect(backup)
    conn.execute("DROP TRIGGER sale_no_update")
    signature = conn.execute("SELECT signature FROM sale ORDER BY id DESC LIMIT 1").fetchone()[0]
    forged = ("B" if signature[0] == "A" else "A") + signature[1:]
    conn.execute("UPDATE sale SET signature = ? WHERE id = (SELECT MAX(id) FROM sale)", (forged,))
    conn.commit()
    conn.close()
    assert check_database(backup).journal_rows > 0  # the journal chain alone does not see it
    before = shop.read_bytes()
    with pytest.raises(Stopped, match="signature of receipt 2 of register KASSE-1"):
        restore(backup, shop, "KASSE-1", force=True, **who(shop))
    assert shop.read_bytes() == before
    assert not list(shop.parent.glob(".kassa.db.restoring-*"))


def test_without_a_signing_key_restore_needs_force(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    nokey = {**who(shop), "signing": None}
    with pytest.raises(Refused, match=r"no signing key is readable.*--force"):
        restore(backup, shop, "KASSE-1", **nokey)
    assert restore(backup, shop, "KASSE-1", force=True, **nokey).kept is not None


def test_a_backup_with_a_wal_beside_it_installs_what_was_checked(
    tmp_path: Path, shop: Path
) -> None:
    from kassa_tui.composition import open_till

    till = open_till(load(shop.parent.parent / "kassa.toml"))
    till.db.execute_sql("PRAGMA wal_autocheckpoint = 0")  # the new rows stay in the -wal
    cashier = till.users.sign_in("1", "1111")
    for _ in range(3):
        till.baskets.add(cashier, ROMME)
        assert till.sales.pay_card(cashier, "").completed is not None
    copy = tmp_path / "copied.db"  # kassa.db and kassa.db-wal copied by hand, till running
    copy.write_bytes(shop.read_bytes())
    Path(f"{copy}-wal").write_bytes(Path(f"{shop}-wal").read_bytes())
    total = till.db.execute_sql("SELECT COUNT(*) FROM journal").fetchone()[0]
    till.db.close()
    alone = tmp_path / "alone.db"
    alone.write_bytes(copy.read_bytes())
    assert check_database(alone).journal_rows < total  # the -wal holds rows the file lacks
    restored = tmp_path / "restored" / "kassa.db"
    restored.parent.mkdir()
    result = restore(copy, restored, "KASSE-1", **who(shop))
    assert result.info.journal_rows == total
    assert check_database(restored).journal_rows == total
    assert not Path(f"{restored}-wal").exists()


def test_restore_refuses_while_any_kassa_holds_the_database_shared(
    tmp_path: Path, shop: Path
) -> None:
    from kassa_tui.store.register_lock import DatabaseLock

    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    selling = DatabaseLock(shop)  # what every selling till holds, whatever its register
    selling.acquire(exclusive=False)
    try:
        with pytest.raises(Refused, match="stop every till that uses this database"):
            restore(backup, shop, "KASSE-1", force=True, **who(shop))
    finally:
        selling.release()


def test_restore_refuses_while_an_older_till_holds_only_its_register_lock(
    tmp_path: Path, shop: Path
) -> None:
    import fcntl

    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    with open(RegisterLock(shop, "KASSE-2").path, "a+", encoding="utf-8") as old:
        old.write("4242")
        old.flush()
        fcntl.flock(old, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(Refused, match="pid 4242"):
            restore(backup, shop, "KASSE-1", force=True, **who(shop))
