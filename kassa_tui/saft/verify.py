"""Checking a SAF-T Cash Register file's signature chains with the supplier's public key.

Any file is streamed, kassa's or another system's: a year's file takes the memory of one
transaction. What is checked is what Skatteetaten checks: each transaction's signature over
the one before it, so an altered, missing or foreign-key transaction is named.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kassa_tui.records.signing import FIRST, load_public_key
from kassa_tui.saft.codes import NS, chains_in


def verify_saft(
    path: Path, public_key_pem: bytes, previous: Mapping[str, str] | None = None
) -> list[str]:
    """Check every register's signature chain in a SAF-T Cash Register file; [] when all hold.

    Each transaction's signing string is rebuilt from its own elements (previous signature or
    "0"; transDate; transTime; nr; transAmntIn; transAmntEx) and checked with RSA-SHA1. A file
    whose chain started earlier needs the signature before it: from `previous` (by registerID)
    or, in kassa's files, the header comment. Read as a stream: a year's file is fine.
    """
    key = load_public_key(public_key_pem)
    problems: list[str] = []
    chains: dict[str, str] = {}
    register, prev = "?", FIRST
    stack: list[ET.Element] = []
    try:
        for action, elem in ET.iterparse(path, events=("start", "end")):
            tag = elem.tag.rpartition("}")[2] if elem.tag.startswith(f"{{{NS}}}") else None
            if action == "start":
                if not stack and tag != "auditfile":
                    return [f"{path.name} is not a SAF-T Cash Register file ({elem.tag})"]
                stack.append(elem)
                if tag == "cashregister":
                    register, prev = "?", FIRST
                continue
            stack.pop()
            if tag == "headerComment":
                chains = chains_in(elem.text or "")
            elif tag == "registerID" and _local(stack[-1]) == "cashregister":
                register = (elem.text or "").strip()
                prev = (previous or {}).get(register) or chains.get(register) or FIRST
            elif tag == "cashtransaction":
                problem, prev = _check(key, elem, register, prev)
                if problem:
                    problems.append(problem)
            if tag in ("cashtransaction", "event", "article", "employee", "basic"):
                stack[-1].remove(elem)  # done with it: memory stays flat
    except ET.ParseError as exc:
        problems.append(f"{path.name} is not well-formed XML ({exc})")
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
