"""The one exception a service raises when it refuses something a user asked for.

Its text is already translated and meant for the screen; it never carries a traceback there.
"""

from __future__ import annotations


class Refused(Exception):
    """A rule or bad input stopped the action; nothing was changed."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Stopped(Exception):
    """kassa cannot go on; `str()` is the one line the technician sees (details in the log)."""
