"""`kassa hq publish FILE` and `kassa hq catalog`: the shared catalog HQ publishes to the tills.

The file is the one a till imports (`kassa import products`, or with --campaigns `kassa import
campaigns`), checked with the same rules and kassa.toml's VAT rates; one bad row publishes
nothing. The rules live in kassa_tui.hq.catalog. These commands join `kassa hq` (kassa_tui.cli.hq).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from kassa_tui.cli.base import N_, config_of, friendly
from kassa_tui.cli.hq import DSN_HELP, _connect, _refused, hq
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _


@hq.command(
    "publish",
    help=N_(
        "Publish FILE to every till as the next catalog revision: a product file as "
        "`kassa import products` reads it (plu, ean, name, group, vat, price, ...), or with "
        "--campaigns a campaign file as `kassa import campaigns` reads it (multi-buys and "
        "planned prices). Every row is checked first; one bad row publishes nothing. The tills "
        "take it at their next `kassa sync`."
    ),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--campaigns", is_flag=True, help=N_("FILE is a campaign file."))
@click.option("--dry-run", is_flag=True, help=N_("Check the file and report; publish nothing."))
@click.option("--dsn", default=None, help=DSN_HELP)
@click.pass_context
@friendly
def hq_publish(
    ctx: click.Context, file: Path, campaigns: bool, dry_run: bool, dsn: str | None
) -> None:
    from kassa_tui.hq import catalog

    kind = "campaigns" if campaigns else "products"
    try:
        if kind == "products":
            rows = catalog.product_rows(file, config_of(ctx))
        else:
            rows = catalog.campaign_rows(file)
    except Refused as refused:
        _refused(Exception(refused.message))
        return
    if dry_run:
        click.echo(
            _("{file}: {rows} rows, all good (nothing published).").format(
                file=file, rows=len(rows)
            )
        )
        return
    with _connect(dsn) as conn:
        published = catalog.publish(conn, kind, file.name, rows)
        conn.commit()
    click.echo(
        _("Published catalog revision {revision}: {rows} rows from {file}.").format(
            revision=published.revision, rows=published.rows, file=file.name
        )
    )


@hq.command("catalog", help=N_("The catalog revisions HQ has published, newest first."))
@click.option("--dsn", default=None, help=DSN_HELP)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help=N_("Print it as JSON."))
@friendly
def hq_catalog(dsn: str | None, limit: int, as_json: bool) -> None:
    from kassa_tui.hq import catalog

    with _connect(dsn) as conn:
        found = catalog.revisions(conn, limit)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in found], indent=2, ensure_ascii=False))
        return
    revision, kind, rows, published, source = (
        _("Revision"),
        _("Kind"),
        _("Rows"),
        _("Published"),
        _("File"),
    )
    click.echo(f"{revision:>8} {kind:<10} {rows:>7} {published:<20}  {source}")
    for r in found:
        click.echo(f"{r.revision:>8} {r.kind:<10} {r.rows:>7} {r.published_at:<20}  {r.source}")
