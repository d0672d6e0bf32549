"""`kassa register retire`: sign this register out for good (issue 15; kassa_tui.sync.retire).

Run on the till by its technician (number and PIN), with [hq] configured only once HQ holds
every journal row (`kassa sync --once`), else with --despite-unsent (journaled). The retirement
is pushed at once, so HQ marks the register retired; the till sells nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Group, config_with_database, friendly, main
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.config.hq import HqSettings


@click.group("register", cls=Group, help=N_("This register (till): signing it out for good."))
def register() -> None:
    pass


main.add_command(register)


@register.command(
    "retire",
    help=N_(
        "Sign this register out for good: journaled (REGISTERRETIRE), the till sells nothing"
        " more, and HQ takes nothing after it. With [hq], refused while journal rows wait for"
        " HQ unless --despite-unsent. A technician's number and PIN; a replaced till gets a new"
        " register ID."
    ),
)
@click.option("--reason", required=True, help=N_("Why (journaled), e.g. 'Pi replaced'."))
@click.option(
    "--despite-unsent",
    "despite_unsent",
    is_flag=True,
    help=N_("Retire even though journal rows have not reached HQ (journaled with the count)."),
)
@click.pass_context
@friendly
def retire(ctx: click.Context, reason: str, despite_unsent: bool) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.composition import open_till
    from kassa_tui.core.errors import Refused
    from kassa_tui.people.permissions import Permission
    from kassa_tui.sync import retire as retiring
    from kassa_tui.sync.unsent import refusal, unsent

    config = config_with_database(ctx)
    waiting = unsent(config.database, config.register_id) if config.hq else None
    if waiting is not None and waiting.count and not despite_unsent:
        raise Refused(refusal(waiting, "kassa register retire"))  # before the PIN is asked
    till = open_till(config)
    try:
        person = authenticate(till, Permission.EXPORT)
        done = retiring.retire(till.db, till.journal, config.register_id, person, reason, waiting)
        click.echo(
            _(
                "Register {register} is signed out for good (journal row {seq}): it sells"
                " nothing more."
            ).format(register=done.register_id, seq=done.seq)
        )
        if waiting is not None and waiting.count:
            click.echo(
                _(
                    "Retired with --despite-unsent ({n} rows HQ had not acknowledged); journaled"
                ).format(n=waiting.count)
            )
        if config.hq is not None:
            _push(till, config.hq)
    finally:
        till.db.close()


def _push(till: Till, settings: HqSettings) -> None:
    """Push the retirement now, so HQ marks the register before the till is switched off. As
    the register's one sender (kassa_tui.sync.sender): while another holds it (the running
    till's sync child, a `kassa sync` loop), that one takes the retirement at its next round."""
    from kassa_tui.sync import link, push
    from kassa_tui.sync.sender import SenderLock

    sender = SenderLock(till.config.database)
    if not sender.acquire():
        click.echo(
            "kassa: "
            + _(
                "another sender pushes register {register} (process {pid}: the running till's"
                " or a `kassa sync`): it takes the retirement to HQ at its next round"
            ).format(register=till.config.register_id, pid=sender.holder() or "?"),
            err=True,
        )
        return
    try:
        result = push.push(
            till.db,
            till.config.register_id,
            till.clock,
            lambda: link.connect(settings),
            batch_size=settings.batch_size,
            timeout=settings.timeout_seconds,
        )
    finally:
        sender.release()
    if result.status == "ok" and not result.waiting:
        click.echo(
            _("HQ holds the retirement: register {register} up to {seq}.").format(
                register=till.config.register_id, seq=result.acked_seq
            )
        )
    else:
        click.echo(
            "kassa: "
            + _(
                "HQ has not got the retirement yet ({error}): run `kassa sync --once` before"
                " the till is switched off"
            ).format(error=result.message or result.status),
            err=True,
        )
