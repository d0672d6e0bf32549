"""`kassa stock transfer|receive`: goods sent to another shop and booked in there (issue 15).

The sending till runs `kassa stock transfer --to SHOP CODE QTY …` and gets a transfer id; the
receiving till books the goods in with `kassa stock receive --transfer ID --from SHOP CODE QTY …`.
Both take a shift lead's number and PIN (stock changes are theirs). The rules and the journal rows
are kassa_tui.stock.transfers'; HQ pairs the two moves by the transfer id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Group, bad_input, friendly, main, till_of
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.stock.transfers import Transfers


@click.group(cls=Group, help=N_("Stock sent to another shop and received from one."))
def stock() -> None:
    pass


main.add_command(stock)


def _transfers(till: Till) -> Transfers:
    from kassa_tui.stock.transfers import Transfers

    return Transfers(till.db, till.config, till.journal, till.catalog, till.clock)


def _lines(transfers: Transfers, items: tuple[str, ...]) -> list[tuple[int, int]]:
    """CODE QTY pairs (a barcode or PLU, then a quantity such as 5 or 0,5)."""
    from kassa_tui.core.money import InvalidQuantity, parse_quantity

    if not items or len(items) % 2:
        bad_input(_("Give each product as CODE QTY, e.g. 7020164760728 5."))
    lines = []
    for code, qty in zip(items[::2], items[1::2], strict=True):
        product = transfers.product(code)
        try:
            lines.append((product.id, parse_quantity(qty)))
        except InvalidQuantity:
            bad_input(_("{text} is not a quantity.").format(text=repr(qty)))
    return lines


@stock.command(
    "transfer",
    help=N_(
        "Send goods to shop --to: CODE QTY … (a barcode or PLU and a quantity each). Stock here "
        "goes down now; prints the transfer id the receiving shop books the goods in with."
    ),
)
@click.option("--to", "to_shop", required=True, help=N_("The shop the goods go to."))
@click.argument("items", nargs=-1)
@click.pass_context
@friendly
def stock_transfer(ctx: click.Context, to_shop: str, items: tuple[str, ...]) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    transfers = _transfers(till)
    lines = _lines(transfers, items)
    person = authenticate(till, Permission.STOCK)
    transfer = transfers.send(person, to_shop, lines)
    click.echo(
        _("Transfer {id} to {shop}: {n} lines sent.").format(
            id=transfer, shop=to_shop.strip(), n=len(lines)
        )
    )


@stock.command(
    "receive",
    help=N_(
        "Book in goods another shop sent: --transfer ID (as the sender printed it), --from "
        "SHOP, then CODE QTY … as received. Each transfer id is booked in once."
    ),
)
@click.option("--transfer", "transfer", required=True, help=N_("The sender's transfer id."))
@click.option("--from", "from_shop", required=True, help=N_("The shop that sent the goods."))
@click.argument("items", nargs=-1)
@click.pass_context
@friendly
def stock_receive(
    ctx: click.Context, transfer: str, from_shop: str, items: tuple[str, ...]
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    transfers = _transfers(till)
    lines = _lines(transfers, items)
    person = authenticate(till, Permission.STOCK)
    transfers.receive(person, transfer, from_shop, lines)
    click.echo(
        _("Transfer {id} from {shop}: {n} lines received.").format(
            id=transfer.strip(), shop=from_shop.strip(), n=len(lines)
        )
    )
