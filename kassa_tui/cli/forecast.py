"""`kassa forecast [--product CODE] [--days 14] [--json]` and `kassa forecast backtest`.

Demand forecasts per product from the till's own sales (kassa_tui.insight), each with its class,
method and weekday profile; the backtest says how good they were against "same as last week".
They reveal what the shop sells, so a shift lead's or a technician's number and PIN come first.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Group, bad_input, friendly, main, till_of
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.insight.demand import Demand

#: Days of sales a forecast learns from.
HISTORY_DAYS = 182


def _class_names() -> dict[str, str]:
    return {
        "smooth": _("smooth"),
        "erratic": _("erratic"),
        "intermittent": _("intermittent"),
        "lumpy": _("lumpy"),
        "new": _("new: order by hand"),
    }


def _weekdays() -> list[str]:
    return [_("Mo"), _("Tu"), _("We"), _("Th"), _("Fr"), _("Sa"), _("Su")]


def _open(ctx: click.Context) -> tuple[Till, sqlite3.Connection, str]:
    """The till (after the PIN), its SQLite connection and the last whole business day."""
    from kassa_tui.cli.auth import authenticate_any
    from kassa_tui.core.clock import business_date
    from kassa_tui.people.permissions import Permission

    till = till_of(ctx)
    authenticate_any(till, (Permission.Z_REPORT, Permission.EXPORT))
    today = business_date(till.clock.now(), till.config.day_cutoff_hour)
    yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    return till, till.db.connection(), yesterday


def _demand(
    till: Till, conn: sqlite3.Connection, last: str, days: int, product_id: int | None = None
) -> Demand:
    """The sales of `days` days up to `last`: of one product, or of every product sold often
    enough to be forecast (the rest are new, «order by hand», and stay out of memory)."""
    from kassa_tui.insight.demand import daily_demand
    from kassa_tui.insight.forecast import NEW_SALES

    first = (date.fromisoformat(last) - timedelta(days=days - 1)).isoformat()
    if product_id is not None:
        return daily_demand(conn, first, last, till.config.day_cutoff_hour, [product_id])
    return daily_demand(conn, first, last, till.config.day_cutoff_hour, min_sale_days=NEW_SALES)


@click.group(
    "forecast",
    cls=Group,
    invoke_without_command=True,
    help=N_(
        "Demand forecasts per product from this till's sales (the last 26 weeks): its class "
        "(smooth, erratic, intermittent, lumpy, or new: order by hand), the method for the "
        "class and the weekday profile it uses. Your number and PIN first (a shift lead or a "
        "technician)."
    ),
)
@click.option("--product", metavar="CODE", help=N_("Only this product (PLU or barcode)."))
@click.option(
    "--days",
    type=click.IntRange(1, 90),
    default=14,
    show_default=True,
    help=N_("Days ahead."),
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=50,
    show_default=True,
    help=N_("At most this many products (the biggest first)."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the forecasts as JSON."))
@click.pass_context
@friendly
def forecast(ctx: click.Context, product: str | None, days: int, limit: int, as_json: bool) -> None:
    if ctx.invoked_subcommand is not None:
        return
    import numpy as np

    from kassa_tui.insight.forecast import forecast as make_forecast
    from kassa_tui.insight.pairs import find_product

    till, conn, last = _open(ctx)
    product_id = None
    if product is not None:
        found = find_product(till.db, product)
        if found is None:
            bad_input(_("no product with PLU or barcode {code}").format(code=product))
        product_id = found.id
    if product_id is None:  # every product: a chunk at a time (insight.chunks), the top kept
        from kassa_tui.insight.chunks import top_forecasts

        first = (date.fromisoformat(last) - timedelta(days=HISTORY_DAYS - 1)).isoformat()
        # A read-only connection of its own: the till's keeps temporary tables in memory
        # (temp_store), and the half year's sort by product would be held there.
        path = till.config.database
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as read:
            result = top_forecasts(read, first, last, till.config.day_cutoff_hour, days, limit)
    else:
        demand = _demand(till, conn, last, HISTORY_DAYS, product_id)
        if len(demand) == 0:
            bad_input(
                _("{code} has not been sold in the last {days} days").format(
                    code=product, days=HISTORY_DAYS
                )
            )
        result = make_forecast(demand, days)
    totals = np.nan_to_num(result.values, nan=-1.0).sum(axis=1)
    order = [int(i) for i in np.argsort(-totals, kind="stable")][:limit]
    if as_json:
        rows = [
            {
                "code": result.codes[i],
                "name": result.names[i],
                "class": result.klass[i],
                "method": result.method(i),
                "adi": round(float(result.adi[i]), 3) if np.isfinite(result.adi[i]) else None,
                "cv2": round(float(result.cv2[i]), 3),
                "weekday_profile": [round(float(v), 3) for v in result.profile[i]],
                "forecast": None
                if result.klass[i] == "new"
                else [round(float(v), 3) for v in result.values[i]],
            }
            for i in order
        ]
        click.echo(
            json.dumps(
                {"days": result.days, "products": rows, "parameters": result.parameters},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    names = _class_names()
    weekdays = _weekdays()
    click.echo(
        _("Forecast {first} to {last} from the sales of the last {weeks} weeks").format(
            first=result.days[0], last=result.days[-1], weeks=HISTORY_DAYS // 7
        )
    )
    if not order:
        click.echo(_("Nothing has been sold in that time."))
    for i in order:
        head = f"{result.codes[i]:>8}  {result.names[i][:28]:<28}  {names[result.klass[i]]}"
        if result.klass[i] == "new":
            click.echo(head)
            continue
        click.echo(head + "  " + _("{units} units").format(units=f"{totals[i]:.1f}"))
        if product is not None:
            profile = "  ".join(f"{weekdays[w]} {result.profile[i, w]:.2f}" for w in range(7))
            click.echo("  " + _("weekday profile: {profile}").format(profile=profile))
            for day, value in zip(result.days, result.values[i], strict=True):
                weekday = weekdays[date.fromisoformat(day).weekday()]
                click.echo(f"  {day} {weekday} {value:7.1f}")


@forecast.command(
    "backtest",
    help=N_(
        "How good the forecasts were: from each of the last --origins blocks of --days days, "
        "forecast the block from the sales before it and compare with what was sold, beside "
        "'same as last week' on the same products and days. Weighted RMSSE (as M5, weights "
        "by revenue), WAPE (off by ± %, in units) and bias (too high or too low)."
    ),
)
@click.option(
    "--days",
    type=click.IntRange(7, 91),
    default=28,
    show_default=True,
    help=N_("Days forecast from each origin."),
)
@click.option(
    "--origins",
    type=click.IntRange(1, 12),
    default=3,
    show_default=True,
    help=N_("How many origins."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the scores as JSON."))
@click.pass_context
@friendly
def forecast_backtest(ctx: click.Context, days: int, origins: int, as_json: bool) -> None:
    from kassa_tui.insight.backtest import backtest_chunked

    till, _conn, last = _open(ctx)
    window = HISTORY_DAYS + days * origins
    first = (date.fromisoformat(last) - timedelta(days=window - 1)).isoformat()
    # A chunk of products at a time: the same scores as backtest(_demand(...)) (issue 16), on a
    # read-only connection of its own (the till's sorts in memory: temp_store).
    path, cutoff = till.config.database, till.config.day_cutoff_hour
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as read:
            result = backtest_chunked(read, first, last, cutoff, days, origins)
    except ValueError:
        raise click.exceptions.Exit(_not_enough(days, origins)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    click.echo(
        _(
            "Backtest: {origins} × {days} days from {first}, {products} products "
            "({new} new: order by hand)"
        ).format(
            origins=origins,
            days=days,
            first=result.origins[0],
            products=result.products,
            new=result.new_products,
        )
    )
    rmsse, wape_head, bias_head = _("weighted RMSSE"), _("WAPE"), _("bias")
    click.echo(f"{'':<20}{rmsse:>16}{wape_head:>9}{bias_head:>9}")
    for label, score in ((_("kassa"), result.kassa), (_("same as last week"), result.naive)):
        click.echo(
            f"{label:<20}{score.rmsse:>16.2f}{score.wape * 100:>7.1f} %{score.bias * 100:>+7.1f} %"
        )
    wape, bias, naive = (
        round(result.kassa.wape * 100),
        round(abs(result.kassa.bias) * 100),
        round(result.naive.wape * 100),
    )
    if result.kassa.bias >= 0:
        text = _(
            "kassa's forecast was off by ±{wape} % (in units), {bias} % too high; "
            "same as last week: ±{naive} %."
        )
    else:
        text = _(
            "kassa's forecast was off by ±{wape} % (in units), {bias} % too low; "
            "same as last week: ±{naive} %."
        )
    click.echo(text.format(wape=wape, bias=bias, naive=naive))


@forecast.command(
    "accuracy",
    help=N_(
        "How good the forecasts were in the last four weeks, per product group: kassa's "
        "forecast from four weeks back against what was sold, beside 'same as last week'."
    ),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the figures as JSON."))
@click.pass_context
@friendly
def forecast_accuracy(ctx: click.Context, as_json: bool) -> None:
    from kassa_tui.insight.accuracy import table_lines
    from kassa_tui.insight.chunks import shop_accuracy

    till, conn, last = _open(ctx)
    try:
        result = shop_accuracy(conn, last, till.config.day_cutoff_hour, HISTORY_DAYS)
    except ValueError:
        raise click.exceptions.Exit(_not_enough(28, 1)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in table_lines(result):
        click.echo(line)


def _not_enough(days: int, origins: int) -> int:
    click.echo(
        "kassa: "
        + _("not enough sales for the backtest: it needs {n} days of sales").format(
            n=days * origins + 28
        ),
        err=True,
    )
    return 1


main.add_command(forecast)
