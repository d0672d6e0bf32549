"""`kassa stock receive --order N`: the CLI's goods in checks against the purchase order as
`kassa order receive N` does (issue 16): what is short is said, the order stays open, the rest
as ordered closes it; the stock goes up by what came. Bad combinations are refused with
nothing changed."""

from __future__ import annotations

from kassa_tui.composition import Till
from tests.ordering.test_cli_order import SHIFT_LEAD, journal, kassa
from tests.ordering.test_cli_order import steered_clock as steered_clock  # the history's clock

from .conftest import BULK, STEADY


def level(shop: Till, code: str) -> int:
    row = shop.db.execute_sql(
        "SELECT COALESCE(SUM(s.delta_milli), 0) FROM stock_movement s JOIN product p"
        " ON p.id = s.product_id WHERE p.plu = ?",
        (code,),
    ).fetchone()
    return int(row[0]) // 1000


def test_stock_receive_against_an_order(shop: Till) -> None:
    code, out = kassa(shop, "order", "confirm", "TEST", "--set", f"{BULK}=0", input=SHIFT_LEAD)
    assert code == 0, out
    before = level(shop, STEADY)
    code, out = kassa(shop, "stock", "receive", "--order", "1", STEADY, "12", input=SHIFT_LEAD)
    assert code == 0, out
    assert "Steady 1 l: ordered 18, received 12: 6 short" in out
    assert "Purchase order 1 stays open for what is still to come." in out
    assert level(shop, STEADY) == before + 12
    code, out = kassa(shop, "stock", "receive", "--order", "1", input=SHIFT_LEAD)  # the rest
    assert code == 0, out
    assert "Purchase order 1 is received in full and closed." in out
    assert level(shop, STEADY) == before + 18
    received = journal(shop, "ORDERRECEIVE")
    assert [(r["order"], r["closed"]) for r in received] == [(1, False), (1, True)]


def test_bad_combinations_are_refused_and_change_nothing(shop: Till) -> None:
    rows = shop.db.execute_sql("SELECT COUNT(*) FROM journal").fetchone()[0]
    for args in (
        ("--order", "1", "--transfer", "T1", "--from", "OSLO1", STEADY, "1"),
        ("--transfer", "T1", STEADY, "1"),
        (STEADY, "1"),
    ):
        code, out = kassa(shop, "stock", "receive", *args, input=SHIFT_LEAD)
        assert code != 0
        assert "Give either --order N" in out, out
    code, out = kassa(shop, "stock", "receive", "--order", "9", input=SHIFT_LEAD)
    assert code == 1 and "9" in out, out  # no such order
    assert shop.db.execute_sql("SELECT COUNT(*) FROM journal").fetchone()[0] == rows


def test_help_points_to_the_order(shop: Till) -> None:
    code, out = kassa(shop, "stock", "receive", "--help")
    assert code == 0
    assert "--order" in out and "kassa order receive" in " ".join(out.split())
