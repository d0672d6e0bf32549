"""F11 «Receive from another shop», checked against what the sender sent (issue 15).

Once the note's id is scanned and the till has [hq], a worker thread asks HQ what was sent under
it (kassa_tui.stock.transfer_check; never on the UI thread, a short deadline). Found: the
sending shop is HQ's (filled in; another one typed is refused), the table shows per product what
was sent beside what is scanned (products sent and not scanned yet below the scanned lines), and
booking a difference (short, over, a product not sent) asks a shift lead to approve exactly that
difference; the TRANSFERIN row keeps the sent quantities beside the received ones. Not found, HQ
away or no [hq]: the message line says «Not checked against the sender: …» and the goods book in
as before, the row marked unchecked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from textual.screen import Screen

from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _, ngettext
from kassa_tui.people.person import Person
from kassa_tui.stock import transfer_check
from kassa_tui.stock.transfer_check import Answer, Row, Sent, Unchecked
from kassa_tui.stock.transfers import Transfers
from kassa_tui.sync import link
from screens.dialogs.approval import ApprovalDialog
from screens.formatting import stock_qty
from screens.host import host

log = logging.getLogger("kassa.screens")

#: At most this many differences listed in the approval (the rest as a count): 80×24.
SHOWN = 6


class _Line(Protocol):
    code: str
    product: ProductInfo
    qty_milli: int


class HqCheck:
    """One receive screen's question to HQ and its answer (None: still asking, or no id)."""

    def __init__(self) -> None:
        self.transfer = ""
        self.answer: Answer | None = None

    @property
    def sent(self) -> Sent | None:
        return self.answer if isinstance(self.answer, Sent) else None

    def start(self, screen: Screen[str | None], transfer: str, done: Callable[[], None]) -> None:
        """Ask HQ about `transfer` in a worker thread; `done` runs on the UI thread after."""
        self.transfer, self.answer = transfer, None
        till = host(screen).till
        settings, register = till.config.hq, till.config.register_id
        if settings is None:  # no head office: nothing to wait for
            self.answer = transfer_check.not_checked("no_hq")
            done()
            return

        def work() -> None:
            try:
                answer = transfer_check.ask_hq(
                    settings, register, transfer, link.connect, link.deadline
                )
            except Exception as exc:  # never the app's end: the goods book in unchecked
                log.exception("transfer check")
                answer = transfer_check.not_checked("unreachable", type(exc).__name__)
            screen.app.call_from_thread(answered, answer)

        def answered(answer: Answer) -> None:
            if isinstance(answer, Unchecked) and answer.detail:
                log.warning("transfer %s not checked at HQ: %s", transfer, answer.detail)
            if self.transfer == transfer and screen.is_attached:
                self.answer = answer
                done()

        screen.run_worker(work, thread=True, exclusive=True, group="transfer-check")

    def said(self) -> tuple[str, bool]:
        """The message line once HQ answered: (text, is it a warning)."""
        if isinstance(self.answer, Unchecked):
            return self.answer.message, True
        sent = self.sent
        assert sent is not None
        n = len(sent.lines)
        return ngettext(
            "Checked at HQ: {shop} sent {n} line on {day}.",
            "Checked at HQ: {shop} sent {n} lines on {day}.",
            n,
        ).format(shop=sent.sender, n=n, day=sent.sent_on), False

    def shop(self, typed: str) -> str:
        """The shop typed, if HQ agrees it sent the goods."""
        if self.sent is not None:
            transfer_check.check_sender(self.sent, typed)
        return typed

    def rows(self, transfers: Transfers, lines: Sequence[_Line]) -> list[Row]:
        """Sent vs scanned: the scanned lines in their order, then what was sent only."""
        sent = self.sent
        assert sent is not None
        found = transfer_check.rows(
            transfers.db, transfers.product, sent, [(x.product, x.qty_milli) for x in lines]
        )
        by_product = {row.product_id: row for row in found if row.product_id is not None}
        scanned = [by_product[line.product.id] for line in lines if line.product.id in by_product]
        return scanned + [row for row in found if row not in scanned]

    def table(
        self, transfers: Transfers, lines: Sequence[_Line]
    ) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """The receive table's names and columns while checked: Code, Sent, Scanned."""
        units = {line.product.id: line.product.unit for line in lines}
        rows = self.rows(transfers, lines)
        qty: Callable[[Row, int], str] = lambda row, milli: stock_qty(  # noqa: E731
            milli, units.get(row.product_id or 0, "stk")
        )
        marks = ["  " if not row.differs else " !" for row in rows]
        return [row.name for row in rows], [
            (_("Code"), [row.code for row in rows]),
            (_("Sent"), [qty(row, row.sent_milli) for row in rows]),
            (
                _("Scanned"),
                [qty(row, row.scanned_milli) + m for row, m in zip(rows, marks, strict=True)],
            ),
        ]

    def book(
        self,
        screen: Screen[str | None],
        transfers: Transfers,
        person: Person,
        shop: str,
        lines: Sequence[_Line],
        booked: Callable[[], None],
    ) -> None:
        """Book the goods in: as before when unchecked or the same as sent; a difference only
        with a shift lead's approval of that difference (the dialog books it)."""
        if self.transfer and self.answer is None:
            raise Refused(_("Still asking HQ what was sent; a moment, then F10 again."))
        moved = [(line.product.id, line.qty_milli) for line in lines]
        differ = [row for row in self.rows(transfers, lines) if row.differs] if self.sent else []
        if not differ:
            transfers.receive(person, self.transfer, shop, moved, self.answer)
            booked()
            return
        summary = [transfer_check.describe(row) for row in differ[:SHOWN]]
        if len(differ) > SHOWN:
            summary.append(_("… and {n} more").format(n=len(differ) - SHOWN))
        users = host(screen).till.users

        def act(number: str, pin: str) -> None:
            approver = users.approver(number, pin)
            transfers.receive(person, self.transfer, shop, moved, self.answer, approver)

        def approved(value: tuple[str, str] | None) -> None:
            if value is not None:
                booked()

        screen.app.push_screen(
            ApprovalDialog(
                _("Book in what differs from what {shop} sent").format(shop=shop),
                summary,
                act=act,
            ),
            approved,
        )

    def not_scanned(self, row: int, lines: Sequence[_Line]) -> None:
        """F8/F9 on a product sent but not scanned: there is no line to change yet."""
        if row >= len(lines):
            raise Refused(_("Not scanned: scan the goods to add the line."))
