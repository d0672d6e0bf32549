"""The `kassa` command: bare `kassa` starts the till; subcommands serve the technician over SSH.

Errors reach the terminal as one clear line (exit 2 for configuration, 1 for refusals); the
details go to the log file.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kassa_tui import __version__
from kassa_tui.config import Config, ConfigError, load
from kassa_tui.core.files import open_append

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
        setup_logging(obj["config"])
    config: Config = obj["config"]
    return config


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
            click.echo(f"kassa: {type(exc).__name__}: {exc} (details in the log file)", err=True)
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
    if ctx.invoked_subcommand is None:
        ctx.invoke(main.get_command(ctx, "tui"))  # type: ignore[arg-type]


def config_with_database(ctx: click.Context) -> Config:
    """The settings, once their database is known to be there (exit 2 with the fix if not)."""
    config = config_of(ctx)
    if not config.database.exists():
        click.echo(f"kassa: no database at {config.database}; run `kassa init` first", err=True)
        sys.exit(2)
    return config


def till_of(ctx: click.Context) -> Till:
    """The till's services for a command that needs an existing database."""
    from kassa_tui.composition import open_till

    return open_till(config_with_database(ctx))
