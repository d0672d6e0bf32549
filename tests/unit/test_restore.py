"""The shop's identity in the journal (store.identity), which restore's other-shop check reads."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from kassa_tui.composition import Till
from kassa_tui.store.identity import recorded_org_numbers


def identity_rows(till: Till) -> list[tuple[str, str, str]]:
    rows = till.db.execute_sql(
        "SELECT event_code, basic_id, text FROM journal WHERE basic_id = 'SHOPIDENT' ORDER BY seq"
    )
    return [(str(code), str(basic), str(text)) for code, basic, text in rows.fetchall()]


def test_the_identity_is_journaled_once_and_again_when_the_org_number_changes(till: Till) -> None:
    org, register = till.config.org_nr, till.config.register_id
    assert till.record_identity() is True
    assert till.record_identity() is False  # the newest row already says so
    assert identity_rows(till) == [
        ("13999", "SHOPIDENT", f'{{"org_nr": "{org}", "register": "{register}"}}')
    ]
    till.config = replace(till.config, org_nr="974760673")  # the shop's kassa.toml corrected
    assert till.record_identity() is True
    assert [json_org for _c, _b, json_org in identity_rows(till)][-1] == (
        f'{{"org_nr": "974760673", "register": "{register}"}}'
    )
    conn = sqlite3.connect(till.config.database)
    try:
        assert recorded_org_numbers(conn) == {org, "974760673"}
    finally:
        conn.close()
