"""`kassa report pairs`: products bought together (the insight screen's Together tab).

The figures come from kassa_tui.insight.pairs, as on the screen. They reveal what customers buy,
so a shift lead's or a technician's number and PIN come first. The command joins `kassa report`
(kassa_tui.cli.reports).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import click

from kassa_tui.cli.base import N_, bad_input, friendly, till_of
from kassa_tui.cli.reports import report
from kassa_tui.core.i18n import _


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        bad_input(_("{value} is not a date (YYYY-MM-DD)").format(value=repr(value)))


@report.command(
    "pairs",
    help=N_(
        "Products bought together: per pair the receipts holding both (n), the confidence "
        "(of the receipts with the product, the share with its partner too) and the lift "
        "(how many times more often than by chance). Training receipts and returns are left "
        "out. The period is the last 90 days unless --from/--to say otherwise."
    ),
)
@click.option("--from", "first", callback=_day, metavar="YYYY-MM-DD", help=N_("First day."))
@click.option("--to", "last", callback=_day, metavar="YYYY-MM-DD", help=N_("Last day."))
@click.option(
    "--product", metavar="CODE", help=N_("Only this product's partners (PLU or barcode).")
)
@click.option(
    "--min-count",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help=N_("Leave out pairs on fewer receipts than this."),
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=50,
    show_default=True,
    help=N_("At most this many pairs."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the pairs as JSON."))
@click.option("--csv", "as_csv", is_flag=True, help=N_("Print the pairs as CSV (';')."))
@click.pass_context
@friendly
def report_pairs(
    ctx: click.Context,
    first: str | None,
    last: str | None,
    product: str | None,
    min_count: int,
    limit: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    from kassa_tui.cli.auth import authenticate_any
    from kassa_tui.core.clock import business_date
    from kassa_tui.insight import pairs
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    authenticate_any(till, (Permission.Z_REPORT, Permission.EXPORT))
    today = business_date(till.journal.clock.now())
    last = last or today
    first = first or pairs.window(last, 90)[0]
    if first > last:
        bad_input(_("--from {first} is after --to {last}").format(first=first, last=last))
    product_id = None
    if product is not None:
        found = pairs.find_product(till.db, product)
        if found is None:
            bad_input(_("no product with PLU or barcode {code}").format(code=product))
        product_id = found.id
    result = pairs.together(
        till.db, first, last, product_id=product_id, min_count=min_count, limit=limit
    )
    rows = [pair.as_dict() for pair in result.pairs]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "from": result.first,
                    "to": result.last,
                    "baskets": result.baskets,
                    "min_count": result.min_count,
                    "pairs": rows,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if as_csv:
        out = io.StringIO()
        fields = list(rows[0]) if rows else list(pairs.CSV_FIELDS)
        writer = csv.DictWriter(out, fields, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
        return
    click.echo(
        _("Bought together {first} to {last}: {baskets} receipts, pairs on at least {n}").format(
            first=result.first, last=result.last, baskets=result.baskets, n=result.min_count
        )
    )
    if not result.pairs:
        click.echo(_("No pair is on that many receipts."))
    for pair in result.pairs:
        click.echo("  " + pair.sentence())
