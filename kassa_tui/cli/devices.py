"""`kassa devices`, `kassa printer …` and `kassa scanner test`: the technician's device checks."""

from __future__ import annotations

import sys
import threading

import click

from kassa_tui.cli.base import N_, Command, Group, config_of, friendly
from kassa_tui.core.i18n import _


@click.command(
    cls=Command,
    help=N_("List input devices and printers that can be seen, and what kassa.toml selects."),
)
@click.pass_context
@friendly
def devices(ctx: click.Context) -> None:
    from pathlib import Path

    from devices.input_devices import find_scanner, list_input_devices

    config = config_of(ctx)
    scanner = config.scanner
    chosen = find_scanner(scanner) if scanner.mode == "evdev" else None
    click.echo(_("Scanner mode: {mode}").format(mode=scanner.mode))
    inputs = list_input_devices()
    if not inputs:
        click.echo("  " + _("no input devices can be read (none, or no permission on /dev/input)"))
    for info in inputs:
        mark = "*" if info.path == chosen else " "
        hint = "  " + _("(looks like a scanner)") if info.looks_like_scanner else ""
        click.echo(f" {mark} {info.path}  {info.vendor}:{info.product}  {info.name}{hint}")
    printer = config.printer
    click.echo(
        _("Printer (kassa.toml): {printer}").format(
            printer=f"{printer.type} {_printer_address(config)}"
        )
    )
    for node in sorted(Path("/dev/usb").glob("lp*")) + sorted(Path("/dev").glob("ttyUSB*")):
        click.echo(f"   {node}")
    sensor = _("read from the printer") if config.drawer.sensor else _("not read")
    click.echo(_("Drawer sensor: {sensor}").format(sensor=sensor))


def _printer_address(config: object) -> str:
    settings = config.printer  # type: ignore[attr-defined]
    if settings.type == "network":
        return f"{settings.host}:{settings.port}"
    if settings.type == "usb":
        return f"{settings.usb_vendor:04x}:{settings.usb_product:04x}"
    if settings.type == "serial":
        return _("{device} ({baudrate} baud)").format(
            device=settings.serial_device, baudrate=settings.baudrate
        )
    return str(settings.path or "")


@click.group(cls=Group, help=N_("The receipt printer."))
def printer() -> None:
    pass


@printer.command("status", help=N_("Ask the printer how it is: online, paper, cover, drawer."))
@click.pass_context
@friendly
def printer_status(ctx: click.Context) -> None:
    from devices.printer import open_printer
    from kassa_tui.records.spooling import state_text

    config = config_of(ctx)
    device = open_printer(config.printer)
    status = device.status()
    click.echo(f"{device.description}: {state_text(status.state)}")
    paper = {"ok": _("ok"), "low": _("low"), "out": _("out")}
    for label, value in (
        (_("online"), status.online),
        (_("paper"), status.paper),
        (_("cover open"), status.cover_open),
        (_("drawer pin high"), status.drawer_pin),
    ):
        if value is None:
            shown = _("unknown")
        elif isinstance(value, bool):
            shown = _("yes") if value else _("no")
        else:
            shown = paper.get(value, value)
        click.echo(f"  {label}: {shown}")
    if status.error:
        click.echo("  " + _("error: {error}").format(error=status.error))
    if status.state in ("offline", "paper-out", "cover-open"):
        sys.exit(1)


@printer.command(
    "test",
    help=N_(
        "Print a test page: æøå ÆØÅ, €, the code page, the paper width and a barcode.\n\n"
        "Nothing is sent to a printer that reports a fault: it would keep the page and "
        "print it later, perhaps in the middle of the next customer's receipt."
    ),
)
@click.pass_context
@friendly
def printer_test(ctx: click.Context) -> None:
    from devices.printer import open_printer
    from devices.render import render
    from kassa_tui.records.receipts import test_page
    from kassa_tui.records.spooling import finishes_when, state_text, what_to_do

    config = config_of(ctx)
    device = open_printer(config.printer)
    before = device.status()
    if not before.can_print:
        click.echo(f"{device.description}: {state_text(before.state)}. {what_to_do(before.state)}")
        if before.error:
            click.echo("  " + _("error: {error}").format(error=before.error))
        click.echo(_("Nothing was sent."))
        sys.exit(1)
    page = test_page(config, device.description, config.printer.columns)
    after = device.send(render(page, config.printer))
    click.echo(_("Test page sent to {printer}").format(printer=device.description))
    if not after.can_print:
        click.echo(finishes_when(after.state))
        sys.exit(1)


@click.group(cls=Group, help=N_("The barcode scanner."))
def scanner() -> None:
    pass


@scanner.command(
    "test",
    help=N_("Show decoded scans live until Ctrl+C (reads the evdev scanner kassa.toml selects)."),
)
@click.pass_context
@friendly
def scanner_test_command(ctx: click.Context) -> None:
    from devices.scanner import scanner_test

    config = config_of(ctx)
    stop = threading.Event()
    try:
        scanner_test(config.scanner, click.echo, stop)
    except KeyboardInterrupt:
        stop.set()
