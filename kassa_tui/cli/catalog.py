"""`kassa import products|stock FILE` and `kassa export products`: the catalog in and out.

The rules (what a row must hold, what is journaled) live in kassa_tui.stock.importing; this module
reads the options, opens the till and prints the report.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kassa_tui.cli.base import (
    N_,
    Command,
    Group,
    cannot_write,
    config_with_database,
    friendly,
    not_overwriting,
)
from kassa_tui.config import Config
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.stock.importing import ImportReport

_DELIMITERS = {";": ";", ",": ",", "tab": "\t", "\t": "\t"}
F = TypeVar("F", bound=Callable[..., Any])


def _encoding(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return codecs.lookup(value).name
    except LookupError:
        raise click.BadParameter(
            _("unknown encoding {name} (e.g. utf-8, cp1252)").format(name=repr(value))
        ) from None


def _delimiter(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    if value not in _DELIMITERS:
        raise click.BadParameter(
            _("{value} is not one of ';', ',' or 'tab'").format(value=repr(value))
        )
    return _DELIMITERS[value]


MapCallback = Callable[[click.Context, click.Parameter, tuple[str, ...]], dict[str, str]]


def _mapping(fields: str) -> MapCallback:
    """A callback turning `--map FIELD=HEADER` options into {field: header}."""

    def parse(
        _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
    ) -> dict[str, str]:
        from kassa_tui.stock.importing import PRODUCT_COLUMNS, STOCK_COLUMNS

        spec = PRODUCT_COLUMNS if fields == "products" else STOCK_COLUMNS
        mapping: dict[str, str] = {}
        for value in values:
            name, sep, header = value.partition("=")
            key = spec.field_for(name) if sep and header.strip() else None
            if key is None:
                known = ", ".join(k for k in spec.synonyms if k != "price_ore")
                raise click.BadParameter(
                    _("{value} is not FIELD=HEADER with FIELD one of {known}").format(
                        value=repr(value), known=known
                    )
                )
            mapping[key] = header.strip()
        return mapping

    return parse


def _file_options(fields: str) -> Callable[[F], F]:
    """The options both imports share."""

    def decorate(command: F) -> F:
        for option in reversed(
            (
                click.argument("file", type=click.Path(path_type=Path)),
                click.option(
                    "--dry-run", is_flag=True, help=N_("Check the file and report; write nothing.")
                ),
                click.option(
                    "--map",
                    "mapping",
                    multiple=True,
                    metavar="FIELD=HEADER",
                    callback=_mapping(fields),
                    help=N_("Read FIELD from the column named HEADER (repeatable)."),
                ),
                click.option(
                    "--encoding",
                    metavar="ENC",
                    callback=_encoding,
                    help=N_(
                        "The file's encoding [default: detected: UTF-8, UTF-8 with BOM, cp1252]."
                    ),
                ),
                click.option(
                    "--delimiter",
                    metavar="[;|,|tab]",
                    callback=_delimiter,
                    help=N_("The field separator [default: detected]."),
                ),
                click.option(
                    "--show",
                    type=click.IntRange(0, 100_000),
                    default=20,
                    show_default=True,
                    help=N_("How many changed or new rows to list."),
                ),
            )
        ):
            command = option(command)
        return command

    return decorate


def _warn_if_selling(config: Config) -> None:
    """An import holds the write lock: a till selling on this database waits meanwhile."""
    from kassa_tui.store.register_lock import RegisterBusy, RegisterLock

    lock = RegisterLock(config.database, config.register_id)
    try:
        lock.acquire()
    except RegisterBusy:
        click.echo(
            "kassa: "
            + _("note: the till is running on {register}; it waits while the import writes").format(
                register=config.register_id
            ),
            err=True,
        )
    else:
        lock.release()


@click.group(
    "import", cls=Group, help=N_("Read products or opening stock from a CSV or .xlsx file.")
)
def import_() -> None:
    pass


@import_.command(
    "products",
    help=N_(
        "Add and update products from FILE (by PLU, then barcode); never deletes one.\n\n"
        "Columns (Norwegian names work too): plu, ean (several split by |), name, "
        "group, vat, price (kroner, decimal comma or dot), and optionally unit "
        "(stk/kg), cost, reorder. A rejected row is reported with its line number and "
        "skipped; the rest is written in one transaction, with a journal row per price "
        "or other change."
    ),
)
@_file_options("products")
@click.option(
    "--create-groups", is_flag=True, help=N_("Create product groups the till does not have yet.")
)
@click.pass_context
@friendly
def import_products_command(
    ctx: click.Context,
    file: Path,
    dry_run: bool,
    mapping: dict[str, str],
    encoding: str | None,
    delimiter: str | None,
    show: int,
    create_groups: bool,
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.composition import open_till
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.importing import PRODUCT_COLUMNS, import_products, read_table

    config = config_with_database(ctx)
    if not dry_run:
        _warn_if_selling(config)
    till = open_till(config)
    authenticate(till, Permission.PRODUCTS)
    table = read_table(
        file,
        PRODUCT_COLUMNS,
        encoding=encoding,
        delimiter=delimiter,
        mapping=mapping,
    )
    report = import_products(
        till.db,
        till.journal,
        table,
        config,
        dry_run=dry_run,
        create_groups=create_groups,
        samples=show,
    )
    _print_report(report, show)


@import_.command(
    "stock",
    help=N_(
        "Set opening stock levels from FILE: plu or ean, and quantity (antall, "
        "beholdning).\n\n"
        "Each level is reached with one stock movement (reason 'import') of the "
        "difference, so importing the same file again changes nothing."
    ),
)
@_file_options("stock")
@click.pass_context
@friendly
def import_stock_command(
    ctx: click.Context,
    file: Path,
    dry_run: bool,
    mapping: dict[str, str],
    encoding: str | None,
    delimiter: str | None,
    show: int,
) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.composition import open_till
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.importing import STOCK_COLUMNS, import_stock, read_table

    config = config_with_database(ctx)
    if not dry_run:
        _warn_if_selling(config)
    till = open_till(config)
    authenticate(till, Permission.STOCK)
    table = read_table(
        file,
        STOCK_COLUMNS,
        encoding=encoding,
        delimiter=delimiter,
        mapping=mapping,
    )
    report = import_stock(till.db, till.journal, table, config, dry_run=dry_run, samples=show)
    _print_report(report, show)


def _print_report(report: ImportReport, show: int) -> None:
    table = report.table
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
    rejected_count = len(report.rejected)
    if report.what == "products":
        counts = _("new {new}, changed {changed}, unchanged {unchanged}, rejected {rejected}")
    else:
        counts = _("to change {changed}, unchanged {unchanged}, rejected {rejected}")
    click.echo(
        _("Rows: {counts}").format(
            counts=counts.format(
                new=report.new,
                changed=report.changed,
                unchanged=report.unchanged,
                rejected=rejected_count,
            )
        )
    )
    if report.groups_created:
        names = ", ".join(report.groups_created)
        said = (
            _("Created product groups: {names}")
            if report.written
            else _("Would create product groups: {names}")
        )
        click.echo(said.format(names=names))
    if report.groups_saft_changed:
        names = ", ".join(report.groups_saft_changed)
        said = (
            _("Changed the SAF-T group code of: {names}")
            if report.written
            else _("Would change the SAF-T group code of: {names}")
        )
        click.echo(said.format(names=names))
    if report.rejected:
        click.echo(_("Rejected (not imported):"))
        for rejected in report.rejected:
            click.echo(
                "  " + _("line {line}: {reason}").format(line=rejected.line, reason=rejected.reason)
            )
    if report.samples:
        more = report.new + report.changed > len(report.samples)
        if report.what == "products":
            title = _("New and changed (first {count}):") if more else _("New and changed:")
        else:
            title = _("Levels to change (first {count}):") if more else _("Levels to change:")
        click.echo(title.format(count=show))
        kinds = {"new": _("new"), "changed": _("changed")}
        for sample in report.samples:
            detail = "; ".join(sample.changes)
            click.echo(
                "  "
                + _("line {line}: {what}").format(
                    line=sample.line,
                    what=f"{kinds.get(sample.kind, sample.kind):<7} {sample.product}: {detail}",
                )
            )
    if not report.written:
        click.echo(_("Dry run: nothing was written."))
    elif report.what == "products":
        click.echo(
            _("Imported: {new} new, {changed} changed ({rejected} rejected rows skipped).").format(
                new=report.new, changed=report.changed, rejected=rejected_count
            )
        )
    else:
        click.echo(
            _("Imported: {count} stock movements ({rejected} rejected rows skipped).").format(
                count=report.changed, rejected=rejected_count
            )
        )


@click.command(
    "products",
    cls=Command,
    help=N_(
        "Write every product as UTF-8 CSV with ';' and the columns `kassa import "
        "products` reads.\n\n"
        "Importing the export again changes nothing. A FILE that exists is never "
        "overwritten; the file is readable by the till's user only."
    ),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Write to this new file (readable by you only) [default: standard output]."),
)
@click.pass_context
@friendly
def export_products_command(ctx: click.Context, output: Path | None) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.composition import open_till
    from kassa_tui.core.files import writing_new
    from kassa_tui.people.permissions import Permission
    from kassa_tui.stock.importing import export_products

    config = config_with_database(ctx)
    till = open_till(config)
    authenticate(till, Permission.EXPORT)
    if output is not None:
        try:
            with writing_new(output, unique=False) as written, till.db.atomic():
                text = io.TextIOWrapper(written.file, encoding="utf-8", newline="")
                count = export_products(till.db, text)
                text.flush()
                text.detach()  # writing_new closes the file
        except FileExistsError:
            click.echo(not_overwriting(output), err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(cannot_write(output, exc), err=True)
            sys.exit(1)
        click.echo(_("Wrote {count} products to {path}").format(count=count, path=written.path))
        return
    sys.stdout.flush()
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        with till.db.atomic():
            export_products(till.db, stream)
        stream.flush()
    except BrokenPipeError:  # `kassa export products | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    finally:
        stream.detach()  # leave sys.stdout open
