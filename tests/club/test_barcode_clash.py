"""A product barcode starting with the club's card prefix (270) or offer prefix (271) would be
read as a member card or an offer: the product import and the product form refuse it, and the
demo shop has none."""

from __future__ import annotations

from pathlib import Path

import pytest

from kassa_tui.catalog.barcodes import with_check_digit
from kassa_tui.club.barcodes import clash
from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from kassa_tui.people.person import Person
from kassa_tui.stock.importing import PRODUCT_COLUMNS, import_products, read_table
from tests.unit.conftest import count

CARD_LIKE = with_check_digit("270123456789")
OFFER_LIKE = with_check_digit("271123456789")
FINE = with_check_digit("703801000997")
FINE_2 = with_check_digit("703801000996")


def test_the_import_rejects_a_card_or_offer_barcode_by_its_line(till: Till, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text(
        "plu;ean;name;group;vat;price\n"
        f"50010;{FINE};Fine;20;15;10\n"
        f"50011;{CARD_LIKE};Card-like;20;15;10\n"
        f"50012;{FINE_2}|{OFFER_LIKE};Offer-like;20;15;10\n",
        encoding="utf-8",
    )
    products = count(till.db, "product")
    report = import_products(till.db, till.journal, read_table(path, PRODUCT_COLUMNS), till.config)
    reasons = {r.line: r.reason for r in report.rejected}
    assert set(reasons) == {3, 4}
    assert f"Barcode {CARD_LIKE} starts with 270" in reasons[3] and "member card" in reasons[3]
    assert f"Barcode {OFFER_LIKE} starts with 271" in reasons[4] and "offer" in reasons[4]
    assert report.new == 1 and count(till.db, "product") == products + 1
    assert count(till.db, "barcode", "code IN (?, ?)", CARD_LIKE, OFFER_LIKE) == 0


def test_the_product_form_refuses_a_card_or_offer_barcode(till: Till, shift_lead: Person) -> None:
    before = count(till.db, "product")
    for code, words in ((CARD_LIKE, "member card"), (OFFER_LIKE, "offer")):
        with pytest.raises(Refused, match=words):
            till.products.add_product(
                shift_lead,
                name="Clash",
                group_code="20",
                vat_bp=1500,
                price_ore=1000,
                barcodes=[FINE, code],
            )
    assert count(till.db, "product") == before
    product = till.products.add_product(
        shift_lead, name="Fine", group_code="20", vat_bp=1500, price_ore=1000, barcodes=[FINE]
    )
    with pytest.raises(Refused, match="member card"):
        till.products.update_product(shift_lead, product, barcodes=[FINE, CARD_LIKE])
    assert count(till.db, "barcode", "product_id = ?", product) == 1


def test_the_demo_shop_has_no_barcode_the_club_would_take(till: Till) -> None:
    codes = [c for (c,) in till.db.execute_sql("SELECT code FROM barcode").fetchall()]
    assert len(codes) > 100
    assert [c for c in codes if clash(till.config.club, c)] == []
