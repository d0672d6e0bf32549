"""Payment and completing a sale: one transaction writes it all, then the receipt is queued.

Completion writes the sale, its lines, payments, stock movements, journal rows and the print job
in one `BEGIN IMMEDIATE` transaction. A crash before the commit leaves the basket open; after it,
the sale is complete and its receipt waits in the queue. Never half. How a transaction is
numbered, signed and stored is selling.transactions'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kassa_tui.catalog.pricing import Payment, Priced, price
from kassa_tui.core.clock import Instant
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import InvalidAmount, parse_amount
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event
from kassa_tui.records.receipts import sales_receipt
from kassa_tui.records.register import Register
from kassa_tui.records.signing import Signer
from kassa_tui.selling import club_basket, eat_in, gift_card_sales, pant
from kassa_tui.selling.basket import Baskets
from kassa_tui.selling.campaigns import record_campaigns
from kassa_tui.selling.gift_cards import Card
from kassa_tui.selling.payment_methods import (
    check_card_method,
    check_confirmed_method,
    nothing_left,
    redeem_card,
    too_much,
)
from kassa_tui.selling.receipt_facts import basket_facts
from kassa_tui.selling.repricing import reprice_lines
from kassa_tui.selling.transactions import SaleLineRow, SaleRow, Transactions


@dataclass(frozen=True)
class Completed:
    sale_id: int
    receipt_nr: int
    total: int
    rounding: int
    change: int
    cash: bool


@dataclass(frozen=True)
class PaymentResult:
    """Either the sale is complete, or `remaining` is still to be paid."""

    completed: Completed | None
    remaining: int


class Sales(Transactions):
    """Paying the open basket and, once it is paid, completing the sale."""

    def __init__(self, register: Register, baskets: Baskets, signer: Signer | None = None) -> None:
        super().__init__(register, signer)
        self.baskets = baskets
        #: Planned prices due are switched before a sale is priced for payment (composition:
        #: stock.planned_prices.switch_due), so it is paid at the prices in force then.
        self.switch_prices: Callable[[], object] | None = None

    def _amount(self, text: str) -> int:
        try:
            return parse_amount(text)
        except InvalidAmount:
            raise Refused(_("{text} is not an amount.").format(text=text)) from None

    def pay_cash(self, person: Person, tendered_text: str = "") -> PaymentResult:
        """Cash: empty means exactly the amount due, rounded to whole kroner."""
        self.baskets._guard()
        permissions.require(self.db, self.journal, person, Permission.SELL)
        tendered = self._amount(tendered_text) if tendered_text.strip() else None
        if tendered is not None and tendered % 100 and self.config.cash_rounding:
            raise Refused(_("Cash is counted in whole kroner: there are no øre coins."))
        with self.db.atomic("IMMEDIATE"):
            basket_id, priced = self._open_priced()
            due = priced.cash_due
            if due < 0 and tendered is not None:  # bottle-return slips: pant is paid out
                raise Refused(_("Pant is paid out exactly: leave the amount empty."))
            given = due if tendered is None else tendered
            if given <= 0 and due > 0:
                raise Refused(_("The amount tendered must be more than zero."))
            if given >= due:
                final = Payment("cash", due, given)
                return PaymentResult(
                    self._complete(person, basket_id, priced, final, priced.rounding_if_cash),
                    0,
                )
            self._add_payment(person, basket_id, Payment("cash", given, given))
            return PaymentResult(None, priced.remaining - given)

    def pay_card(
        self, person: Person, amount_text: str = "", method: str = "card"
    ) -> PaymentResult:
        """Card on a standalone terminal, or another [[payment]] method such as Vipps: the
        cashier confirms the amount the terminal or the customer's phone approved."""
        self.baskets._guard()
        permissions.require(self.db, self.journal, person, Permission.SELL)
        check_confirmed_method(self.config, method)
        amount = self._amount(amount_text) if amount_text.strip() else None
        with self.db.atomic("IMMEDIATE"):
            basket_id, priced = self._open_priced()
            remaining = priced.remaining
            paid = remaining if amount is None else amount
            if paid <= 0:
                raise Refused(nothing_left(self.config, method))
            if paid > remaining:
                raise Refused(too_much(self.config, method, remaining))
            if paid == remaining:
                return PaymentResult(
                    self._complete(person, basket_id, priced, Payment(method, paid, paid), 0), 0
                )
            self._add_payment(person, basket_id, Payment(method, paid, paid))
            return PaymentResult(None, remaining - paid)

    def pay_gift_card(
        self, person: Person, method: str, code: str, amount_text: str = ""
    ) -> tuple[PaymentResult, Card]:
        """A gift card or credit note scanned as payment: up to what is left to pay (or the
        amount typed) comes off the card in the same transaction; the card is returned as it
        is afterwards. Unknown, expired and used-up cards are refused, nothing changed."""
        self.baskets._guard()
        permissions.require(self.db, self.journal, person, Permission.SELL)
        found = check_card_method(self.config, method)
        if self.training:
            raise Refused(_("Training mode: no gift card or credit note is used."))
        amount = self._amount(amount_text) if amount_text.strip() else None
        with self.db.atomic("IMMEDIATE"):
            basket_id, priced = self._open_priced()
            uuid = self.db.execute_sql("SELECT uuid FROM basket WHERE id = ?", (basket_id,))
            card, taken = redeem_card(
                self.db,
                self.config.register_id,
                found,
                code,
                priced.remaining,
                str(uuid.fetchone()[0]),
                self.clock.now(),
                amount,
                person.number,
            )
            payment = Payment(method, taken, taken)
            if taken == priced.remaining:
                return PaymentResult(self._complete(person, basket_id, priced, payment, 0), 0), card
            self._add_payment(person, basket_id, payment)
            return PaymentResult(None, priced.remaining - taken), card

    def _open_priced(self) -> tuple[int, Priced]:
        row = self.db.execute_sql(
            "SELECT id, sale_discount_ore, sale_discount_bp FROM basket"
            " WHERE register_id = ? AND status = 'open' ORDER BY id LIMIT 1",
            (self.config.register_id,),
        ).fetchone()
        if row is None:
            raise Refused(_("The basket is empty."))
        basket_id, disc_ore, disc_bp = row
        lines = self.baskets.lines(basket_id)
        if not lines:
            raise Refused(_("The basket is empty."))
        if self.switch_prices is not None:
            self.switch_prices()
        if reprice_lines(self.db, self.journal, basket_id, lines):  # the prices in force now
            lines = self.baskets.lines(basket_id)
        self.baskets.check_beer_at_payment(basket_id)  # sold when paid: in the beer hours
        self.baskets.check_age_at_payment(basket_id)  # an age limit confirmed, or no sale
        priced = price(
            lines,
            self.baskets.payments(basket_id),
            sale_discount_ore=disc_ore,
            sale_discount_bp=disc_bp,
            cash_rounding_enabled=self.config.cash_rounding,
            campaigns=self.baskets.campaigns(lines, basket_id),
        )
        return basket_id, priced

    def _add_payment(self, person: Person, basket_id: int, payment: Payment) -> Instant:
        """Record a payment; returns the journal's instant (never earlier than the last row)."""
        now = self.clock.now()
        self.db.execute_sql(
            "INSERT INTO basket_payment (basket_id, method, amount_ore, tendered_ore, created_utc)"
            " VALUES (?, ?, ?, ?, ?)",
            (basket_id, payment.method, payment.amount_ore, payment.tendered_ore, now.utc_text),
        )
        return self.journal.write(
            Event.PAYMENT,
            user=person.number,
            method=payment.method,
            amount=payment.amount_ore,
            tendered=payment.tendered_ore,
        )

    def _sale_discount_reason(self, basket_id: int) -> str:
        row = self.db.execute_sql(
            "SELECT sale_discount_reason FROM basket WHERE id = ?", (basket_id,)
        ).fetchone()
        return str(row[0]) if row else ""

    def _complete(
        self, person: Person, basket_id: int, priced: Priced, final: Payment, rounding: int
    ) -> Completed:
        """Write the whole sale; runs inside the caller's IMMEDIATE transaction."""
        # The sale and its receipt carry the journal's time: a clock that went back must not
        # give a receipt an earlier time than the one before it.
        now = self._add_payment(person, basket_id, final)
        payments = [*priced.payments, final]
        change = final.tendered_ore - final.amount_ore
        training = self.training
        basket_uuid = self.db.execute_sql(
            "SELECT uuid FROM basket WHERE id = ?", (basket_id,)
        ).fetchone()[0]
        row = SaleRow(
            "sale",
            priced.total,
            priced.vat,
            priced.discount,
            rounding,
            change,
            training,
            basket_uuid,
        )
        sale_id, receipt_nr = self.write_sale(person, now, row)
        lines = [
            SaleLineRow(
                nr,
                pl.line.product_id,
                pl.line.code,
                pl.line.name,
                pl.line.group_code,
                pl.line.qty_milli,
                pl.line.unit_price_ore,
                pl.line.list_price_ore,
                pl.discount,
                pl.amount,
                pl.line.vat_bp,
                pl.vat,
                pl.line.overridden,
            )
            for nr, pl in enumerate(priced.lines, start=1)
        ]
        self.write_lines(sale_id, lines, now, training=training)
        eat_in.record_sale(self.db, basket_id, sale_id)  # the receipt says «Spises her»
        if not training:  # a training sale redeems no bottle-return slip
            pant.redeem_slips(self.db, basket_id, sale_id, now)
        cards = gift_card_sales.issue_sold(  # the gift cards sold: issued with the sale
            self.db, self.config, basket_id, str(basket_uuid), now, person.number
        )
        member = club_basket.link_sale(self.db, basket_id, sale_id, training)  # kundeklubb
        offer = club_basket.offer_after_sale(
            self.db, self.config, basket_id, sale_id, now, training
        )  # the offers scanned are redeemed; a new one for the member's receipt
        self.write_payments(sale_id, payments)
        self.db.execute_sql("UPDATE basket SET status = 'sold' WHERE id = ?", (basket_id,))
        details: dict[str, Any] = {"kind": "sale"} if training else {}
        details.update(record_campaigns(self.db, sale_id, priced.campaigns))
        details.update(gift_card_sales.journal_details(cards))
        self.journal.write(
            Event.TRAINING_RECEIPT if training else Event.SALE,
            user=person.number,
            sale_id=sale_id,
            nr=receipt_nr,
            total=priced.total,
            vat=priced.vat,
            rounding=rounding,
            change=change,
            lines=len(priced.lines),
            payments=[[p.method, p.amount_ore, p.tendered_ore] for p in payments],
            content=self.content_of(sale_id),
            **details,
        )
        reason = self._sale_discount_reason(basket_id)
        facts = basket_facts(
            receipt_nr, now, person, priced, payments, reason, rounding=rounding, change=change
        )
        facts = eat_in.noted(self.db, basket_id, facts)
        facts = gift_card_sales.receipt_facts(facts, cards)
        doc = sales_receipt(self.config, facts, training=training)
        gift_card_sales.add_to_receipt(doc, cards)
        club_basket.add_to_receipt(doc, member)
        club_basket.add_offer_to_receipt(doc, offer)
        cash = self.queue_receipt(doc, sale_id, payments, training=training)
        return Completed(sale_id, receipt_nr, priced.total, rounding, change, cash)
