"""`kassa hq saft REGISTER --from --to -o FILE`: a register's SAF-T file from what HQ holds."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kassa_tui.cli.base import N_, config_of, friendly
from kassa_tui.cli.hq import DSN_HELP, _connect, _refused, hq
from kassa_tui.core.errors import Stopped
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    import psycopg

    from kassa_tui.config import Config
    from kassa_tui.core.clock import Clock
    from kassa_tui.hq.saft import Held
    from kassa_tui.saft.copy import Written

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def export_register(
    conn: psycopg.Connection[Any],
    config: Config,
    register: str,
    from_date: date,
    to_date: date,
    target: Path,
    *,
    clock: Clock | None = None,
) -> tuple[Written, Held]:
    """`register`'s SAF-T file for the business days from HQ's rows: HQ's copy of them in a
    throwaway SQLite with the till's schema (kassa_tui.hq.saft), the till's own export over it
    (kassa_tui.saft.copy). The two rooms meet here, above both."""
    from kassa_tui.hq.saft import materialise
    from kassa_tui.saft.copy import export_copy

    with tempfile.TemporaryDirectory(prefix="kassa-hq-saft-") as folder:
        copy = Path(folder) / "register.sqlite"
        held = materialise(conn, register, from_date, to_date, copy)
        written = export_copy(
            copy,
            config,
            register,
            (from_date, to_date),
            target,
            (held.last_seq, held.last_hash),
            clock=clock,
        )
    return written, held


@hq.command(
    "saft",
    help=N_(
        "REGISTER's SAF-T Cash Register file for these business days (both included), made "
        "from the journal rows and transactions HQ holds: the same transactions, events and "
        "signatures as the till's own export. Users the till never journaled are named by "
        "their number."
    ),
)
@click.argument("register")
@click.option(
    "--from", "from_date", type=_DATE, required=True, help=N_("First business day (YYYY-MM-DD).")
)
@click.option(
    "--to", "to_date", type=_DATE, required=True, help=N_("Last business day (YYYY-MM-DD).")
)
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=N_("The file to write (must not exist)."),
)
@click.option("--dsn", default=None, help=DSN_HELP)
@click.pass_context
@friendly
def hq_saft(
    ctx: click.Context,
    register: str,
    from_date: datetime,
    to_date: datetime,
    out: Path,
    dsn: str | None,
) -> None:
    if from_date > to_date:
        raise click.BadParameter(_("--from is after --to"), param_hint="--from")
    if out.exists():
        raise click.BadParameter(_("{path} exists").format(path=out), param_hint="-o")
    config = config_of(ctx)
    with _connect(dsn) as conn:
        try:
            done, held = export_register(
                conn, config, register, from_date.date(), to_date.date(), out
            )
        except Stopped as exc:
            _refused(exc)
            return
    click.echo(str(done.path))
    if held.till_head is not None and held.till_head > held.last_seq:
        click.echo(
            "kassa: "
            + _(
                "HQ holds {register} up to row {seq}; at its last contact the till had"
                " {head}: rows of the period may still be on the till"
            ).format(register=register, seq=held.last_seq, head=held.till_head),
            err=True,
        )
