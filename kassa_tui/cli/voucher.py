"""`kassa export voucher --z N`: one Z report as an accounting voucher (bilag) for the books.

The voucher and its file layouts live in kassa_tui.accounting.voucher; the accounts and VAT codes in
kassa.toml's [accounting]. An amount with no account configured for it stops the export with
the key to set (exit 2), as any other configuration problem does.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import click

from kassa_tui.cli.base import N_, Command, config_with_database, friendly
from kassa_tui.config import ConfigError
from kassa_tui.core.i18n import _


@click.command(
    "voucher",
    cls=Command,
    help=N_(
        "Write a Z report as one balanced voucher: sales and output VAT per rate, "
        "payments per method, øreavrunding and the cash difference ([accounting] in "
        "kassa.toml)."
    ),
)
@click.option(
    "--z",
    "z_nr",
    type=click.IntRange(1),
    required=True,
    help=N_("The Z report's number (`kassa report list` shows them)."),
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "gbat10"]),
    default="csv",
    show_default=True,
    help=N_("csv: kassa's documented voucher CSV; gbat10: Tripletex's Mamut GBAT10 import."),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Write to this new file (readable by you only) [default: standard output]."),
)
@click.pass_context
@friendly
def export_voucher(ctx: click.Context, z_nr: int, file_format: str, output: Path | None) -> None:
    from kassa_tui.accounting.voucher import build_voucher, write_csv, write_gbat10
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.cli.base import cannot_write, not_overwriting
    from kassa_tui.composition import open_till
    from kassa_tui.core.files import write_new
    from kassa_tui.people.permissions import Permission

    config = config_with_database(ctx)
    till = open_till(config)
    authenticate(till, Permission.EXPORT)
    report = till.reports.stored_z(z_nr)
    settings = config.accounting
    try:
        voucher = build_voucher(report, settings)
    except ConfigError as exc:
        click.echo(f"kassa: {ConfigError(exc.key, exc.problem, config.source)}", err=True)
        sys.exit(2)
    buffer = io.BytesIO()
    if file_format == "gbat10":
        write_gbat10(
            voucher,
            buffer,
            voucher_type=settings.gbat10_voucher_type,
            encoding=settings.gbat10_encoding,
            vat_lines=settings.gbat10_vat_lines,
        )
    else:
        write_csv(voucher, buffer, decimal=settings.csv_decimal, bom=settings.csv_bom)
    data = buffer.getvalue()
    if output is not None:
        try:
            written = write_new(output, data, unique=False)
        except FileExistsError:
            click.echo(not_overwriting(output), err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(cannot_write(output, exc), err=True)
            sys.exit(1)
        click.echo(
            _("Wrote voucher {voucher} ({count} postings, {date}) to {path}").format(
                voucher=voucher.voucher_id,
                count=len(voucher.lines),
                date=voucher.date.isoformat(),
                path=written,
            )
        )
        return
    sys.stdout.flush()
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # `kassa export voucher … | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
