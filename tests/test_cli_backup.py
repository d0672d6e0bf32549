"""`kassa backup`, `kassa backup decrypt` and `kassa restore`, as run over SSH."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devices.printer import MemoryPrinter
from devices.spooler import print_pending
from kassa_tui.cli import main
from kassa_tui.people import users
from tests.shop import demo_till

ROMME = "7020164760728"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


TECHNICIAN = "9\n9999\n"  # the demo technician's number and PIN, read from stdin


def kassa(*args: str, input: str = TECHNICIAN) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def sell(folder: Path, times: int = 1) -> None:
    from kassa_tui.composition import open_till
    from kassa_tui.config import load

    till = open_till(load(folder / "kassa.toml"))
    cashier = till.users.sign_in("1", "1111")
    for _ in range(times):
        till.baskets.add(cashier, ROMME)
        assert till.sales.pay_card(cashier, "").completed is not None
        print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)
    till.db.close()


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "shop").mkdir()
    demo_till(tmp_path / "shop", language='"en"').db.close()
    sell(tmp_path / "shop", 2)
    return tmp_path / "shop" / "kassa.toml"


def keys(folder: Path, name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private, public = folder / f"{name}.pem", folder / f"{name}.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def test_backup_decrypt_restore(tmp_path: Path, shop: Path) -> None:
    private, public = keys(tmp_path, "backup")
    other, _ = keys(tmp_path, "other")
    out = tmp_path / "backups"
    out.mkdir()
    code, text = kassa("--config", str(shop), "backup", str(out), "--encrypt-to", str(public))
    assert code == 0, text
    (enc,) = out.iterdir()
    assert enc.name.startswith("kassa-KASSE-1-") and enc.name.endswith(".db.enc")
    assert enc.stat().st_mode & 0o777 == 0o600
    assert b"SQLite format 3" not in enc.read_bytes()

    # With the shop's kassa.toml (English), not whatever ./kassa.toml says.
    code, text = kassa(
        "--config",
        str(shop),
        "backup",
        "decrypt",
        str(enc),
        "--key",
        str(other),
        "-o",
        str(tmp_path / "x.db"),
    )
    assert code == 1 and text.count("\n") == 1 and "wrong private key" in text

    plain = tmp_path / "plain.db"
    code, text = kassa("backup", "decrypt", str(enc), "--key", str(private), "-o", str(plain))
    assert code == 0, text
    assert plain.stat().st_mode & 0o777 == 0o600

    code, text = kassa("--config", str(shop), "restore", str(plain))
    assert code == 0, text
    assert "Kept the replaced database" in text
    code, text = kassa("--config", str(shop), "journal", "verify")
    assert "Journal intact" in text


def test_a_weak_key_and_the_tills_signing_key_are_refused(tmp_path: Path, shop: Path) -> None:
    own = shop.parent / "var" / "signing-key.pub.pem"
    assert own.exists()
    code, text = kassa("--config", str(shop), "backup", str(tmp_path), "--encrypt-to", str(own))
    assert code == 1 and text.count("\n") == 1
    assert "kassa: --encrypt-to: that is the till's own signing key" in text
    weak = tmp_path / "weak.pub.pem"
    weak.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=1024)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    code, text = kassa("--config", str(shop), "backup", str(tmp_path), "--encrypt-to", str(weak))
    assert code == 1 and text.count("\n") == 1
    assert "kassa: --encrypt-to: the key has 1024 bits; a backup key needs at least 2048" in text
    assert not list(tmp_path.glob("kassa-*"))


def test_restore_refuses_a_newer_database_without_force(tmp_path: Path, shop: Path) -> None:
    backup = tmp_path / "b.db"
    code, text = kassa("--config", str(shop), "backup", str(backup))
    assert code == 0, text
    assert backup.stat().st_mode & 0o777 == 0o600
    sell(shop.parent)
    code, text = kassa("--config", str(shop), "restore", str(backup))
    assert code == 1 and "newer than the backup" in text and "--force" in text
    code, text = kassa("--config", str(shop), "restore", str(backup), "--force")
    assert code == 0, text
    kept = list((shop.parent / "var").glob("kassa.db.before-restore-*"))
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o777 == 0o600


def test_tampering_with_a_restored_file_is_detected(tmp_path: Path, shop: Path) -> None:
    backup = tmp_path / "b.db"
    assert kassa("--config", str(shop), "backup", str(backup))[0] == 0
    assert kassa("--config", str(shop), "restore", str(backup), "--force")[0] == 0
    database = shop.parent / "var" / "kassa.db"
    conn = sqlite3.connect(database)
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("UPDATE journal SET text = 'changed' WHERE seq = 5")
    conn.commit()
    conn.close()
    code, text = kassa("--config", str(shop), "journal", "verify")
    assert code != 0 and "journal row 5 was altered" in text
    code, text = kassa("--config", str(shop), "backup", str(tmp_path / "again.db"))
    assert code == 1 and text.count("\n") == 1
    assert "journal row 5" in text and "deleted" in text
    assert not (tmp_path / "again.db").exists()


def test_another_shops_backup_is_refused_without_other_shop(tmp_path: Path, shop: Path) -> None:
    from kassa_tui.composition import open_till
    from kassa_tui.config import load

    till = open_till(load(shop))
    till.reports.z_report(till.users.sign_in("2", "2222"), not_counted=True)  # names the shop
    till.db.close()
    backup = tmp_path / "b.db"
    assert kassa("--config", str(shop), "backup", str(backup))[0] == 0
    other = tmp_path / "other"
    other.mkdir()
    demo_till(other, language='"en"', org_nr='"974760673"').db.close()
    config = str(other / "kassa.toml")
    code, text = kassa("--config", config, "restore", str(backup), "--force")
    assert code == 1 and text.count("\n") == 1, text
    assert "org number 999999999's; this till is 974760673's; use --other-shop" in text
    code, text = kassa("--config", config, "restore", str(backup), "--force", "--other-shop")
    assert code == 0, text
    assert "Restored with --other-shop" in text and "journaled" in text
    code, text = kassa("--config", config, "journal", "verify")
    assert "Journal intact" in text


def test_the_till_will_not_start_while_a_restore_holds_the_database(shop: Path) -> None:
    from kassa_tui.config import load
    from kassa_tui.store.register_lock import DatabaseLock

    restore = DatabaseLock(load(shop).database)
    restore.acquire(exclusive=True)
    try:
        code, out = kassa("--config", str(shop), "tui", input="")
    finally:
        restore.release()
    assert code == 3
    assert "a restore is replacing the database; start kassa again when it has finished" in out


def test_a_missing_folder_is_refused_not_made_a_file(tmp_path: Path, shop: Path) -> None:
    """`kassa backup /mnt/usb/backups` with no such folder wrote a file named `backups`."""
    missing = tmp_path / "backups"
    code, text = kassa("--config", str(shop), "backup", str(missing), input="")  # before the PIN
    assert code == 2 and "does not exist" in text and "end DEST with /" in text, text
    assert text.startswith("kassa: ") and text.count("\n") == 1  # one line, no click «Error:»
    assert "backups.db" in text  # how to say a file was meant
    assert not missing.exists()


def test_a_trailing_slash_makes_the_folder(tmp_path: Path, shop: Path) -> None:
    code, text = kassa("--config", str(shop), "backup", f"{tmp_path / 'new'}/", input="9\n0\n")
    assert code == 1 and "Wrong user number or PIN" in text
    assert not (tmp_path / "new").exists()  # nothing is made for a wrong PIN
    code, text = kassa("--config", str(shop), "backup", f"{tmp_path / 'new'}/")
    assert code == 0, text
    (made,) = (tmp_path / "new").iterdir()
    assert made.name.startswith("kassa-KASSE-1-") and made.suffix == ".db"
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
    code, text = kassa("--config", str(shop), "backup", f"{tmp_path / 'no' / 'such'}/")
    assert code == 2 and "no such folder" in text
    assert not (tmp_path / "no").exists()


def test_backup_names_and_restore_times_are_the_shops_local_time(
    tmp_path: Path, shop: Path
) -> None:
    from datetime import UTC, datetime

    from kassa_tui.core.clock import Instant, parse_utc
    from kassa_tui.store.backup import backup_path

    summer_night = Instant(datetime(2026, 7, 1, 22, 30, tzinfo=UTC))  # 00:30 in Oslo
    assert backup_path(tmp_path, "KASSE-1", summer_night).name == "kassa-KASSE-1-20260702-003000.db"
    backup = tmp_path / "b.db"
    assert kassa("--config", str(shop), "backup", str(backup))[0] == 0
    with sqlite3.connect(backup) as conn:
        (last,) = conn.execute("SELECT MAX(utc) FROM journal").fetchone()
    code, text = kassa("--config", str(shop), "restore", str(backup), "--force")
    assert code == 0, text
    local = parse_utc(last).local.strftime("%Y-%m-%d %H:%M:%S")
    assert f"journal rows, last {local})" in text and last not in text


def test_a_fresh_shops_backup_is_known_as_another_shops_before_any_z(tmp_path: Path) -> None:
    """`kassa init` journals whose database it is (SHOPIDENT), so a backup of a shop that never
    took a Z still names its org number, and another shop's till refuses it."""
    from tests.shop import write_config

    shops = []
    for name, org in (("ours", '"974760673"'), ("theirs", '"999999999"')):
        (tmp_path / name).mkdir()
        config = str(write_config(tmp_path / name, language='"en"', org_nr=org))
        code, text = kassa("--config", config, "init", "--demo")
        assert code == 0, text
        shops.append(config)
    ours, theirs = shops
    conn = sqlite3.connect(tmp_path / "theirs" / "var" / "kassa.db")
    rows = conn.execute("SELECT event_code, basic_id, text FROM journal").fetchall()
    conn.close()
    assert ("13999", "SHOPIDENT", '{"org_nr": "999999999", "register": "KASSE-1"}') in rows
    assert not [r for r in rows if r[1] == "ZREPORT"]
    backup = tmp_path / "theirs.db"
    assert kassa("--config", theirs, "backup", str(backup))[0] == 0
    code, text = kassa("--config", ours, "restore", str(backup), "--force")
    assert code == 1, text
    assert "org number 999999999's; this till is 974760673's; use --other-shop" in text
    code, text = kassa("--config", theirs, "restore", str(backup), "--force")
    assert code == 0, text  # its own shop takes it back
