"""Journal rows' UUIDs sort by the till's time (kassa_tui/core/ids.py: RFC 9562 version 7), so
HQ's unique index on them grows at its right edge like the seqs do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from kassa_tui.composition import Till
from kassa_tui.core.ids import time_ordered_uuid
from kassa_tui.people.person import Person

from .conftest import ROMME, SteeredTime


def test_a_version_7_uuid_carries_the_given_millisecond() -> None:
    at = datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=UTC)
    made = uuid.UUID(time_ordered_uuid(at))
    assert made.version == 7 and made.variant == uuid.RFC_4122
    assert made.int >> 80 == 1_796_463_015_123  # ms since 1970 (the microseconds cut off)
    # RFC 9562's own example, 2022-02-22 19:22:22 UTC: 017F22E2-79B0-7…
    assert time_ordered_uuid(datetime(2022, 2, 22, 19, 22, 22, tzinfo=UTC)).startswith(
        "017f22e2-79b0-7"
    )


def test_uuids_a_millisecond_apart_sort_in_time_and_one_millisecond_still_gives_distinct_ones() -> (
    None
):
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    made = [time_ordered_uuid(start + timedelta(milliseconds=k)) for k in range(2_000)]
    assert made == sorted(made)
    same = {time_ordered_uuid(start) for _ in range(10_000)}
    assert len(same) == 10_000


def test_the_journal_s_uuids_follow_the_till_s_clock(
    till: Till, cashier: Person, time: SteeredTime
) -> None:
    for _ in range(5):
        till.baskets.add(cashier, ROMME)
        time.advance(1)
    rows = till.db.execute_sql("SELECT seq, uuid, utc FROM journal ORDER BY seq").fetchall()
    assert len(rows) >= 5
    for _seq, text, utc in rows:
        made = uuid.UUID(text)
        assert made.version == 7
        stamped = datetime.fromisoformat(utc.replace("Z", "+00:00"))
        assert made.int >> 80 == (stamped - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
            milliseconds=1
        )
    times = [uuid.UUID(r[1]).int >> 80 for r in rows]
    assert times == sorted(times) and times[-1] - times[0] >= 4_000  # the clock's five seconds
