"""`kassa import sales FILE`: the old system's sales history, stored apart as history.

The rules live in kassa_tui.insight.history; this module reads the options, opens the till and
prints the report. The command joins `kassa import` (kassa_tui.cli.catalog).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kassa_tui.cli.base import N_, config_with_database, friendly
from kassa_tui.cli.catalog import _delimiter, _encoding, import_
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr, format_quantity


@import_.command(
    "sales",
    help=N_(
        "Store the old system's sales history from FILE (CSV or .xlsx) so trends and "
        "forecasts work from day one.\n\n"
        "Columns (Norwegian names work too): date (dato; a time may follow, or a column "
        "time/tid), a product code (code/varekode, plu or ean: the product must be in kassa), "
        "quantity (antall; negative for a return) and amount (beløp, kroner with VAT, decimal "
        "comma or dot). The history is kept apart from kassa's own sales: never on an X, a Z, "
        "SAF-T or a voucher. Every row must be good: a bad row is reported with its line "
        "number and nothing is written. Days from kassa's own first sale on are refused."
    ),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help=N_("Check the file and report; write nothing."))
@click.option(
    "--encoding",
    metavar="ENC",
    callback=_encoding,
    help=N_("The file's encoding [default: detected: UTF-8, UTF-8 with BOM, cp1252]."),
)
@click.option(
    "--delimiter",
    metavar="[;|,|tab]",
    callback=_delimiter,
    help=N_("The field separator [default: detected]."),
)
@click.pass_context
@friendly
def import_sales_command(
    ctx: click.Context,
    file: Path,
    dry_run: bool,
    encoding: str | None,
    delimiter: str | None,
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.composition import open_till
    from kassa_tui.insight.history import SALES_COLUMNS, import_sales
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.importing import read_table

    config = config_with_database(ctx)
    till = open_till(config)
    person = authenticate(till, Permission.PRODUCTS)
    table = read_table(file, SALES_COLUMNS, encoding=encoding, delimiter=delimiter)
    report = import_sales(
        till.db,
        till.journal,
        table,
        person.number,
        dry_run=dry_run,
        cutoff_hour=config.day_cutoff_hour,
    )
    if table.encoding == "xlsx":
        form = _("an .xlsx workbook, header on row {line}").format(line=table.header_line)
    else:
        shown = _("tab") if table.delimiter == "\t" else repr(table.delimiter)
        form = _("encoding {encoding}, delimiter {delimiter}, header on line {line}").format(
            encoding=table.encoding, delimiter=shown, line=table.header_line
        )
    click.echo(
        _("Read {path}: {rows} rows ({form})").format(path=table.path, rows=report.rows, form=form)
    )
    click.echo(_("Columns: {columns}").format(columns=table.describe_columns()))
    if report.first_date:
        click.echo(
            _("Good rows: {first} to {last}, {products} products, {qty} units, {amount} kr").format(
                first=report.first_date,
                last=report.last_date,
                products=report.products,
                qty=format_quantity(report.qty_milli),
                amount=format_kr(report.amount_ore),
            )
        )
    if report.refused:
        click.echo("kassa: " + report.refused + "; " + _("nothing was written."), err=True)
        sys.exit(1)
    if report.rejected:
        click.echo(_("Bad rows:"))
        for rejected in report.rejected:
            click.echo(
                "  " + _("line {line}: {reason}").format(line=rejected.line, reason=rejected.reason)
            )
        click.echo(
            "kassa: "
            + _(
                "{count} bad rows: nothing was written; correct the file and import it again."
            ).format(count=len(report.rejected)),
            err=True,
        )
        sys.exit(1)
    if dry_run:
        click.echo(_("Dry run: nothing was written."))
    elif report.written:
        done = _(
            "Imported {rows} rows of sales history (import {id}); kassa's own sales and "
            "reports are unchanged."
        )
        click.echo(done.format(rows=report.rows, id=report.import_id))
    else:
        click.echo(_("No rows: nothing was written."))
