"""The SAF-T signature chain: every completed transaction is signed, each over the one before.

Skatteetaten's recipe (norway-rules.md § 6): RSA-SHA1 with a 1024-bit key, PKCS#1 v1.5 padding,
Base64 without line breaks, over

    <previous signature>;<transDate>;<transTime>;<nr>;<transAmntIn>;<transAmntEx>

with the literal `0` for the first transaction of a register, the Oslo wall-clock date and time
as stored on the sale, amounts with two decimals and a dot, and no trailing `;`.

The private key is the supplier's: it never lives in the repository, and kassa refuses a key
file anyone but the till's user could read. `generate_key_pair` makes one for a demo or test
shop; the public key (PEM, SubjectPublicKeyInfo) is what goes with RF-1348.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from peewee import SqliteDatabase

from kassa_tui.core.errors import Stopped
from kassa_tui.core.i18n import _
from kassa_tui.core.money import saft_amount

#: The only modulus size Skatteetaten's validator accepts.
KEY_BITS = 1024
#: The first transaction of a register signs over this instead of a previous signature.
FIRST = "0"


def signing_string(
    prev: str | None,
    trans_date: str,
    trans_time: str,
    nr: str,
    amount_in_ore: int,
    amount_ex_ore: int,
) -> str:
    """The text that is signed: '0;2016-11-24;10:39:00;2;1.00;0.96' for a first transaction."""
    return ";".join(
        (
            prev or FIRST,
            trans_date,
            trans_time,
            nr,
            saft_amount(amount_in_ore),
            saft_amount(amount_ex_ore),
        )
    )


class Signer:
    """The till's private key, checked once when the till opens it, and its key version."""

    def __init__(self, private_key: rsa.RSAPrivateKey, key_version: str) -> None:
        self._key = private_key
        self.key_version = key_version

    @classmethod
    def load(cls, path: Path, key_version: str) -> Signer:
        """Open the key file; raises `Stopped` with one line saying what is wrong and the fix."""
        where = _("signing key {path}").format(path=path)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise Stopped(
                _(
                    "{where} does not exist: the supplier provisions the till's key"
                    " (for a demo or test shop: kassa keys generate)"
                ).format(where=where)
            ) from None
        except OSError as exc:
            message = _("{where} cannot be read ({error})").format(where=where, error=exc.strerror)
            raise Stopped(message) from None
        if not stat.S_ISREG(mode):
            raise Stopped(_("{where} is not a file").format(where=where))
        if mode & 0o077:
            raise Stopped(
                _("{where} can be read by others (mode {mode}); run: chmod 600 {path}").format(
                    where=where, mode=f"{stat.S_IMODE(mode):04o}", path=path
                )
            )
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise Stopped(
                _(
                    "{where} cannot be read ({error}); it must belong to the till's user:"
                    " chown <till user> {path} && chmod 600 {path}"
                ).format(where=where, error=exc.strerror, path=path)
            ) from None
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except TypeError:
            message = _("{where} is encrypted; kassa needs it without a passphrase")
            raise Stopped(message.format(where=where)) from None
        except (ValueError, UnsupportedAlgorithm):
            message = _("{where} is not a PEM private key (make one with: kassa keys generate)")
            raise Stopped(message.format(where=where)) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            message = _("{where} is not an RSA key; SAF-T signatures need RSA-SHA1-1024")
            raise Stopped(message.format(where=where))
        if key.key_size != KEY_BITS:
            raise Stopped(
                _(
                    "{where} is a {bits}-bit RSA key; Skatteetaten accepts only"
                    " {accepted} bits (make one with: kassa keys generate)"
                ).format(where=where, bits=key.key_size, accepted=KEY_BITS)
            )
        return cls(key, key_version)

    def sign(self, data: str) -> str:
        """RSA-SHA1 (PKCS#1 v1.5) of the UTF-8 bytes, Base64 without line breaks."""
        raw = self._key.sign(data.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())
        return base64.b64encode(raw).decode("ascii")

    def public_key_pem(self) -> bytes:
        return _public_pem(self._key)


def public_pem_of(key: rsa.RSAPrivateKey) -> bytes:
    return _public_pem(key)


def _public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(public_key_pem: bytes) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(public_key_pem)
    except (ValueError, UnsupportedAlgorithm):
        raise Stopped(_("the public key is not a PEM public key (BEGIN PUBLIC KEY)")) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise Stopped(_("the public key is not an RSA key"))
    return key


def _verifies(key: rsa.RSAPublicKey, data: str, signature_b64: str) -> bool:
    try:
        raw = base64.b64decode(signature_b64, validate=True)
        key.verify(raw, data.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def verify(public_key_pem: bytes, data: str, signature_b64: str) -> bool:
    """Does `signature_b64` sign `data` with the private half of this public key?"""
    return _verifies(load_public_key(public_key_pem), data, signature_b64)


@dataclass(frozen=True)
class ChainRow:
    """One signed transaction as stored, in chain order."""

    nr: str
    local_date: str
    local_time: str
    amount_in_ore: int
    amount_ex_ore: int
    signature: str | None
    key_version: str | None = None


def verify_chain(rows: Iterable[ChainRow], public_key_pem: bytes) -> int | None:
    """The nr of the first transaction whose signature does not verify, or None when all do.

    `rows` are one register's transactions in chain order. A row that was altered, signed out
    of order or not signed at all is named; the ones after it are not looked at.
    """
    key = load_public_key(public_key_pem)
    prev: str | None = None
    for row in rows:
        data = signing_string(
            prev, row.local_date, row.local_time, row.nr, row.amount_in_ore, row.amount_ex_ore
        )
        if not row.signature or not _verifies(key, data, row.signature):
            return int(row.nr)
        prev = row.signature
    return None


@dataclass(frozen=True)
class ChainCheck:
    """A register's chain checked with each sale's own key version."""

    bad_nr: int | None  # the first sale whose signature does not verify
    unknown: dict[str, list[str]]  # a key version not registered → the receipts it signed


def verify_chain_by_version(rows: Iterable[ChainRow], keys: dict[str, bytes]) -> ChainCheck:
    """Like `verify_chain`, each row checked with the public key of the version it was signed
    with. A row whose version is not in `keys` cannot be checked: it is named in `unknown` and
    the chain goes on over its signature."""
    loaded = {version: load_public_key(pem) for version, pem in keys.items()}
    unknown: dict[str, list[str]] = {}
    prev: str | None = None
    for row in rows:
        key = loaded.get(row.key_version or "")
        if row.signature and key is None:
            unknown.setdefault(row.key_version or "", []).append(row.nr)
            prev = row.signature
            continue
        data = signing_string(
            prev, row.local_date, row.local_time, row.nr, row.amount_in_ore, row.amount_ex_ore
        )
        if key is None or not row.signature or not _verifies(key, data, row.signature):
            return ChainCheck(int(row.nr), unknown)
        prev = row.signature
    return ChainCheck(None, unknown)


def chain_rows(database: SqliteDatabase, register_id: str) -> list[ChainRow]:
    """A register's sales in chain order, as `Sales` signed them."""
    cursor = database.execute_sql(
        "SELECT receipt_nr, local_date, local_time, total_ore, total_ore - vat_ore, signature,"
        " key_version FROM sale WHERE register_id = ? ORDER BY id",
        (register_id,),
    )
    return [
        ChainRow(str(nr), date, time, amount_in, amount_ex, signature, version)
        for nr, date, time, amount_in, amount_ex, signature, version in cursor.fetchall()
    ]


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def generate_key_pair(private_path: Path, public_path: Path, *, overwrite: bool = False) -> bytes:
    """A new 1024-bit RSA key: the private half mode 0600, the public half as PEM for RF-1348.

    Returns the public key's PEM.
    """
    key = new_private_key()
    write_key_pair(key, private_path, public_path, overwrite=overwrite)
    return _public_pem(key)


def write_key_pair(
    key: rsa.RSAPrivateKey, private_path: Path, public_path: Path, *, overwrite: bool = False
) -> None:
    """The private half mode 0600, the public half as PEM.

    The private file is created 0600 from the first byte (never readable by others, not even
    briefly). Without `overwrite` an existing key is never replaced (`FileExistsError`); with
    it, the new key replaces the old in one rename.
    """
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    if overwrite:
        staged = private_path.with_name(f".{private_path.name}.new")
        staged.unlink(missing_ok=True)
        _write_exclusive(staged, private_pem, 0o600)
        os.replace(staged, private_path)
    else:
        _write_exclusive(private_path, private_pem, 0o600)
    staged_public = public_path.with_name(f".{public_path.name}.new")
    staged_public.unlink(missing_ok=True)
    _write_exclusive(staged_public, _public_pem(key), 0o644)
    os.replace(staged_public, public_path)


def _write_exclusive(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # the umask may only take bits away; make the mode exact
        with os.fdopen(fd, "wb") as file:
            fd = -1
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    finally:
        if fd != -1:
            os.close(fd)
