"""Adding or changing a product. Every change of a price or of fixed data is journaled with its
time by the stock service (§ 2-7 (3), event 13021); a product is deactivated, never deleted.

Its pant (deposit type) is a field of both forms, journaled as master data as `kassa deposits
assign` does. A cashier fills the form in first: the fields are checked, and only then is a
shift lead asked for the number and PIN that save it (no PIN typed for a form that is refused).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from kassa_tui.catalog.deposits import deposit_code_of, deposit_types
from kassa_tui.catalog.lookup import ProductInfo
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import (
    InvalidAmount,
    InvalidQuantity,
    format_kr,
    format_quantity,
    format_rate,
    parse_amount,
    parse_quantity,
)
from kassa_tui.people.person import Person
from kassa_tui.stock.deposits import set_pant_of_product
from kassa_tui.stock.planned_price_edit import check_planned_price, check_valid_from, plan_price
from kassa_tui.stock.products import MAX_NAME, check_price
from screens import styles
from screens.dialogs.approval import ApprovalDialog
from screens.host import guarded, host


def row(label: str) -> Horizontal:
    """One field of the form with its label beside it: the label stays while typing."""
    container = Horizontal(classes="form-row")
    container.compose_add_child(Label(markup=False, content=label, classes="form-label"))
    return container


class ProductForm(ModalScreen[str | None]):
    """Dismisses with what was done, or None when cancelled."""

    CSS_PATH = styles.DIALOGS
    # The first field, not the scrolling box around the fields: typing starts at once.
    AUTO_FOCUS = "#form-name"
    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("f10,ctrl+k", "save", show=False, priority=True),
        Binding("f9,ctrl+z", "toggle_active", show=False, priority=True),
    ]

    def __init__(self, person: Person | None, product: ProductInfo | None) -> None:
        """`person` may change products; None: a shift lead approves once the form is filled
        in and its fields are checked."""
        super().__init__(classes="dialog")
        self.person = person
        self.product = product
        self.planned: int | None = None  # the price typed, planned from 'New price from'

    def compose(self) -> ComposeResult:
        till = host(self).till
        p = self.product
        details = till.stock.details(p.id) if p else None
        title = _("New product") if p is None else _("Change {name}").format(name=p.name)
        groups = [(f"{code} {name}", code) for code, name in till.stock.groups()]
        rates = [(format_rate(rate), rate) for rate in till.config.vat_rates_bp]
        boxed = "dialog-box form-box" + (" form-new" if p is None else "")
        with VerticalScroll(classes=boxed, id="form-box"):
            yield Label(markup=False, content=title, classes="dialog-title")
            with row(_("Name")):
                yield Input(value=p.name if p else "", id="form-name", max_length=80)
            with row(_("Group")):
                yield Select(
                    groups, value=p.group_code if p else Select.NULL, prompt="-", id="form-group"
                )
            with row(_("VAT")):
                yield Select(rates, value=p.vat_bp if p else Select.NULL, prompt="-", id="form-vat")
            with row(_("Price incl. VAT")):
                yield Input(
                    value=format_kr(p.price_ore, thousands=False) if p else "",
                    id="form-price",
                    max_length=12,
                )
            if p is not None:  # the price above from then on, on the till's clock
                with row(_("New price from")):
                    yield Input(
                        placeholder=_("YYYY-MM-DD HH:MM, empty: now"),
                        id="form-from",
                        max_length=16,
                    )
            pant = [(f"{k.code} {k.name}", k.code) for k in deposit_types(till.db)]
            with row(_("Pant")):
                yield Select(
                    [(_("none"), ""), *pant],
                    value=deposit_code_of(till.db, p.id) if p else "",
                    allow_blank=False,
                    id="form-pant",
                )
            with row(_("Barcodes")):
                yield Input(
                    value=", ".join(details.barcodes) if details else "",
                    placeholder=_("Barcodes, separated by commas"),
                    id="form-barcodes",
                )
            if p is None:
                with row(_("PLU (optional)")):
                    yield Input(id="form-plu", max_length=6, restrict=r"\d*")
                with row(_("Unit")):
                    yield Select(
                        [(_("piece"), "stk"), (_("kg (weighed)"), "kg")],
                        value="stk",
                        allow_blank=False,
                        id="form-unit",
                    )
            reorder = format_quantity(details.reorder_point_milli) if details else ""
            with row(_("Reorder point")):
                yield Input(value=reorder, id="form-reorder", max_length=9)
            yield Static(markup=False, content="", classes="message", id="form-message")
            help_text = _("F10: save · Esc: cancel")
            if p is not None:
                help_text += " · " + (
                    _("F9: stop selling it") if p.active else _("F9: sell it again")
                )
            yield Static(markup=False, content=help_text, classes="dialog-help")

    def show_error(self, message: str) -> None:
        self.query_one("#form-message", Static).update(message)

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def selected(self, widget_id: str) -> object:
        value = self.query_one(f"#{widget_id}", Select).value
        if value is Select.NULL:
            raise Refused(
                _("Choose a {what}.").format(
                    what=_("group") if widget_id == "form-group" else _("VAT rate")
                )
            )
        return value

    @guarded
    def action_save(self) -> None:
        fields = self.checked_fields()
        self.as_allowed(lambda person: self.save(person, fields), self.title_text())

    def title_text(self) -> str:
        if self.product is None:
            return _("New product")
        return _("Change {name}").format(name=self.product.name)

    def as_allowed(self, then: Callable[[Person], None], reason: str) -> None:
        """Run `then` as the person who may change products, or as a shift lead who approves
        now (the form stays open on a wrong PIN or Esc)."""
        if self.person is not None:
            then(self.person)
            return

        @guarded
        def approved(self: ProductForm, approval: tuple[str, str] | None) -> None:
            if approval is not None:
                self.person = host(self).till.users.approver(*approval)
                then(self.person)

        self.app.push_screen(ApprovalDialog(reason), lambda value: approved(self, value))

    def checked_fields(self) -> dict[str, Any]:
        """Every field read and checked as far as the form can, before anyone is asked."""
        self.planned = None
        name = " ".join(self.value("form-name").split())
        if not name or len(name) > MAX_NAME:
            raise Refused(_("A product name is 1 to {n} characters.").format(n=MAX_NAME))
        try:
            price = parse_amount(self.value("form-price"))
        except InvalidAmount:
            raise Refused(
                _("{text} is not an amount.").format(text=self.value("form-price") or "?")
            ) from None
        check_price(price)
        reorder_text = self.value("form-reorder") or "0"
        try:
            reorder = 0 if reorder_text == "0" else parse_quantity(reorder_text)
        except InvalidQuantity:
            raise Refused(_("{text} is not a quantity.").format(text=reorder_text)) from None
        barcodes = [c.strip() for c in self.value("form-barcodes").split(",") if c.strip()]
        fields: dict[str, Any] = {
            "name": name,
            "group_code": str(self.selected("form-group")),
            "vat_bp": int(str(self.selected("form-vat"))),
            "price_ore": price,
            "barcodes": barcodes,
            "reorder_point_milli": reorder,
        }
        if self.product is None:
            fields["plu"] = self.value("form-plu") or None
            fields["unit"] = str(self.query_one("#form-unit", Select).value)
        elif self.value("form-from"):  # a planned price: the price stays as it is until then
            check_planned_price(price)
            check_valid_from(host(self).till.clock, self.value("form-from"))
            fields["price_ore"] = self.product.price_ore
            self.planned = price
        return fields

    @guarded
    def save(self, person: Person, fields: dict[str, Any]) -> None:
        products = host(self).till.products
        pant = str(self.query_one("#form-pant", Select).value)
        if self.product is None:
            product_id = products.add_product(person, **fields)
            self._set_pant(person, product_id, pant)
            self.dismiss(_("Product added: {name}.").format(name=fields["name"]))
        else:
            # The planned price first: its time may pass while a shift lead is fetched.
            planned = self._plan(person, self.planned) if self.planned is not None else ""
            products.update_product(person, self.product.id, **fields)
            self._set_pant(person, self.product.id, pant)
            message = _("Product saved: {name}.").format(name=fields["name"])
            self.dismiss(f"{message} {planned}".strip())

    def _plan(self, person: Person, price: int) -> str:
        till = host(self).till
        assert self.product is not None
        when = self.value("form-from")
        plan_price(till.db, till.journal, till.clock, person, self.product.id, price, when)
        return _("New price {price} from {when}.").format(price=format_kr(price), when=when)

    def _set_pant(self, person: Person, product_id: int, code: str) -> None:
        till = host(self).till
        set_pant_of_product(till.db, till.journal, person, product_id, code)

    @guarded
    def action_toggle_active(self) -> None:
        product = self.product
        if product is None:
            return
        active = not product.active

        def toggle(person: Person) -> None:
            host(self).till.products.set_active(person, product.id, active)
            message = _("{name} is sold again.") if active else _("{name} is no longer sold.")
            self.dismiss(message.format(name=product.name))

        self.as_allowed(toggle, self.title_text())

    def action_cancel(self) -> None:
        self.dismiss(None)
