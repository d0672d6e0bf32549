"""Identifiers that sort by time: UUID version 7 (RFC 9562, section 5.7).

Every journal row carries a UUID, and HQ keeps a unique index on it over every register's rows
(millions of them in a chain of shops). Random UUIDs (version 4) land anywhere in that index,
so each insert walks it to a random page and the pages a push touches outgrow the cache as the
index grows; a version 7 UUID begins with its time, so a register's new rows land at the
index's right edge like its seqs. The time is the till's clock's (never the wall clock read
here); the other 74 bits are random, so two rows in one millisecond still differ. Python 3.14
has uuid.uuid7(), which reads the wall clock and so would not do.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def time_ordered_uuid(at: datetime) -> str:
    """A version 7 UUID for the instant `at` (aware, the till's clock), as text."""
    ms = ((at - _EPOCH) // _MS) & 0xFFFF_FFFF_FFFF  # 48 bits: unix time in milliseconds
    value = (
        ms << 80
        | 0x7 << 76  # version 7
        | secrets.randbits(12) << 64  # rand_a
        | 0b10 << 62  # the RFC's variant
        | secrets.randbits(62)  # rand_b
    )
    return str(uuid.UUID(int=value))
