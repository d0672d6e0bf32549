"""The `kassa` command: bare `kassa` starts the till; subcommands serve the technician over SSH.

Errors reach the terminal as one clear line (exit 2 for configuration, 1 for refusals); the
details go to the log file.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from kassa_tui import __version__
from kassa_tui.config import Config, ConfigError, load

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("kassa")


def setup_logging(config: Config) -> None:
    """Log to the configured file only: a log line on the terminal would draw over the TUI."""
    config.log_file.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=str(config.log_file),
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )


def _config(ctx: click.Context) -> Config:
    obj: dict[str, Any] = ctx.ensure_object(dict)
    if "config" not in obj:
        try:
            obj["config"] = load(obj.get("config_path"))
        except ConfigError as exc:
            click.echo(f"kassa: {exc}", err=True)
            ctx.exit(2)
        setup_logging(obj["config"])
    config: Config = obj["config"]
    return config


def friendly(func: F) -> F:
    """Turn refusals and unexpected errors into one line; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kassa_tui.errors import Refused, Stopped

        try:
            return func(*args, **kwargs)
        except Refused as exc:
            click.echo(f"kassa: {exc.message}", err=True)
            sys.exit(1)
        except Stopped as exc:
            click.echo(f"kassa: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            log.exception("command failed")
            click.echo(f"kassa: {type(exc).__name__}: {exc} (details in the log file)", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(invoke_without_command=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="kassa.toml to use (default: $KASSA_CONFIG, ./kassa.toml, ~/.config/kassa/).",
)
@click.version_option(__version__, prog_name="kassa")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """kassa — a keyboard-driven point-of-sale for Norwegian shops.

    Without a command, starts the till on this terminal.
    """
    ctx.ensure_object(dict)["config_path"] = config_path
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


@main.command()
@click.option("--read-only", is_flag=True, help="Open a view that cannot sell (lookup only).")
@click.pass_context
@friendly
def tui(ctx: click.Context, read_only: bool) -> None:
    """Start the till (the same as a bare `kassa`)."""
    from kassa_tui.register_lock import RegisterBusy, RegisterLock

    config = _config(ctx)
    if not config.database.exists():
        click.echo(f"kassa: no database at {config.database}; run `kassa init` first", err=True)
        sys.exit(2)
    lock = RegisterLock(config.database, config.register_id)
    if not read_only:
        try:
            lock.acquire()
        except RegisterBusy as busy:
            click.echo(
                f"kassa: register {config.register_id} is already selling in another kassa"
                f" (pid {busy.pid}). Two tills on one register would mix receipt numbers.",
                err=True,
            )
            if not sys.stdin.isatty() or not click.confirm(
                "Open a read-only view instead?", default=False, err=True
            ):
                sys.exit(3)
            read_only = True
    try:
        from kassa_tui.app import run_app

        run_app(config, read_only=read_only)
    finally:
        lock.release()


@main.command()
@click.option("--demo", is_flag=True, help="Load the demo shop: catalog and users.")
@click.option(
    "--technician",
    metavar="NAME",
    default=None,
    help="Create the first technician (PIN prompted, or one line on stdin).",
)
@click.option(
    "--number",
    type=click.IntRange(1, 99999),
    default=9,
    show_default=True,
    help="With --technician: the technician's user number.",
)
@click.option(
    "--products",
    type=click.IntRange(0, 2_000_000),
    default=0,
    help="With --demo: top the catalog up to this many products (benchmarks).",
)
@click.pass_context
@friendly
def init(
    ctx: click.Context, demo: bool, technician: str | None, number: int, products: int
) -> None:
    """Create the database: with --technician, its first technician; with --demo, a demo shop."""
    from kassa_tui.demo import DEMO_USERS, load_demo
    from kassa_tui.services import open_till

    config = _config(ctx)
    if config.database.exists() and config.database.stat().st_size > 0:
        click.echo(
            f"kassa: {config.database} already exists; kassa init never overwrites a till", err=True
        )
        sys.exit(1)
    if products and not demo:
        raise click.UsageError("--products needs --demo")
    if technician is not None and demo:
        raise click.UsageError("--demo brings its own users; leave out --technician")
    pin = _read_new_pin() if technician is not None else None
    if demo:
        from kassa_tui.cli_keys import make_demo_key

        make_demo_key(config)
    till = open_till(config)
    config.database.chmod(0o600)
    click.echo(f"Created {config.database}")
    if demo:
        count = load_demo(till.db, till.users, products)
        click.echo(f"Demo shop: {count} products, users:")
        for demo_number, name, role, demo_pin in DEMO_USERS:
            click.echo(f"  {demo_number}  {name:<16} {role:<11} PIN {demo_pin}")
    if technician is not None and pin is not None:
        till.users.add(number, technician, "technician", pin)
        click.echo(f"Added {technician} ({number}) as technician")


def _read_new_pin() -> str:
    """A new PIN: prompted twice (hidden) on a terminal, otherwise one line from stdin."""
    from kassa_tui.users import check_pin_format

    if sys.stdin.isatty():
        pin = str(click.prompt("PIN (4–8 digits)", hide_input=True, confirmation_prompt=True))
    else:
        pin = sys.stdin.readline().strip()
    check_pin_format(pin)
    return pin


@main.group()
def users() -> None:
    """Users of the till (cashiers, shift leads, technicians)."""


@users.command("list")
@click.pass_context
@friendly
def users_list(ctx: click.Context) -> None:
    """List users (disabled and locked-out ones marked)."""
    from kassa_tui.services import open_till

    till = open_till(_config(ctx))
    for person, active, locked_until in till.users.status():
        notes = ("" if active else " (disabled)") + (
            f" (locked until {locked_until})" if locked_until else ""
        )
        click.echo(f"{person.number:>4}  {person.name:<24} {person.role}{notes}".rstrip())


_ROLE = click.Choice(["cashier", "shift_lead", "technician"])


def _admin(ctx: click.Context) -> tuple[Any, Any]:
    """The till and the technician running a user command (number and PIN asked first)."""
    from kassa_tui.cli_auth import authenticate
    from kassa_tui.permissions import Permission
    from kassa_tui.services import open_till

    till = open_till(_config(ctx))
    return till, authenticate(till, Permission.USERS)


@users.command("add")
@click.argument("number", type=click.IntRange(1, 99999))
@click.argument("name")
@click.option("--role", type=_ROLE, default="cashier", show_default=True)
@click.pass_context
@friendly
def users_add(ctx: click.Context, number: int, name: str, role: str) -> None:
    """Add a user: your number and PIN first, then the new user's PIN (prompted, or the
    third line on stdin when it is not a terminal)."""
    till, by = _admin(ctx)
    till.users.add(number, name, role, _read_new_pin(), by=by)
    click.echo(f"Added {name} ({number}) as {role}")


@users.command("disable")
@click.argument("number", type=click.IntRange(1, 99999))
@click.pass_context
@friendly
def users_disable(ctx: click.Context, number: int) -> None:
    """Stop a user signing in (kept for the journal; `enable` undoes it)."""
    till, by = _admin(ctx)
    person = till.users.set_active(by, number, False)
    click.echo(f"Disabled {person.name} ({number})")


@users.command("enable")
@click.argument("number", type=click.IntRange(1, 99999))
@click.pass_context
@friendly
def users_enable(ctx: click.Context, number: int) -> None:
    """Let a disabled user sign in again."""
    till, by = _admin(ctx)
    person = till.users.set_active(by, number, True)
    click.echo(f"Enabled {person.name} ({number})")


@users.command("set-pin")
@click.argument("number", type=click.IntRange(1, 99999))
@click.pass_context
@friendly
def users_set_pin(ctx: click.Context, number: int) -> None:
    """Give a user a new PIN (after your number and PIN; the third line on stdin)."""
    till, by = _admin(ctx)
    person = till.users.set_pin(by, number, _read_new_pin())
    click.echo(f"New PIN set for {person.name} ({number})")


@users.command("set-role")
@click.argument("number", type=click.IntRange(1, 99999))
@click.argument("role", type=_ROLE)
@click.pass_context
@friendly
def users_set_role(ctx: click.Context, number: int, role: str) -> None:
    """Make a user a cashier, shift lead or technician."""
    till, by = _admin(ctx)
    person = till.users.set_role(by, number, role)
    click.echo(f"{person.name} ({number}) is now {role}")


@users.command("unlock")
@click.argument("number", type=click.IntRange(1, 99999))
@click.pass_context
@friendly
def users_unlock(ctx: click.Context, number: int) -> None:
    """Lift a lock-out after too many wrong PINs."""
    till, by = _admin(ctx)
    person = till.users.lift_lock(by, number)
    click.echo(f"{person.name} ({number}) may sign in again")


@main.group()
def journal() -> None:
    """The electronic journal."""


@journal.command("show")
@click.option("--from", "from_date", help="First local date, YYYY-MM-DD.")
@click.option("--to", "to_date", help="Last local date, YYYY-MM-DD.")
@click.option(
    "--type",
    "kinds",
    multiple=True,
    help="Event code (13008) or kassa's name for it (LINEDELETE); repeatable.",
)
@click.pass_context
@friendly
def journal_show(
    ctx: click.Context, from_date: str | None, to_date: str | None, kinds: tuple[str, ...]
) -> None:
    """Print the journal, oldest first: sequence, date and time, event, user, details."""
    from kassa_tui.journal import read_rows
    from kassa_tui.services import open_till

    for text, label in ((from_date, "--from"), (to_date, "--to")):
        if text is not None and not _is_date(text):
            raise click.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=label)
    from kassa_tui.cli_auth import authenticate
    from kassa_tui.permissions import Permission

    till = open_till(_config(ctx))
    authenticate(till, Permission.EXPORT)
    wanted = {kind.upper() for kind in kinds}
    for row in read_rows(till.db, till.config.register_id, from_date, to_date):
        if wanted and row.event_code not in wanted and row.basic_id not in wanted:
            continue
        user = f"user {row.user_number}" if row.user_number is not None else ""
        click.echo(
            f"{row.seq:>7} {row.local_date} {row.local_time} {row.event_code}"
            f" {row.basic_id:<13} {user:<9} {row.text}".rstrip()
        )


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


@journal.command("verify")
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Check the sales' signatures with this PEM public key (default: the configured key's).",
)
@click.pass_context
@friendly
def journal_verify(ctx: click.Context, public_key: str | None) -> None:
    """Check the journal's hash chain and the sales' signature chain; names the first bad one."""
    from dataclasses import replace
    from pathlib import Path

    from kassa_tui.services import open_till
    from kassa_tui.signing import chain_rows, verify_chain

    config = _config(ctx)
    pem = Path(public_key).read_bytes() if public_key else None
    if pem is not None:  # an auditor's copy needs no private key
        config = replace(config, signing=replace(config.signing, enabled=False))
    till = open_till(config)
    if pem is None and till.sales.signer is not None:
        pem = till.sales.signer.public_key_pem()
    intact = True
    bad = till.journal.verify()
    if bad is not None:
        click.echo(f"kassa: journal row {bad} was altered or removed", err=True)
        intact = False
    else:
        click.echo(f"Journal intact: {len(till.journal.rows())} rows")
    if pem is None:
        click.echo("Signatures not checked: signing is off in kassa.toml (or give --public-key)")
    else:
        rows = chain_rows(till.db, config.register_id)
        bad_nr = verify_chain(rows, pem)
        if bad_nr is not None:
            click.echo(
                f"kassa: the signature of receipt {bad_nr} does not verify: the sale was altered"
                " or removed, or signed with another key",
                err=True,
            )
            intact = False
        else:
            click.echo(f"Signatures intact: {len(rows)} sales")
    if not intact:
        sys.exit(1)


@main.command("print")
@click.pass_context
@friendly
def print_waiting(ctx: click.Context) -> None:
    """Print the receipts waiting in the print queue (when the till is not running)."""
    from devices.printer import open_printer
    from devices.spooler import print_pending
    from kassa_tui.register_lock import RegisterBusy, RegisterLock
    from kassa_tui.services import open_till

    config = _config(ctx)
    lock = RegisterLock(config.database, config.register_id)
    try:
        lock.acquire()
    except RegisterBusy:
        click.echo("kassa: the till is running and prints its own queue", err=True)
        sys.exit(1)
    till = open_till(config)
    uncertain = till.print_queue.uncertain()
    if uncertain:
        numbers = ", ".join(str(job.receipt_nr) for job in uncertain)
        click.echo(
            f"Receipt(s) {numbers} may have printed when kassa stopped; the till asks"
            " the cashier about them at the next sign-in."
        )
    result = print_pending(
        till.print_queue, open_printer(config.printer), config.printer, till.drawer
    )
    lock.release()
    click.echo(f"Printed {result.printed}, waiting {result.waiting}")
    if result.error:
        click.echo(f"kassa: printer: {result.error}", err=True)
        sys.exit(1)


# The device and catalog commands live in their own modules; importing them registers them
# on `main`.
from kassa_tui import (  # noqa: E402, F401
    cli_backup,
    cli_catalog,
    cli_devices,
    cli_keys,
    cli_reports,
    cli_saft,
    cli_signals,
    cli_voucher,
)
