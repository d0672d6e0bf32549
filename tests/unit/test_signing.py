"""The SAF-T signature chain: the exact signed text, RSA-SHA1-1024, and the key file's guard."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kassa_tui.composition import Till, open_till
from kassa_tui.config import Config, ConfigError, load
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Stopped
from kassa_tui.demo import load_demo
from kassa_tui.people.person import Person
from kassa_tui.records.signing import (
    ChainRow,
    Signer,
    chain_rows,
    generate_key_pair,
    signing_string,
    verify,
    verify_chain,
)

from .conftest import PILSNER, REPO_CONFIG, ROMME, VG, SteeredTime, print_waiting, write_config


def sell(till: Till, person: Person, *codes: str) -> int:
    for code in codes:
        till.baskets.add(person, code)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    done = till.sales.pay_card(person, "").completed
    assert done is not None
    print_waiting(till)  # the next sale waits for the receipt
    return done.receipt_nr


def sales(till: Till) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in till.db.execute_sql(
            "SELECT receipt_nr, local_date, local_time, total_ore, vat_ore, signature,"
            " key_version FROM sale ORDER BY id"
        ).fetchall()
    ]


def key_file(config: Config) -> Path:
    assert config.signing.key_file is not None
    return config.signing.key_file


# --- The signed text ------------------------------------------------------------------------


def test_the_spec_example_and_its_sha1_known_answer() -> None:
    data = signing_string(
        "signature_from_previous_receipt", "2014-01-24", "23:59:59", "123456789", 125000, 100000
    )
    assert data == "signature_from_previous_receipt;2014-01-24;23:59:59;123456789;1250.00;1000.00"
    assert hashlib.sha1(data.encode()).hexdigest() == "55abb153c38026540a601dd7bd4302e41481cd37"


def test_skatteetatens_hmac_vector_documents_the_format() -> None:
    data = signing_string(None, "2016-11-24", "10:39:00", "2", 100, 96)
    assert data == "0;2016-11-24;10:39:00;2;1.00;0.96"
    digest = hmac.new(b"SkatteetatenSign", data.encode(), hashlib.sha1).digest()
    assert base64.b64encode(digest).decode() == "iHh68DWCU3G42eL/7vOGUMSkvMM="


@pytest.mark.parametrize(
    ("prev", "amount_in", "amount_ex", "expected"),
    [
        (None, 125000, 100000, "0;2026-11-27;12:00:00;1;1250.00;1000.00"),  # the first one
        ("", 0, 0, "0;2026-11-27;12:00:00;1;0.00;0.00"),
        ("abc+/=", -1640, -1312, "abc+/=;2026-11-27;12:00:00;1;-16.40;-13.12"),  # a return
        (None, 5, -5, "0;2026-11-27;12:00:00;1;0.05;-0.05"),
        (None, 123456789, 98765432, "0;2026-11-27;12:00:00;1;1234567.89;987654.32"),
    ],
)
def test_signing_string_formats(
    prev: str | None, amount_in: int, amount_ex: int, expected: str
) -> None:
    data = signing_string(prev, "2026-11-27", "12:00:00", "1", amount_in, amount_ex)
    assert data == expected
    assert not data.endswith(";") and data.count(";") == 5


# --- Keys -----------------------------------------------------------------------------------


def test_generated_key_is_private_1024_bit_and_signs_rsa_sha1(tmp_path: Path) -> None:
    private, public = tmp_path / "keys" / "k.pem", tmp_path / "keys" / "k.pub.pem"
    generate_key_pair(private, public)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    pem = public.read_bytes()
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")  # SubjectPublicKeyInfo, for RF-1348
    signer = Signer.load(private, "7")
    assert signer.key_version == "7" and signer.public_key_pem() == pem
    signature = signer.sign("0;2016-11-24;10:39:00;2;1.00;0.96")
    assert len(signature) == 172 and "\n" not in signature  # 128 bytes, one line
    public_key = serialization.load_pem_public_key(pem)
    assert isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size == 1024
    public_key.verify(
        base64.b64decode(signature),
        b"0;2016-11-24;10:39:00;2;1.00;0.96",
        padding.PKCS1v15(),
        hashes.SHA1(),
    )
    assert verify(pem, "0;2016-11-24;10:39:00;2;1.00;0.96", signature)
    assert not verify(pem, "0;2016-11-24;10:39:00;2;1.00;0.97", signature)
    assert not verify(pem, "0;2016-11-24;10:39:00;2;1.00;0.96", "not base64!")


def test_generate_never_overwrites_unless_asked(tmp_path: Path) -> None:
    private, public = tmp_path / "k.pem", tmp_path / "k.pub.pem"
    generate_key_pair(private, public)
    first = private.read_bytes()
    with pytest.raises(FileExistsError):
        generate_key_pair(private, public)
    assert private.read_bytes() == first
    private.chmod(0o644)  # even an old key that was too open is replaced by a private one
    generate_key_pair(private, public, overwrite=True)
    assert private.read_bytes() != first
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.pem", "k.pub.pem"]


def test_a_key_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    private = tmp_path / "k.pem"
    generate_key_pair(private, tmp_path / "k.pub.pem")
    private.chmod(0o644)
    with pytest.raises(Stopped, match=f"chmod 600 {private}") as refused:
        Signer.load(private, "1")
    assert "\n" not in str(refused.value)
    private.chmod(0o640)
    with pytest.raises(Stopped, match="chmod 600"):
        Signer.load(private, "1")


def test_a_2048_bit_key_is_refused(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = tmp_path / "big.pem"
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with pytest.raises(Stopped, match="2048-bit RSA key; Skatteetaten accepts only 1024"):
        Signer.load(private, "1")


def test_a_missing_or_wrong_key_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(Stopped, match=r"does not exist.*kassa keys generate"):
        Signer.load(missing, "1")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key\n")
    junk.chmod(0o600)
    with pytest.raises(Stopped, match="not a PEM private key"):
        Signer.load(junk, "1")


def test_an_unreadable_key_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private = tmp_path / "k.pem"
    generate_key_pair(private, tmp_path / "k.pub.pem")

    def denied(self: Path) -> bytes:  # what a key owned by another user gives (root reads all)
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(Stopped, match=r"cannot be read \(Permission denied\).*chmod 600"):
        Signer.load(private, "1")


def test_the_till_does_not_open_with_a_key_others_can_read(config: Config) -> None:
    key_file(config).chmod(0o644)
    with pytest.raises(Stopped, match="chmod 600"):
        open_till(config)
    assert not config.database.exists()  # refused before anything was created


# --- Config ---------------------------------------------------------------------------------


def test_signing_settings(tmp_path: Path) -> None:
    config = load(REPO_CONFIG)
    assert config.signing.enabled
    assert config.signing.key_file == REPO_CONFIG.parent / "var" / "signing-key.pem"
    assert config.signing.public_key_file == REPO_CONFIG.parent / "var" / "signing-key.pub.pem"
    assert config.signing.key_version == "1"
    text = REPO_CONFIG.read_text(encoding="utf-8")
    missing = text.replace('key_file = "var/signing-key.pem"\n', "")
    with pytest.raises(ConfigError, match=r"signing\.key_file: is missing"):
        load(write_config(tmp_path, missing))
    with pytest.raises(ConfigError, match=r"signing\.key_version: must be text"):
        load(write_config(tmp_path, text.replace('key_version = "1"', "key_version = 1")))
    off = load(write_config(tmp_path, missing.replace("enabled = true", "enabled = false")))
    assert not off.signing.enabled and off.signing.key_file is None


# --- The chain through the real till --------------------------------------------------------


def test_three_sales_form_a_chain_the_public_key_alone_verifies(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    sell(till, cashier, ROMME)
    time.advance(61)
    sell(till, cashier, PILSNER, VG)
    time.advance(3600)
    sell(till, cashier, PILSNER)
    public_file = till.config.signing.public_key_file
    assert public_file is not None
    public_key = serialization.load_pem_public_key(public_file.read_bytes())
    assert isinstance(public_key, rsa.RSAPublicKey)
    previous = "0"
    signed = sales(till)
    assert [row[0] for row in signed] == [1, 2, 3]
    for nr, date, local_time, total, vat, signature, version in signed:
        data = f"{previous};{date};{local_time};{nr};{total / 100:.2f};{(total - vat) / 100:.2f}"
        assert data.startswith(previous + ";")
        public_key.verify(
            base64.b64decode(signature), data.encode(), padding.PKCS1v15(), hashes.SHA1()
        )
        assert version == "1"
        previous = signature
    # Oslo wall-clock time as on the receipt (11:00 UTC is 12:00 in November).
    assert [row[1:3] for row in signed] == [
        ("2026-11-27", "12:00:00"),
        ("2026-11-27", "12:01:01"),
        ("2026-11-27", "13:01:01"),
    ]
    rows = chain_rows(till.db, till.config.register_id)
    assert verify_chain(rows, public_file.read_bytes()) is None


def test_a_changed_amount_is_named(till: Till, cashier: Person) -> None:
    for code in (ROMME, PILSNER, VG):
        sell(till, cashier, code)
    pem = key_pem(till)
    till.db.execute_sql("DROP TRIGGER sale_no_update")
    till.db.execute_sql("UPDATE sale SET total_ore = total_ore - 100 WHERE receipt_nr = 2")
    assert verify_chain(chain_rows(till.db, till.config.register_id), pem) == 2


def test_a_removed_or_reordered_sale_breaks_the_chain(till: Till, cashier: Person) -> None:
    for code in (ROMME, PILSNER, VG):
        sell(till, cashier, code)
    rows = chain_rows(till.db, till.config.register_id)
    pem = key_pem(till)
    assert verify_chain(rows, pem) is None
    assert verify_chain([rows[0], rows[2]], pem) == 3  # its predecessor is gone
    assert verify_chain([rows[1], rows[0], rows[2]], pem) == 2
    unsigned = ChainRow("4", "2026-11-27", "12:00:00", 100, 80, None)
    assert verify_chain([*rows, unsigned], pem) == 4
    other = tmp_key_pem(till)
    assert verify_chain(rows, other) == 1  # signed with another key


def test_the_chain_survives_a_restart(
    till: Till, cashier: Person, time: SteeredTime, config: Config
) -> None:
    sell(till, cashier, ROMME)
    till.db.close()
    reopened = open_till(config, clock=Clock(source=time))
    person = reopened.users.sign_in("1", "1111")
    sell(reopened, person, PILSNER)
    rows = chain_rows(reopened.db, config.register_id)
    assert verify_chain(rows, key_pem(reopened)) is None
    assert len(rows) == 2
    reopened.db.close()


def test_signing_off_signs_nothing(tmp_path: Path, time: SteeredTime) -> None:
    text = REPO_CONFIG.read_text(encoding="utf-8").replace("enabled = true", "enabled = false")
    text = text.replace('key_file = "var/signing-key.pem"', 'key_file = "var/none.pem"')
    config = load(write_config(tmp_path, text))
    till = open_till(config, clock=Clock(source=time))  # the key file is not even looked at
    load_demo(till.db, till.users)
    sell(till, till.users.sign_in("1", "1111"), ROMME)
    assert [row[5:] for row in sales(till)] == [(None, None)]
    assert till.sales.signer is None
    till.db.close()


def key_pem(till: Till) -> bytes:
    assert till.sales.signer is not None
    return till.sales.signer.public_key_pem()


def tmp_key_pem(till: Till) -> bytes:
    folder = till.config.database.parent / "other"
    generate_key_pair(folder / "k.pem", folder / "k.pub.pem")
    return (folder / "k.pub.pem").read_bytes()


def test_a_forged_signature_does_not_verify(till: Till, cashier: Person) -> None:
    sell(till, cashier, ROMME)
    nr, date, local_time, total, vat, signature, _ = sales(till)[0]
    raw = bytearray(base64.b64decode(signature))
    raw[0] ^= 1
    forged = base64.b64encode(bytes(raw)).decode()
    data = signing_string(None, date, local_time, str(nr), total, total - vat)
    assert data == "0;2026-11-27;12:00:00;1;24.90;21.65"
    public_key = serialization.load_pem_public_key(key_pem(till))
    assert isinstance(public_key, rsa.RSAPublicKey)
    with pytest.raises(InvalidSignature):
        public_key.verify(
            base64.b64decode(forged), data.encode(), padding.PKCS1v15(), hashes.SHA1()
        )
    assert verify(key_pem(till), data, signature)
    assert not verify(key_pem(till), data, forged)
