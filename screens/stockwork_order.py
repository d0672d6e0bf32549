"""Goods received against a purchase order (issue 16): the goods-in screen's few order lines.

F7 on the goods-in screen takes the order number typed in the entry line and fills the lines
with what is still outstanding, as ordered; the table gains an "Ordered" column; F10 books the
delivery through kassa_tui.ordering.orders.receive_delivery, which records what came against
the order and closes it when everything is in, and the screen says what was short or over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import QTY_ONE
from kassa_tui.ordering.orders import (
    CONFIRMED,
    PurchaseOrder,
    delivery_summary,
    order,
    receive_delivery,
    status_name,
)
from kassa_tui.people.person import Person

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Protocol

    from kassa_tui.composition import Till

    class Line(Protocol):
        product: ProductInfo
        qty_milli: int
        cost_ore: int | None


__all__ = [
    "PurchaseOrder",
    "order_lines",
    "order_title",
    "ordered_column",
    "receive_against_order",
]


def order_title(found: PurchaseOrder | None) -> str:
    if found is None:
        return _("Goods received")
    return _("Goods received: order {number} ({supplier})").format(
        number=found.number, supplier=found.supplier_code
    )


def ordered_column(
    found: PurchaseOrder | None, product_ids: list[int]
) -> list[tuple[str, list[str]]]:
    """The table's "Ordered" column (outstanding units), only when a delivery has an order."""
    if found is None:
        return []
    outstanding = {line.product_id: line.outstanding for line in found.lines}
    return [(_("Ordered"), [str(outstanding.get(pid, "-")) for pid in product_ids])]


def order_lines(
    till: Till, text: str, scanned: Sequence[Line]
) -> tuple[PurchaseOrder, list[tuple[ProductInfo, int, int | None]]]:
    """Order `text` (its number) and the lines to show: what was scanned already, then every
    outstanding line of the order not scanned, at its outstanding quantity."""
    if not text.strip().isdigit():
        raise Refused(_("Type the purchase order's number, then F7."))
    found = order(till.db, int(text), till.config.register_id)
    if found.status != CONFIRMED:
        raise Refused(
            _("Purchase order {number} is {status}: nothing can be received against it.").format(
                number=found.number, status=status_name(found.status)
            )
        )
    lines = [(line.product, line.qty_milli, line.cost_ore) for line in scanned]
    have = {line.product.id for line in scanned}
    for wanted in found.lines:
        if wanted.outstanding and wanted.product_id not in have:
            lines.append(
                (till.catalog.by_id(wanted.product_id), wanted.outstanding * QTY_ONE, None)
            )
    return found, lines


def receive_against_order(
    till: Till,
    person: Person,
    found: PurchaseOrder,
    rows: Sequence[tuple[int, int, int | None]],
    reference: str,
) -> str:
    """Book the delivery against the order; the one line the screen shows afterwards."""
    units: list[tuple[int, int]] = []
    for product_id, qty_milli, _cost in rows:
        if qty_milli % QTY_ONE or qty_milli <= 0:
            name = till.catalog.by_id(product_id).name
            raise Refused(_("{name}: an order is received in whole units.").format(name=name))
        units.append((product_id, qty_milli // QTY_ONE))
    costs: dict[int, int | None] = {pid: cost for pid, _qty, cost in rows if cost is not None}
    _delivery, result, closed = receive_delivery(
        till.stock, till.journal.clock, person, found.number, units, reference, costs
    )
    return delivery_summary(found.number, result, closed)
