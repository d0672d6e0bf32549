"""Product barcodes the till would read as the customer club's: an EAN-13 starting with
`[club] card_prefix` (a member card) or `offer_prefix` (a personal offer). The product form and
the product import refuse them, so a product can always be sold by its barcode."""

from __future__ import annotations

from kassa_tui.config.club import ClubSettings
from kassa_tui.core.i18n import _


def clash(club: ClubSettings, code: str) -> str | None:
    """Why product barcode `code` cannot be a product's, or None when it can."""
    if len(code) != 13:
        return None  # member cards and offers are EAN-13s
    if code.startswith(club.card_prefix):
        return _(
            "Barcode {code} starts with {prefix}, the customer club's member cards"
            " ([club] card_prefix): the till would read it as a member card."
        ).format(code=code, prefix=club.card_prefix)
    if code.startswith(club.offer_prefix):
        return _(
            "Barcode {code} starts with {prefix}, the customer club's personal offers"
            " ([club] offer_prefix): the till would read it as an offer."
        ).format(code=code, prefix=club.offer_prefix)
    return None
