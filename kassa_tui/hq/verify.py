"""`kassa hq verify`: every register's chains checked at HQ from its first entry (issue 15).

For each register, what HQ holds is read back in seq order and checked as an auditor would:

- the journal chain: seqs 1, 2, 3 … with none missing, each entry's payload hashing to its hash
  and naming the hash before it, the entry's columns equal to what its payload says, and the
  register's last seq/hash equal to the last entry (an entry deleted or altered at HQ, even by
  a superuser past the append-only triggers, is named);
- each transaction's record (sale, lines, payments) hashing to the content its journal row names,
  and the derived sales rows equal to the record (reports are made from those);
- the SAF-T signature chain (records.signing's recipe) over every transaction, each checked with
  the public key of the key version it was signed with. A key version counts only once the
  register's own chain registers it (a KEYREG row: version and fingerprint) and HQ holds the
  public key with that fingerprint (`kassa hq register key`): a rotation is accepted when it
  arrives in the chain, a key handed to HQ that the till never journaled signs nothing;
- a fork HQ recorded at ingest (a till whose journal no longer extends what HQ holds).

The till's side of the same anchor is kassa_tui.sync.pull.check_against_hq: HQ's last seq and
hash for its register (`hq_anchor`, which the register's own role may call) against the local
journal, at every `kassa sync`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from psycopg import Connection

from kassa_tui.core.i18n import _
from kassa_tui.records.journal import GENESIS
from kassa_tui.records.keyring import fingerprint
from kassa_tui.records.signing import ChainRow, verify_chain_by_version

ANNOUNCING = ("SALE", "RETURN", "RETURNNORECEIPT", "TRAINING")
_ENTRIES = (
    "SELECT seq, uuid::text, event_code, basic_id, user_number, utc, local_date, local_time,"
    " text, sale_id, prev_hash, hash, payload, record FROM entry WHERE register_id = %s"
    " ORDER BY seq"
)


@dataclass
class RegisterCheck:
    register_id: str
    shop_id: str
    entries: int = 0
    transactions: int = 0
    signed: int = 0
    last_seq: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "register": self.register_id,
            "shop": self.shop_id,
            "entries": self.entries,
            "transactions": self.transactions,
            "signed": self.signed,
            "last_seq": self.last_seq,
            "ok": self.ok,
            "problems": self.problems,
        }


def add_key(conn: Connection[Any], register_id: str, public_pem: bytes) -> str:
    """Give HQ a register's public key (PEM); returns its fingerprint. The same key again is a
    no-op. It signs nothing until the register's journal registers its fingerprint."""
    print_ = fingerprint(public_pem)  # Stopped when it is not an RSA public key
    with conn.transaction():
        found = conn.execute(
            "SELECT 1 FROM register WHERE register_id = %s", (register_id,)
        ).fetchone()
        if found is None:
            raise LookupError(register_id)
        conn.execute(
            "INSERT INTO register_key (register_id, fingerprint, public_pem) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (register_id, print_, public_pem.decode("ascii")),
        )
    return print_


def verify_all(conn: Connection[Any], register_id: str | None = None) -> list[RegisterCheck]:
    """Every register (or one), checked; registers in ID order."""
    rows = conn.execute(
        "SELECT register_id, shop_id FROM register WHERE %s::text IS NULL OR register_id = %s"
        " ORDER BY register_id",
        (register_id, register_id),
    ).fetchall()
    return [verify_register(conn, str(reg), str(shop)) for reg, shop in rows]


def _entries(conn: Connection[Any], register_id: str) -> Iterator[tuple[Any, ...]]:
    """The register's entries in seq order, streamed (a server-side cursor)."""
    with conn.transaction(), conn.cursor(name="kassa_verify") as cursor:
        cursor.itersize = 2000
        cursor.execute(_ENTRIES, (register_id,))
        yield from cursor


def verify_register(conn: Connection[Any], register_id: str, shop_id: str) -> RegisterCheck:
    check = RegisterCheck(register_id, shop_id)
    problems = check.problems
    reg = conn.execute(
        "SELECT last_seq, last_hash, forked, fork_seq FROM register WHERE register_id = %s",
        (register_id,),
    ).fetchone()
    assert reg is not None
    last_seq, last_hash, forked, fork_seq = int(reg[0]), str(reg[1]), bool(reg[2]), reg[3]
    keys_at_hq = {
        str(p): str(pem).encode("ascii")
        for p, pem in conn.execute(
            "SELECT fingerprint, public_pem FROM register_key WHERE register_id = %s",
            (register_id,),
        ).fetchall()
    }
    if forked:
        problems.append(
            _(
                "the till's journal no longer extends what HQ holds: it sent a different entry"
                " {seq} (a fork; restored from an old copy?)"
            ).format(seq=fork_seq)
        )
    expected_seq, prev = 1, GENESIS
    chain: list[ChainRow] = []
    chain_seqs: list[int] = []
    keyreg: dict[str, tuple[str, int]] = {}  # version -> (fingerprint, seq)
    broken = False
    for row in _entries(conn, register_id):
        seq, uuid, code, basic, user, utc, date, time, text, sale_id = row[:10]
        prev_hash, digest, payload, record = row[10:]
        check.entries += 1
        if broken:
            continue
        if seq != expected_seq:
            problems.append(
                _("entry {seq} is missing at HQ (deleted?): the chain jumps to {next}").format(
                    seq=expected_seq, next=seq
                )
            )
            broken = True
            continue
        if hashlib.sha256(payload.encode("utf-8")).hexdigest() != digest:
            problems.append(
                _("entry {seq} at HQ does not hash to its hash: it was changed").format(seq=seq)
            )
            broken = True
            continue
        fields = json.loads(payload)
        columns = [prev_hash, register_id, seq, uuid, code, basic, user, utc, date, time, text]
        if fields[:11] != columns or fields[11] != sale_id:
            problems.append(
                _("entry {seq} at HQ no longer matches the journal row it stores").format(seq=seq)
            )
            broken = True
            continue
        if prev_hash != prev:
            problems.append(
                _("entry {seq} does not follow entry {before}: the chain breaks").format(
                    seq=seq, before=seq - 1
                )
            )
            broken = True
            continue
        prev, expected_seq = digest, seq + 1
        details = json.loads(text) if text else {}
        if basic == "KEYREG":
            keyreg[str(details.get("key_version"))] = (str(details.get("fingerprint")), seq)
        if basic in ANNOUNCING and sale_id is not None and record is not None:
            if hashlib.sha256(record.encode("utf-8")).hexdigest() != details.get("content"):
                problems.append(
                    _("entry {seq}: its transaction does not match the content it names").format(
                        seq=seq
                    )
                )
                broken = True
                continue
            sale = json.loads(record)[0]
            check.transactions += 1
            total, vat = int(sale[6]), int(sale[7])
            chain.append(
                ChainRow(str(sale[1]), sale[12], sale[13], total, total - vat, sale[14], sale[15])
            )
            chain_seqs.append(seq)
    check.last_seq = expected_seq - 1
    if not broken and (check.last_seq, prev) != (last_seq, last_hash):
        problems.append(
            _("HQ's register row says seq {seq}, its entries end at {last}").format(
                seq=last_seq, last=check.last_seq
            )
        )
    _check_derived(conn, check)
    _check_signatures(check, chain, chain_seqs, keyreg, keys_at_hq)
    return check


def _check_derived(conn: Connection[Any], check: RegisterCheck) -> None:
    """The sales rows reports are made from against the records they were derived from."""
    bad = conn.execute(
        "SELECT e.seq FROM entry e LEFT JOIN sale s USING (register_id, seq)"
        " WHERE e.register_id = %s AND e.record IS NOT NULL AND (s.seq IS NULL"
        " OR s.receipt_nr <> ((e.record::jsonb)->0->>1)::bigint"
        " OR s.total_ore <> ((e.record::jsonb)->0->>6)::bigint"
        " OR s.vat_ore <> ((e.record::jsonb)->0->>7)::bigint"
        " OR s.signature IS DISTINCT FROM (e.record::jsonb)->0->>14"
        " OR (SELECT COALESCE(sum(amount_ore), 0) FROM sale_line l"
        "     WHERE l.register_id = e.register_id AND l.seq = e.seq) <> (SELECT"
        "     COALESCE(sum((x->>9)::bigint), 0) FROM jsonb_array_elements((e.record::jsonb)->1) x))"
        " ORDER BY e.seq LIMIT 10",
        (check.register_id,),
    ).fetchall()
    for (seq,) in bad:
        check.problems.append(
            _("the sales rows of entry {seq} no longer match its transaction").format(seq=seq)
        )


def _check_signatures(
    check: RegisterCheck,
    chain: list[ChainRow],
    seqs: list[int],
    keyreg: dict[str, tuple[str, int]],
    keys_at_hq: dict[str, bytes],
) -> None:
    keys: dict[str, bytes] = {}
    for version, (print_, _seq) in sorted(keyreg.items()):
        if print_ in keys_at_hq:
            keys[version] = keys_at_hq[print_]
        else:
            check.problems.append(
                _(
                    "key version {version} (fingerprint {fingerprint}…) is registered in the"
                    " journal but HQ has no public key for it: kassa hq register key"
                ).format(version=version, fingerprint=print_[:16])
            )
    # The first KEYREG may come after sales: a till upgraded from before key versions
    # registers the key it already signed with at its first start (records.keyring.adopt).
    first = min((seq for _print, seq in keyreg.values()), default=0)
    for row, seq in zip(chain, seqs, strict=True):
        journaled = keyreg.get(row.key_version or "")
        if row.signature and journaled is not None and first < journaled[1] > seq:
            check.problems.append(
                _(
                    "receipt {nr} (entry {seq}) is signed with key version {version}, which the"
                    " journal registers only later"
                ).format(nr=row.nr, seq=seq, version=row.key_version)
            )
    if not chain:
        return
    result = verify_chain_by_version(chain, keys)
    for version, receipts in sorted(result.unknown.items()):
        if version not in keyreg:
            check.problems.append(
                _(
                    "{n} receipts (from {first}) are signed with key version {version}, which"
                    " the journal never registered"
                ).format(n=len(receipts), first=receipts[0], version=version)
            )
    if result.bad_nr is not None:
        check.problems.append(
            _("the signature of receipt {nr} does not verify: the chain breaks there").format(
                nr=result.bad_nr
            )
        )
    unknown = {nr for receipts in result.unknown.values() for nr in receipts}
    check.signed = sum(1 for row in chain if row.signature and row.nr not in unknown)
