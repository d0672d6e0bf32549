"""`kassa rules …`: age limits, beer hours and eat-in VAT rates of product groups and products.

The rules live in kassa_tui.catalog.counter_rules; this module asks for a shift lead's or
technician's PIN, journals each change as master data (13021) and prints the result.
"""

from __future__ import annotations

import click

from kassa_tui.cli.base import N_, Group, friendly, till_of
from kassa_tui.core.i18n import _


@click.group(cls=Group, help=N_("Age limits, beer hours and eat-in VAT of groups and products."))
def rules() -> None:
    pass


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else (_("yes") if value else _("no"))


@rules.command("list", help=N_("Every group and product with an age limit, beer or eat-in rate."))
@click.pass_context
@friendly
def rules_list(ctx: click.Context) -> None:
    from kassa_tui.core.money import format_rate

    till = till_of(ctx)
    what, name, age, beer, eat_in = _("Group/PLU"), _("Name"), _("Age"), _("Beer"), _("Eat in")
    click.echo(f"{what:<10} {name:<32} {age:>4} {beer:>5} {eat_in:>7}")
    for code, group_name, limit, is_beer in till.db.execute_sql(
        "SELECT g.code, g.name, r.age_limit, r.beer FROM group_counter_rule r"
        " JOIN product_group g ON g.id = r.group_id ORDER BY g.code"
    ).fetchall():
        click.echo(
            f"{code:<10} {group_name[:32]:<32} {limit:>4} {_yes_no(bool(is_beer)):>5} {'-':>7}"
        )
    for plu, product_name, limit, is_beer, rate in till.db.execute_sql(
        "SELECT COALESCE(p.plu, p.id), p.name, r.age_limit, r.beer, r.eat_in_vat_bp"
        " FROM product_counter_rule r JOIN product p ON p.id = r.product_id ORDER BY p.plu"
    ).fetchall():
        shown_age = "-" if limit is None else str(limit)
        shown_beer = _yes_no(None if is_beer is None else bool(is_beer))
        shown_rate = "-" if rate is None else format_rate(rate)
        click.echo(
            f"{plu!s:<10} {product_name[:32]:<32} {shown_age:>4} {shown_beer:>5} {shown_rate:>7}"
        )


@rules.command(
    "group",
    help=N_(
        "Set group CODE's --age (0, 18 or 20) and whether it is --beer (sold only in the beer "
        "hours). A shift lead's or technician's number and PIN first; journaled."
    ),
)
@click.argument("code")
@click.option("--age", type=int, required=True)
@click.option("--beer/--no-beer", default=False, show_default=True)
@click.pass_context
@friendly
def rules_group(ctx: click.Context, code: str, age: int, beer: bool) -> None:
    from kassa_tui.catalog.counter_rules import check_age, set_group_rule
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission
    from kassa_tui.records.journal import Event

    till = till_of(ctx)
    check_age(age)  # before the PIN: a typo asks for none
    person = authenticate(till, Permission.PRODUCTS)
    with till.db.atomic("IMMEDIATE"):
        set_group_rule(till.db, code, age, beer)
        till.journal.write(
            Event.MASTER_DATA, user=person.number, group_rule=code, age_limit=age, beer=beer
        )
    click.echo(
        _("Group {code}: age limit {age}, beer {beer}.").format(
            code=code, age=age, beer=_yes_no(beer)
        )
    )


@rules.command(
    "product",
    help=N_(
        "Set product PRODUCT's (PLU or barcode) own --age (0, 18, 20 or 'group'), --beer "
        "(yes, no or 'group') and --eat-in-vat (a rate in percent, or 'none'). A shift lead's "
        "or technician's number and PIN first; journaled."
    ),
)
@click.argument("product")
@click.option("--age", default="group", show_default=True)
@click.option("--beer", default="group", show_default=True)
@click.option("--eat-in-vat", "eat_in_vat", default="none", show_default=True)
@click.pass_context
@friendly
def rules_product(ctx: click.Context, product: str, age: str, beer: str, eat_in_vat: str) -> None:
    from kassa_tui.catalog.counter_rules import check_age, set_product_rule
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.core.errors import Refused
    from kassa_tui.people.permissions import Permission
    from kassa_tui.records.journal import Event

    till = till_of(ctx)
    try:
        found = till.catalog.by_plu(product)
    except Refused:
        found = till.catalog.by_barcode(product)
    if age != "group" and not age.isdigit():
        raise Refused(_("An age limit is 0 (none), 18 or 20, not {age}.").format(age=age))
    age_limit = None if age == "group" else int(age)
    if age_limit is not None:
        check_age(age_limit)
    beers = {"group": None, "yes": True, "no": False}
    if beer not in beers:
        raise Refused(_("--beer is yes, no or group, not {beer}.").format(beer=beer))
    if eat_in_vat != "none" and not eat_in_vat.isdigit():
        raise Refused(
            _("The eat-in VAT rate must be one of the till's rates, not {rate}.").format(
                rate=eat_in_vat
            )
        )
    rate = None if eat_in_vat == "none" else int(eat_in_vat) * 100
    if rate is not None and rate not in till.config.vat_rates_bp:
        raise Refused(
            _("The eat-in VAT rate must be one of the till's rates, not {rate}.").format(
                rate=eat_in_vat
            )
        )
    person = authenticate(till, Permission.PRODUCTS)
    with till.db.atomic("IMMEDIATE"):
        set_product_rule(
            till.db,
            found.id,
            age_limit=age_limit,
            beer=beers[beer],
            eat_in_vat_bp=rate,
            vat_rates_bp=till.config.vat_rates_bp,
        )
        till.journal.write(
            Event.MASTER_DATA,
            user=person.number,
            product_rule=found.plu or found.id,
            age_limit=age_limit,
            beer=beers[beer],
            eat_in_vat_bp=rate,
        )
    click.echo(
        _("{name}: age limit {age}, beer {beer}, eat-in VAT {rate}.").format(
            name=found.name, age=age, beer=beer, rate=eat_in_vat
        )
    )
