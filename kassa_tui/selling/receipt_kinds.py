"""The other receipts of § 2-8-6: the copy, the provisional receipt, and training mode.

* A copy («KOPI») is the original receipt again, as it was queued for the printer, with the
  marking in large type. At most one per receipt (§ 2-6 (4)): the journal's COPY row (13014,
  with the sale and its amount) is what says a copy was made.
* A provisional receipt («Foreløpig kvittering – IKKJE KVITTERING FOR KJØP») shows the open
  basket before it is paid; numbered in its own series and journaled (13015, with the amount).
* Training mode is switched by a shift lead (13023/13024) and kept in a setting row, so a
  restart stays in it. Sales completed in it are training sales (see `Sales`); receipts made in
  it are journaled as training receipts (13017) and counted only as training.
"""

from __future__ import annotations

from typing import Any

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.records.receipts import ReceiptDoc, copy_receipt, provisional_receipt
from kassa_tui.records.register import Register, RegisterService
from kassa_tui.selling import eat_in, gift_card_sales
from kassa_tui.selling.basket import Baskets
from kassa_tui.selling.receipt_facts import basket_facts
from kassa_tui.selling.transactions import Transactions


class ReceiptKinds(RegisterService):
    """The copy, the provisional receipt, and switching training mode."""

    def __init__(self, register: Register, transactions: Transactions, baskets: Baskets) -> None:
        super().__init__(register)
        self.transactions = transactions
        self.baskets = baskets

    # -- copy --------------------------------------------------------------------------------

    def copy(self, person: Person, receipt_nr: int) -> int:
        """Queue the one copy a receipt may have; returns the print job's id."""
        with self.db.atomic("IMMEDIATE"):
            if self.transactions.training:
                raise Refused(_("No copies in training mode: turn training mode off first."))
            row = self.db.execute_sql(
                "SELECT id, training, total_ore FROM sale WHERE register_id = ? AND receipt_nr = ?",
                (self.config.register_id, receipt_nr),
            ).fetchone()
            if row is None:
                raise Refused(_("There is no receipt number {nr}.").format(nr=receipt_nr))
            sale_id, training, total = row
            if training:
                raise Refused(
                    _("Receipt {nr} is a training receipt: it has no copy.").format(nr=receipt_nr)
                )
            copies = self.db.execute_sql(
                "SELECT COUNT(*) FROM journal WHERE register_id = ? AND event_code = ?"
                " AND sale_id = ?",
                (self.config.register_id, Event.COPY_RECEIPT[0], sale_id),
            ).fetchone()[0]
            if copies:
                raise Refused(
                    _("Receipt {nr} already has its copy: only one copy is allowed.").format(
                        nr=receipt_nr
                    )
                )
            original = self.db.execute_sql(
                "SELECT payload FROM print_job WHERE sale_id = ? AND kind = 'receipt'"
                " ORDER BY id LIMIT 1",
                (sale_id,),
            ).fetchone()
            if original is None:
                raise Refused(
                    _("Receipt {nr} is not stored: no copy can be printed.").format(nr=receipt_nr)
                )
            now = self.journal.write(
                Event.COPY_RECEIPT,
                user=person.number,
                sale_id=sale_id,
                nr=receipt_nr,
                amount=total,
            )
            doc = copy_receipt(
                ReceiptDoc.from_json(bytes(original[0])),
                receipt_nr,
                now.local_date,
                now.local_time,
            )
            return self.queue.enqueue("copy", doc, sale_id, kick=False)

    # -- provisional -------------------------------------------------------------------------

    def provisional(self, person: Person) -> int:
        """A provisional receipt for the open basket; returns its number (own series)."""
        with self.db.atomic("IMMEDIATE"):
            state = self.baskets.current()
            if state.empty:
                raise Refused(_("The basket is empty."))
            priced = state.priced
            training = self.transactions.training
            nr = self.transactions.next_number("provisional")
            details: dict[str, Any] = {"kind": "provisional"} if training else {}
            now = self.journal.write(
                Event.TRAINING_RECEIPT if training else Event.PROVISIONAL_RECEIPT,
                user=person.number,
                nr=nr,
                amount=priced.total,
                basket=state.uuid,
                **details,
            )
            reason = state.sale_discount_reason
            facts = basket_facts(nr, now, person, priced, priced.payments, reason)
            facts = eat_in.noted_basket(self.db, state.uuid, facts)  # «Spises her»
            facts = gift_card_sales.provisional_facts(facts, priced.lines)  # no VAT line
            doc = provisional_receipt(self.config, facts, training=training)
            self.queue.enqueue("provisional", doc, None, kick=False)
            return nr

    # -- training mode -----------------------------------------------------------------------

    @property
    def training(self) -> bool:
        return self.transactions.training

    def training_on(self, person: Person) -> None:
        self._switch(person, True)

    def training_off(self, person: Person) -> None:
        self._switch(person, False)

    def _switch(self, person: Person, on: bool) -> None:
        permissions.require(self.db, self.journal, person, Permission.TRAINING)
        with self.db.atomic("IMMEDIATE"):
            if self.transactions.training == on:
                raise Refused(
                    _("Training mode is already on.") if on else _("Training mode is not on.")
                )
            if not self.baskets.current().empty:
                raise Refused(_("Finish or park the current sale first."))
            self.transactions.set_training(on)
            self.journal.write(Event.TRAINING_ON if on else Event.TRAINING_OFF, user=person.number)
