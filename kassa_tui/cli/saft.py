"""`kassa export saft` and `kassa saft verify`: the SAF-T Cash Register file for the auditor.

The export reads the shop's database and needs no private key, so a technician can run it
over SSH beside the running till; it is journaled (13020). The check needs only the file and
the supplier's public key, so it works on any copy, from kassa or another system.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click

from kassa_tui.cli.base import N_, Command, Group, config_with_database, friendly
from kassa_tui.core.i18n import _

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command(
    "saft",
    cls=Command,
    help=N_(
        "The SAF-T Cash Register file for these business days (both included); prints "
        "its path.\n\n"
        "A business day is the Z's: from [day] cutoff_hour in kassa.toml (Oslo time) to "
        "that hour the next morning, so a sale at 01:30 is in the evening before's day, "
        "not its own date's. Every journal row and transaction of the period, the "
        "master data it uses and the signatures, in Skatteetaten's format. The export "
        "is journaled."
    ),
)
@click.option(
    "--from", "from_date", type=_DATE, required=True, help=N_("First business day (YYYY-MM-DD).")
)
@click.option(
    "--to", "to_date", type=_DATE, required=True, help=N_("Last business day (YYYY-MM-DD).")
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help=N_("Folder the file is written to (created if missing)."),
)
@click.pass_context
@friendly
def export_saft_command(
    ctx: click.Context, from_date: datetime, to_date: datetime, out_dir: Path
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.composition import open_till
    from kassa_tui.people.permissions import Permission
    from kassa_tui.saft.export import export_saft

    if from_date > to_date:
        raise click.BadParameter(_("--from is after --to"), param_hint="--from")
    config = config_with_database(ctx)
    # Reading needs no private key: the technician's user may not be able to read it.
    config = replace(config, signing=replace(config.signing, enabled=False))
    till = open_till(config)
    authenticate(till, Permission.EXPORT)
    path = export_saft(till.db, config, from_date.date(), to_date.date(), out_dir, clock=till.clock)
    click.echo(str(path))


@click.group("saft", cls=Group, help=N_("SAF-T Cash Register files."))
def saft() -> None:
    pass


@saft.command(
    "verify",
    help=N_(
        "Check every register's signature chain in FILE; names the first transaction "
        "that fails.\n\n"
        "Nothing FILE says about itself is trusted: where each chain starts is proven "
        "by the register's first transaction or by --previous, where it ends by "
        "FILE.head beside it and, on the till that exported it, by the export's journal "
        "row. What could not be proven is said."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help=N_("The supplier's PEM public key (the one sent with RF-1348)."),
)
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help=N_(
        "The export of the period just before FILE's (no days between them): FILE's chains"
        " must go on from its last transactions, so a transaction cut from the end of that file or"
        " the start of FILE is named."
    ),
)
@click.pass_context
@friendly
def saft_verify(ctx: click.Context, file: Path, public_key: Path, previous: Path | None) -> None:
    from kassa_tui.saft.verify import verify_export

    config = ctx.ensure_object(dict).get("config")
    database = config.database if config is not None and config.database.is_file() else None
    try:
        found = verify_export(file, public_key.read_bytes(), previous, database)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--previous") from None
    for problem in found.problems:
        click.echo(f"kassa: {problem}", err=True)
    for what in found.unproven:
        click.echo(_("Not proven: {what}").format(what=what))
    if found.problems:
        sys.exit(1)
    if found.unproven:
        click.echo(
            _("{name}: the signature chains verify inside the file; the rest is not proven").format(
                name=file.name
            )
        )
    else:
        click.echo(_("{name}: every signature chain verifies").format(name=file.name))
