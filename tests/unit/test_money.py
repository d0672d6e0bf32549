"""Money as integer øre: what a cashier types, what a receipt shows, VAT and cash rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kassa_tui.core.money import (
    InvalidAmount,
    InvalidQuantity,
    allocate,
    cash_rounding,
    format_kr,
    format_quantity,
    line_amount,
    parse_amount,
    parse_quantity,
    round_half_up,
    saft_amount,
    vat_of,
    vat_split,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("typed", "ore"),
    [
        ("49", 4900),
        ("49,90", 4990),
        ("49.9", 4990),
        ("49,9", 4990),
        ("0,05", 5),
        ("0", 0),
        (" 49 ", 4900),
        (" 1 000 ", 100000),  # spaces between thousands are dropped, wherever they are
        ("1 000,50", 100050),
        ("999999999,99", 99999999999),
    ],
)
def test_parse_amount_accepts_what_a_cashier_types(typed: str, ore: int) -> None:
    assert parse_amount(typed) == ore


@pytest.mark.parametrize(
    "typed",
    [
        "",
        " ",
        "abc",
        "49,999",
        "49,",
        ",50",
        "4 9x",
        "49kr",
        "1e3",
        "1.000.000",
        "--5",
        "+5",
        "1234567890",
        "49,9,0",
        "NaN",
        "\x00",
        "5-",
    ],
)
def test_parse_amount_refuses_garbage(typed: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(typed)


def test_negative_amount_refused_unless_allowed() -> None:
    with pytest.raises(InvalidAmount):
        parse_amount("-5")
    assert parse_amount("-5", allow_negative=True) == -500
    assert parse_amount("-16,40", allow_negative=True) == -1640


@pytest.mark.parametrize(
    ("typed", "milli"),
    [("3", 3000), ("0,375", 375), ("0.375", 375), ("1,5", 1500), (" 2 ", 2000), ("0,001", 1)],
)
def test_parse_quantity(typed: str, milli: int) -> None:
    assert parse_quantity(typed) == milli


@pytest.mark.parametrize("typed", ["0", "0,000", "", "-1", "1,2345", "x", "1234567", "3*"])
def test_parse_quantity_refuses_zero_and_garbage(typed: str) -> None:
    with pytest.raises(InvalidQuantity):
        parse_quantity(typed)


def test_format_quantity_is_norwegian() -> None:
    assert format_quantity(3000) == "3"
    assert format_quantity(375) == "0,375"
    assert format_quantity(1500) == "1,5"
    assert format_quantity(10100) == "10,1"
    assert format_quantity(-2000) == "-2"


def test_format_kr_groups_thousands_with_a_no_break_space() -> None:
    assert format_kr(123450) == f"1{NBSP}234,50"
    assert " " not in format_kr(123450)  # never an ordinary space: the line must not break
    assert format_kr(123456789) == f"1{NBSP}234{NBSP}567,89"
    assert format_kr(123450, thousands=False) == "1234,50"
    assert format_kr(4990) == "49,90"
    assert format_kr(5) == "0,05"
    assert format_kr(0) == "0,00"


def test_format_kr_negative() -> None:
    assert format_kr(-1640) == "-16,40"
    assert format_kr(-5) == "-0,05"
    assert format_kr(-123450) == f"-1{NBSP}234,50"


def test_saft_amount() -> None:
    assert saft_amount(125000) == "1250.00"
    assert saft_amount(5) == "0.05"
    assert saft_amount(0) == "0.00"
    assert saft_amount(-1640) == "-16.40"
    assert saft_amount(123456789) == "1234567.89"


@pytest.mark.parametrize(
    ("amount", "rounding"),
    [
        (3749, -49),  # 37,49 → 37,00
        (3750, 50),  # 37,50 → 38,00 (half up)
        (3751, 49),
        (3701, -1),
        (3799, 1),
        (3700, 0),
        (0, 0),
        (49, -49),
        (50, 50),
    ],
)
def test_cash_rounding_to_whole_kroner(amount: int, rounding: int) -> None:
    assert cash_rounding(amount) == rounding
    assert (amount + rounding) % 100 == 0


@pytest.mark.parametrize("amount", [3749, 3750, 3751, 3799, 1, 50])
def test_cash_rounding_of_a_refund_mirrors_a_sale(amount: int) -> None:
    assert cash_rounding(-amount) == -cash_rounding(amount)
    assert (-amount + cash_rounding(-amount)) % 100 == 0


def test_vat_of_a_vat_inclusive_amount() -> None:
    assert vat_of(12500, 2500) == 2500  # 125,00 incl. 25 % → 25,00
    assert vat_of(11500, 1500) == 1500
    assert vat_of(11200, 1200) == 1200
    assert vat_of(4000, 0) == 0
    assert vat_of(2490, 1500) == 325  # 24,90 × 15/115 = 3,2478 → 3,25
    assert vat_of(-2490, 1500) == -325  # a return carries the same VAT back


def test_vat_per_line_as_in_skatteetatens_example() -> None:
    """Three 15 % lines of 102,80 together: per line 13,42, where per total would give 13,41."""
    lines = [(120, 1500), (380, 1500), (9780, 1500)]
    assert sum(amount for amount, _ in lines) == 10280
    assert [vat_of(amount, 1500) for amount, _ in lines] == [16, 50, 1276]
    assert vat_of(10280, 1500) == 1341  # what a per-total calculation would say

    (split,) = vat_split(lines)
    assert split.rate_bp == 1500
    assert split.amount_incl == 10280
    assert split.vat == 1342  # 13,42, the sum of the lines
    assert split.basis == 10280 - 1342


def test_vat_split_sums_per_rate_highest_first() -> None:
    lines = [(2490, 1500), (3990, 2500), (4000, 0), (2490, 1500), (3990, 2500)]
    split = vat_split(lines)
    assert [v.rate_bp for v in split] == [2500, 1500, 0]
    by_rate = {v.rate_bp: v for v in split}
    assert by_rate[2500].amount_incl == 7980
    assert by_rate[2500].vat == 2 * vat_of(3990, 2500)
    assert by_rate[1500].amount_incl == 4980
    assert by_rate[0].vat == 0
    assert sum(v.amount_incl for v in split) == sum(a for a, _ in lines)


def test_line_amount_for_weighed_items_rounds_to_the_ore() -> None:
    assert line_amount(3490, 375) == 1309  # 0,375 kg × 34,90 = 13,0875
    assert line_amount(3490, 1000) == 3490
    assert line_amount(2490, 3000) == 7470


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (1000, [3333, 3333, 3334]),
        (1, [1, 1, 1]),
        (2, [1, 1, 1]),
        (997, [2490, 3990, 4000, 1]),
        (10280, [10280]),
        (150, [100, 0, 100]),
        (0, [100, 200]),
    ],
)
def test_allocate_sums_exactly(total: int, weights: list[int]) -> None:
    shares = allocate(total, weights)
    assert sum(shares) == total
    assert len(shares) == len(weights)
    base = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert 0 <= share <= weight
        assert abs(share - total * weight / base) < 1  # never more than one øre off


def test_allocate_over_nothing() -> None:
    assert allocate(100, []) == []
    assert allocate(100, [0, 0]) == [0, 0]


@given(st.integers(-(10**30), 10**30), st.integers(-(10**6), 10**6).filter(bool))
def test_half_up_rounding_in_integers_matches_decimal(numerator: int, denominator: int) -> None:
    with localcontext() as exact:
        exact.prec = 80
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), ROUND_HALF_UP)
    assert round_half_up(numerator, denominator) == int(expected)


def test_half_up_rounds_halves_away_from_zero() -> None:
    assert [round_half_up(n, 2) for n in (-3, -1, 1, 3)] == [-2, -1, 1, 2]
    assert round_half_up(5, 10) == 1 and round_half_up(-5, 10) == -1 and round_half_up(4, 10) == 0
