"""A tick box for every screen and the Linux console: '[X]' ticked, '[ ]' not, in ASCII (the
console font has no half blocks, and a colour alone does not say yes or no)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox):
    BUTTON_LEFT = "["
    BUTTON_RIGHT = "]"

    @property
    def _button(self) -> Content:
        return Content(f"[{'X' if self.value else ' '}]")
