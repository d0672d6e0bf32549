"""`kassa import campaigns FILE` and `kassa campaigns list`: multi-buys and planned prices.

The rules (what a row must hold, what is journaled) live in kassa_tui.stock.importing.campaigns;
this module reads the file, asks for a shift lead's or technician's PIN and prints the result.
"""

from __future__ import annotations

from pathlib import Path

import click

from kassa_tui.cli.base import N_, Group, friendly, till_of
from kassa_tui.cli.catalog import import_
from kassa_tui.core.i18n import _


@import_.command(
    "campaigns",
    help=N_(
        "Multi-buys, mix-and-match and planned prices from a CSV FILE with the columns "
        "campaign;type;products;quantity;price;from;to. type: n_for_m (quantity 3/2: "
        "'3 for 2'), n_for_price (quantity 2, price 50: '2 for 50 kr', one product or many) "
        "or planned_price (price from 'from' to 'to'). products: PLUs or barcodes split by |. "
        "from/to: YYYY-MM-DD or YYYY-MM-DD HH:MM, the shop's time. One bad row rejects the "
        "file (every problem named by its line) and nothing changes; a shift lead's or "
        "technician's number and PIN first; journaled."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
@friendly
def import_campaigns_command(ctx: click.Context, file: Path) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.core.errors import Refused
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns

    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    till = till_of(ctx)
    rows = read_campaigns(till.db, text)  # checked before the PIN: a bad file asks for none
    person = authenticate(till, Permission.PRODUCTS)
    if not rows:
        raise Refused(_("The file has no campaigns: nothing imported."))
    done = import_campaigns(till.db, till.journal, till.clock, person, rows)
    click.echo(
        _("{campaigns} campaigns and {planned} planned prices imported.").format(
            campaigns=done.campaigns, planned=done.planned_prices
        )
    )


@click.group(cls=Group, help=N_("Campaigns (multi-buys, mix-and-match) and what they gave."))
def campaigns() -> None:
    pass


@campaigns.command(
    "list",
    help=N_(
        "Every campaign: kind, products, from and to, and the sales and discount it has "
        "given so far (training sales left out); then the planned prices."
    ),
)
@click.pass_context
@friendly
def campaigns_list(ctx: click.Context) -> None:
    from kassa_tui.core.clock import parse_utc
    from kassa_tui.core.money import format_kr
    from kassa_tui.stock.importing.campaigns import list_campaigns, list_planned_prices

    till = till_of(ctx)
    now = till.clock.now().utc_text

    def local(utc: str | None) -> str:
        return parse_utc(utc).local.strftime("%Y-%m-%d %H:%M") if utc else ""

    header = (
        f"{_('Campaign'):<26} {_('Offer'):<12} {_('Products'):>8} {_('From'):<16} "
        f"{_('To'):<16} {_('Sales'):>6} {_('Discount'):>10}"
    )
    click.echo(header)
    for c in list_campaigns(till.db):
        if c.kind == "n_for_m":
            offer = _("{n} for {m}").format(n=c.quantity, m=c.pay_for)
        else:
            offer = _("{n} for {price}").format(n=c.quantity, price=format_kr(c.price_ore))
        running = (
            c.active
            and c.valid_from_utc <= now
            and (c.valid_to_utc is None or c.valid_to_utc > now)
        )
        mark = "*" if running else " "
        click.echo(
            f"{mark}{c.name[:25]:<25} {offer:<12} {c.products:>8} {local(c.valid_from_utc):<16} "
            f"{local(c.valid_to_utc):<16} {c.sales:>6} {format_kr(c.discount_ore):>10}"
        )
    click.echo(_("* running now"))
    planned = list_planned_prices(till.db)
    if planned:
        click.echo()
        click.echo(_("Planned prices"))
        states = {"planned": _("planned"), "active": _("runs"), "ended": _("ended")}
        for p in planned:
            click.echo(
                f" {p.product[:33]:<33} {format_kr(p.price_ore):>10} {local(p.valid_from_utc):<16}"
                f" {local(p.valid_to_utc):<16} {states.get(p.state, p.state)}"
            )


@campaigns.command(
    "change",
    help=N_(
        "Change a running or planned campaign NAME: each option given replaces that part, "
        "the rest stays (--to '' : until ended). Checked as a new campaign is; a shift lead's "
        "or technician's number and PIN; journaled as master data like a new campaign (the "
        "old definition stays in the journal); sales already made keep their discounts."
    ),
)
@click.argument("name")
@click.option("--name", "new_name", help=N_("A new name."))
@click.option(
    "--kind",
    type=click.Choice(["n_for_m", "n_for_price", "any_n_for_price"]),
    help=N_("n_for_m ('3 for 2'), n_for_price (one product), any_n_for_price (a list)."),
)
@click.option("--quantity", help=N_("N: how many."))
@click.option("--pay-for", help=N_("M: how many are paid for (n_for_m)."))
@click.option("--price", help=N_("The price of N together, in kr."))
@click.option("--products", help=N_("PLUs or barcodes split by |."))
@click.option("--from", "valid_from", help=N_("YYYY-MM-DD [HH:MM], the shop's time."))
@click.option("--to", "valid_to", help=N_("YYYY-MM-DD [HH:MM]; '' for until ended."))
@click.pass_context
@friendly
def campaigns_change(
    ctx: click.Context,
    name: str,
    new_name: str | None,
    kind: str | None,
    quantity: str | None,
    pay_for: str | None,
    price: str | None,
    products: str | None,
    valid_from: str | None,
    valid_to: str | None,
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.campaign_edit import (
        CampaignDraft,
        change_campaign,
        changeable,
        check_draft,
        draft_of,
        find_campaign,
    )

    till = till_of(ctx)
    campaign_id = find_campaign(till.db, name)
    changeable(till.db, till.clock, campaign_id)
    was = draft_of(till.db, campaign_id)

    def given(option: str | None, current: str) -> str:
        return current if option is None else option

    codes = tuple(c for c in (products or "").replace("|", " ").split() if c)
    draft = CampaignDraft(
        name=given(new_name, was.name),
        kind=given(kind, was.kind),
        quantity=given(quantity, was.quantity),
        pay_for=given(pay_for, was.pay_for),
        price=given(price, was.price),
        codes=was.codes if products is None else codes,
        valid_from=given(valid_from, was.valid_from),
        valid_to=given(valid_to, was.valid_to),
        members_only=was.members_only,  # a members-only campaign stays one (kundeklubb)
    )
    check_draft(till.db, draft, changing=campaign_id)  # checked before the PIN
    person = authenticate(till, Permission.PRODUCTS)
    changed = change_campaign(till.db, till.journal, till.clock, person, campaign_id, draft)
    click.echo(_("Campaign {name} changed.").format(name=changed.name))
