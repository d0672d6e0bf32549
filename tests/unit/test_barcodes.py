"""What a scanned or typed code means, decided before the catalog is asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from kassa_tui.catalog.barcodes import (
    BadCode,
    ScannedCode,
    classify,
    make_embedded,
    with_check_digit,
)
from kassa_tui.config import Config, EmbeddedLayout, load

from .conftest import write_config


@pytest.fixture
def layouts(tmp_path: Path) -> tuple[EmbeddedLayout, ...]:
    """The layouts documented in the repository's kassa.toml: 23 = weight, 24 = price."""
    config: Config = load(write_config(tmp_path))
    return config.embedded


def test_documented_layouts(layouts: tuple[EmbeddedLayout, ...]) -> None:
    assert layouts == (
        EmbeddedLayout("23", "weight", 5, 5),
        EmbeddedLayout("24", "price", 5, 5),
    )


def test_valid_ean13_is_accepted(layouts: tuple[EmbeddedLayout, ...]) -> None:
    assert classify("7038010009990", layouts) == ScannedCode("ean", "7038010009990")
    assert classify("  7020164760728\n", layouts) == ScannedCode("ean", "7020164760728")


def test_wrong_check_digit_is_refused(layouts: tuple[EmbeddedLayout, ...]) -> None:
    with pytest.raises(BadCode) as refused:
        classify("7038010009998", layouts)
    assert refused.value.reason == "wrong check digit"
    assert refused.value.code == "7038010009998"


def test_with_check_digit_agrees_with_stdnum() -> None:
    assert with_check_digit("703801000999") == "7038010009990"
    assert with_check_digit("9638507") == "96385074"  # EAN-8


def test_ean8_and_upc_a(layouts: tuple[EmbeddedLayout, ...]) -> None:
    assert classify("96385074", layouts) == ScannedCode("ean", "96385074")
    # UPC-A (12 digits) is the same article as the EAN-13 with a leading zero.
    assert classify("036000291452", layouts) == ScannedCode("ean", "0036000291452")
    with pytest.raises(BadCode):
        classify("036000291453", layouts)


@pytest.mark.parametrize(
    "text",
    [
        "70380100099a0",  # a letter
        "7038010009990\x00",  # a control character inside
        "\x1b[A",  # an arrow key escape sequence
        "703801000999O",  # capital O for zero
        "１２３４",  # full-width digits
        "٤٩",  # Arabic-Indic digits
        "12 34",
        "-1234",
        "1" * 33,  # very long
        "9" * 10_000,
        "",
        "   ",
        "1234567",  # 7 digits: neither PLU nor EAN
        "123456789",
        "1" * 15,
    ],
)
def test_not_a_code(text: str, layouts: tuple[EmbeddedLayout, ...]) -> None:
    with pytest.raises(BadCode):
        classify(text, layouts)


def test_very_long_input_is_cut_in_the_message(layouts: tuple[EmbeddedLayout, ...]) -> None:
    with pytest.raises(BadCode) as refused:
        classify("9" * 10_000, layouts)
    assert refused.value.reason == "too long"
    assert len(str(refused.value)) < 100


@pytest.mark.parametrize(
    ("text", "plu"),
    [("1001", "1001"), ("7", "7"), ("010001", "10001"), ("123456", "123456"), ("0", "0")],
)
def test_plu_up_to_six_digits(text: str, plu: str, layouts: tuple[EmbeddedLayout, ...]) -> None:
    assert classify(text, layouts) == ScannedCode("plu", plu)  # leading zeros dropped


def test_weight_embedded_barcode(layouts: tuple[EmbeddedLayout, ...]) -> None:
    code = make_embedded("23", "10001", 375)
    assert code == "2310001003756"
    assert classify(code, layouts) == ScannedCode("embedded", code, plu="10001", grams=375)


def test_price_embedded_barcode(layouts: tuple[EmbeddedLayout, ...]) -> None:
    code = make_embedded("24", "10101", 8950)
    assert code.startswith("241010108950")
    assert len(code) == 13
    assert classify(code, layouts) == ScannedCode("embedded", code, plu="10101", price_ore=8950)


def test_embedded_with_zero_value_is_refused(layouts: tuple[EmbeddedLayout, ...]) -> None:
    with pytest.raises(BadCode):
        classify(make_embedded("23", "10001", 0), layouts)


def test_embedded_with_wrong_check_digit_is_refused(layouts: tuple[EmbeddedLayout, ...]) -> None:
    code = make_embedded("23", "10001", 375)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(BadCode):
        classify(wrong, layouts)


def test_prefix_without_a_layout_is_an_ordinary_ean(layouts: tuple[EmbeddedLayout, ...]) -> None:
    code = make_embedded("21", "10001", 375)
    assert classify(code, layouts) == ScannedCode("ean", code)
    assert classify(make_embedded("23", "10001", 375), ()).kind == "ean"


def test_other_layout_shapes() -> None:
    """A shop whose scale prints 4 item digits and 6 value digits (grams up to 999,999 kg)."""
    layout = (EmbeddedLayout("22", "weight", 4, 6),)
    code = make_embedded("22", "42", 1234, item_digits=4)
    assert code[:12] == "220042001234"
    assert classify(code, layout) == ScannedCode("embedded", code, plu="42", grams=1234)
