"""Glyphs for the Pi's Linux console (TERM=linux) that CSS cannot choose: the scrollbars.

Borders are swapped for ASCII in screens/console.tcss. A scrollbar's glyphs are not a style:
Textual draws the ends of the thumb with eighth blocks (▁ ▂ … ▇, ▉ … ▏) that the console font
lacks. Under an App with the console theme (``ansi_color``, as ``KassaApp(console=True)``
sets it) the thumb here is whole cells in reverse video, which every terminal shows; any other
App keeps Textual's fine glyphs. screens.styles imports this module, so it is in force as soon
as any screen is.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.segment import Segments
from textual._context import active_app
from textual.scrollbar import ScrollBar, ScrollBarRender


def console_theme() -> bool:
    """True while the App drawing now runs with the console theme."""
    app = active_app.get(None)
    return bool(app is not None and app.ansi_color)


class PlainScrollBarRender(ScrollBarRender):
    """A scrollbar of blanks: the track in one colour, the thumb in reverse."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


class KassaScrollBarRender(ScrollBarRender):
    """Textual's scrollbar, or the plain one when the App has the console theme."""

    @classmethod
    def render_bar(cls, *args: Any, **kwargs: Any) -> Segments:
        if console_theme():
            return PlainScrollBarRender.render_bar(*args, **kwargs)
        return super().render_bar(*args, **kwargs)


ScrollBar.renderer = KassaScrollBarRender
