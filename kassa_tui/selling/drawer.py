"""The cash drawer as the till knows it: kicked open through the printer, read back from it.

§ 2-6 (5): no sale may be registered while the integrated drawer is open. Where the printer
reports the drawer connector (DLE EOT 1, bit 2), the state read here decides whether a scan is
accepted. Where it cannot be read, kassa.toml must say so (`drawer.sensor = false`), and the
rule cannot be enforced by the till; the README explains what that means.

Every opening is journaled: kicks when the printer has taken them (print queue), openings by
hand (no kick before it) and no-sale openings as nullinnslag, closings when the sensor sees them.
"""

from __future__ import annotations

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.people.users import Users
from kassa_tui.records.journal import Event
from kassa_tui.records.receipts import ReceiptDoc
from kassa_tui.records.register import Register, RegisterService

#: An opening seen within this many seconds of a kick was the kick's, not a hand's.
KICK_WINDOW_SECONDS = 15.0


class Drawer(RegisterService):
    """The drawer's state as the printer reports it, and its openings."""

    def __init__(self, register: Register, users: Users) -> None:
        super().__init__(register)
        self.settings = register.config.drawer
        self.users = users
        self.state = "unknown"  # open, closed, unknown
        self._last_kick: float | None = None

    def kicked(self) -> None:
        """The printer has just taken a drawer kick (called by the spooler)."""
        self._last_kick = self.clock.now().utc.timestamp()

    def sensed(self, pin_high: bool | None) -> str:
        """A status reply's drawer pin; journals the changes. Returns the new state."""
        if not self.settings.sensor or pin_high is None:
            return self.state
        new = "open" if pin_high == self.settings.open_when_high else "closed"
        old, self.state = self.state, new
        if old == new or (old == "unknown" and new == "closed"):
            return new
        with self.db.atomic("IMMEDIATE"):
            if new == "closed":
                self.journal.write(Event.DRAWER_CLOSE)
            elif not self._kicked_recently():
                self.journal.write(Event.DRAWER_MANUAL)
        return new

    def _kicked_recently(self) -> bool:
        now = self.clock.now().utc.timestamp()
        return self._last_kick is not None and now - self._last_kick < KICK_WINDOW_SECONDS

    def check_closed(self) -> None:
        """Refuse to register a sale while the drawer is known to be open (§ 2-6 (5))."""
        if self.settings.sensor and self.state == "open":
            raise Refused(_("Close the cash drawer first: no sale while it is open."))

    def open_no_sale(self, person: Person, approver_number: str, approver_pin: str) -> int:
        """A nullinnslag: the drawer opened without a sale, approved by a shift lead."""
        approver = self.users.approver(approver_number, approver_pin)
        permissions.require(self.db, self.journal, approver, Permission.NO_SALE)
        with self.db.atomic("IMMEDIATE"):
            job = self.queue.enqueue("nosale", ReceiptDoc(), None, kick=True)
            self.journal.write(
                Event.NO_SALE_REQUESTED, user=person.number, approver=approver.number, job=job
            )
        return job
