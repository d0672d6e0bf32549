"""Backups taken while another process sells, checked, encrypted and restored."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

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
    restore,
    take_backup,
    take_encrypted_backup,
)
from kassa_tui.store.register_lock import RegisterLock
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
    till = demo_till(tmp_path / "shop")
    cashier = till.users.sign_in("1", "1111")
    for _ in range(2):
        till.baskets.add(cashier, ROMME)
        assert till.sales.pay_card(cashier, "").completed is not None
        print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)
    till.db.close()
    return till.config.database


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
    result = restore(taken[-1], restored, "KASSE-1")
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
        restore(backup, shop, "KASSE-1")
    result = restore(backup, shop, "KASSE-1", force=True)
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
            restore(backup, shop, "KASSE-1", force=True)
    finally:
        lock.release()


def test_restore_refuses_a_tampered_backup(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    tamper(backup, 4)
    with pytest.raises(Stopped, match="journal row 4"):
        restore(backup, shop, "KASSE-1", force=True)


def test_restore_refuses_a_newer_schema(tmp_path: Path, shop: Path) -> None:
    backup, _ = take_backup(shop, tmp_path / "b.db", "KASSE-1")
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE setting SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(Refused, match="schema 99"):
        restore(backup, shop, "KASSE-1", force=True)
