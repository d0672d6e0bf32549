"""Pricing a basket: line amounts, discounts, VAT per rate, and what is left to pay.

Pure functions over plain values, so the screen, the receipt and the stored sale are computed by
the same code and always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kassa_tui.catalog.deposits import PANT_GROUP
from kassa_tui.core.money import (
    VatLine,
    allocate,
    cash_rounding,
    line_amount,
    round_half_up,
    vat_of,
    vat_split,
)


@dataclass(frozen=True)
class Line:
    """One line of a basket as stored."""

    id: int
    position: int
    product_id: int
    code: str
    name: str
    group_code: str
    vat_bp: int
    unit: str
    unit_price_ore: int
    list_price_ore: int
    qty_milli: int
    fixed_amount_ore: int | None = None
    discount_ore: int = 0
    discount_bp: int = 0
    discount_reason: str = ""
    overridden: bool = False

    @property
    def gross(self) -> int:
        if self.fixed_amount_ore is not None:
            return self.fixed_amount_ore
        return line_amount(self.unit_price_ore, self.qty_milli)

    @property
    def line_discount(self) -> int:
        if self.discount_bp:
            return max(0, min(self.gross, round_half_up(self.gross * self.discount_bp, 10_000)))
        return max(0, min(self.gross, self.discount_ore))  # a pant slip's line is negative


@dataclass(frozen=True)
class CampaignHit:
    """A campaign applied to a basket (selling.campaigns): its name, how many groups, what it
    takes off, and each line's share of that (the shares are the lines' discounts)."""

    campaign_id: int
    name: str
    groups: int
    discount_ore: int
    line_shares: Mapping[int, int] = field(default_factory=dict)  # basket line id -> øre


@dataclass(frozen=True)
class PricedLine:
    line: Line
    discount: int  # the line's own discount plus its share of a sale discount
    amount: int  # what the customer pays for this line, VAT included
    vat: int


@dataclass(frozen=True)
class Payment:
    method: str  # cash, card
    amount_ore: int  # what counts towards the sale (cash: after rounding)
    tendered_ore: int  # what the customer handed over


@dataclass(frozen=True)
class Priced:
    lines: list[PricedLine]
    total: int
    discount: int
    vat_lines: list[VatLine]
    payments: list[Payment]
    cash_rounding_enabled: bool = True
    campaigns: tuple[CampaignHit, ...] = ()

    @property
    def paid(self) -> int:
        return sum(p.amount_ore for p in self.payments)

    @property
    def remaining(self) -> int:
        """Left to pay by card (exact)."""
        return self.total - self.paid

    @property
    def rounding_if_cash(self) -> int:
        return cash_rounding(self.remaining) if self.cash_rounding_enabled else 0

    @property
    def cash_due(self) -> int:
        """Left to pay in cash, rounded to whole kroner (øreavrunding)."""
        return self.remaining + self.rounding_if_cash

    @property
    def vat(self) -> int:
        return sum(v.vat for v in self.vat_lines)


def price(
    lines: list[Line],
    payments: list[Payment],
    *,
    sale_discount_ore: int = 0,
    sale_discount_bp: int = 0,
    cash_rounding_enabled: bool = True,
    campaigns: Sequence[CampaignHit] = (),
) -> Priced:
    """Price a basket. A sale discount is spread over the lines so VAT per line stays right;
    so are the campaigns' discounts (each line's share is part of its discount)."""
    off: dict[int, int] = {}
    for hit in campaigns:
        for line_id, share in hit.line_shares.items():
            off[line_id] = off.get(line_id, 0) + share
    nets = [ln.gross - ln.line_discount - off.get(ln.id, 0) for ln in lines]
    # A sale discount is spread over the goods only: pant is never discounted.
    goods = [0 if ln.group_code == PANT_GROUP else n for ln, n in zip(lines, nets, strict=True)]
    subtotal = sum(goods)
    if sale_discount_bp:
        sale_discount = round_half_up(subtotal * sale_discount_bp, 10_000)
    else:
        sale_discount = sale_discount_ore
    sale_discount = max(0, min(sale_discount, subtotal))
    shares = allocate(sale_discount, goods)
    priced: list[PricedLine] = []
    for ln, net, share in zip(lines, nets, shares, strict=True):
        amount = net - share
        own = ln.line_discount + off.get(ln.id, 0)
        priced.append(PricedLine(ln, own + share, amount, vat_of(amount, ln.vat_bp)))
    return Priced(
        lines=priced,
        total=sum(p.amount for p in priced),
        discount=sum(p.discount for p in priced),
        vat_lines=vat_split((p.amount, p.line.vat_bp) for p in priced),
        payments=payments,
        cash_rounding_enabled=cash_rounding_enabled,
        campaigns=tuple(campaigns),
    )
