"""Every public key the till has signed with, by key version: the `signing_key` table.

A sale stores the key version it was signed with, so `kassa journal verify` checks each sale
with that version's public key, and a new key (`kassa keys generate`, a technician's PIN) never
makes the old history stop verifying. The newest registered version is the one the till signs
with: the database, not kassa.toml, holds the active version, so a rotation is one journaled
step and cannot be half done by a forgotten edit of kassa.toml (whose `signing.key_version`
only names the version of a till's first key). A key file replaced behind kassa's back is not
registered, and the till refuses to sign with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from peewee import SqliteDatabase

from kassa_tui.core.errors import Stopped
from kassa_tui.core.i18n import _
from kassa_tui.records.journal import Event, Journal
from kassa_tui.records.signing import Signer, load_public_key


@dataclass(frozen=True)
class RegisteredKey:
    version: str
    public_pem: bytes
    fingerprint: str
    registered_by: int | None


def fingerprint(public_pem: bytes) -> str:
    """SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex."""
    der = load_public_key(public_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def registered(database: SqliteDatabase) -> list[RegisteredKey]:
    """The registered keys, oldest first; the last one is the key the till signs with."""
    cursor = database.execute_sql(
        "SELECT version, public_pem, fingerprint, registered_by FROM signing_key ORDER BY rowid"
    )
    return [
        RegisteredKey(version, pem.encode("ascii"), print_, by)
        for version, pem, print_, by in cursor.fetchall()
    ]


def public_keys(database: SqliteDatabase) -> dict[str, bytes]:
    """Key version → public key PEM, for checking each sale with the key it was signed with."""
    return {key.version: key.public_pem for key in registered(database)}


def next_version(database: SqliteDatabase, first: str) -> str:
    """The version a new key gets: one above every version registered or found on a sale,
    `first` (kassa.toml's signing.key_version) when there is none."""
    used = {key.version for key in registered(database)}
    used |= {
        version
        for (version,) in database.execute_sql(
            "SELECT DISTINCT key_version FROM sale WHERE key_version IS NOT NULL"
        ).fetchall()
    }
    if not used:
        return first
    numbers = [int(version) for version in used if version.isdigit()]
    candidate = max(numbers, default=0) + 1
    while str(candidate) in used:
        candidate += 1
    return str(candidate)


def register(
    database: SqliteDatabase,
    journal: Journal,
    public_pem: bytes,
    version: str,
    user: int | None,
) -> str:
    """Add a key version and journal it (KEYREG: version and fingerprint); call inside a
    transaction. Returns the fingerprint."""
    print_ = fingerprint(public_pem)
    instant = journal.write(
        Event.KEY_REGISTERED, user=user, key_version=version, fingerprint=print_
    )
    database.execute_sql(
        "INSERT INTO signing_key (version, public_pem, fingerprint, registered_utc,"
        " registered_by) VALUES (?, ?, ?, ?, ?)",
        (version, public_pem.decode("ascii"), print_, instant.utc_text, user),
    )
    return print_


def adopt(database: SqliteDatabase, journal: Journal, signer: Signer, key_file: Path) -> None:
    """At the till's start: sign as the registered version of the key on disk.

    A till with no key registered yet (a new shop, or the first start after upgrading) registers
    it, journaled, as kassa.toml's version. A key that is not the newest registered one is
    refused: it was replaced (or put back) behind kassa's back.
    """
    if not database.table_exists("signing_key"):
        return  # an older kassa's schema (the upgrade tests run one): it has no key versions
    with database.atomic("IMMEDIATE"):
        keys = registered(database)
        if not keys:
            register(database, journal, signer.public_key_pem(), signer.key_version, None)
            return
        refusal = refuse(keys, signer, key_file)
        if refusal is None:
            signer.key_version = keys[-1].version
            return
    raise Stopped(refusal)


def refuse(keys: list[RegisteredKey], signer: Signer, key_file: Path) -> str | None:
    """Why the till must not sign with `signer` (None: it is the newest registered key)."""
    mine = fingerprint(signer.public_key_pem())
    newest = keys[-1]
    if mine == newest.fingerprint:
        return None
    retired = next((key for key in keys if key.fingerprint == mine), None)
    if retired is not None:
        return _(
            "signing key {path} is key version {version}, replaced by version {newest}:"
            " put version {newest}'s key back"
        ).format(path=key_file, version=retired.version, newest=newest.version)
    return _(
        "signing key {path} is not the shop's registered key (version {version}, fingerprint"
        " {fingerprint}…): it was replaced outside kassa. Put the registered key back, or"
        " register a new one: kassa keys generate --force (a technician's PIN)"
    ).format(path=key_file, version=newest.version, fingerprint=newest.fingerprint[:16])


def check_registry(database: SqliteDatabase) -> list[str]:
    """The signing keys against the journal rows that registered them (KEYREG): each key row's
    public key has its fingerprint and has a KEYREG row with its version and fingerprint, and
    each KEYREG row has its key row. A key row inserted, changed or deleted with SQL (to make
    sales signed with a swapped key verify, or to hide a rotation) is named; [] when all agree.
    Rewriting the KEYREG rows as well needs the journal chain recomputed, which the printed
    head and the backups catch (records.anchors)."""
    if not database.table_exists("signing_key"):
        return []
    problems: list[str] = []
    journaled: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for register, seq, version, print_ in database.execute_sql(
        "SELECT register_id, seq, json_extract(text, '$.key_version'),"
        " json_extract(text, '$.fingerprint') FROM journal WHERE basic_id = ? AND json_valid(text)"
        " ORDER BY register_id, seq",
        (Event.KEY_REGISTERED[1],),
    ):
        journaled.setdefault((str(version), str(print_)), []).append((str(register), int(seq)))
    keys = registered(database)
    for key in keys:
        try:
            actual = fingerprint(key.public_pem)
        except (ValueError, TypeError):
            actual = ""
        if actual != key.fingerprint:
            problems.append(
                _(
                    "signing key version {version}: its public key is not the one its"
                    " fingerprint {fingerprint}… names: it was changed in the database"
                ).format(version=key.version, fingerprint=key.fingerprint[:16])
            )
        if journaled.pop((key.version, key.fingerprint), None) is None:
            problems.append(
                _(
                    "signing key version {version} (fingerprint {fingerprint}…) has no KEYREG"
                    " journal row: it was added or changed in the database, not by kassa"
                ).format(version=key.version, fingerprint=key.fingerprint[:16])
            )
    for (version, print_), rows in sorted(journaled.items()):
        register, seq = rows[0]
        problems.append(
            _(
                "journal row {seq} of register {register} (KEYREG) registered signing key"
                " version {version} (fingerprint {fingerprint}…), which the database no longer"
                " holds: it was deleted or changed"
            ).format(seq=seq, register=register, version=version, fingerprint=print_[:16])
        )
    return problems
