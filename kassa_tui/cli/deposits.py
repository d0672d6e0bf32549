"""`kassa deposits …`: deposit types (pant) and the products that carry them.

The rules live in kassa_tui.catalog.deposits; this module asks for a shift lead's or technician's
PIN, journals each change as master data (13021) and prints the result.
"""

from __future__ import annotations

import click

from kassa_tui.cli.base import N_, Group, friendly, till_of
from kassa_tui.core.i18n import _


@click.group(cls=Group, help=N_("Deposit types (pant) and the drinks that carry them."))
def deposits() -> None:
    pass


def _vat_text(vat_bp: int | None) -> str:
    from kassa_tui.core.money import format_rate

    return _("drink's") if vat_bp is None else format_rate(vat_bp)


def _parse_vat(text: str) -> int | None:
    """'drink' (the drink's own rate) or a percentage: 25, 15, 12, 0."""
    from kassa_tui.core.errors import Refused

    if text.strip().lower() in ("drink", "drikke", "drikk"):
        return None
    if not text.strip().isdigit():
        raise Refused(_("VAT must be 0, 12, 15 or 25 %, or the drink's own rate."))
    return int(text) * 100


def _parse_amount(text: str) -> int:
    from kassa_tui.core.errors import Refused
    from kassa_tui.core.money import InvalidAmount, parse_amount

    try:
        return parse_amount(text)
    except InvalidAmount:
        raise Refused(_("{text} is not an amount.").format(text=text)) from None


@deposits.command("list", help=N_("Every deposit type: code, amount, VAT, account, products."))
@click.pass_context
@friendly
def deposits_list(ctx: click.Context) -> None:
    from kassa_tui.catalog.deposits import deposit_types
    from kassa_tui.core.money import format_kr

    till = till_of(ctx)
    counts = dict(
        till.db.execute_sql(
            "SELECT deposit_type_id, COUNT(*) FROM product_deposit GROUP BY deposit_type_id"
        ).fetchall()
    )
    code, name, amount, vat, account, products = (
        _("Code"),
        _("Name"),
        _("Amount"),
        _("VAT"),
        _("Account"),
        _("Products"),
    )
    click.echo(f"{code:<6} {name:<32} {amount:>8} {vat:>9} {account:<7} {products:>8}")
    for kind in deposit_types(till.db):
        click.echo(
            f"{kind.code:<6} {kind.name[:32]:<32} {format_kr(kind.amount_ore):>8}"
            f" {_vat_text(kind.vat_bp):>9} {kind.account:<7} {counts.get(kind.id, 0):>8}"
        )


@deposits.command(
    "add",
    help=N_(
        "A new deposit type CODE named NAME of AMOUNT kr a unit; --vat 25/15/12/0 or 'drink' "
        "(the default: pant takes the drink's rate), --account its revenue account. A shift "
        "lead's or technician's number and PIN first; journaled."
    ),
)
@click.argument("code")
@click.argument("name")
@click.argument("amount")
@click.option("--vat", default="drink", show_default=True)
@click.option("--account", default="3031", show_default=True)
@click.pass_context
@friendly
def deposits_add(
    ctx: click.Context, code: str, name: str, amount: str, vat: str, account: str
) -> None:
    from kassa_tui.catalog.deposits import add_type, check_type
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.core.money import format_kr
    from kassa_tui.people.permissions import Permission
    from kassa_tui.records.journal import Event

    till = till_of(ctx)
    amount_ore, vat_bp = _parse_amount(amount), _parse_vat(vat)
    check_type(code, name, amount_ore, vat_bp, account)  # before the PIN: a typo asks for none
    person = authenticate(till, Permission.PRODUCTS)
    with till.db.atomic("IMMEDIATE"):
        kind = add_type(till.db, code, name, amount_ore, vat_bp, account)
        till.journal.write(
            Event.MASTER_DATA,
            user=person.number,
            deposit_type=kind.code,
            name=kind.name,
            amount=kind.amount_ore,
            vat_bp=kind.vat_bp,
            account=kind.account,
        )
    click.echo(
        _("Deposit type {code} added: {amount}, VAT {vat}, account {account}.").format(
            code=kind.code,
            amount=format_kr(kind.amount_ore),
            vat=_vat_text(kind.vat_bp),
            account=kind.account,
        )
    )


@deposits.command(
    "set",
    help=N_(
        "Change deposit type CODE: --amount, --vat (25/15/12/0 or 'drink'), --account, --name. "
        "Lines already sold keep theirs. A shift lead's or technician's PIN first; journaled."
    ),
)
@click.argument("code")
@click.option("--amount", default=None)
@click.option("--vat", default=None)
@click.option("--account", default=None)
@click.option("--name", default=None)
@click.pass_context
@friendly
def deposits_set(
    ctx: click.Context,
    code: str,
    amount: str | None,
    vat: str | None,
    account: str | None,
    name: str | None,
) -> None:
    from kassa_tui.catalog.deposits import change_type, deposit_type
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.core.errors import Refused
    from kassa_tui.core.money import format_kr
    from kassa_tui.people.permissions import Permission
    from kassa_tui.records.journal import Event

    till = till_of(ctx)
    if amount is None and vat is None and account is None and name is None:
        raise Refused(_("Nothing to change: give --amount, --vat, --account or --name."))
    old = deposit_type(till.db, code)
    amount_ore = None if amount is None else _parse_amount(amount)
    vat_bp: int | str | None = "keep" if vat is None else _parse_vat(vat)
    person = authenticate(till, Permission.PRODUCTS)
    with till.db.atomic("IMMEDIATE"):
        kind = change_type(
            till.db, code, amount_ore=amount_ore, vat_bp=vat_bp, account=account, name=name
        )
        till.journal.write(
            Event.MASTER_DATA,
            user=person.number,
            deposit_type=kind.code,
            before=[old.name, old.amount_ore, old.vat_bp, old.account],
            after=[kind.name, kind.amount_ore, kind.vat_bp, kind.account],
        )
    click.echo(
        _("Deposit type {code}: {amount}, VAT {vat}, account {account}.").format(
            code=kind.code,
            amount=format_kr(kind.amount_ore),
            vat=_vat_text(kind.vat_bp),
            account=kind.account,
        )
    )


@deposits.command(
    "assign",
    help=N_(
        "Let the products PRODUCTS (PLUs or barcodes) carry deposit type CODE ('none': no pant). "
        "All or nothing; a shift lead's or technician's PIN first; journaled."
    ),
)
@click.argument("code")
@click.argument("products", nargs=-1, required=True)
@click.pass_context
@friendly
def deposits_assign(ctx: click.Context, code: str, products: tuple[str, ...]) -> None:
    from kassa_tui.catalog.deposits import deposit_type, set_product_deposit
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.core.errors import Refused
    from kassa_tui.people.permissions import Permission
    from kassa_tui.records.journal import Event

    till = till_of(ctx)
    none = code.strip().lower() in ("none", "ingen")
    if not none:
        deposit_type(till.db, code)
    found = []
    for text in products:
        row = till.db.execute_sql(
            "SELECT id, COALESCE(plu, CAST(id AS TEXT)), name FROM product WHERE plu = ?"
            " UNION SELECT p.id, COALESCE(p.plu, CAST(p.id AS TEXT)), p.name FROM barcode b"
            " JOIN product p ON p.id = b.product_id WHERE b.code = ? LIMIT 1",
            (text, text),
        ).fetchone()
        if row is None:
            raise Refused(_("Unknown code {code}: nothing changed.").format(code=text))
        found.append(row)
    person = authenticate(till, Permission.PRODUCTS)
    with till.db.atomic("IMMEDIATE"):
        for product_id, plu, _name in found:
            set_product_deposit(till.db, int(product_id), None if none else code)
            till.journal.write(
                Event.MASTER_DATA, user=person.number, art=plu, deposit=None if none else code
            )
    click.echo(
        _("{n} products now carry deposit type {code}.").format(n=len(found), code=code)
        if not none
        else _("{n} products now carry no pant.").format(n=len(found))
    )
