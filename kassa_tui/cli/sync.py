"""`kassa sync [--once]` on the till: push the journal to HQ ([hq] in kassa.toml).

The running till pushes by itself from a child process (kassa_tui.sync.child); this command
is for a till without the screen running (a back-office Pi, a test, a technician over SSH): a
round every [hq] interval_seconds, or one round with --once (exit 1 when HQ could not take
everything). One sender per register: while another holds the register's sender lock (the
running till's child, another `kassa sync`) it says so and exits 1.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Command, bad_input, friendly, till_of
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till


@click.command(
    "sync",
    cls=Command,
    help=N_(
        "Push this till's journal to the head office ([hq] in kassa.toml), again every "
        "interval; nothing on the till is deleted. --once: one round, then exit (1 when HQ "
        "could not take everything)."
    ),
)
@click.option("--once", is_flag=True, help=N_("One round, then exit."))
@click.pass_context
@friendly
def sync(ctx: click.Context, once: bool) -> None:
    from kassa_tui.records.retirement import retired
    from kassa_tui.stock.own_shop import mismatch
    from kassa_tui.sync import link, push
    from kassa_tui.sync.pull import catalog_round
    from kassa_tui.sync.sender import SenderLock

    till = till_of(ctx)
    settings = till.config.hq
    if settings is None:
        bad_input(
            _(
                "kassa.toml has no [hq] table: this till has no head office (HQ's technician"
                " runs `kassa hq register add` and gives you the table)"
            )
        )
    link.check(settings)  # a missing password file or certificate: one line, before anything
    register = till.config.register_id
    sender = SenderLock(till.config.database)  # one sender per register (kassa_tui.sync.sender)
    if not sender.acquire():
        click.echo(
            "kassa: "
            + _(
                "another sender pushes register {register} already (process {pid}: the running"
                " till's or another `kassa sync`): only one at a time, this one stops"
            ).format(register=register, pid=sender.holder() or "?"),
            err=True,
        )
        sys.exit(1)
    ctx.call_on_close(sender.release)  # the kernel drops it at exit anyway
    while True:
        result = push.push(
            till.db,
            register,
            till.clock,
            lambda: link.connect(settings),
            batch_size=settings.batch_size,
            timeout=settings.timeout_seconds,
        )
        if result.status == "ok":
            click.echo(
                _("HQ holds register {register} up to {seq}; {waiting} waiting.").format(
                    register=register, seq=result.acked_seq, waiting=result.waiting
                )
            )
        else:
            click.echo("kassa: " + result.message, err=True)
        if retired(till.db, register) is not None:  # signed out for good: nothing to apply
            click.echo(_("This register is signed out for good: no catalog is pulled."))
            if once:
                sys.exit(0 if result.status == "ok" and not result.waiting else 1)
            time.sleep(settings.interval_seconds)
            continue
        pulled = catalog_round(till.db, till.journal, till.config, lambda: link.connect(settings))
        click.echo(pulled.message if pulled.ok else "kassa: " + pulled.message, err=not pulled.ok)
        _users_without_pin(till)
        wrong_shop = mismatch(till.db, till.config)  # HQ's shop read this round (own_shop)
        if wrong_shop is not None:
            click.echo("kassa: " + wrong_shop, err=True)
        if once:
            sys.exit(0 if result.status == "ok" and pulled.ok and wrong_shop is None else 1)
        time.sleep(settings.interval_seconds)


def _users_without_pin(till: Till) -> None:
    """Staff HQ published whom this till has given no PIN yet (kassa_tui.sync.users_pull)."""
    from kassa_tui.sync.users_pull import without_pin

    waiting = without_pin(till.db)
    if waiting:
        click.echo(
            _(
                "Users from HQ without a PIN on this till: {numbers}. They sign in once a"
                " technician has run `kassa users set-pin N` here."
            ).format(numbers=", ".join(map(str, waiting)))
        )
