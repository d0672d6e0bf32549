"""`kassa users …`: cashiers, shift leads and technicians, managed by a technician."""

from __future__ import annotations

import sys
from typing import Any

import click

from kassa_tui.cli.base import N_, Group, bad_input, friendly, till_of
from kassa_tui.core.i18n import _


@click.group(cls=Group, help=N_("Users of the till (cashiers, shift leads, technicians)."))
def users() -> None:
    pass


@users.command("list", help=N_("List users, disabled ones marked (your number and PIN first)."))
@click.pass_context
@friendly
def users_list(ctx: click.Context) -> None:
    till, _by = _admin(ctx)
    number, name, role = _("Nr"), _("Name"), _("Role")
    click.echo(f"{number:>4}  {name:<24} {role}")
    for person, active in till.users.status():
        notes = "" if active else " " + _("(disabled)")
        click.echo(
            f"{person.number:>4}  {person.name:<24} {role_name(person.role)}{notes}".rstrip()
        )


_ROLE = click.Choice(["cashier", "shift_lead", "technician"])


def role_name(role: str) -> str:
    """A role as a person reads it ("shift_lead" → "shift lead", in the till's language)."""
    names = {"cashier": _("cashier"), "shift_lead": _("shift lead"), "technician": _("technician")}
    return names.get(role, role)


def user_name(_ctx: click.Context | None, _param: click.Parameter | None, value: str) -> str:
    """A new user's name: printed on receipts and in the journal, so never empty."""
    name = " ".join(value.split())
    if not name:
        bad_input(_("a user needs a name (it is printed on receipts)"))
    if not value.isprintable():
        bad_input(_("a name holds no control characters"))
    return name


def _admin(ctx: click.Context) -> tuple[Any, Any]:
    """The till and the technician running a user command (number and PIN asked first)."""
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    return till, authenticate(till, Permission.USERS)


@users.command(
    "add",
    help=N_(
        "Add a user: your number and PIN first, then the new user's PIN (prompted, or "
        "the third line on stdin when it is not a terminal)."
    ),
)
@click.argument("number", type=click.IntRange(1, 99999))
@click.argument("name", callback=user_name)
@click.option("--role", type=_ROLE, default="cashier", show_default=True)
@click.pass_context
@friendly
def users_add(ctx: click.Context, number: int, name: str, role: str) -> None:
    till, by = _admin(ctx)
    till.users.add(number, name, role, read_new_pin(), by=by)
    click.echo(
        _("Added {name} ({number}) as {role}").format(
            name=name, number=number, role=role_name(role)
        )
    )


@users.command(
    "disable", help=N_("Stop a user signing in (kept for the journal; `enable` undoes it).")
)
@click.argument("number", type=click.IntRange(1, 99999))
@click.pass_context
@friendly
def users_disable(ctx: click.Context, number: int) -> None:
    till, by = _admin(ctx)
    person = till.users.set_active(by, number, False)
    click.echo(_("Disabled {name} ({number})").format(name=person.name, number=number))


@users.command("enable", help=N_("Let a disabled user sign in again."))
@click.argument("number", type=click.IntRange(1, 99999))
@click.pass_context
@friendly
def users_enable(ctx: click.Context, number: int) -> None:
    till, by = _admin(ctx)
    person = till.users.set_active(by, number, True)
    click.echo(_("Enabled {name} ({number})").format(name=person.name, number=number))


@users.command(
    "set-pin",
    help=N_("Give a user a new PIN (after your number and PIN; the third line on stdin)."),
)
@click.argument("number", type=click.IntRange(1, 99999))
@click.pass_context
@friendly
def users_set_pin(ctx: click.Context, number: int) -> None:
    till, by = _admin(ctx)
    person = till.users.set_pin(by, number, read_new_pin())
    click.echo(_("New PIN set for {name} ({number})").format(name=person.name, number=number))


@users.command("set-role", help=N_("Make a user a cashier, shift lead or technician."))
@click.argument("number", type=click.IntRange(1, 99999))
@click.argument("role", type=_ROLE)
@click.option(
    "--new-pin",
    is_flag=True,
    help=N_(
        "Give the user a new PIN with the role (needed for a promotion to shift lead or"
        " technician when [ui] min_pin_length_lead is above 4)."
    ),
)
@click.pass_context
@friendly
def users_set_role(ctx: click.Context, number: int, role: str, new_pin: bool) -> None:
    till, by = _admin(ctx)
    person = till.users.set_role(by, number, role, read_new_pin() if new_pin else None)
    click.echo(
        _("{name} ({number}) is now {role}").format(
            name=person.name, number=number, role=role_name(role)
        )
    )


def read_new_pin() -> str:
    """A new PIN: prompted twice (hidden) on a terminal, otherwise one line from stdin."""
    from kassa_tui.people.users import check_pin_format

    if sys.stdin.isatty():
        pin = str(
            click.prompt(
                _("PIN (4–8 digits)"),
                hide_input=True,
                confirmation_prompt=_("Repeat for confirmation"),
            )
        )
    else:
        pin = sys.stdin.readline().strip()
    check_pin_format(pin)
    return pin
