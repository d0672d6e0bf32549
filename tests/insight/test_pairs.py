"""What goes together (kassa_tui.insight.pairs, `kassa report pairs`): hand-countable baskets.

Six receipts sold through the till's own services (A B C D: four demo products):

    1: A B      2: A B C    3: A C    4: B    5: A A B    6: D

and, never counted, a training receipt A B and the return of receipt 1. So 6 baskets; A is in
4 (1 2 3 5; twice on 5 counts once), B in 4 (1 2 4 5), C in 2 (2 3); A+B in 3 (1 2 5), A+C in 2
(2 3), B+C in 1 (2). With at least 2 receipts per pair:

    with A: B  n=3  confidence 3/4  lift 3*6/(4*4) = 1.125
    with A: C  n=2  confidence 2/4  lift 2*6/(4*2) = 1.5
    with C: A  n=2  confidence 2/2  lift 1.5
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.core.i18n import set_language
from kassa_tui.insight.pairs import find_product, together
from kassa_tui.people import users
from tests.shop import demo_till, selling_codes

DAY = "2026-11-27"  # the SteppingClock's day
LEAD = "2\n2222\n"


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    set_language("en")


def sell(till: Till, codes: list[str]) -> int:
    person = till.users.sign_in("2", "2222")
    for code in codes:
        till.baskets.add(person, code)
    done = till.sales.pay_cash(person, "")
    assert done.completed is not None
    printed(till)
    return done.completed.receipt_nr


def printed(till: Till) -> None:
    """The receipts printed, as the till does after each sale (the next sale waits for it)."""
    from devices.printer import MemoryPrinter
    from devices.spooler import print_pending

    print_pending(till.print_queue, MemoryPrinter(), till.config.printer, till.drawer)


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Till, list[str]]:
    till = demo_till(tmp_path, language='"en"')
    a, b, c, d = selling_codes(till)[:4]
    first = sell(till, [a, b])
    sell(till, [a, b, c])
    sell(till, [a, c])
    sell(till, [b])
    sell(till, [a, a, b])
    sell(till, [d])
    lead = till.users.sign_in("2", "2222")
    till.receipts.training_on(lead)
    sell(till, [a, b])
    till.receipts.training_off(lead)
    till.returns.return_lines(lead, first, [(1, 1000), (2, 1000)], "Feil vare", "2", "2222")
    printed(till)
    return till, [a, b, c, d]


def test_lift_confidence_and_counts_are_exact(shop: tuple[Till, list[str]]) -> None:
    till, (a, b, c, _d) = shop
    pa, pb, pc = (find_product(till.db, code) for code in (a, b, c))
    assert pa and pb and pc
    report = together(till.db, DAY, DAY, min_count=2)
    assert report.baskets == 6
    rules = {(p.a.id, p.b.id): p for p in report.pairs}
    assert set(rules) == {(pa.id, pb.id), (pb.id, pa.id), (pa.id, pc.id), (pc.id, pa.id)}
    ab, ac, ca = rules[pa.id, pb.id], rules[pa.id, pc.id], rules[pc.id, pa.id]
    assert (ab.count, ab.a_baskets, ab.b_baskets) == (3, 4, 4)
    assert ab.confidence == 0.75 and ab.lift == 1.125
    assert (ac.count, ac.confidence, ac.lift) == (2, 0.5, 1.5)
    assert (ca.count, ca.confidence, ca.lift) == (2, 1.0, 1.5)
    # best lift first, then count
    assert [p.lift for p in report.pairs] == [1.5, 1.5, 1.125, 1.125]
    assert ac.sentence() == f"with {pa.name}: {pc.name} ×1.5, n=2, 50 %"
    # B+C is on one receipt only: in with --min-count 1
    loose = together(till.db, DAY, DAY, min_count=1)
    assert {(p.a.id, p.b.id) for p in loose.pairs} >= {(pb.id, pc.id), (pc.id, pb.id)}
    # the shop's best pairs need a share of the receipts too: half of 6 is 3 (A+B only)
    shared = together(till.db, DAY, DAY, min_count=1, min_share=0.5)
    assert shared.min_count == 3
    assert {(p.a.id, p.b.id) for p in shared.pairs} == {(pa.id, pb.id), (pb.id, pa.id)}
    # one product's partners only
    partners = together(till.db, DAY, DAY, product_id=pc.id, min_count=2)
    assert [(p.a.id, p.b.id) for p in partners.pairs] == [(pc.id, pa.id)]
    # another period holds nothing
    assert together(till.db, "2026-11-26", "2026-11-26").pairs == ()


def test_report_pairs_json_csv_and_text(shop: tuple[Till, list[str]]) -> None:
    till, (a, _b, c, _d) = shop
    toml = till.config.source
    till.db.close()
    args = ["--config", str(toml), "report", "pairs", "--from", DAY, "--to", DAY]
    result = CliRunner().invoke(main, [*args, "--min-count", "2", "--json"], input=LEAD)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["baskets"] == 6 and len(data["pairs"]) == 4
    first = data["pairs"][0]
    assert (first["count"], first["lift"]) == (2, 1.5)
    result = CliRunner().invoke(
        main, [*args, "--product", c, "--min-count", "2", "--csv"], input=LEAD
    )
    assert result.exit_code == 0, result.output
    rows = list(
        csv.DictReader(io.StringIO(result.output[result.output.index("product;") :]), delimiter=";")
    )
    assert [(r["count"], r["confidence"], r["lift"]) for r in rows] == [("2", "1.0", "1.5")]
    result = CliRunner().invoke(main, [*args, "--product", a, "--min-count", "2"], input=LEAD)
    assert result.exit_code == 0, result.output
    assert "6 receipts" in result.output and "×1.5, n=2, 50 %" in result.output
    assert "×1.1, n=3, 75 %" in result.output
    result = CliRunner().invoke(main, [*args, "--product", "7038010009990"], input=LEAD)
    assert result.exit_code == 2 and "no product" in result.output
