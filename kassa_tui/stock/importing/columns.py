"""The columns a catalog file may have: each field's header names, and what a file must hold.

Header names are recognised in Norwegian or English, compared folded (see `fold`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kassa_tui.stock.importing.suppliers import SYNONYMS as ORDERING_SYNONYMS

# Header names are compared folded: lower case, without spaces and punctuation.
_PRODUCT_SYNONYMS: dict[str, tuple[str, ...]] = {
    key: tuple(names.split())
    for key, names in {
        "plu": "plu plunr varenummer varenr sku artikkelnummer artikkelnr artnr produktnummer"
        " produktnr itemno itemnumber productnumber",
        "ean": "ean ean13 eannr eankode gtin strekkode strekkoder barcode barcodes",
        "name": "name navn varenavn varetekst beskrivelse produktnavn artikkelnavn description"
        " productname",
        "group": "group gruppe varegruppe varegr varegruppenr produktgruppe kategori category"
        " groupcode productgroup",
        # The group's SAF-T article group code (PredefinedBasicID-04), e.g. 04006 Food.
        "group_saft": "saft saftgroup saftcode saftgruppe saftkode gruppesaft artikkelgruppe"
        " articlegroup",
        "vat": "vat mva moms mvasats momssats mvaprosent vatrate vatpercent",
        "price": "price pris utpris salgspris utsalgspris prisinklmva utprisinklmva priskr"
        " priceinclvat retailprice sellingprice",
        # The demo catalog's own column (data/demo_products.csv): a price in øre, not kroner.
        "price_ore": "priceore prisore prisøre",
        "unit": "unit enhet salgsenhet uom",
        "cost": "cost innpris kostpris innkjøpspris innkjopspris costprice",
        "reorder": "reorder reorderpoint reorderlevel bestillingspunkt minlager minbeholdning",
        # The deposit type (pant) the product carries: its code; '-' or 'ingen' for none.
        "pant": "pant panttype pantkode deposit deposittype",
    }.items()
}
# The ordering columns (supplier, supplier_code, pack_size, min_order): importing.suppliers.
_PRODUCT_SYNONYMS.update({key: tuple(names.split()) for key, names in ORDERING_SYNONYMS.items()})
_STOCK_SYNONYMS: dict[str, tuple[str, ...]] = {
    "plu": _PRODUCT_SYNONYMS["plu"],
    "ean": _PRODUCT_SYNONYMS["ean"],
    "quantity": (
        "quantity",
        "qty",
        "antall",
        "beholdning",
        "lagerbeholdning",
        "lager",
        "stock",
        "onhand",
    ),
}
_FOLD = re.compile(r"[\W_]+")


def fold(header: str) -> str:
    """How header names are compared: 'Pris (kr)' → 'priskr', 'MVA %' → 'mva'."""
    return _FOLD.sub("", header.casefold())


@dataclass(frozen=True)
class ColumnSpec:
    """The columns one kind of file has: synonyms per field and what must be there."""

    synonyms: Mapping[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]  # each: one of these fields
    one_of: tuple[str, ...]  # at least one of these fields identifies the product

    def field_for(self, name: str) -> str | None:
        """The field a `--map` FIELD or a header names, or None."""
        folded = fold(name)
        for key, names in self.synonyms.items():
            if folded == fold(key) or folded in names:
                return key
        return None

    def describe(self, key: str) -> str:
        return "price" if key == "price_ore" else key


PRODUCT_COLUMNS = ColumnSpec(
    _PRODUCT_SYNONYMS,
    required=(("name",), ("price", "price_ore"), ("group",), ("vat",)),
    one_of=("plu", "ean"),
)
STOCK_COLUMNS = ColumnSpec(_STOCK_SYNONYMS, required=(("quantity",),), one_of=("plu", "ean"))
