"""Who runs a `kassa` command: a user number and PIN of a role allowed to do it.

Commands that change data or reveal sales ask for them: prompted on a terminal (the PIN
hidden), otherwise read as two lines from standard input. A wrong PIN is journaled and counts
towards the register's wait after wrong PINs, like one typed at the till; a role the matrix does
not allow is refused and journaled (DENIED).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.config import Config
    from kassa_tui.people.permissions import Permission
    from kassa_tui.people.person import Person


def read_credentials(who: str | None = None) -> tuple[str, str]:
    """A user number and PIN; `who` names whose number is asked (default "User number")."""
    if sys.stdin.isatty():
        number = click.prompt(who or _("User number"), err=True)
        pin = click.prompt(_("PIN"), hide_input=True, err=True)
        return str(number), str(pin)
    return sys.stdin.readline().strip(), sys.stdin.readline().strip()


def authenticate(till: Till, permission: Permission, who: str | None = None) -> Person:
    """The user allowed to do `permission`; raises Refused (one line, exit 1) otherwise."""
    from kassa_tui.people.permissions import require

    number, pin = read_credentials(who)
    person = till.users.verify(number, pin, purpose=str(permission))
    require(till.db, till.journal, person, permission)
    return person


def authenticate_any(till: Till, permissions: tuple[Permission, ...]) -> Person:
    """The user allowed any of `permissions`; refused (and journaled as DENIED, naming the
    first) otherwise."""
    from kassa_tui.people.permissions import allowed, require

    number, pin = read_credentials()
    person = till.users.verify(number, pin, purpose="|".join(map(str, permissions)))
    if not any(allowed(person.role, permission) for permission in permissions):
        require(till.db, till.journal, person, permissions[0])
    return person


def authenticate_config(config: Config, permission: Permission) -> Person:
    """For commands that do not keep the till open (backup, restore): open, check, close."""
    from dataclasses import replace

    from kassa_tui.composition import open_till

    # Checking a PIN needs no private key: the technician's user may not be able to read it.
    till = open_till(replace(config, signing=replace(config.signing, enabled=False)))
    try:
        return authenticate(till, permission)
    finally:
        till.db.close()
