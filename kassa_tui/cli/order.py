"""`kassa order suppliers|suggest|confirm|list|show|receive|cancel`: reorder proposals and
purchase orders (issue 16).

kassa proposes, a shift lead decides: `suggest` prints what to order from a supplier and why;
`confirm` makes the purchase order from the proposal (with the shift lead's changes), journals
it and queues it for the till's printer; `receive` books a delivery against it (goods in).
Reading the proposal reveals what the shop sells: a shift lead's or technician's PIN first.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Group, bad_input, friendly, main, till_of
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.ordering.orders import PurchaseOrder
    from kassa_tui.ordering.suggest import Suggestion


@click.group("order", cls=Group, help=N_("Reorder proposals, purchase orders and suppliers."))
def order() -> None:
    pass


main.add_command(order)


@order.group("suppliers", cls=Group, help=N_("Suppliers and who delivers which product."))
def suppliers_group() -> None:
    pass


@suppliers_group.command("list", help=N_("Every supplier: code, name, lead time, products."))
@click.pass_context
@friendly
def suppliers_list(ctx: click.Context) -> None:
    from kassa_tui.ordering.suppliers import suppliers

    till = till_of(ctx)
    counts = dict(
        till.db.execute_sql(
            "SELECT supplier_id, COUNT(*) FROM product_supplier GROUP BY supplier_id"
        ).fetchall()
    )
    code, name, lead, review, products = (
        _("Code"),
        _("Name"),
        _("Lead days"),
        _("Review days"),
        _("Products"),
    )
    click.echo(f"{code:<8} {name:<28} {lead:>9} {review:>11} {products:>8}")
    for s in suppliers(till.db):
        click.echo(
            f"{s.code:<8} {s.name[:28]:<28} {s.lead_days:>9} {s.review_days:>11}"
            f" {counts.get(s.id, 0):>8}"
        )


@suppliers_group.command(
    "add",
    help=N_(
        "A new supplier CODE named NAME: --lead days from an order to its delivery, --review "
        "days between two orders. A shift lead's or technician's PIN first; journaled."
    ),
)
@click.argument("code")
@click.argument("name")
@click.option("--lead", type=int, required=True, help=N_("Lead time in days."))
@click.option("--review", type=int, default=7, show_default=True, help=N_("Review period in days."))
@click.option("--email", default="")
@click.option("--phone", default="")
@click.pass_context
@friendly
def suppliers_add(
    ctx: click.Context, code: str, name: str, lead: int, review: int, email: str, phone: str
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.ordering.suppliers import Supplier, add_supplier, check_supplier
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    check_supplier(code, name, lead, review)  # before the PIN: a typo asks for none
    person = authenticate(till, Permission.PRODUCTS)
    made = add_supplier(
        till.db, till.journal, person, Supplier(0, code, name, lead, review, email, phone)
    )
    click.echo(
        _("Supplier {code} added: {name}, lead time {lead} days, review every {review}.").format(
            code=made.code, name=made.name, lead=made.lead_days, review=made.review_days
        )
    )


@suppliers_group.command(
    "set",
    help=N_(
        "Change supplier CODE: --name, --lead, --review, --email, --phone. A shift lead's or "
        "technician's PIN first; journaled."
    ),
)
@click.argument("code")
@click.option("--name", default=None)
@click.option("--lead", type=int, default=None)
@click.option("--review", type=int, default=None)
@click.option("--email", default=None)
@click.option("--phone", default=None)
@click.pass_context
@friendly
def suppliers_set(
    ctx: click.Context,
    code: str,
    name: str | None,
    lead: int | None,
    review: int | None,
    email: str | None,
    phone: str | None,
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.core.errors import Refused
    from kassa_tui.ordering.suppliers import change_supplier, find_supplier
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    if all(v is None for v in (name, lead, review, email, phone)):
        raise Refused(_("Nothing to change: give --name, --lead, --review, --email or --phone."))
    find_supplier(till.db, code)
    person = authenticate(till, Permission.PRODUCTS)
    new = change_supplier(
        till.db,
        till.journal,
        person,
        code,
        name=name,
        lead_days=lead,
        review_days=review,
        email=email,
        phone=phone,
    )
    click.echo(
        _("Supplier {code}: {name}, lead time {lead} days, review every {review}.").format(
            code=new.code, name=new.name, lead=new.lead_days, review=new.review_days
        )
    )


@suppliers_group.command(
    "assign",
    help=N_(
        "Order the products PRODUCTS (PLUs or barcodes) from supplier CODE in packs of --pack "
        "units, at least --min units. All or nothing; a shift lead's or technician's PIN "
        "first; journaled."
    ),
)
@click.argument("code")
@click.argument("products", nargs=-1, required=True)
@click.option("--pack", type=int, default=1, show_default=True, help=N_("Units a pack."))
@click.option("--min", "least", type=int, default=0, show_default=True, help=N_("Least order."))
@click.option("--article", default="", help=N_("The supplier's article code."))
@click.pass_context
@friendly
def suppliers_assign(
    ctx: click.Context, code: str, products: tuple[str, ...], pack: int, least: int, article: str
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.insight.pairs import find_product
    from kassa_tui.ordering.suppliers import check_pack, find_supplier, set_product_supplier
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    supplier = find_supplier(till.db, code)
    check_pack(pack, least)
    ids = []
    for text in products:
        found = find_product(till.db, text)
        if found is None:
            bad_input(_("no product with PLU or barcode {code}").format(code=text))
        ids.append(found.id)
    person = authenticate(till, Permission.PRODUCTS)
    with till.db.atomic("IMMEDIATE"):
        for pid in ids:
            set_product_supplier(till.db, till.journal, person, pid, supplier, pack, least, article)
    click.echo(
        _("{n} products from {code}, packs of {pack}.").format(
            n=len(ids), code=supplier.code, pack=pack
        )
    )


def _suggestion(till: Till, supplier_code: str) -> Suggestion:
    from kassa_tui.ordering.suggest import suggest
    from kassa_tui.ordering.suppliers import find_supplier

    supplier = find_supplier(till.db, supplier_code)
    return suggest(
        till.db.connection(),
        till.clock,
        supplier,
        till.config.ordering.service_level,
        till.config.day_cutoff_hour,
    )


def _suppliers_to_suggest(till: Till, supplier: str | None) -> list[str]:
    from kassa_tui.core.errors import Refused
    from kassa_tui.ordering.suppliers import find_supplier, suppliers

    if supplier is not None:
        return [find_supplier(till.db, supplier).code]
    codes = [s.code for s in suppliers(till.db)]
    if not codes:
        raise Refused(_("There are no suppliers yet: kassa order suppliers add."))
    return codes


def _reader(till: Till) -> None:
    from kassa_tui.cli.auth import authenticate_any
    from kassa_tui.people.permissions import Permission

    authenticate_any(till, (Permission.STOCK, Permission.EXPORT))


@order.command(
    "suggest",
    help=N_(
        "What to order per product and why: the forecast over the lead time and review "
        "period, the safety stock for the service level, on hand, on order, whole packs. Only "
        "a proposal: nothing is ordered. A shift lead's or technician's PIN first."
    ),
)
@click.option("--supplier", metavar="CODE", help=N_("Only this supplier."))
@click.option("--all", "every", is_flag=True, help=N_("Also the products with enough."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print it as JSON."))
@click.option("--csv", "as_csv", is_flag=True, help=N_("Print it as CSV (;)."))
@click.pass_context
@friendly
def order_suggest(
    ctx: click.Context, supplier: str | None, every: bool, as_json: bool, as_csv: bool
) -> None:
    till = till_of(ctx)
    codes = _suppliers_to_suggest(till, supplier)
    _reader(till)
    made = [_suggestion(till, code) for code in codes]
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "supplier": s.supplier.code,
                        "horizon_days": s.horizon_days,
                        "service_level": s.service_level,
                        "lines": [
                            {
                                "code": line.plu,
                                "ean": line.ean,
                                "supplier_code": line.supplier_code,
                                "name": line.name,
                                "class": line.klass,
                                "forecast": round(line.forecast, 2),
                                "safety": round(line.safety, 2),
                                "target": line.target,
                                "on_hand": line.on_hand,
                                "on_order": line.on_order,
                                "pack_size": line.pack_size,
                                "min_order": line.min_order,
                                "suggested": line.suggested,
                                "cost_ore": line.cost_ore,
                                "reason": line.reason,
                            }
                            for line in s.lines
                            if every or line.suggested or line.by_hand
                        ],
                    }
                    for s in made
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        header = "supplier code name target on_hand on_order pack_size qty reason"
        writer.writerow(header.split())
        for s in made:
            for line in s.lines:
                if every or line.suggested or line.by_hand:
                    row = (s.supplier.code, line.plu, line.name, line.target, line.on_hand)
                    writer.writerow(
                        [*row, line.on_order, line.pack_size, line.suggested, line.reason]
                    )
        click.echo(out.getvalue(), nl=False)
        return
    for s in made:
        click.echo(
            _(
                "{code} {name}: lead time {lead} + review {review} days, service level {level} %"
            ).format(
                code=s.supplier.code,
                name=s.supplier.name,
                lead=s.supplier.lead_days,
                review=s.supplier.review_days,
                level=round(s.service_level * 100, 1),
            )
        )
        code, name, target, hand, coming, qty, why = (
            _("Code"),
            _("Name"),
            _("Target"),
            _("On hand"),
            _("On order"),
            _("Order"),
            _("Why"),
        )
        click.echo(f"  {code:<6} {name:<26} {target:>6} {hand:>7} {coming:>8} {qty:>6}  {why}")
        shown = [line for line in s.lines if every or line.suggested or line.by_hand]
        for line in shown:
            click.echo(
                f"  {line.plu:<6} {line.name[:26]:<26} {line.target:>6} {line.on_hand:>7}"
                f" {line.on_order:>8} {line.suggested:>6}  {line.reason}"
            )
        if not shown:
            click.echo("  " + _("Nothing to order."))


def _edits(till: Till, sets: tuple[str, ...], from_file: Path | None) -> dict[int, int]:
    """Product id → units, from --set CODE=QTY and a CSV file of code;qty rows."""
    from kassa_tui.insight.pairs import find_product

    pairs: list[tuple[str, str, str]] = []
    for item in sets:
        code, sep, qty = item.partition("=")
        pairs.append((code, qty, f"--set {item}") if sep else (item, "", f"--set {item}"))
    if from_file is not None:
        with open(from_file, encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.reader(handle, delimiter=";"), start=1):
                if not row or (number == 1 and not row[-1].strip().isdigit()):
                    continue  # an empty line or a header
                if len(row) < 2:
                    bad_input(_("{file} line {n}: give code;qty").format(file=from_file, n=number))
                pairs.append((row[0], row[-1], f"{from_file.name} line {number}"))
    edits: dict[int, int] = {}
    for code, qty, where in pairs:
        found = find_product(till.db, code.strip())
        if found is None:
            bad_input(
                _("{where}: no product with PLU or barcode {code}").format(where=where, code=code)
            )
        if not qty.strip().isdigit():
            bad_input(
                _("{where}: {qty} is not a whole number of units").format(where=where, qty=qty)
            )
        edits[found.id] = int(qty)
    return edits


@order.command(
    "confirm",
    help=N_(
        "Make the purchase order for supplier CODE from the proposal, with your changes "
        "(--set CODE=QTY, or --file with code;qty lines: 0 takes a line off, a product not "
        "proposed is added). Journaled, printed on the till's printer. A shift lead's PIN."
    ),
)
@click.argument("supplier")
@click.option("--set", "sets", multiple=True, metavar="CODE=QTY", help=N_("Change a line."))
@click.option(
    "--file",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=N_("Changes from a CSV file (code;qty)."),
)
@click.pass_context
@friendly
def order_confirm(
    ctx: click.Context, supplier: str, sets: tuple[str, ...], from_file: Path | None
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.ordering.orders import Wanted, confirm
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    suggestion = _suggestion(till, supplier)
    edits = _edits(till, sets, from_file)
    wanted = {
        line.product_id: Wanted(line.product_id, line.suggested, line.suggested, line.reason)
        for line in suggestion.lines
    }
    for pid, qty in edits.items():
        old = wanted.get(pid)
        wanted[pid] = Wanted(pid, qty, old.suggested if old else 0, old.reason if old else "")
    person = authenticate(till, Permission.STOCK)
    made = confirm(
        till.db,
        till.journal,
        till.print_queue,
        till.config,
        till.clock,
        person,
        suggestion.supplier.id,
        list(wanted.values()),
    )
    _show(made)
    click.echo(
        _("Purchase order {number} confirmed and sent to the printer.").format(number=made.number)
    )


def _show(found: PurchaseOrder) -> None:
    from kassa_tui.core.money import format_kr
    from kassa_tui.ordering.orders import status_name

    click.echo(
        _("Purchase order {number} to {supplier} ({name}), {day}: {status}").format(
            number=found.number,
            supplier=found.supplier_code,
            name=found.supplier_name,
            day=found.local_date,
            status=status_name(found.status),
        )
    )
    code, name, qty, pack, got = _("Code"), _("Name"), _("Qty"), _("Pack"), _("Received")
    click.echo(f"  {code:<14} {name:<30} {qty:>6} {pack:>5} {got:>9}")
    for line in found.lines:
        click.echo(
            f"  {(line.supplier_code or line.plu):<14} {line.name[:30]:<30} {line.qty:>6}"
            f" {line.pack_size:>5} {line.received:>9}"
        )
    if found.cost_ore is not None:
        click.echo(_("  Cost: {amount}").format(amount=format_kr(found.cost_ore)))


@order.command("list", help=N_("The latest purchase orders, and whether they are received."))
@click.option("--open", "only_open", is_flag=True, help=N_("Only orders not yet received."))
@click.pass_context
@friendly
def order_list(ctx: click.Context, only_open: bool) -> None:
    from kassa_tui.ordering.orders import CONFIRMED, orders, status_name

    till = till_of(ctx)
    number, day, supplier, lines, status = (
        _("No."),
        _("Date"),
        _("Supplier"),
        _("Lines"),
        _("Status"),
    )
    click.echo(f"{number:>5} {day:<10} {supplier:<10} {lines:>6} {status}")
    for found in orders(till.db, CONFIRMED if only_open else None):
        click.echo(
            f"{found.number:>5} {found.local_date:<10} {found.supplier_code:<10}"
            f" {len(found.lines):>6} {status_name(found.status)}"
        )


@order.command("show", help=N_("Purchase order NUMBER: its lines and what was received."))
@click.argument("number", type=int)
@click.option("--csv", "as_csv", is_flag=True, help=N_("As CSV (;) for the supplier."))
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Write the CSV to this file."),
)
@click.pass_context
@friendly
def order_show(ctx: click.Context, number: int, as_csv: bool, output: Path | None) -> None:
    from kassa_tui.ordering.orders import order as find_order
    from kassa_tui.ordering.orders import order_csv

    till = till_of(ctx)
    found = find_order(till.db, number, till.config.register_id)
    if output is not None:
        output.write_text(order_csv(found), encoding="utf-8")
        click.echo(
            _("Purchase order {number} written to {path}.").format(number=number, path=output)
        )
    elif as_csv:
        click.echo(order_csv(found), nl=False)
    else:
        _show(found)


@order.command(
    "receive",
    help=N_(
        "Goods in against purchase order NUMBER: CODE QTY … as received (none: everything "
        "still outstanding, as ordered). Books the delivery and says what is short or over; "
        "the order closes when all is received. A shift lead's PIN."
    ),
)
@click.argument("number", type=int)
@click.argument("items", nargs=-1)
@click.option("--reference", default="", help=N_("The supplier's delivery note."))
@click.pass_context
@friendly
def order_receive(ctx: click.Context, number: int, items: tuple[str, ...], reference: str) -> None:
    receive_against_order(till_of(ctx), number, items, reference)


def receive_against_order(till: Till, number: int, items: tuple[str, ...], reference: str) -> None:
    """Goods in against purchase order `number` (`kassa order receive`, `kassa stock receive
    --order`): CODE QTY pairs as received, none: everything outstanding as ordered."""
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.insight.pairs import find_product
    from kassa_tui.ordering.orders import order as find_order
    from kassa_tui.ordering.orders import receive_delivery
    from kassa_tui.people.permissions import Permission

    found = find_order(till.db, number, till.config.register_id)
    if len(items) % 2:
        bad_input(_("give CODE QTY pairs"))
    lines: list[tuple[int, int]] = []
    for code, qty in zip(items[::2], items[1::2], strict=True):
        product = find_product(till.db, code)
        if product is None:
            bad_input(_("no product with PLU or barcode {code}").format(code=code))
        if not qty.isdigit() or int(qty) <= 0:
            bad_input(_("{qty} is not a whole number of units above 0").format(qty=qty))
        lines.append((product.id, int(qty)))
    if not items:
        lines = [(line.product_id, line.outstanding) for line in found.lines if line.outstanding]
    person = authenticate(till, Permission.STOCK)
    _delivery, result, closed = receive_delivery(
        till.stock, till.clock, person, number, lines, reference
    )
    for line in result:
        click.echo("  " + line.text())
    if closed:
        click.echo(
            _("Purchase order {number} is received in full and closed.").format(number=number)
        )
    else:
        click.echo(
            _("Purchase order {number} stays open for what is still to come.").format(number=number)
        )


@order.command("cancel", help=N_("Cancel open purchase order NUMBER. A shift lead's PIN."))
@click.argument("number", type=int)
@click.pass_context
@friendly
def order_cancel(ctx: click.Context, number: int) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.ordering.orders import cancel
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    person = authenticate(till, Permission.STOCK)
    cancel(till.db, till.journal, till.clock, person, number)
    click.echo(_("Purchase order {number} cancelled.").format(number=number))
