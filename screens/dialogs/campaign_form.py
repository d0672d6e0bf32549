"""The shift lead's new campaign (the stock screen's campaign list, F8): '3 for 2', '2 for 50 kr'
or 'any 3 from this list for 99 kr', its products scanned or typed, from and to on the till's
clock. Saved by kassa_tui.stock.campaign_edit: the CSV import's check and journal row."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.people.person import Person
from kassa_tui.stock.campaign_edit import (
    CampaignDraft,
    CampaignProduct,
    change_campaign,
    create_campaign,
    default_from,
    draft_of,
    find_product,
)
from screens import styles
from screens.dialogs.member_tick import TickBox
from screens.host import guarded, host


def row(label: str, row_id: str = "") -> Horizontal:
    """One field with its label beside it (as the product form's)."""
    container = Horizontal(classes="form-row", id=row_id or None)
    container.compose_add_child(Label(markup=False, content=label, classes="form-label"))
    return container


class CampaignForm(ModalScreen[str | None]):
    """Dismisses with what was done, or None when cancelled."""

    CSS_PATH = styles.DIALOGS
    DEFAULT_CSS = """
    #form-box #cf-products { height: auto; max-height: 3; margin-bottom: 1; color: $text; }
    """
    AUTO_FOCUS = "#cf-name"
    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("f10,ctrl+k", "save", show=False, priority=True),
        Binding("f8,ctrl+d", "drop_last", show=False, priority=True),
    ]

    def __init__(self, person: Person, campaign_id: int | None = None) -> None:
        super().__init__(classes="dialog", id="campaign-form")
        self.person = person
        self.products: list[CampaignProduct] = []
        self.campaign_id = campaign_id  # a campaign changed (F7 in the list): its form filled in

    def compose(self) -> ComposeResult:
        kinds = [
            (_("N for the price of M (3 for 2)"), "n_for_m"),
            (_("N for X kr (2 for 50 kr)"), "n_for_price"),
            (_("Any N from the list for X kr"), "any_n_for_price"),
        ]
        with VerticalScroll(classes="dialog-box form-box", id="form-box"):
            title = _("Change campaign") if self.campaign_id else _("New campaign")
            yield Label(markup=False, content=title, classes="dialog-title")
            with row(_("Name")):
                yield Input(id="cf-name", max_length=40)
            with row(_("Kind")):
                yield Select(kinds, value="n_for_m", allow_blank=False, id="cf-kind")
            with row(_("N (how many)")):
                yield Input(id="cf-n", max_length=2, restrict=r"\d*")
            with row(_("Pay for M"), "cf-payfor-row"):
                yield Input(id="cf-payfor", max_length=2, restrict=r"\d*")
            with row(_("Price (kr)"), "cf-price-row"):
                yield Input(id="cf-price", max_length=10)
            with row(_("Products")):
                yield Input(placeholder=_("Scan or type a code, Enter"), id="cf-code")
            yield Static(markup=False, content=_("No products yet."), id="cf-products")
            with row(_("From")):
                yield Input(value=default_from(host(self).till.clock), id="cf-from", max_length=16)
                yield TickBox(_("Members only"), id="cf-members")  # kundeklubb: Space
            with row(_("To")):
                yield Input(
                    placeholder=_("YYYY-MM-DD HH:MM, empty: until ended"), id="cf-to", max_length=16
                )
            yield Static(markup=False, content="", classes="message", id="form-message")
            yield Static(
                markup=False,
                content=_("F10: save · F8: remove the last product · Esc: cancel"),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        if self.campaign_id is not None:
            self.fill_in(draft_of(host(self).till.db, self.campaign_id))
        self.kind_changed()

    def fill_in(self, draft: CampaignDraft) -> None:
        """The campaign as it is, to change (screens.stock: F7 in the campaign list)."""
        fields = {"cf-name": draft.name, "cf-n": draft.quantity, "cf-payfor": draft.pay_for}
        fields |= {"cf-price": draft.price, "cf-from": draft.valid_from, "cf-to": draft.valid_to}
        for widget_id, text in fields.items():
            self.query_one(f"#{widget_id}", Input).value = text
        self.query_one("#cf-kind", Select).value = draft.kind
        self.query_one("#cf-members", Checkbox).value = draft.members_only
        db = host(self).till.db
        for code in draft.codes:
            try:
                self.products.append(find_product(db, code))
            except Refused as exc:  # deactivated since: the check names what is missing
                self.show_error(exc.message)
        self.show_products()

    def show_error(self, message: str) -> None:
        self.query_one("#form-message", Static).update(message)

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def kind(self) -> str:
        return str(self.query_one("#cf-kind", Select).value)

    @on(Select.Changed, "#cf-kind")
    def kind_changed(self) -> None:
        """'Pay for M' for a '3 for 2', a price for the others."""
        n_for_m = self.kind() == "n_for_m"
        self.query_one("#cf-payfor-row").display = n_for_m
        self.query_one("#cf-price-row").display = not n_for_m

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        """Enter on the products' field adds the code; on another field, on to the next."""
        event.stop()
        if event.input.id == "cf-code":
            self.add_code(event.value)
        else:
            self.focus_next()

    def take_scanned_code(self, code: str) -> None:
        """A code from the evdev scanner (kassa_tui.app.scanned): added as if typed."""
        self.add_code(code)

    @guarded
    def add_code(self, code: str) -> None:
        field = self.query_one("#cf-code", Input)
        if not code.strip():
            return
        found = find_product(host(self).till.db, code)
        field.value = ""
        if all(p.id != found.id for p in self.products):
            self.products.append(found)
        self.show_products()
        self.show_error("")

    def action_drop_last(self) -> None:
        if self.products:
            self.products.pop()
            self.show_products()

    def show_products(self) -> None:
        box = self.query_one("#cf-products", Static)
        if not self.products:
            box.update(_("No products yet."))
            return
        box.update(", ".join(f"{p.name} {format_kr(p.price_ore)}" for p in self.products))

    @guarded
    def action_save(self) -> None:
        pending = self.value("cf-code")
        if pending:  # a code typed but not yet added counts
            self.add_code(pending)
            if self.value("cf-code"):
                return
        till = host(self).till
        n_for_m = self.kind() == "n_for_m"
        draft = CampaignDraft(
            name=self.value("cf-name"),
            kind=self.kind(),
            quantity=self.value("cf-n"),
            pay_for=self.value("cf-payfor") if n_for_m else "",
            price="" if n_for_m else self.value("cf-price"),
            codes=tuple(p.code for p in self.products),
            valid_from=self.value("cf-from"),
            valid_to=self.value("cf-to"),
            members_only=self.query_one("#cf-members", Checkbox).value,
        )
        if not draft.name and not draft.quantity and not draft.codes:
            raise Refused(_("Fill in the campaign first (F10 saves, Esc cancels)."))
        if self.campaign_id is not None:
            changed = change_campaign(
                till.db, till.journal, till.clock, self.person, self.campaign_id, draft
            )
            self.dismiss(_("Campaign {name} changed.").format(name=changed.name))
            return
        made = create_campaign(till.db, till.journal, till.clock, self.person, draft)
        self.dismiss(_("Campaign {name} made.").format(name=made.name))

    def action_cancel(self) -> None:
        self.dismiss(None)
