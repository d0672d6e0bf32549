"""`kassa export products|saft|voucher`: one group for everything kassa writes out."""

from __future__ import annotations

import click

from kassa_tui.cli.base import N_, Group
from kassa_tui.cli.catalog import export_products_command
from kassa_tui.cli.saft import export_saft_command
from kassa_tui.cli.voucher import export_voucher


@click.group(
    "export", cls=Group, help=N_("Write things out: the catalog, SAF-T files, accounting vouchers.")
)
def export() -> None:
    pass


export.add_command(export_products_command)
export.add_command(export_saft_command)
export.add_command(export_voucher)
