"""`kassa report x|z|list|show`: the X and Z reports from the command line (also over SSH).

Each reveals sales, so each asks for a user number and PIN first (prompted on a terminal,
otherwise read from stdin as two lines): the X anyone the matrix lets take one (journaled with
that user, like one taken at the till); the Z a shift lead; the stored Z reports a shift lead
(who takes them) or a technician (who exports them). The Z's printout goes to the print queue
(the running till, or `kassa print`, prints it); the text is shown here as well.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Group, confirm, friendly, till_of
from kassa_tui.cli.signals import report_signals
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.dayclose.reports import Report


def _show(till: Till, report: Report, as_json: bool) -> None:
    from kassa_tui.dayclose.reports import report_doc

    if as_json:
        click.echo(report.to_json())
    else:
        # In the command's language, as the day close screen shows it ([ui] language); only
        # the paper (the print queue) stays Bokmål.
        doc = report_doc(till.config, report, _)
        click.echo(doc.as_text(till.config.printer.columns), nl=False)


def _on_terminal() -> bool:
    return sys.stdin.isatty()


def _stored_z_reader(till: Till) -> None:
    """The Z reports taken are the shift lead's (Z_REPORT) and the technician's (EXPORT)."""
    from kassa_tui.cli.auth import authenticate_any
    from kassa_tui.people.permissions import Permission

    authenticate_any(till, (Permission.Z_REPORT, Permission.EXPORT))


@click.group(cls=Group, help=N_("X and Z reports (§ 2-8-2, § 2-8-3)."))
def report() -> None:
    pass


@report.command(
    "x",
    help=N_(
        "The X report: everything since the last Z; resets nothing (journaled). Your "
        "number and PIN first."
    ),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the report as JSON."))
@click.option("--print", "queue_print", is_flag=True, help=N_("Also queue it for the printer."))
@click.pass_context
@friendly
def report_x(ctx: click.Context, as_json: bool, queue_print: bool) -> None:
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    person = authenticate(till, Permission.X_REPORT)
    _show(till, till.reports.x_report(person, queue_print=queue_print), as_json)


@report.command(
    "z",
    help=N_(
        "Take the Z report and close the business day (a shift lead's number and PIN).\n\n"
        "The drawer is counted first (at the till, F7 on the day-close screen); without "
        "a count since the last Z the Z is refused unless --not-counted is given. On a "
        "terminal it shows what the Z will close and asks; a script passes --yes."
    ),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the report as JSON."))
@click.option(
    "--not-counted",
    is_flag=True,
    help=N_("Take the Z although the drawer was not counted (the Z then says so)."),
)
@click.option("--yes", is_flag=True, help=N_("Take the Z without asking (for scripts)."))
@click.pass_context
@friendly
def report_z(ctx: click.Context, as_json: bool, not_counted: bool, yes: bool) -> None:
    from kassa_tui.cli.auth import read_credentials
    from kassa_tui.core.errors import Refused
    from kassa_tui.core.money import format_kr
    from kassa_tui.dayclose.reports import norwegian_day
    from kassa_tui.people.permissions import Permission, require

    till = till_of(ctx)
    # A wrong PIN counts towards the register's wait; anyone but a shift lead is refused.
    lead = till.users.approver(*read_credentials(_("Shift lead's user number")))
    require(till.db, till.journal, lead, Permission.Z_REPORT)
    counted = till.cash.counted_since_last_z()
    if not counted and not not_counted:
        raise Refused(
            _(
                "The drawer has not been counted since the last Z: count it at the till first,"
                " or give --not-counted to take the Z with the cash shown as not counted."
            )
        )
    if not yes:
        if not _on_terminal():
            raise Refused(_("Not asked on a terminal: give --yes to take the Z without asking."))
        x = till.reports.x_report(lead)  # what the Z will close (journaled, as any X)
        cash = _("counted") if counted else _("NOT COUNTED")
        click.echo(
            _(
                "The Z closes business day {day}: {receipts} receipts, total {total}; cash {cash}."
            ).format(
                day=norwegian_day(x.business_date),
                receipts=x.receipts,
                total=format_kr(x.total_cash_sale),
                cash=cash,
            ),
            err=True,
        )
        if not confirm(_("Take the Z report?")):
            raise Refused(_("No Z report taken."))
    z = till.reports.z_report(lead, not_counted=not_counted)
    click.echo(
        _("Z report {z_nr} taken for {day}; its printout is in the print queue.").format(
            z_nr=z.z_nr, day=norwegian_day(z.business_date)
        ),
        err=True,
    )
    _show(till, z, as_json)


@report.command(
    "list",
    help=N_(
        "The Z reports of this register: number and business day (a shift lead's or a "
        "technician's number and PIN first)."
    ),
)
@click.pass_context
@friendly
def report_list(ctx: click.Context) -> None:
    till = till_of(ctx)
    _stored_z_reader(till)
    found = till.reports.z_reports()
    if not found:
        click.echo(_("No Z report yet."))
        return
    z_nr_head, day_head = _("Z nr"), _("Business day")
    click.echo(f"{z_nr_head:>6}  {day_head}")
    for z_nr, day in found:
        click.echo(f"{z_nr:>6}  {day}")


@report.command(
    "show",
    help=N_(
        "Show a stored Z report as it was taken (a shift lead's or a technician's "
        "number and PIN first)."
    ),
)
@click.argument("z_nr", type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help=N_("Print the report as JSON."))
@click.pass_context
@friendly
def report_show(ctx: click.Context, z_nr: int, as_json: bool) -> None:
    till = till_of(ctx)
    _stored_z_reader(till)
    _show(till, till.reports.stored_z(z_nr), as_json)


report.add_command(report_signals)
