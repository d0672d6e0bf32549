"""`kassa groups …`: product groups and their SAF-T article group codes."""

from __future__ import annotations

import click

from kassa_tui.cli.base import N_, Group, friendly, till_of
from kassa_tui.core.i18n import _


@click.group(
    cls=Group, help=N_("Product groups and their SAF-T article group codes (PredefinedBasicID-04).")
)
def groups() -> None:
    pass


@groups.command("list", help=N_("Code, name, SAF-T code and number of products of every group."))
@click.pass_context
@friendly
def groups_list(ctx: click.Context) -> None:
    from kassa_tui.stock.groups import ARTICLE_GROUPS, list_groups

    till = till_of(ctx)
    code, name, saft, meaning, products = (
        _("Code"),
        _("Name"),
        _("SAF-T"),
        _("Meaning"),
        _("Products"),
    )
    click.echo(f"{code:<8} {name:<24} {saft:<5} {meaning:<32} {products:>7}".rstrip())
    for group in list_groups(till.db):
        meaning = ARTICLE_GROUPS.get(group.saft_group, "?")
        click.echo(
            f"{group.code:<8} {group.name:<24} {group.saft_group} {meaning:<32} {group.products:>7}"
        )


@groups.command(
    "set-saft",
    help=N_(
        "Give group CODE the SAF-T article group SAFT_CODE (e.g. 04006 Food); a shift "
        "lead's or technician's number and PIN first. Journaled."
    ),
)
@click.argument("code")
@click.argument("saft_code")
@click.pass_context
@friendly
def groups_set_saft(ctx: click.Context, code: str, saft_code: str) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.groups import set_saft_group

    till = till_of(ctx)
    person = authenticate(till, Permission.PRODUCTS)
    old, new = set_saft_group(till.db, till.journal, person, code, saft_code)
    if old == new:
        click.echo(_("Group {code} already has SAF-T code {new}").format(code=code, new=new))
    else:
        click.echo(_("Group {code}: SAF-T code {old} → {new}").format(code=code, old=old, new=new))
