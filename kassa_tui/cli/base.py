"""The `kassa` command: bare `kassa` starts the till; subcommands serve the technician over SSH.

Errors reach the terminal as one clear line (exit 2 for configuration, 1 for refusals); the
details go to the log file.
"""

from __future__ import annotations

import io
import logging
import os
import struct
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from kassa_tui import __version__
from kassa_tui.config import Config, ConfigError, load
from kassa_tui.core import i18n
from kassa_tui.core.files import open_append
from kassa_tui.core.i18n import _

F = TypeVar("F", bound=Callable[..., Any])
if TYPE_CHECKING:
    from kassa_tui.composition import Till

log = logging.getLogger("kassa")


class PrivateFileHandler(logging.FileHandler):
    """A log file readable by the till's user only: created 0600, an existing one tightened."""

    def _open(self) -> io.TextIOWrapper:
        fd = open_append(Path(self.baseFilename))
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(config: Config) -> None:
    """Log to the configured file only: a log line on the terminal would draw over the TUI."""
    config.log_file.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        handlers=[PrivateFileHandler(config.log_file, encoding="utf-8")],
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )


def config_of(ctx: click.Context) -> Config:
    obj: dict[str, Any] = ctx.ensure_object(dict)
    if "config" not in obj:
        try:
            obj["config"] = load(obj.get("config_path"))
        except ConfigError as exc:
            click.echo(f"kassa: {exc}", err=True)
            ctx.exit(2)
        i18n.set_language(obj["config"].language)
    config: Config = obj["config"]
    if not obj.get("logging"):
        setup_logging(config)
        obj["logging"] = True
    return config


def speak_the_tills_language(ctx: click.Context) -> None:
    """Before a command's arguments are read: its messages, prompts, output and refusals follow
    kassa.toml's `[ui] language`. A kassa.toml that cannot be read is reported by the command
    that needs it; a command needing none (`saft verify`, `backup decrypt`) speaks English
    without one."""
    obj: dict[str, Any] = ctx.ensure_object(dict)
    try:
        obj["config"] = load(obj.get("config_path"))
    except ConfigError:
        i18n.set_language("en")
        return
    try:
        i18n.set_language(obj["config"].language)
    except (OSError, struct.error):
        # A missing or broken catalog (a bad install): English here, and opening the till
        # reports it as one line.
        i18n.set_language("en")


def confirm(question: str) -> bool:
    """A yes/no question on the terminal (stderr), answered in the till's language; no is the
    default. click.confirm would only take y/yes."""
    y, n = _("y"), _("n")
    yes = {"y", "yes", y, _("yes")}
    no = {"", "n", "no", n, _("no")}
    while True:
        answer = str(
            click.prompt(
                f"{question} [{y}/{n.upper()}]",
                default="",
                show_default=False,
                prompt_suffix=" ",
                err=True,
            )
        )
        if answer.strip().lower() in yes:
            return True
        if answer.strip().lower() in no:
            return False
        click.echo(_("Answer {yes} or {no}.").format(yes=y, no=n), err=True)


def friendly(func: F) -> F:
    """Turn refusals and unexpected errors into one line; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kassa_tui.core.errors import Refused, Stopped

        try:
            return func(*args, **kwargs)
        except Refused as exc:
            click.echo(f"kassa: {exc.message}", err=True)
            sys.exit(1)
        except Stopped as exc:
            click.echo(f"kassa: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            log.exception("command failed")
            click.echo(
                "kassa: "
                + _("{error} (details in the log file)").format(
                    error=f"{type(exc).__name__}: {exc}"
                ),
                err=True,
            )
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(invoke_without_command=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="kassa.toml to use (default: $KASSA_CONFIG, ./kassa.toml, ~/.config/kassa/).",
)
@click.version_option(__version__, prog_name="kassa")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """kassa — a keyboard-driven point-of-sale for Norwegian shops.

    Without a command, starts the till on this terminal.
    """
    ctx.ensure_object(dict)["config_path"] = config_path
    # click reads the subcommand's arguments after this: their errors speak the language too.
    speak_the_tills_language(ctx)
    if ctx.invoked_subcommand is None:
        ctx.invoke(main.get_command(ctx, "tui"))  # type: ignore[arg-type]


def bad_input(message: str) -> NoReturn:
    """Refuse an argument in one line of the till's language (exit 2, as click's usage errors),
    rather than click's «Error: Invalid value for …» around it."""
    click.echo("kassa: " + message, err=True)
    sys.exit(2)


def not_overwriting(path: Path) -> str:
    return "kassa: " + _("{path} already exists; not overwriting it").format(path=path)


def cannot_write(path: Path, error: OSError) -> str:
    return "kassa: " + _("{path}: cannot be written ({reason})").format(
        path=path, reason=error.strerror
    )


def config_with_database(ctx: click.Context) -> Config:
    """The settings, once their database is known to be there (exit 2 with the fix if not)."""
    config = config_of(ctx)
    if not config.database.exists():
        click.echo(
            "kassa: "
            + _("no database at {path}; run `kassa init` first").format(path=config.database),
            err=True,
        )
        sys.exit(2)
    return config


def till_of(ctx: click.Context) -> Till:
    """The till's services for a command that needs an existing database."""
    from kassa_tui.composition import open_till

    return open_till(config_with_database(ctx))
