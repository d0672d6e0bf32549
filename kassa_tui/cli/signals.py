"""`kassa report signals`: fraud signals per cashier, ranked, for the owner over SSH."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import friendly, till_of

if TYPE_CHECKING:
    from kassa_tui.dayclose.signals import SignalsReport


def _table(found: SignalsReport) -> str:
    from kassa_tui.core.money import format_kr

    head = (
        f"{'Score':>7} {'Nr':>4} {'Name':<18} {'Sales':>6} {'Amount':>12}"
        f" {'Ret':>4} {'RetNR':>5} {'RetNR kr':>10} {'Corr':>4} {'Void':>4}"
        f" {'NoSl':>4} {'Ovr':>4} {'Disc':>4} {'Trn min':>7}"
    )
    lines = [
        f"Fraud signals {found.from_date} – {found.to_date}, register {found.register_id}",
        "(voided receipts: kassa has no void or abandoned basket yet, so always 0)",
        head,
        "-" * len(head),
    ]
    for c in found.cashiers:
        f = c.figures
        lines.append(
            f"{c.score:>7.2f} {c.user_number:>4} {c.name[:18]:<18} {c.sales:>6}"
            f" {format_kr(c.sales_amount):>12} {f['returns_receipt'].count:>4}"
            f" {f['returns_no_receipt'].count:>5} {format_kr(f['returns_no_receipt'].amount):>10}"
            f" {f['line_corrections'].count:>4} {f['voided'].count:>4}"
            f" {f['no_sale'].count:>4} {f['price_overrides'].count:>4}"
            f" {f['discounts'].count:>4} {f['training'].count:>7}"
        )
    if not found.cashiers:
        lines.append("Nothing registered in the period.")
    return "\n".join(lines)


@click.command("signals")
@click.option(
    "--from", "from_date", help="First business day (YYYY-MM-DD); default the current one."
)
@click.option("--to", "to_date", help="Last business day (YYYY-MM-DD); default --from.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
@friendly
def report_signals(
    ctx: click.Context, from_date: str | None, to_date: str | None, as_json: bool
) -> None:
    """Fraud signals per cashier (returns, corrections, no-sales, ...), ranked by score."""
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.core.clock import business_date
    from kassa_tui.dayclose.signals import signals
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    authenticate(till, Permission.EXPORT)  # per-cashier figures: not for the cashiers
    now = till.clock.now()
    cutoff = till.config.day_cutoff_hour
    start = from_date or business_date(now, cutoff)
    end = to_date or start
    for text in (start, end):
        try:
            date.fromisoformat(text)
        except ValueError:
            raise click.BadParameter(f"{text} is not a date (YYYY-MM-DD)") from None
    if end < start:
        raise click.BadParameter("--to is before --from")
    found = signals(till.db, till.config.register_id, start, end, now=now.utc, cutoff_hour=cutoff)
    click.echo(found.to_json() if as_json else _table(found))
