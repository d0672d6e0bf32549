"""`kassa`, `kassa tui`, `kassa init` and `kassa print`: starting the till and its database."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Command, config_of, config_with_database, confirm, friendly
from kassa_tui.cli.users import read_new_pin, user_name
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.config import Config
    from kassa_tui.records.spooling import SpoolResult


@click.command(cls=Command, help=N_("Start the till (the same as a bare `kassa`)."))
@click.option("--read-only", is_flag=True, help=N_("Open a view that cannot sell (lookup only)."))
@click.pass_context
@friendly
def tui(ctx: click.Context, read_only: bool) -> None:
    from kassa_tui.store.register_lock import RegisterBusy, RegisterLock

    config = config_with_database(ctx)
    lock = RegisterLock(config.database, config.register_id)
    if not read_only:
        try:
            lock.acquire()
        except RegisterBusy as busy:
            if busy.restoring:
                click.echo(
                    "kassa: "
                    + _(
                        "a restore is replacing the database; start kassa again when it has"
                        " finished."
                    ),
                    err=True,
                )
                sys.exit(3)
            click.echo(
                "kassa: "
                + _(
                    "register {register} is already selling in another kassa (pid {pid}). Two"
                    " tills on one register would mix receipt numbers."
                ).format(register=config.register_id, pid=busy.pid),
                err=True,
            )
            if not sys.stdin.isatty() or not confirm(_("Open a read-only view instead?")):
                sys.exit(3)
            read_only = True
    try:
        from kassa_tui.app import run_app

        run_app(config, read_only=read_only)
    finally:
        lock.release()


@click.command(
    cls=Command,
    help=N_(
        "Create the database with its first technician (--technician), or a demo shop (--demo)."
    ),
)
@click.option("--demo", is_flag=True, help=N_("Load the demo shop: catalog and users."))
@click.option(
    "--technician",
    metavar="NAME",
    default=None,
    callback=lambda ctx, param, value: None if value is None else user_name(ctx, param, value),
    help=N_("Create the first technician (PIN prompted, or one line on stdin)."),
)
@click.option(
    "--number",
    type=click.IntRange(1, 99999),
    default=9,
    show_default=True,
    help=N_("With --technician: the technician's user number."),
)
@click.option(
    "--products",
    type=click.IntRange(0, 2_000_000),
    default=0,
    help=N_("With --demo: top the catalog up to this many products (benchmarks)."),
)
@click.option(
    "--history",
    type=click.IntRange(0, 3660),
    default=0,
    metavar="DAYS",
    help=N_("With --demo: sell the DAYS days before today through the till, each closed by a Z."),
)
@click.option(
    "--imported",
    type=click.IntRange(0, 3660),
    default=0,
    metavar="DAYS",
    help=N_(
        "With --demo: the old system's sales for the DAYS days before kassa's first day, "
        "imported as kassa import sales does (history, not kassa's own sales)."
    ),
)
@click.pass_context
@friendly
def init(
    ctx: click.Context,
    demo: bool,
    technician: str | None,
    number: int,
    products: int,
    history: int,
    imported: int,
) -> None:
    from kassa_tui.cli.users import role_name
    from kassa_tui.composition import open_till
    from kassa_tui.demo import DEMO_USERS, load_demo

    config = config_of(ctx)
    if config.database.exists() and config.database.stat().st_size > 0:
        click.echo(
            "kassa: "
            + _("{path} already exists; kassa init never overwrites a till").format(
                path=config.database
            ),
            err=True,
        )
        sys.exit(1)
    if products and not demo:
        raise click.UsageError(_("--products needs --demo"))
    if history and not demo:
        raise click.UsageError(_("--history needs --demo"))
    if imported and not demo:
        raise click.UsageError(_("--imported needs --demo"))
    if technician is not None and demo:
        raise click.UsageError(_("--demo brings its own users; leave out --technician"))
    if technician is None and not demo:
        raise click.UsageError(
            _(
                "give --technician NAME: the first technician adds every other user, and a till"
                " without one could never get a user"
            )
        )
    pin = read_new_pin() if technician is not None else None
    if demo:
        from kassa_tui.cli.keys import make_demo_key

        make_demo_key(config)
    from kassa_tui.cli.demo_history import steered_clock

    steered, clock = steered_clock(config, history)  # --history: the till starts in the past
    till = open_till(config, clock=clock)
    till.record_identity()  # whose database this is, before any Z says so (restore checks it)
    from kassa_tui.selling.gift_card_sales import ensure_gift_product

    with till.db.atomic("IMMEDIATE"):  # the hidden product a gift card is sold as, journaled
        ensure_gift_product(till.db, till.journal)
    config.database.chmod(0o600)
    click.echo(_("Created {path}").format(path=config.database))
    if demo:
        count = load_demo(till.db, till.users, products)
        from kassa_tui.stock.importing.campaigns import load_demo_campaigns

        load_demo_campaigns(till.db, till.journal, till.clock)  # issue 14: campaigns to try
        click.echo(_("Demo shop: {count} products, users:").format(count=count))
        for demo_number, name, role, demo_pin in DEMO_USERS:
            click.echo(f"  {demo_number}  {name:<16} {role_name(role):<11} PIN {demo_pin}")
        if imported:  # issue 16: the old system's sales, before kassa's first day
            from datetime import date

            from kassa_tui.cli.demo_imported import import_demo_history
            from kassa_tui.core.clock import business_date

            first = business_date(till.clock.now(), config.day_cutoff_hour)
            click.echo(
                import_demo_history(
                    till, imported, date.fromisoformat(first), config.day_cutoff_hour
                )
            )
        if steered is not None:  # issue 16: a past for the insight screen, sold by the till
            from kassa_tui.cli.demo_history import sell_history

            click.echo(sell_history(till, steered, history))
    if technician is not None and pin is not None:
        till.users.add(number, technician, "technician", pin)
        click.echo(
            _("Added {name} ({number}) as {role}").format(
                name=technician, number=number, role=role_name("technician")
            )
        )


@click.command(
    "print",
    cls=Command,
    help=N_("Print the receipts waiting in the print queue (when the till is not running)."),
)
@click.pass_context
@friendly
def print_waiting(ctx: click.Context) -> None:
    config = config_of(ctx)
    result = print_queue_now(config)
    if result is None:
        click.echo("kassa: " + _("the till is running and prints its own queue"), err=True)
        sys.exit(1)
    click.echo(
        _("Printed {printed}, waiting {waiting}").format(
            printed=result.printed, waiting=result.waiting
        )
    )
    if result.error:
        click.echo("kassa: " + _("printer: {error}").format(error=result.error), err=True)
        sys.exit(1)


def print_queue_now(config: Config) -> SpoolResult | None:
    """Print the queue here and now, unless the till is running: None then, for it prints its
    own queue (it looks at it every few seconds). Receipts that may have printed when kassa
    stopped are said, and left for the cashier's next sign-in."""
    from devices.printer import open_printer
    from devices.spooler import print_pending
    from kassa_tui.composition import open_till
    from kassa_tui.store.register_lock import RegisterBusy, RegisterLock

    lock = RegisterLock(config.database, config.register_id)
    try:
        lock.acquire()
    except RegisterBusy:
        return None
    try:
        till = open_till(config)
        uncertain = till.print_queue.uncertain()
        if uncertain:
            numbers = ", ".join(str(job.receipt_nr) for job in uncertain)
            click.echo(
                _(
                    "Receipt(s) {numbers} may have printed when kassa stopped; the till asks"
                    " the cashier about them at the next sign-in."
                ).format(numbers=numbers)
            )
        return print_pending(
            till.print_queue, open_printer(config.printer), config.printer, till.drawer
        )
    finally:
        lock.release()
