"""Checking a SAF-T Cash Register file's signature chains with the supplier's public key.

Any file is streamed, kassa's or another system's: a year's file takes the memory of one
transaction. What is checked is what Skatteetaten checks: each transaction's signature over
the one before it, so an altered, missing or foreign-key transaction is named.

Nothing the file says about itself is trusted. Where a register's chain *starts* is proven when
its first transaction is the register's very first (signed over "0") or when it goes on from
the last transaction of the previous export (`previous`); kassa's header comment, which names
the signature a chain continues from, only lets the first transaction be checked at all, and
the start is then reported as not proven. Where a chain *ends* is proven against what the export
recorded outside the file: the `.head` file written beside it and the export's own journal row
(13020) on the till. A file cut at either end, with its header made to match, is named.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from peewee import PeeweeException, SqliteDatabase

from kassa_tui.core.i18n import _
from kassa_tui.records.anchors import check_export_row, check_head, export_rows, journaled_ends
from kassa_tui.records.signing import FIRST, load_public_key
from kassa_tui.saft.codes import NS, chains_in
from kassa_tui.saft.export import head_path, read_ends, read_heads

#: Each register's last transaction, (receipt number, signature), or None when it has none.
Ends = Mapping[str, tuple[int, str] | None]


@dataclass
class Chain:
    """One register's transactions in a file, as checked."""

    transactions: int = 0
    last: tuple[int, str] | None = None  # (nr, signature) of the last transaction
    start: str = "none"  # "first", "previous", "header" (not proven) or "none" (no transaction)


@dataclass
class SaftCheck:
    """What `check_saft` found. `problems`: what is wrong (the file must not be trusted);
    `unproven`: what nothing outside the file could confirm, said plainly."""

    problems: list[str] = field(default_factory=list)
    unproven: list[str] = field(default_factory=list)
    chains: dict[str, Chain] = field(default_factory=dict)


def verify_saft(
    path: Path, public_key_pem: bytes, previous: Mapping[str, str] | None = None
) -> list[str]:
    """The problems `check_saft` finds in the signature chains ([] when every one holds)."""
    return check_saft(path, public_key_pem, previous).problems


def check_saft(
    path: Path,
    public_key_pem: bytes,
    previous: Mapping[str, str] | None = None,
    ends: Sequence[tuple[str, Ends]] = (),
    previous_name: str = "the previous export",
) -> SaftCheck:
    """Check every register's signature chain in a SAF-T Cash Register file.

    Each transaction's signing string is rebuilt from its own elements (previous signature or
    "0"; transDate; transTime; nr; transAmntIn; transAmntEx) and checked with RSA-SHA1. A
    register's first transaction goes on from `previous` (its last signature in the export
    before, by registerID) when given, else from "0"; a first transaction that only verifies
    over the signature the header comment names is checked, but its start is not proven.
    `ends`: (where it was recorded, each register's last transaction) to hold the file's ends
    against. Read as a stream: a year's file is fine.
    """
    key = load_public_key(public_key_pem)
    result = SaftCheck()
    chains: dict[str, str] = {}
    register, prev, chain = "?", FIRST, Chain()
    stack: list[ET.Element] = []
    try:
        for action, elem in ET.iterparse(path, events=("start", "end")):
            tag = elem.tag.rpartition("}")[2] if elem.tag.startswith(f"{{{NS}}}") else None
            if action == "start":
                if not stack and tag != "auditfile":
                    result.problems.append(
                        f"{path.name} is not a SAF-T Cash Register file ({elem.tag})"
                    )
                    return result
                stack.append(elem)
                if tag == "cashregister":
                    register, chain = "?", Chain()
                continue
            stack.pop()
            if tag == "headerComment":
                chains = chains_in(elem.text or "")
            elif tag == "registerID" and _local(stack[-1]) == "cashregister":
                register = (elem.text or "").strip()
                chain = result.chains.setdefault(register, chain)
            elif tag == "cashtransaction":
                if chain.transactions == 0:
                    prev = _start(key, elem, register, chain, previous, chains)
                    if chain.start == "header":
                        result.unproven.append(
                            _not_proven_start(register, elem, previous, previous_name)
                        )
                problem, prev = _check(key, elem, register, prev)
                if problem:
                    result.problems.append(problem)
                chain.transactions += 1
                signature = (elem.findtext(f"{{{NS}}}signature") or "").strip()
                chain.last = (_nr(elem), signature)
            if tag in ("cashtransaction", "event", "article", "employee", "basic"):
                stack[-1].remove(elem)  # done with it: memory stays flat
    except ET.ParseError as exc:
        result.problems.append(f"{path.name} is not well-formed XML ({exc})")
        return result
    for source, recorded in ends:
        result.problems += check_ends(result.chains, recorded, source)
    return result


def verify_export(
    path: Path,
    public_key_pem: bytes,
    previous: Path | None = None,
    database: Path | None = None,
) -> SaftCheck:
    """`kassa saft verify`: the file's chains (`check_saft`), their start against `previous`
    (the export of the period just before) and their end against what the export recorded:
    the `.head` file beside it and, given the till's `database`, the export's journal row.
    ValueError when `previous` is not well-formed XML."""
    before = last_signatures(previous) if previous is not None else None
    ends: list[tuple[str, Ends]] = []
    extra: list[str] = []
    heads = None
    sidecar_ends: Ends | None = None
    sidecar = head_path(path)
    if sidecar.exists():
        try:
            heads = read_heads(path)
            recorded = read_ends(path)
        except ValueError as exc:
            extra.append(_("{problem}: it was changed").format(problem=exc))
        else:
            if recorded is not None:
                ends.append((sidecar.name, recorded))
                sidecar_ends = recorded
    rows: list[dict[str, object]] = []
    if database is not None:
        try:
            rows, wrong = _on_the_till(database, path.name, heads, sidecar_ends)
        except (PeeweeException, sqlite3.Error):
            rows, wrong = [], None  # not a database this kassa can read: checked as if away
        if wrong is not None:
            extra.append(wrong)
    if rows:
        # Two exports into two folders in one second share a name: the one with this .head's.
        wanted = {r: f"{seq}:{digest}" for r, (seq, digest) in (heads or {}).items()}
        row = next((r for r in rows if r.get("journal_heads") == wanted), rows[-1])
        journaled = journaled_ends(row)
        if journaled is not None:
            ends.append((_("the export's journal row (13020)"), journaled))
    result = check_saft(
        path,
        public_key_pem,
        before,
        ends,
        previous.name if previous is not None else "the previous export",
    )
    result.problems += extra
    if not ends and result.chains and not (sidecar.exists() and heads is None):
        if sidecar.exists():
            text = _(
                "where the chains end: {name} is from before kassa recorded each register's"
                " last transaction, so a transaction cut from the end would not show. Check the"
                " file on the till that exported it"
            )
        else:
            text = _(
                "where the chains end: no {name} beside it records each"
                " register's last transaction, so a transaction cut from the end would not"
                " show. Keep each export's .head beside it, or check the file on the till that"
                " exported it"
            )
        result.unproven.append(text.format(name=sidecar.name))
    return result


def check_ends(chains: Mapping[str, Chain], recorded: Ends, source: str) -> list[str]:
    """Where the file's chains end against each register's last transaction `source` recorded
    at the export: a transaction cut from the end (the header made to match) is named."""
    problems = []
    for register in sorted(set(chains) | {r for r, end in recorded.items() if end}):
        found = chains[register].last if register in chains else None
        wanted = recorded.get(register)
        if wanted == found:
            continue
        if wanted is None:
            text = _(
                "register {register}: {source} records no transaction of it, the file has"
                " {count}: they were added"
            )
        elif found is None:
            text = _(
                "register {register}: the file has no transaction, {source} records nr {wanted}"
                " as the last exported: they were cut from the file"
            )
        elif found[0] != wanted[0]:
            text = _(
                "register {register}: the file ends at transaction nr {nr}, {source} records nr"
                " {wanted} as the last exported: the file was cut or added to at its end"
            )
        else:
            text = _(
                "register {register}: the last transaction, nr {nr}, is not the one {source}"
                " records (another signature): it was replaced"
            )
        problems.append(
            text.format(
                register=register,
                source=source,
                count=chains[register].transactions if register in chains else 0,
                nr=found[0] if found else "",
                wanted=wanted[0] if wanted else "",
            )
        )
    return problems


def last_signatures(path: Path) -> dict[str, str]:
    """Each register's last transaction signature in a SAF-T file (an earlier export): the
    next file's chain must go on from it. Streamed like `verify_saft`; ValueError when the
    file is not well-formed XML."""
    found: dict[str, str] = {}
    register = "?"
    try:
        for _action, elem in ET.iterparse(path, events=("end",)):
            tag = _local(elem)
            if tag == "registerID" and register == "?":
                register = (elem.text or "").strip()
            elif tag == "signature":
                found[register] = (elem.text or "").strip()
            elif tag == "cashregister":
                register = "?"
                elem.clear()
            elif tag in ("cashtransaction", "event", "article", "employee", "basic"):
                elem.clear()
    except ET.ParseError as exc:
        raise ValueError(f"{path.name} is not well-formed XML ({exc})") from None
    return found


def _local(elem: ET.Element) -> str:
    return elem.tag.rpartition("}")[2]


def _nr(elem: ET.Element) -> int:
    text = (elem.findtext(f"{{{NS}}}nr") or "").strip()
    return int(text) if text.isdigit() else -1


def _start(
    key: rsa.RSAPublicKey,
    elem: ET.Element,
    register: str,
    chain: Chain,
    previous: Mapping[str, str] | None,
    claimed: Mapping[str, str],
) -> str:
    """The signature a register's first transaction in the file must be signed over; sets
    `chain.start` to how that is known."""
    if previous is not None and register in previous:
        chain.start = "previous"  # a wrong one is named by _check as not verifying
        return previous[register]
    if _verifies(key, elem, FIRST):
        chain.start = "first"
        return FIRST
    said = claimed.get(register)
    if said is not None and _verifies(key, elem, said):
        chain.start = "header"
        return said
    chain.start = "first"  # _check names it: altered, or a transaction before it is missing
    return FIRST


def _not_proven_start(
    register: str, elem: ET.Element, previous: Mapping[str, str] | None, previous_name: str
) -> str:
    if previous is None:
        how = _("give --previous with the export of the period just before")
    else:
        how = _(
            "{previous} holds no transaction of it: give the last export that has one as --previous"
        ).format(previous=previous_name)
    return _(
        "where register {register}'s chain starts: its first transaction, nr"
        " {nr}, goes on from a signature only the file's own header names, so a transaction"
        " cut from the start would not show; {how}"
    ).format(register=register, nr=_nr(elem), how=how)


def _verifies(key: rsa.RSAPublicKey, elem: ET.Element, prev: str) -> bool:
    return _check(key, elem, "?", prev)[0] is None


def _on_the_till(
    database: Path, name: str, heads: Mapping[str, tuple[int, str]] | None, ends: Ends | None
) -> tuple[list[dict[str, object]], str | None]:
    """The till's journal rows (13020) of an export called `name`, read without writing, and
    what is wrong with them against the `.head` file's `heads`: they must record the same
    heads, and an export whose heads this journal holds must still have its row."""
    db = SqliteDatabase(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        db.connect()
        rows = export_rows(db, name)
        ours = heads is not None and any(
            check_head(db, register, seq, digest) is None
            for register, (seq, digest) in heads.items()
        )
        wrong = check_export_row(db, name, heads, ends) if heads and (rows or ours) else None
        return rows, wrong
    finally:
        db.close()


def _check(
    key: rsa.RSAPublicKey, elem: ET.Element, register: str, prev: str
) -> tuple[str | None, str]:
    """(problem or None, the signature the next transaction signs over)."""

    def text(name: str) -> str:
        return (elem.findtext(f"{{{NS}}}{name}") or "").strip()

    nr, signature = text("nr") or "?", text("signature")
    data = ";".join(
        (prev, text("transDate"), text("transTime"), nr, text("transAmntIn"), text("transAmntEx"))
    )
    where = f"register {register}: transaction nr {nr}"
    if not signature or signature == "NA":
        return f"{where} is not signed", FIRST
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, data.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())
    except (InvalidSignature, binascii.Error, ValueError):
        return (
            f"{where} does not verify: it was altered, a transaction before it is missing,"
            " or it was signed with another key",
            signature,
        )
    return None, signature
