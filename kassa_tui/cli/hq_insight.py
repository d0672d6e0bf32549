"""`kassa hq insight [--shop SHOP]`: the insight screen at the head office (issue 16).

A full-screen Textual app (screens.hq_insight) over HQ's PostgreSQL, with the DSN the other
`kassa hq` commands take (--dsn or $KASSA_HQ_DSN). The app and the screens are imported only
when the command runs, as the till's start does; the pair math of `kassa hq report pairs`
(kassa_tui.cli.hq_pairs.together) is handed to the screen from here.
"""

from __future__ import annotations

import os

import click

from kassa_tui.cli.base import N_, bad_input, friendly
from kassa_tui.cli.hq import DSN_HELP, hq
from kassa_tui.core.i18n import _


@hq.command(
    "insight",
    help=N_(
        "The insight screen at the head office: sales, shops and their tills' sync, products, "
        "what is bought together and the forecasts' methods, for the chain or one shop."
    ),
)
@click.option("--shop", default=None, help=N_("Start with this shop (F8 cycles the shops)."))
@click.option("--dsn", default=None, help=DSN_HELP)
@friendly
def hq_insight(shop: str | None, dsn: str | None) -> None:
    from kassa_tui.cli.hq_pairs import together
    from screens.hq_insight import HqInsightApp, HqSource

    dsn = dsn or os.environ.get("KASSA_HQ_DSN")
    if not dsn:
        bad_input(_("no HQ database given: use --dsn or set KASSA_HQ_DSN"))
    console = os.environ.get("TERM", "") == "linux"
    HqInsightApp(HqSource(dsn, together), shop=shop, console=console).run()
