"""The `kassa` command: bare `kassa` starts the till; subcommands serve the technician over SSH.

Errors reach the terminal as one clear line (exit 2 for configuration and bad arguments, 1 for
refusals); the details go to the log file. Everything a person reads (help, prompts, output,
refusals) follows kassa.toml's `[ui] language`, read before the command's arguments.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import struct
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def N_(message: str) -> str:
    """Marks a help text for the catalogs (`pybabel extract` finds N_); it stays English in the
    source and is translated when the help is shown, in the language kassa.toml sets."""
    return message


#: click's own help texts, in the catalogs so they are translated with ours.
CLICK_TEXTS = (
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
)


@contextmanager
def _translated(*items: Any) -> Iterator[None]:
    """`help` and `short_help` of commands or options translated for the duration."""
    saved = []
    for item in items:
        for name in ("help", "short_help"):
            text = getattr(item, name, None)
            if isinstance(text, str) and text:
                saved.append((item, name, text))
                setattr(item, name, _(text))
    try:
        yield
    finally:
        for item, name, text in saved:
            setattr(item, name, text)


def _language_for_help(ctx: click.Context) -> None:
    """`kassa --help` is shown before main runs: read kassa.toml's language for it (with
    `--config PATH` given before --help, that file; else where kassa looks)."""
    obj: dict[str, Any] = ctx.find_root().ensure_object(dict)
    if "config" not in obj and not obj.get("help_language"):
        obj["help_language"] = True
        speak_the_tills_language(ctx.find_root())


class HelpFormatter(click.HelpFormatter):
    """click's headings and usage prefix in the till's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else _("Usage:") + " ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(_(heading))


class Context(click.Context):
    formatter_class = HelpFormatter


class Command(click.Command):
    """A command whose help (N_ texts) is shown in the till's language."""

    context_class = Context

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _language_for_help(ctx)
        with _translated(self, *self.get_params(ctx)):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)


class Group(click.Group):
    """A group of commands whose help is shown in the till's language; its commands and
    subgroups are of the same kind."""

    context_class = Context
    command_class = Command
    group_class = type

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _language_for_help(ctx)
        with _translated(self, *self.get_params(ctx)):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)


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
        except BrokenPipeError:
            # the output's reader went away (`kassa hq report … | head`): nothing is wrong and
            # nothing more can be said there; stdout to /dev/null so its flush at exit is quiet
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
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


@click.group(
    invoke_without_command=True,
    cls=Group,
    help=N_(
        "kassa — a keyboard-driven point-of-sale for Norwegian shops.\n\n"
        "Without a command, starts the till on this terminal."
    ),
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    is_eager=True,  # read before --help, so `kassa --config PATH --help` speaks its language
    callback=lambda ctx, _param, value: ctx.ensure_object(dict).update(config_path=value),
    expose_value=False,
    help=N_("kassa.toml to use (default: $KASSA_CONFIG, ./kassa.toml, ~/.config/kassa/)."),
)
@click.version_option(__version__, prog_name="kassa")
@click.pass_context
def main(ctx: click.Context) -> None:
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
