"""`kassa hq forecast [--shop S] [--group G] [--json]` and `kassa hq forecast backtest`: the
till's forecasting engine over every shop's sales at HQ (kassa_tui.hq.forecast)."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from kassa_tui.cli.base import N_, Group, bad_input, friendly
from kassa_tui.cli.hq import DSN_HELP, _connect, hq
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.hq.forecast import ChainDemand
    from kassa_tui.hq.global_model import ChainModel
    from kassa_tui.insight.chain import GroupScore
    from kassa_tui.insight.demand import Demand

_DATE = click.DateTime(formats=["%Y-%m-%d"])


BACKTEST_DAYS = 28
ORIGINS = 3


def global_model(chain: ChainDemand) -> ChainModel | None:
    """HQ's global model over the chain's arrays, or None (with a word) without LightGBM."""
    try:
        import lightgbm  # noqa: F401
    except (ImportError, OSError):  # not installed, or its library (libgomp) missing
        click.echo(
            "kassa: "
            + _("the global model needs LightGBM (pip install 'kassa[hq]'): the local method only"),
            err=True,
        )
        return None
    from kassa_tui.hq.global_model import ChainModel

    return ChainModel.of(
        chain.qty, chain.price_ore, chain.codes, chain.shops, chain.groups, chain.days
    )


def _backtest(
    demand: Demand, groups: list[str], days: int, origins: int, others: dict[str, Any]
) -> list[GroupScore]:
    """The backtest per group; without the other methods if one cannot be trained (too little
    history for the global model); empty if there is too little for the local one."""
    from kassa_tui.insight.chain import backtest_groups

    for methods in (others, {}):
        try:
            return backtest_groups(demand, groups, days, origins, methods)
        except ValueError:
            continue
    return []


def choice_line(c: GroupScore) -> str:
    """«MEIERI: global model (RMSSE 0.46 vs 1.25)»: the group's method and both scores."""
    local = c.scores["local"].rmsse
    if c.chosen == "global":
        return _("{group}: global model (RMSSE {chosen:.2f} vs {local:.2f})").format(
            group=c.group, chosen=c.scores["global"].rmsse, local=local
        )
    if c.chosen == "naive":
        return _("{group}: same as last week (RMSSE {chosen:.2f} vs {local:.2f})").format(
            group=c.group, chosen=c.scores["naive"].rmsse, local=local
        )
    if "global" in c.scores:
        return _("{group}: local method (RMSSE {local:.2f}; global model {other:.2f})").format(
            group=c.group, local=local, other=c.scores["global"].rmsse
        )
    return _("{group}: local method (RMSSE {local:.2f})").format(group=c.group, local=local)


def demand_of(chain: ChainDemand) -> Demand:
    """HQ's arrays as the insight engine's Demand (the two rooms meet here, above both)."""
    from kassa_tui.insight.chain import as_demand

    return as_demand(chain.days, chain.codes, chain.names, chain.qty, chain.revenue_ore)


def _last(conn: Any, to_date: Any) -> date:
    from kassa_tui.hq.forecast import last_day

    if to_date is not None:
        return date(to_date.year, to_date.month, to_date.day)
    found = last_day(conn)
    if found is None:
        bad_input(_("HQ holds no sales yet"))
    return found


@hq.group(
    "forecast",
    cls=Group,
    invoke_without_command=True,
    help=N_(
        "Demand forecasts per shop and product from the sales HQ holds (the last 26 weeks): "
        "the tills' own forecasting engine (class, method, weekday profile) over every shop."
    ),
)
@click.option("--shop", default=None, help=N_("Only this shop."))
@click.option("--group", "group", default=None, help=N_("Only this product group."))
@click.option(
    "--days", type=click.IntRange(1, 90), default=14, show_default=True, help=N_("Days ahead.")
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=50,
    show_default=True,
    help=N_("At most this many rows (the biggest first)."),
)
@click.option(
    "--to",
    "to_date",
    type=_DATE,
    default=None,
    help=N_("Last business day to read (default: the last HQ holds)."),
)
@click.option(
    "--local",
    "local_only",
    is_flag=True,
    help=N_("The local method only: no global model, no backtest to choose (faster)."),
)
@click.option("--dsn", default=None, help=DSN_HELP)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the forecasts as JSON."))
@click.pass_context
@friendly
def hq_forecast(
    ctx: click.Context,
    shop: str | None,
    group: str | None,
    days: int,
    limit: int,
    to_date: Any,
    local_only: bool,
    dsn: str | None,
    as_json: bool,
) -> None:
    if ctx.invoked_subcommand is not None:
        ctx.ensure_object(dict).update(shop=shop, group=group, to_date=to_date, dsn=dsn)
        return
    import numpy as np

    from kassa_tui.hq.forecast import HISTORY_DAYS, read_demand, store_choices, stored_choices
    from kassa_tui.insight.chain import GLOBAL, LOCAL, NAIVE, GroupScore
    from kassa_tui.insight.forecast import NEW, forecast, seasonal_naive

    span = HISTORY_DAYS if local_only else HISTORY_DAYS + BACKTEST_DAYS * ORIGINS
    with _connect(dsn) as conn:
        last = _last(conn, to_date)
        chain = read_demand(conn, last, span, shop=shop, group=group)
        demand = demand_of(chain)
        model = None if local_only else global_model(chain)
        choices: list[GroupScore] = []
        if model is not None:
            # The choice made for this last day before, if every group has one; else the
            # backtest (three trainings), kept for the next time.
            stored = stored_choices(conn, last, shop)
            if chain.groups and set(chain.groups) <= set(stored):
                choices = [GroupScore.from_dict(stored[g]) for g in sorted(set(chain.groups))]
            else:
                choices = _backtest(
                    demand, chain.groups, BACKTEST_DAYS, ORIGINS, {GLOBAL: model.forecaster}
                )
                store_choices(conn, last, shop, [c.to_dict() for c in choices])
    t_len = len(demand.days)
    recent = demand.window(max(0, t_len - HISTORY_DAYS), t_len)
    result = forecast(recent, days)
    values = result.values.copy()
    used = [NEW if k == NEW else LOCAL for k in result.klass]
    if model is not None:
        chosen = {c.group: c.chosen for c in choices}
        other: dict[str, Any] = {}
        if GLOBAL in chosen.values():
            other[GLOBAL] = model.forecaster(t_len, days)
        if NAIVE in chosen.values():
            other[NAIVE] = seasonal_naive(recent, days)
        for i, g in enumerate(chain.groups):
            method = chosen.get(g, LOCAL)
            if used[i] != NEW and method != LOCAL:
                values[i] = other[method][i]
                used[i] = method
    totals = np.nan_to_num(values, nan=-1.0).sum(axis=1)
    order = [int(i) for i in np.argsort(-totals, kind="stable")][:limit]
    rows = [
        {
            "shop": chain.shops[i],
            "code": result.codes[i],
            "name": result.names[i],
            "group": chain.groups[i],
            "class": result.klass[i],
            "model": used[i],
            "method": result.method(i) if used[i] == LOCAL else used[i],
            "forecast": None if used[i] == NEW else [round(float(v), 3) for v in values[i]],
        }
        for i in order
    ]
    if order:  # kept for the insight screen at the head office (kassa hq insight: 0018)
        from kassa_tui.hq.insight import store_forecast

        with _connect(dsn) as conn:
            store_forecast(conn, last, shop, group, list(result.days), rows)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "days": result.days,
                    "choices": [c.to_dict() for c in choices],
                    "rows": rows,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not result.days:
        return
    click.echo(
        _("Forecast {first} to {last} from every shop's sales of the last {weeks} weeks").format(
            first=result.days[0], last=result.days[-1], weeks=26
        )
    )
    for c in choices:
        click.echo(choice_line(c))
    if not order:
        click.echo(_("Nothing has been sold in that time."))
    for i in order:
        head = f"{chain.shops[i]:<10} {result.codes[i]:>13}  {result.names[i][:24]:<24}"
        if result.klass[i] == "new":
            click.echo(head + "  " + _("order by hand"))
        else:
            click.echo(head + "  " + _("{units} units").format(units=f"{totals[i]:.1f}"))


@hq_forecast.command(
    "backtest",
    help=N_(
        "How good the forecasts were, per product group over every shop: the rolling-origin "
        "backtest (--origins blocks of --days days) of the tills' engine beside 'same as last "
        "week', weighted RMSSE, WAPE and bias."
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
@click.option("--shop", default=None, help=N_("Only this shop."))
@click.option("--group", "group", default=None, help=N_("Only this product group."))
@click.option(
    "--local", "local_only", is_flag=True, help=N_("The local method only: no global model.")
)
@click.option("--dsn", default=None, help=DSN_HELP)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the scores as JSON."))
@click.pass_context
@friendly
def hq_forecast_backtest(
    ctx: click.Context,
    days: int,
    origins: int,
    shop: str | None,
    group: str | None,
    local_only: bool,
    dsn: str | None,
    as_json: bool,
) -> None:
    from kassa_tui.hq.forecast import HISTORY_DAYS, read_demand, store_choices
    from kassa_tui.insight.chain import GLOBAL

    given = ctx.ensure_object(dict)
    shop = shop or given.get("shop")
    with _connect(dsn or given.get("dsn")) as conn:
        last = _last(conn, given.get("to_date"))
        chain = read_demand(
            conn, last, HISTORY_DAYS + days * origins, shop, group or given.get("group")
        )
        model = None if local_only else global_model(chain)
        others = {GLOBAL: model.forecaster} if model is not None else {}
        scores = _backtest(demand_of(chain), chain.groups, days, origins, others)
        if model is not None:  # the choice, kept for kassa hq forecast (forecast_choice)
            store_choices(conn, last, shop, [s.to_dict() for s in scores])
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in scores], ensure_ascii=False, indent=2))
        return
    for line in score_lines(scores):
        click.echo(line)


def score_lines(scores: list[Any]) -> list[str]:
    """The backtest per group as a table: local method and same as last week."""
    rmsse, wape, bias = _("weighted RMSSE"), _("WAPE"), _("bias")
    lines = [f"{'':<28}{rmsse:>16}{wape:>9}{bias:>9}"]
    if not scores:
        lines.append(_("Too little history for the backtest."))
    for s in scores:
        lines.append(_("{group} ({n} shop and product rows)").format(group=s.group, n=s.rows))
        labels = {
            "local": _("local method"),
            "global": _("global model"),
            "naive": _("same as last week"),
        }
        for method, label in labels.items():
            if method not in s.scores:
                continue
            score = s.scores[method]
            lines.append(
                f"  {label:<26}{score.rmsse:>16.2f}{score.wape * 100:>7.1f} %"
                f"{score.bias * 100:>+7.1f} %"
            )
        lines.append("  " + choice_line(s))
    return lines
