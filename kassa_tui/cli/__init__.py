"""The `kassa` command: bare `kassa` starts the till; subcommands serve the technician over SSH.

`base` holds the `main` group and the helpers every command shares; each command group lives
in a module of its own and is attached here, so no module imports this one back. Commands
import the till's services (and Textual) only when they run, which keeps `kassa --help` fast
over SSH.
"""

from __future__ import annotations

from kassa_tui.cli.backup import backup, restore
from kassa_tui.cli.base import main
from kassa_tui.cli.campaigns import campaigns
from kassa_tui.cli.catalog import import_
from kassa_tui.cli.counter_rules import rules
from kassa_tui.cli.customers import customers
from kassa_tui.cli.deposits import deposits
from kassa_tui.cli.devices import devices, printer, scanner
from kassa_tui.cli.export import export
from kassa_tui.cli.forecast import forecast as _forecast  # noqa: F401 (kassa forecast)
from kassa_tui.cli.groups import groups
from kassa_tui.cli.hq import hq
from kassa_tui.cli.hq_catalog import hq_catalog as _hq_catalog  # noqa: F401 (kassa hq publish)
from kassa_tui.cli.hq_forecast import hq_forecast as _hq_forecast  # noqa: F401 (kassa hq forecast)
from kassa_tui.cli.hq_insight import hq_insight as _hq_insight  # noqa: F401 (kassa hq insight)
from kassa_tui.cli.hq_saft import hq_saft as _hq_saft  # noqa: F401 (kassa hq saft)
from kassa_tui.cli.import_sales import import_sales_command as _import_sales  # noqa: F401
from kassa_tui.cli.insight_pairs import report_pairs as _report_pairs  # noqa: F401
from kassa_tui.cli.insight_reports import report_sales as _report_sales  # noqa: F401
from kassa_tui.cli.journal import journal
from kassa_tui.cli.keys import keys
from kassa_tui.cli.order import order as _order  # noqa: F401 (kassa order)
from kassa_tui.cli.register import register as _register  # noqa: F401 (kassa register)
from kassa_tui.cli.reports import report
from kassa_tui.cli.saft import saft
from kassa_tui.cli.stock_transfer import stock as _stock  # noqa: F401 (kassa stock)
from kassa_tui.cli.sync import sync
from kassa_tui.cli.till import init, print_waiting, tui
from kassa_tui.cli.users import users

for command in (
    tui,
    init,
    print_waiting,
    users,
    journal,
    report,
    import_,
    export,
    groups,
    campaigns,
    customers,
    deposits,
    rules,
    saft,
    keys,
    backup,
    restore,
    devices,
    printer,
    scanner,
    hq,
    sync,
):
    main.add_command(command)

__all__ = ["main"]
