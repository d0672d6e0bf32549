"""`kassa stock transfer|receive`: goods sent to another shop and booked in there (issue 15).

`kassa stock receive --order N` books a delivery against a purchase order instead, exactly as
`kassa order receive N` does (kassa_tui.cli.order.receive_against_order, issue 16).

The sending till runs `kassa stock transfer --to SHOP CODE QTY …` and gets a transfer id; the
receiving till books the goods in with `kassa stock receive --transfer ID --from SHOP CODE QTY …`.
Both take a shift lead's number and PIN (stock changes are theirs). The rules and the journal rows
are kassa_tui.stock.transfers'; HQ pairs the two moves by the transfer id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Group, bad_input, config_of, friendly, main, till_of
from kassa_tui.core.i18n import _, ngettext

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.stock.transfer_check import Answer
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
        "goes down now; prints the transfer id the receiving shop books the goods in with, and"
        " the transfer note to go with the goods on the receipt printer."
    ),
)
@click.option("--to", "to_shop", required=True, help=N_("The shop the goods go to."))
@click.argument("items", nargs=-1)
@click.pass_context
@friendly
def stock_transfer(ctx: click.Context, to_shop: str, items: tuple[str, ...]) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.cli.till import print_queue_now
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.transfer_note import NoteLine, send_with_note

    till = till_of(ctx)
    transfers = _transfers(till)
    lines = _lines(transfers, items)
    person = authenticate(till, Permission.STOCK)
    notes = []
    for (product_id, qty), code in zip(lines, items[::2], strict=True):
        product = transfers.catalog.by_id(product_id)
        notes.append(NoteLine(code, product.name, qty, product.unit))
    transfer = send_with_note(
        transfers, till.print_queue, person, to_shop, notes, [pid for pid, _qty in lines]
    )
    click.echo(
        ngettext(
            "Transfer {id} to {shop}: {n} line sent.",
            "Transfer {id} to {shop}: {n} lines sent.",
            len(lines),
        ).format(id=transfer, shop=to_shop.strip(), n=len(lines))
    )
    # The note goes with the goods: printed now, or by the running till from its queue. The
    # goods are booked out either way (a script must not send them twice): exit 0.
    printed = print_queue_now(till.config)
    if printed is None:
        click.echo(_("The transfer note is in the print queue: the running till prints it."))
    elif printed.error:
        click.echo(
            "kassa: "
            + _(
                "the transfer note waits in the print queue (printer: {error}); `kassa print`"
                " prints it."
            ).format(error=printed.error),
            err=True,
        )
    else:
        click.echo(_("The transfer note is printed."))


@stock.command(
    "receive",
    help=N_(
        "Book in goods: --order N, a delivery against purchase order N (as `kassa order receive"
        " N` does: CODE QTY … as received, none: everything outstanding; what is short or over"
        " is said, the order closes when all is in), or --transfer ID --from SHOP, goods"
        " another shop sent (CODE QTY … as received; each transfer id is booked in once). A"
        " shift lead's PIN."
    ),
)
@click.option("--order", "order", type=int, help=N_("The purchase order the goods came for."))
@click.option("--transfer", "transfer", help=N_("The sender's transfer id."))
@click.option(
    "--from", "from_shop", help=N_("The shop that sent the goods (HQ's, when HQ knows the id).")
)
@click.option("--reference", default="", help=N_("The supplier's delivery note (--order)."))
@click.option(
    "--accept-difference",
    is_flag=True,
    help=N_("Book a transfer in although it differs from what HQ says was sent (a shift lead)."),
)
@click.argument("items", nargs=-1)
@click.pass_context
@friendly
def stock_receive(
    ctx: click.Context,
    order: int | None,
    transfer: str | None,
    from_shop: str | None,
    reference: str,
    items: tuple[str, ...],
    accept_difference: bool = False,
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.transfer_check import Sent

    if order is not None and transfer is None and from_shop is None:
        from kassa_tui.cli.order import receive_against_order

        receive_against_order(till_of(ctx), order, items, reference)  # the purchase order's
        return
    no_hq = config_of(ctx).hq is None  # without HQ, --from is the only word on the sender
    if order is not None or transfer is None or reference or (from_shop is None and no_hq):
        bad_input(
            _(
                "Give either --order N (goods against a purchase order) or --transfer ID with"
                " --from SHOP (goods from another shop)."
            )
        )
    till = till_of(ctx)
    transfers = _transfers(till)
    lines = _lines(transfers, items)
    answer = _checked_at_hq(till, transfers, transfer, from_shop, lines, accept_difference)
    if from_shop is None:  # HQ's sending shop, when it knows the transfer
        if not isinstance(answer, Sent):
            bad_input(
                _("Give --from SHOP: HQ cannot say which shop sent transfer {id}.").format(
                    id=transfer.strip()
                )
            )
        from_shop = answer.sender
    person = authenticate(till, Permission.STOCK)
    transfers.receive(person, transfer, from_shop, lines, answer, person)
    click.echo(
        ngettext(
            "Transfer {id} from {shop}: {n} line received.",
            "Transfer {id} from {shop}: {n} lines received.",
            len(lines),
        ).format(id=transfer.strip(), shop=from_shop.strip(), n=len(lines))
    )


def _checked_at_hq(
    till: Till,
    transfers: Transfers,
    transfer: str,
    from_shop: str | None,
    lines: list[tuple[int, int]],
    accept_difference: bool,
) -> Answer | None:
    """HQ's word on what was sent (kassa_tui.stock.transfer_check): the differences printed, and
    refused without --accept-difference; not checked (one line) when HQ cannot say."""
    import uuid

    from kassa_tui.core.errors import Refused
    from kassa_tui.stock import transfer_check
    from kassa_tui.sync import link

    try:
        transfer = str(uuid.UUID(transfer.strip()))
    except ValueError:
        return None  # Transfers.receive says it is not a transfer id
    answer = transfer_check.ask_hq(
        till.config.hq, till.config.register_id, transfer, link.connect, link.deadline
    )
    if isinstance(answer, transfer_check.Unchecked):
        click.echo(answer.message + (f" ({answer.detail})" if answer.detail else ""))
        return answer
    if from_shop is not None:
        transfer_check.check_sender(answer, from_shop)
    scanned = [(till.catalog.by_id(pid), qty) for pid, qty in lines]
    found = transfer_check.rows(till.db, transfers.product, answer, scanned)
    differ = transfer_check.differences(found)
    if not differ:
        click.echo(_("Checked against what {shop} sent: the same.").format(shop=answer.sender))
        return answer
    for row in differ:
        click.echo(transfer_check.describe(row))
    if not accept_difference:
        raise Refused(
            _(
                "Not booked: what was scanned differs from what {shop} sent; a shift lead books"
                " it with --accept-difference."
            ).format(shop=answer.sender)
        )
    return answer
