"""What is on the terminal right now, as text: the screen in front and, under a dialog, the
dimmed screens it covers. Tests read it the way a cashier reads the screen."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.app import App


def screen_lines(app: App[Any]) -> list[str]:
    """Every row of the terminal, as the user sees it (trailing spaces kept)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False).split("\n")[:height]


def screen_text(app: App[Any]) -> str:
    """The whole terminal as one string, rows joined by newlines."""
    return "\n".join(screen_lines(app))
