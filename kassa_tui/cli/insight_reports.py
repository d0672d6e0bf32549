"""`kassa report sales|products|hours`: the insight screen's figures (issue 16) over SSH.

The figures come from kassa_tui.insight.figures, as on the screen: business days at the
cut-off hour, training left out, returns netted, gift cards sold no revenue. The period is the
last 90 days unless --from/--to say otherwise. A shift lead's or a technician's number and
PIN come first. The commands join `kassa report` (kassa_tui.cli.reports).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import click

from kassa_tui.cli.base import N_, bad_input, friendly, till_of
from kassa_tui.cli.reports import report
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.core.periods import Period
    from kassa_tui.insight.figures import ProductRow

DEFAULT_DAYS = 90
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRODUCT_FIELDS = (
    "plu",
    "name",
    "group",
    "unit",
    "units_milli",
    "revenue_ore",
    "margin_ore",
    "abc",
    "trend_pct",
    "cover_days",
    "on_hand_milli",
    "last_sold_utc",
    "dead",
)


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        bad_input(_("{value} is not a date (YYYY-MM-DD)").format(value=repr(value)))


def _period(till: Till, first: str | None, last: str | None) -> tuple[str, str]:
    from kassa_tui.core.clock import business_date

    last = last or business_date(till.clock.now(), till.config.day_cutoff_hour)
    first = first or (date.fromisoformat(last) - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    if first > last:
        bad_input(_("--from {first} is after --to {last}").format(first=first, last=last))
    return first, last


def _open(ctx: click.Context) -> Till:
    from kassa_tui.cli.auth import authenticate_any
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    authenticate_any(till, (Permission.Z_REPORT, Permission.EXPORT))
    return till


def _kr(ore: int | None) -> str:
    """Kroner with a decimal comma and no grouping ('1234,50'), as a spreadsheet reads it."""
    from kassa_tui.core.money import format_kr

    return "" if ore is None else format_kr(ore, thousands=False)


def _emit(rows: list[dict[str, Any]], fields: list[str], payload: dict[str, Any], how: str) -> bool:
    """Print as JSON or CSV (';'); False: neither was asked for."""
    if how == "json":
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return True
    if how == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fields, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
        return True
    return False


def _common(func: Any) -> Any:
    for option in reversed(
        (
            click.option(
                "--from", "first", callback=_day, metavar="YYYY-MM-DD", help=N_("First day.")
            ),
            click.option("--to", "last", callback=_day, metavar="YYYY-MM-DD", help=N_("Last day.")),
            click.option("--json", "as_json", is_flag=True, help=N_("Print as JSON (øre).")),
            click.option("--csv", "as_csv", is_flag=True, help=N_("Print as CSV (';', kroner).")),
        )
    ):
        func = option(func)
    return func


def _how(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        bad_input(_("--json or --csv, not both"))
    return "json" if as_json else "csv" if as_csv else "text"


@report.command(
    "sales",
    help=N_(
        "Sales per business day: revenue incl. VAT (returns netted, training and gift cards "
        "sold left out), receipts and the 7-day average; the period's total, average basket "
        "and items per basket; today, this week and this month (as of --to) against the same "
        "days before. The last 90 days unless --from/--to say otherwise."
    ),
)
@_common
@click.pass_context
@friendly
def report_sales(
    ctx: click.Context, first: str | None, last: str | None, as_json: bool, as_csv: bool
) -> None:
    from kassa_tui.insight import figures

    how = _how(as_json, as_csv)
    till = _open(ctx)
    first, last = _period(till, first, last)
    cutoff = till.config.day_cutoff_hour
    found = figures.sales_figures(till.db, till.clock.now(), cutoff, first=first, last=last)
    total = figures.period(till.db, first, last, cutoff)

    def period_dict(p: Period) -> dict[str, Any]:
        return {
            "from": p.first,
            "to": p.last,
            "revenue_ore": p.revenue_ore,
            "receipts": p.receipts,
            "returns": p.returns,
            "items": p.items,
            "average_basket_ore": p.average_basket_ore,
            "items_per_basket": round(p.items_per_basket, 2),
        }

    days = [
        {
            "date": d.date,
            "revenue_ore": d.revenue_ore,
            "receipts": d.receipts,
            "average7_ore": d.average7_ore,
        }
        for d in found.days
    ]
    payload = {
        "from": first,
        "to": last,
        "total": period_dict(total),
        "comparisons": [
            {"period": c.name, "now": period_dict(c.now), "before": period_dict(c.before)}
            for c in found.comparisons
        ],
        "days": days,
    }
    rows = [
        {
            "date": d.date,
            "revenue": _kr(d.revenue_ore),
            "receipts": d.receipts,
            "average7": _kr(d.average7_ore),
        }
        for d in found.days
    ]
    if _emit(rows, ["date", "revenue", "receipts", "average7"], payload, how):
        return
    click.echo(_("Sales {first} to {last}").format(first=first, last=last))
    click.echo(
        _(
            "Revenue {revenue}, receipts {receipts}, returns {returns}, average basket "
            "{basket}, items per basket {items}"
        ).format(
            revenue=_kr(total.revenue_ore),
            receipts=total.receipts,
            returns=total.returns,
            basket=_kr(total.average_basket_ore),
            items=f"{total.items_per_basket:.1f}".replace(".", ","),
        )
    )
    names = {"today": _("Today"), "week": _("This week"), "month": _("This month")}
    for c in found.comparisons:
        change = "-" if c.change_pct is None else f"{c.change_pct:+.0f} %"
        click.echo(
            _("{period}: {now} against {before} ({change})").format(
                period=names[c.name],
                now=_kr(c.now.revenue_ore),
                before=_kr(c.before.revenue_ore),
                change=change,
            )
        )
    head = (_("Day"), _("Revenue"), _("Receipts"), _("7-day average"))
    click.echo(f"{head[0]:<10}  {head[1]:>12}  {head[2]:>8}  {head[3]:>13}")
    for d in found.days:
        click.echo(
            f"{d.date:<10}  {_kr(d.revenue_ore):>12}  {d.receipts:>8}  {_kr(d.average7_ore):>13}"
        )


def _product_dict(row: ProductRow) -> dict[str, Any]:
    return {
        "plu": row.plu,
        "name": row.name,
        "group": row.group_code,
        "unit": row.unit,
        "units_milli": row.units_milli,
        "revenue_ore": row.revenue_ore,
        "margin_ore": row.margin_ore,
        "abc": row.abc,
        "trend_pct": None if row.trend_pct is None else round(row.trend_pct, 1),
        "cover_days": None if row.cover_days is None else round(row.cover_days, 1),
        "on_hand_milli": row.on_hand_milli,
        "last_sold_utc": row.last_sold_utc,
        "dead": row.dead,
    }


@report.command(
    "products",
    help=N_(
        "Per product: units, revenue incl. VAT and margin excl. VAT (where the cost price is "
        "known), ABC class (A: the first 80 per cent of revenue, B: the next 15, C: the rest), "
        "trend (the last 28 days against the 28 "
        "before), days of cover and dead stock (on hand, no sale in 30 days). Best first; "
        "--worst: worst first; --dead: dead stock only. The last 90 days unless --from/--to "
        "say otherwise."
    ),
)
@_common
@click.option(
    "--sort",
    type=click.Choice(["units", "revenue", "margin"]),
    default="revenue",
    show_default=True,
    help=N_("What ranks the products."),
)
@click.option("--worst", is_flag=True, help=N_("Worst sellers first."))
@click.option("--dead", is_flag=True, help=N_("Dead stock only."))
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=0,
    help=N_("At most this many products (0: all)."),
)
@click.pass_context
@friendly
def report_products(
    ctx: click.Context,
    first: str | None,
    last: str | None,
    as_json: bool,
    as_csv: bool,
    sort: str,
    worst: bool,
    dead: bool,
    limit: int,
) -> None:
    from kassa_tui.insight import figures, product_table

    how = _how(as_json, as_csv)
    till = _open(ctx)
    first, last = _period(till, first, last)
    found = product_table.product_figures(
        till.db, till.clock.now(), till.config.day_cutoff_hour, first=first, last_day=last
    )
    rows = figures.ranked(found.rows, "dead" if dead else sort, worst_first=worst)
    if limit:
        rows = rows[:limit]
    listed = [_product_dict(row) for row in rows]
    payload = {"from": first, "to": last, "dead_count": found.dead_count, "products": listed}
    if _emit(listed, list(PRODUCT_FIELDS), payload, how):
        return
    click.echo(
        _("Products {first} to {last}: {n} listed, {dead} with dead stock").format(
            first=first, last=last, n=len(rows), dead=found.dead_count
        )
    )
    head = (_("PLU"), _("Item"), _("ABC"), _("Units"), _("Revenue"), _("Margin"), _("Cover"))
    click.echo(
        f"{head[0]:<8} {head[1]:<30} {head[2]:>3} {head[3]:>8} {head[4]:>12} {head[5]:>12}"
        f" {head[6]:>6}"
    )
    for row in rows:
        cover = "-" if row.cover_days is None else f"{row.cover_days:.0f}"
        name = row.name[:28] + (" !" if row.dead else "")
        click.echo(
            f"{row.plu:<8} {name:<30} {row.abc:>3} {row.units_milli / 1000:>8g}"
            f" {_kr(row.revenue_ore):>12} {_kr(row.margin_ore) or '-':>12} {cover:>6}"
        )


@report.command(
    "hours",
    help=N_(
        "Busy hours: receipts and revenue per business weekday and hour (the hour on the "
        "till's clock). The last 90 days unless --from/--to say otherwise."
    ),
)
@_common
@click.pass_context
@friendly
def report_hours(
    ctx: click.Context, first: str | None, last: str | None, as_json: bool, as_csv: bool
) -> None:
    from kassa_tui.insight import figures

    how = _how(as_json, as_csv)
    till = _open(ctx)
    first, last = _period(till, first, last)
    found = figures.sales_figures(
        till.db, till.clock.now(), till.config.day_cutoff_hour, first=first, last=last
    )
    cells = [
        {
            "weekday": WEEKDAYS[day],
            "hour": hour,
            "receipts": found.hour_receipts[day][hour],
            "revenue_ore": found.hour_revenue[day][hour],
        }
        for day in range(7)
        for hour in range(24)
        if found.hour_receipts[day][hour] or found.hour_revenue[day][hour]
    ]
    csv_rows = [
        {
            "weekday": WEEKDAYS[day],
            "hour": hour,
            "receipts": found.hour_receipts[day][hour],
            "revenue": _kr(found.hour_revenue[day][hour]),
        }
        for day in range(7)
        for hour in range(24)
        if found.hour_receipts[day][hour] or found.hour_revenue[day][hour]
    ]
    payload = {"from": first, "to": last, "hours": cells}
    if _emit(csv_rows, ["weekday", "hour", "receipts", "revenue"], payload, how):
        return
    hours = [h for h in range(24) if any(found.hour_receipts[d][h] for d in range(7))]
    click.echo(_("Receipts per weekday and hour, {first} to {last}").format(first=first, last=last))
    click.echo("     " + "".join(f"{h:>5}" for h in hours))
    for day in range(7):
        click.echo(
            f"{WEEKDAYS[day]:<5}" + "".join(f"{found.hour_receipts[day][h]:>5}" for h in hours)
        )
