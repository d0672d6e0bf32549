"""What the screens need from the App, as a Protocol: screens never import the App itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.dom import DOMNode

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till
    from kassa_tui.people.person import Person

log = logging.getLogger("kassa.screens")
F = TypeVar("F", bound=Callable[..., Any])


class TillHost(Protocol):
    till: Till
    person: Person | None
    read_only: bool
    printer_status: tuple[str, bool]
    scanner_status: tuple[str, str]
    sync_status: tuple[str, bool]  # the head office (kassa_tui.sync.status)

    def print_waiting(self) -> None: ...

    def signed_in(self, person: Person) -> None: ...

    def sign_out(self) -> None: ...

    def lock(self) -> None: ...

    def show_training(self) -> None: ...

    def report_idle(self, at_once: bool = False) -> None: ...  # a large catalog revision may go


def host(node: DOMNode) -> TillHost:
    return cast("TillHost", node.app)


class Messenger(Protocol):
    def show_error(self, message: str) -> None: ...


def guarded(method: F) -> F:
    """Run a screen action; refusals become a message, anything else is logged, never shown raw."""

    @wraps(method)
    def wrapper(self: Messenger, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Refused as exc:
            self.show_error(exc.message)
        except Exception as exc:
            log.exception("action %s failed", method.__name__)
            if "disk is full" in str(exc) or "disk I/O error" in str(exc):
                # The transaction was rolled back: the basket is as it was.
                self.show_error(
                    _(
                        "The disk is full: nothing was saved and the basket is as it was. Make"
                        " room (or call the technician), then try again."
                    )
                )
            else:
                self.show_error(
                    _("Something went wrong; nothing was changed. Details are in the log.")
                )
        return None

    return wrapper  # type: ignore[return-value]


def show_message(node: DOMNode, selector: str, message: str, *, error: bool) -> None:
    """Put `message` in a screen's message line; an error is styled and rings the bell."""
    from textual.widgets import Static

    box = node.query_one(selector, Static)
    box.update(message)
    box.set_classes("message error" if error else "message")
    if error:
        node.app.bell()
