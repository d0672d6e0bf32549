"""The catalog HQ publishes and the tills pull (issue 15), against a real PostgreSQL.

What a shop owner and an auditor check: after `kassa hq publish` and a sync the till sells at the
new price and journals the change (13021); two publishers committing in the other order still
leave every till on the highest revision with every row; a till that cannot reach HQ sells on
what it has; a revision that fails half way leaves the till on the revision before.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from kassa_tui.composition import Till, open_till
from kassa_tui.config import load
from kassa_tui.core import i18n
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.demo import load_demo
from kassa_tui.hq import catalog
from kassa_tui.people import users
from kassa_tui.sync import pull as pulling
from tests.unit.conftest import ROMME, SteeredTime, print_waiting, write_config

from .hq_schema import hq_schema

HEADER = "plu;ean;name;group;vat;price;unit\n"
ROMME_ROW = "2025;7020164760728;Rømme 18 % 3 dl;20;15;{price};stk\n"


@pytest.fixture(autouse=True)
def _fast_pins_in_english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def hq(hq_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    hq_schema(hq_dsn)
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture
def time() -> SteeredTime:
    return SteeredTime()


def _till(folder: Path, time: SteeredTime) -> Till:
    folder.mkdir(parents=True, exist_ok=True)
    opened = open_till(load(write_config(folder)), clock=Clock(source=time))
    i18n.set_language("en")
    load_demo(opened.db, opened.users)
    return opened


@pytest.fixture
def till(tmp_path: Path, time: SteeredTime) -> Iterator[Till]:
    opened = _till(tmp_path / "till1", time)
    yield opened
    opened.db.close()


def _file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _price(till: Till, ean: str) -> int:
    found = till.db.execute_sql(
        "SELECT p.price_ore FROM product p JOIN barcode b ON b.product_id = p.id WHERE b.code = ?",
        (ean,),
    ).fetchone()
    return int(found[0])


def _sell(till: Till, ean: str) -> int:
    """Sell one and return the sale's total as stored (what the receipt and the Z show)."""
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, ean)
    till.sales.pay_cash(cashier, "")
    found = till.db.execute_sql("SELECT total_ore FROM sale ORDER BY id DESC LIMIT 1").fetchone()
    return int(found[0])


def _journal(till: Till, basic: str) -> list[dict[str, Any]]:
    found = till.db.execute_sql(
        "SELECT text FROM journal WHERE basic_id = ? ORDER BY seq", (basic,)
    ).fetchall()
    return [json.loads(text) for (text,) in found]


def test_publish_then_pull_and_the_till_sells_at_the_new_price(
    hq: psycopg.Connection[Any], till: Till, tmp_path: Path
) -> None:
    new = _file(
        tmp_path,
        "prices.csv",
        HEADER
        + ROMME_ROW.format(price="27,50")
        + "8801;7038010001239;Kaffe Friele 250 g;20;15;54,90;stk\n",
    )
    published = catalog.publish_file(hq, new, till.config)
    assert (published.revision, published.rows) == (1, 2)
    assert _price(till, ROMME) == 2490
    result = pulling.pull(hq, till.db, till.journal, till.config)
    assert (result.before, result.after) == (0, 1)
    assert _sell(till, ROMME) == 2750
    assert _sell(till, "7038010001239") == 5490
    changes = [(c["plu"], c["old"], c["new"]) for c in _journal(till, "PRICECHANGE")]
    assert changes[-1] == ("2025", 2490, 2750)
    pulled = _journal(till, "IMPORT")[-1]
    assert (pulled["what"], pulled["revision"], pulled["rejected"]) == ("hq_catalog", 1, [])
    # Nothing new at HQ: a second sync changes nothing.
    again = pulling.pull(hq, till.db, till.journal, till.config)
    assert (again.after, again.applied) == (1, [])


def test_a_registers_role_reads_the_catalog_and_may_not_publish(
    hq: psycopg.Connection[Any], hq_dsn: str, till: Till, tmp_path: Path
) -> None:
    from psycopg.conninfo import make_conninfo

    from kassa_tui.hq.admin import add_register

    creds = add_register(hq, "K1", "S1")
    catalog.publish_file(
        hq, _file(tmp_path, "p.csv", HEADER + ROMME_ROW.format(price="25,50")), till.config
    )
    register_dsn = make_conninfo(hq_dsn, user=creds.role, password=creds.password)
    with psycopg.connect(register_dsn, autocommit=True) as conn:
        assert pulling.pull(conn, till.db, till.journal, till.config).after == 1
        for sql in (
            "SELECT catalog_publish('products', 'x.csv', '[[]]')",
            "INSERT INTO catalog_revision VALUES (9, 'products', 'x', 0, 0)",
            "UPDATE catalog_head SET revision = 0",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    assert _sell(till, ROMME) == 2550


def test_a_bad_row_publishes_nothing(
    hq: psycopg.Connection[Any], till: Till, tmp_path: Path
) -> None:
    bad = _file(
        tmp_path,
        "bad.csv",
        HEADER + ROMME_ROW.format(price="27,50") + "9002;;Uten pris;20;15;;stk\n",
    )
    with pytest.raises(Refused) as refused:
        catalog.publish_file(hq, bad, till.config)
    assert "line 3" in refused.value.message and "missing price" in refused.value.message
    assert hq.execute("SELECT count(*) FROM catalog_revision").fetchone() == (0,)


def test_two_publishers_committing_out_of_order_leave_every_till_with_every_row(
    hq: psycopg.Connection[Any], hq_dsn: str, till: Till, tmp_path: Path
) -> None:
    """Publisher A takes a revision and holds its transaction open; publisher B publishes
    meanwhile and wants to commit first; a till syncs in between and again after both."""
    first = catalog.product_rows(
        _file(tmp_path, "a.csv", HEADER + "9101;;Vare A;20;15;10,00;stk\n"), till.config
    )
    second = catalog.product_rows(
        _file(tmp_path, "b.csv", HEADER + "9102;;Vare B;20;15;20,00;stk\n"), till.config
    )
    b_done = threading.Event()
    b_result: list[catalog.Published] = []

    def publisher_b() -> None:
        with psycopg.connect(hq_dsn, autocommit=True) as conn:
            b_result.append(catalog.publish(conn, "products", "b.csv", second))
        b_done.set()

    with psycopg.connect(hq_dsn) as a:
        a_revision = catalog.publish(a, "products", "a.csv", first).revision
        thread = threading.Thread(target=publisher_b)
        thread.start()
        # B cannot commit before A: it waits for A's revision number to commit
        assert not b_done.wait(1.0)
        assert pulling.pull(hq, till.db, till.journal, till.config).after == 0  # syncs between
        a.commit()
    thread.join(10)
    assert b_result
    assert sorted([a_revision, b_result[0].revision]) == [1, 2]
    result = pulling.pull(hq, till.db, till.journal, till.config)
    assert result.after == 2
    names = {
        name
        for (name,) in till.db.execute_sql(
            "SELECT name FROM product WHERE plu IN ('9101', '9102')"
        ).fetchall()
    }
    assert names == {"Vare A", "Vare B"}


def test_a_publish_rolled_back_leaves_no_hole_for_the_tills(
    hq: psycopg.Connection[Any], hq_dsn: str, till: Till, tmp_path: Path
) -> None:
    rows = catalog.product_rows(
        _file(tmp_path, "a.csv", HEADER + "9101;;Vare A;20;15;10,00;stk\n"), till.config
    )
    with psycopg.connect(hq_dsn) as conn:
        catalog.publish(conn, "products", "a.csv", rows)
        conn.rollback()  # the owner's publish failed half way
    assert catalog.publish(hq, "products", "a.csv", rows).revision == 1
    assert pulling.pull(hq, till.db, till.journal, till.config).after == 1
    assert till.db.execute_sql("SELECT name FROM product WHERE plu = '9101'").fetchone() == (
        "Vare A",
    )


def test_a_till_that_cannot_reach_hq_sells_on_its_revision(
    hq: psycopg.Connection[Any], till: Till, tmp_path: Path
) -> None:
    catalog.publish_file(
        hq, _file(tmp_path, "p.csv", HEADER + ROMME_ROW.format(price="26,00")), till.config
    )
    pulling.pull(hq, till.db, till.journal, till.config)
    catalog.publish_file(
        hq, _file(tmp_path, "q.csv", HEADER + ROMME_ROW.format(price="29,00")), till.config
    )
    with pytest.raises(psycopg.OperationalError):
        down = "host=127.0.0.1 port=1 dbname=x user=x password=x connect_timeout=2"
        with psycopg.connect(down) as conn:
            pulling.pull(conn, till.db, till.journal, till.config)
    assert pulling.applied_revision(till.db) == 1
    assert _sell(till, ROMME) == 2600


def test_a_revision_failing_half_way_leaves_the_till_on_the_one_before(
    hq: psycopg.Connection[Any], till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog.publish_file(
        hq,
        _file(
            tmp_path,
            "p.csv",
            HEADER + ROMME_ROW.format(price="31,00") + "9201;;Ny vare;20;15;12,00;stk\n",
        ),
        till.config,
    )
    journal_rows = till.db.execute_sql("SELECT count(*) FROM journal").fetchone()[0]
    real_write = till.journal.write

    def failing_write(event: Any, **data: Any) -> Any:
        if data.get("what") == "hq_catalog":  # after the products were written
            raise OSError("disk full")
        return real_write(event, **data)

    monkeypatch.setattr(till.journal, "write", failing_write)
    with pytest.raises(OSError):
        pulling.pull(hq, till.db, till.journal, till.config)
    monkeypatch.undo()
    assert pulling.applied_revision(till.db) == 0
    assert _price(till, ROMME) == 2490
    assert till.db.execute_sql("SELECT count(*) FROM product WHERE plu = '9201'").fetchone() == (0,)
    assert till.db.execute_sql("SELECT count(*) FROM journal").fetchone()[0] == journal_rows
    # The next sync applies it whole.
    assert pulling.pull(hq, till.db, till.journal, till.config).after == 1
    assert _sell(till, ROMME) == 3100


def test_a_planned_price_switches_on_the_tills_clock_offline(
    hq: psycopg.Connection[Any], till: Till, tmp_path: Path, time: SteeredTime
) -> None:
    from kassa_tui.stock.planned_prices import switch_due

    campaigns = _file(
        tmp_path,
        "campaigns.csv",
        "campaign;type;products;quantity;price;from;to\n"
        "Julepris rømme;planned_price;7020164760728;;19,90;2026-11-28 06:00;\n"
        "Ukjent;planned_price;7038010009990;;9,90;2026-11-28 06:00;\n",
    )
    published = catalog.publish_file(hq, campaigns, till.config, kind="campaigns")
    applied = pulling.pull(hq, till.db, till.journal, till.config).applied
    assert [a.revision for a in applied] == [published.revision]
    assert [n for n, _why in applied[0].rejected] == [2]  # a product this till lacks
    assert switch_due(till.db, till.journal, till.clock) == []  # not yet
    time.advance(24 * 3600)  # the next morning; HQ is not asked again
    switch_due(till.db, till.journal, till.clock)
    assert _sell(till, ROMME) == 1990
    assert _journal(till, "PRICECHANGE")[-1]["new"] == 1990


_KILL_MID_APPLY = """
import os, signal, sys
import psycopg
from kassa_tui.composition import open_till
from kassa_tui.config import load
from kassa_tui.sync import pull

till = open_till(load(sys.argv[1]))
real_write = till.journal.write
def write(event, **data):
    if data.get("what") == "hq_catalog":  # the products are written, the revision not yet
        os.kill(os.getpid(), signal.SIGKILL)
    return real_write(event, **data)
till.journal.write = write
with psycopg.connect(sys.argv[2], autocommit=True) as conn:
    pull.pull(conn, till.db, till.journal, till.config)
"""


def test_kill_9_in_the_middle_of_applying_a_revision(
    hq: psycopg.Connection[Any], hq_dsn: str, till: Till, tmp_path: Path
) -> None:
    import subprocess
    import sys

    rows = "".join(f"{9300 + i};;Vare {i};20;15;{10 + i},00;stk\n" for i in range(300))
    catalog.publish_file(
        hq, _file(tmp_path, "p.csv", HEADER + ROMME_ROW.format(price="33,00") + rows), till.config
    )
    journal_rows = till.db.execute_sql("SELECT count(*) FROM journal").fetchone()[0]
    till.db.close()
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_MID_APPLY, str(till.config.source), hq_dsn],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == -9, killed.stderr
    again = open_till(till.config, clock=till.clock)
    try:
        assert pulling.applied_revision(again.db) == 0
        assert _price(again, ROMME) == 2490
        assert again.db.execute_sql(
            "SELECT count(*) FROM product WHERE name LIKE 'Vare %'"
        ).fetchone() == (0,)
        assert again.db.execute_sql("SELECT count(*) FROM journal").fetchone()[0] == journal_rows
        assert pulling.pull(hq, again.db, again.journal, again.config).after == 1
        assert _sell(again, ROMME) == 3300
    finally:
        again.db.close()


# -- groups and deposit types ---------------------------------------------------------------

COLA = "7089275980401"  # Coca-Cola 0,5 l, 26,90, pant A (2 kr)


def test_groups_from_hq_are_created_and_renamed(
    hq: psycopg.Connection[Any],
    till: Till,
    tmp_path: Path,
) -> None:
    groups = _file(
        tmp_path, "g.csv", "code;name;saft_group\n20;Meieri og egg;04006\n77;Kaffe;4006\n"
    )
    catalog.publish_file(hq, groups, till.config, kind="groups")
    products = _file(
        tmp_path,
        "p.csv",
        "plu;ean;name;group;vat;price;unit\n8877;;Kaffe Evergood;77;15;69,90;stk\n",
    )
    catalog.publish_file(hq, products, till.config)
    assert pulling.pull(hq, till.db, till.journal, till.config).after == 2
    found = till.db.execute_sql(
        "SELECT code, name, saft_group FROM product_group WHERE code IN ('20', '77') ORDER BY code"
    ).fetchall()
    assert found == [("20", "Meieri og egg", "04006"), ("77", "Kaffe", "04006")]
    in_group = till.db.execute_sql(
        "SELECT g.code FROM product p JOIN product_group g ON g.id = p.group_id"
        " WHERE p.plu = '8877'"
    ).fetchone()
    assert in_group == ("77",)
    rows = [r for r in _journal(till, "MASTERDATA") if r.get("group") in ("20", "77")]
    assert {r.get("action") for r in rows} == {"add_group", "group"}


def test_deposit_types_from_hq_change_what_a_drink_carries(
    hq: psycopg.Connection[Any],
    till: Till,
    tmp_path: Path,
) -> None:
    deposits = _file(
        tmp_path,
        "d.csv",
        "code;name;amount;vat;account\nA;Pant 2,50 kr;2,50;;3031\nK;Pant kartong;1;;3031\n",
    )
    catalog.publish_file(hq, deposits, till.config, kind="deposits")
    applied = pulling.pull(hq, till.db, till.journal, till.config).applied
    assert [a.rejected for a in applied] == [[]]
    cashier = till.users.sign_in("1", "1111")
    till.baskets.add(cashier, COLA)
    assert till.baskets.current().priced.total == 2690 + 250
    till.sales.pay_card(cashier)
    print_waiting(till)
    codes = dict(till.db.execute_sql("SELECT code, amount_ore FROM deposit_type").fetchall())
    assert (codes["A"], codes["K"]) == (250, 100)
    rows = [r for r in _journal(till, "MASTERDATA") if r.get("deposit_type") in ("A", "K")]
    assert rows[0]["before"][1] == 200 and rows[0]["after"][1] == 250
    assert rows[1]["amount"] == 100


@pytest.mark.parametrize(
    ("kind", "text", "said"),
    [
        ("groups", "code;name;saft_group\n20;Meieri;xyz\n", "line 2: unknown SAF-T group code"),
        ("deposits", "code;name;amount;account\nA;Pant;0;3031\n", "line 2: A deposit amount"),
        ("deposits", "code;name;amount;account\nA;Pant;2;30\n", "line 2: An account is four"),
    ],
)
def test_a_bad_group_or_deposit_row_publishes_nothing(
    hq: psycopg.Connection[Any],
    till: Till,
    tmp_path: Path,
    kind: str,
    text: str,
    said: str,
) -> None:
    with pytest.raises(Refused) as refused:
        catalog.publish_file(hq, _file(tmp_path, "x.csv", text), till.config, kind=kind)
    assert said in refused.value.message
    assert hq.execute("SELECT count(*) FROM catalog_revision").fetchone() == (0,)
