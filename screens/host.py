"""What the screens need from the App, as a Protocol: screens never import the App itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from kassa_tui.errors import Refused
from kassa_tui.i18n import _

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from kassa_tui.services import Till
    from kassa_tui.users import Person

log = logging.getLogger("kassa.screens")
F = TypeVar("F", bound=Callable[..., Any])


class TillHost(Protocol):
    till: Till
    person: Person | None
    read_only: bool
    printer_status: tuple[str, bool]
    scanner_status: tuple[str, str]

    def print_waiting(self) -> None: ...

    def signed_in(self, person: Person) -> None: ...

    def sign_out(self) -> None: ...

    def lock(self) -> None: ...


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
        except Exception:
            log.exception("action %s failed", method.__name__)
            self.show_error(_("Something went wrong; nothing was changed. Details are in the log."))
        return None

    return wrapper  # type: ignore[return-value]
