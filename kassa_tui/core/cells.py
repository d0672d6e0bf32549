"""Text cells a spreadsheet will not run as a formula (CSV injection, OWASP's advice).

A cell that starts with '=', '+', '-', '@', a tab or a carriage return is a formula to Excel
and LibreOffice: a product named `=HYPERLINK("http://x","y")` would become a link, `=cmd|…`
a command. Every text cell kassa writes to a CSV goes through `text_cell`, which puts a `'` in
front of such a cell (shown as text, the `'` itself hidden). Numbers are written as they are,
never through it: an amount column such as '-12,50' needs its sign.

`read_cell` undoes exactly what `text_cell` added, so a file kassa exported imports unchanged.
The leading quotes of a cell are looked past, so a name that itself starts with `'=` gets one
more quote and comes back intact.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """`text`, with a `'` in front if a spreadsheet would read it as a formula."""
    return f"'{text}" if text.lstrip("'").startswith(FORMULA_START) else text


def read_cell(text: str) -> str:
    """The text `text_cell` was given: the one `'` it added is taken off again."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text
