"""`kassa report signals`: fraud signals per cashier, ranked, for the owner over SSH."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Command, friendly, till_of
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.dayclose.signals import SignalsReport


#: The table is 79 columns wide; so is the legend under it, in every language.
WIDTH = 79


def _legend() -> list[str]:
    """What the table's short headings mean, wrapped to the table's width."""
    text = _(
        "Ret: returns with a receipt · RNR: returns without one (count, kr) · Cor: line"
        " corrections · Voi: sales voided before payment · NoS: no-sale openings · Ovr: price"
        " overrides · Dis: discounts · Trn: minutes in training mode. The amounts sold are in"
        " --json."
    )
    return textwrap.wrap(text, WIDTH)


def _table(found: SignalsReport) -> str:
    from kassa_tui.core.money import format_kr
    from kassa_tui.dayclose.signals import format_score

    # Headings are cut to their column, so a longer word in another language keeps the width.
    # Every signal has its column (voids too, since kassa has them); the amount sold, which
    # is no signal, is left to --json so a name of 16 and a returned 10 000,00 still fit.
    widths = (">6", ">3", "<16", ">5", ">3", ">3", ">10", ">3", ">3", ">3", ">3", ">3", ">4")
    words = (
        _("Score"),
        _("Nr"),
        _("Name"),
        _("Sales"),
        _("Ret"),
        _("RNR"),
        _("RNR kr"),
        _("Cor"),
        _("Voi"),
        _("NoS"),
        _("Ovr"),
        _("Dis"),
        _("Trn"),
    )
    head = " ".join(
        format(word[: int(width[1:])], width) for word, width in zip(words, widths, strict=True)
    )
    lines = [
        _("Fraud signals {start} – {end}, register {register}").format(
            start=found.from_date, end=found.to_date, register=found.register_id
        ),
        head,
        "-" * len(head),
    ]
    for c in found.cashiers:
        f = c.figures
        lines.append(
            f"{format_score(c.score):>6} {c.user_number:>3} {c.name[:16]:<16} {c.sales:>5}"
            f" {f['returns_receipt'].count:>3} {f['returns_no_receipt'].count:>3}"
            f" {format_kr(f['returns_no_receipt'].amount):>10}"
            f" {f['line_corrections'].count:>3} {f['voided'].count:>3} {f['no_sale'].count:>3}"
            f" {f['price_overrides'].count:>3} {f['discounts'].count:>3}"
            f" {f['training'].count:>4}"
        )
    if not found.cashiers:
        lines.append(_("Nothing registered in the period."))
    return "\n".join([*lines, "", *_legend()])


@click.command(
    "signals",
    cls=Command,
    help=N_(
        "Fraud signals per cashier (returns, corrections, no-sales, ...), ranked by "
        "score (a shift lead's or a technician's number and PIN first)."
    ),
)
@click.option(
    "--from", "from_date", help=N_("First business day (YYYY-MM-DD); default the current one.")
)
@click.option("--to", "to_date", help=N_("Last business day (YYYY-MM-DD); default --from."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print the figures as JSON."))
@click.pass_context
@friendly
def report_signals(
    ctx: click.Context, from_date: str | None, to_date: str | None, as_json: bool
) -> None:
    from kassa_tui.cli.auth import authenticate_any
    from kassa_tui.core.clock import business_date
    from kassa_tui.dayclose.signals import signals
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    # Per-cashier figures, not for the cashiers: the shift lead (who sees them at the till,
    # F8 on the day close, as the one who takes the Z) or the technician (who exports).
    authenticate_any(till, (Permission.Z_REPORT, Permission.EXPORT))
    now = till.clock.now()
    cutoff = till.config.day_cutoff_hour
    start = from_date or business_date(now, cutoff)
    end = to_date or start
    for text in (start, end):
        try:
            date.fromisoformat(text)
        except ValueError:
            raise click.BadParameter(
                _("{text} is not a date (YYYY-MM-DD)").format(text=text)
            ) from None
    if end < start:
        raise click.BadParameter(_("--to is before --from"))
    found = signals(till.db, till.config.register_id, start, end, now=now.utc, cutoff_hour=cutoff)
    click.echo(found.to_json() if as_json else _table(found))
