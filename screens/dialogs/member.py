"""«Kundeklubb» on the sale screen (Shift+F4 or Alt+K): scan the member card or type the phone
number (or the member number), Enter: the member is on the sale and member prices apply. F2
joins a new member at the till: the phone number and the two consents, each shown in full and
ticked explicitly (Space), F10 or Enter saves. F3 changes the consents of the member on the
sale (a withdrawal at once; a new yes with a shift lead's number and PIN). F8 takes the member
off the sale.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, Input, Label, Static

from kassa_tui.club.members import Club, consent_offers_text, consent_purchases_text
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import N_, _
from kassa_tui.people import permissions
from kassa_tui.people.permissions import Permission
from kassa_tui.selling import club_basket
from screens import styles
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.member_tick import TickBox
from screens.host import guarded, host


def club_of(screen: Screen[Any] | ModalScreen[Any]) -> Club:
    till = host(screen).till
    return Club(till.db, till.journal, till.clock, till.config)


def member_text(screen: Screen[Any]) -> str:
    """What the sale screen's header adds while a member is on the sale: «Medlem 12»."""
    member = club_basket.current_member(host(screen).till.baskets, club_of(screen))
    return _("Member {number}").format(number=member.number) if member else ""


def member_summary(screen: Screen[Any] | ModalScreen[Any]) -> str:
    """The member on the sale with their consents, for the dialog: «Medlem 12 · kjøp: ja ·
    tilbud: nei»; or that no member is on it."""
    member = club_basket.current_member(host(screen).till.baskets, club_of(screen))
    if member is None:
        return _("No member on this sale.")
    return _("Member {number} · purchases kept: {purchases} · offers: {offers}").format(
        number=member.number,
        purchases=_("yes") if member.consent_purchases else _("no"),
        offers=_("yes") if member.consent_offers else _("no"),
    )


def identify(screen: Screen[Any], text: str) -> str:
    """A member card scanned on the sale screen, or the dialog's entry: the message to show."""
    app = host(screen)
    if app.person is None:
        raise Refused(_("Sign in first."))
    member = club_basket.identify(app.till.baskets, club_of(screen), app.person, text)
    return _("Member {number} on the sale: member prices apply.").format(number=member.number)


class MemberDialog(ModalScreen[str | None]):
    """Dismisses with the message for the sale screen, or None (nothing changed)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        Binding("escape", "cancel", N_("Back"), show=False),
        Binding("f2", "join", N_("Join"), show=False),
        Binding("f3", "consents", N_("Consents"), show=False),
        Binding("f8", "remove", N_("Take off"), show=False),
        Binding("f10", "save", N_("Save"), show=False),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__(classes="dialog")
        self.text = text
        self.joining = False
        self.changing: int | None = None  # the member whose consents are being changed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box payment-box"):
            yield Label(markup=False, content=_("Customer club"), classes="dialog-title")
            yield Static(markup=False, content="", id="member-summary")
            yield Input(
                value=self.text,
                placeholder=_("Scan the member card or type the phone number"),
                id="member-code",
                max_length=20,
            )
            yield Static(markup=False, content=consent_purchases_text(), id="member-text-p")
            yield TickBox(
                self._answer("purchases", False), id="member-purchases", classes="member-consent"
            )
            yield Static(markup=False, content=consent_offers_text(), id="member-text-o")
            yield TickBox(
                self._answer("offers", False), id="member-offers", classes="member-consent"
            )
            yield Static(markup=False, content="", id="member-message", classes="message")
            yield Static(
                markup=False,
                content=_("Enter: find · F2: join · F3: consents · F8: off · Esc: back"),
                id="member-help",
                classes="dialog-help",
            )

    @staticmethod
    def _answer(which: str, yes: bool) -> str:
        """The tick box says the answer in words (the console shows no colours): yes or no."""
        if which == "purchases":
            return _("Keep my purchases: YES") if yes else _("Keep my purchases: no")
        return _("Personal offers: YES") if yes else _("Personal offers: no")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        which = "purchases" if event.checkbox.id == "member-purchases" else "offers"
        event.checkbox.label = self._answer(which, event.value)

    def on_mount(self) -> None:
        self._show_join(False)
        self.query_one("#member-summary", Static).update(member_summary(self))
        self.query_one("#member-code", Input).focus()

    def _show_join(self, on: bool, changing: bool = False) -> None:
        self.joining = on and not changing
        for widget in ("#member-text-p", "#member-purchases", "#member-text-o", "#member-offers"):
            self.query_one(widget).display = on
        self.query_one("#member-code", Input).display = not changing
        if changing:
            help_text = _("Tab: next · Space: yes/no · F10: save · Esc: back")
        elif on:
            help_text = _("Tab: next · Space: yes/no · F10: join · Esc: back")
        else:
            help_text = _("Enter: find · F2: join · F3: consents · F8: off · Esc: back")
        self.query_one("#member-help", Static).update(help_text)

    def show_error(self, message: str) -> None:
        self.query_one("#member-message", Static).update(message)

    def action_join(self) -> None:
        self._show_join(True)
        self.query_one("#member-summary", Static).update(
            _("New member: the phone number, then each consent the customer gives.")
        )
        self.query_one("#member-code", Input).placeholder = _("Phone number (8 digits)")
        self.query_one("#member-code", Input).focus()

    def _tick(self, box_id: str, which: str, yes: bool) -> None:
        box = self.query_one(box_id, Checkbox)
        box.value = yes
        box.label = self._answer(which, yes)

    @guarded
    def action_consents(self) -> None:
        """The member on the sale's consents, as they stand, to change with the customer."""
        member = club_basket.current_member(host(self).till.baskets, club_of(self))
        if member is None:
            raise Refused(_("No member on this sale."))
        self.changing = member.number
        self._show_join(True, changing=True)
        self._tick("#member-purchases", "purchases", member.consent_purchases)
        self._tick("#member-offers", "offers", member.consent_offers)
        self.query_one("#member-summary", Static).update(
            _("Member {number}: the customer's consents, as they answer now.").format(
                number=member.number
            )
        )
        self.query_one("#member-purchases", Checkbox).focus()

    def _save_consents(self, number: int) -> None:
        """A withdrawal is saved at once; a new yes needs a shift lead's number and PIN."""
        app = host(self)
        if app.person is None:
            raise Refused(_("Sign in first."))
        club = club_of(self)
        purchases = self.query_one("#member-purchases", Checkbox).value
        offers = self.query_one("#member-offers", Checkbox).value
        before = club.get(number)
        gives = (purchases and not before.consent_purchases) or (
            offers and not before.consent_offers
        )
        done = _("Member {number}'s consents saved: purchases {purchases}, offers {offers}.")

        def said(member_number: int) -> str:
            member = club.get(member_number)
            return done.format(
                number=member.number,
                purchases=_("yes") if member.consent_purchases else _("no"),
                offers=_("yes") if member.consent_offers else _("no"),
            )

        may_give = permissions.allowed(app.person.role, Permission.Z_REPORT) or (
            permissions.allowed(app.person.role, Permission.USERS)
        )
        if not gives or may_give:
            club.consent(app.person, number, purchases=purchases, offers=offers)
            self.dismiss(said(number))
            return

        def act(approver_number: str, pin: str) -> None:
            approver = app.till.users.approver(approver_number, pin)
            club.consent(approver, number, purchases=purchases, offers=offers)

        def approved(value: tuple[str, str] | None) -> None:
            if value is not None:
                self.dismiss(said(number))

        reason = _("Member {number} gives a new consent").format(number=number)
        self.app.push_screen(ApprovalDialog(reason, act=act), approved)

    @guarded
    def action_remove(self) -> None:
        app = host(self)
        if app.person is None:
            raise Refused(_("Sign in first."))
        club_basket.remove(app.till.baskets, app.person)
        self.dismiss(_("The member is off the sale."))

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_save()

    @guarded
    def action_save(self) -> None:
        if self.changing is not None:
            self._save_consents(self.changing)
            return
        text = self.query_one("#member-code", Input).value.strip()
        if not text:
            raise Refused(_("Scan the member card or type the phone number"))
        if self.joining:
            app = host(self)
            if app.person is None:
                raise Refused(_("Sign in first."))
            member = club_of(self).join(
                app.person,
                text,
                consent_purchases=self.query_one("#member-purchases", Checkbox).value,
                consent_offers=self.query_one("#member-offers", Checkbox).value,
            )
            text = str(member.number)
        self.dismiss(identify(self, text))

    def action_cancel(self) -> None:
        self.dismiss(None)


def header_user_text(name: str, user: int, member: int | None, room: int) -> str:
    """The header's user label (with the member on the sale): «Kari Kasserer (1) · Medlem 12»
    when it fits in `room` cells, else «Kari Kasserer (1) · M12», «Kari (1) · M12»,
    «(1) · M12» (without a member: «Kari Kasserer (1)», «Kari (1)», «(1)»), so the shop and
    register keep their place at 80 columns."""
    first = name.split()[0] if name.split() else name
    if member is None:
        candidates = [f"{name} ({user})", f"{first} ({user})", f"({user})"]
    else:
        long = _("Member {number}").format(number=member)
        short = _("M{number}").format(number=member)
        candidates = [
            f"{name} ({user}) · {long}",
            f"{name} ({user}) · {short}",
            f"{first} ({user}) · {short}",
            f"({user}) · {short}",
        ]
    return next((c for c in candidates if cell_len(c) <= room), candidates[-1])


def show_member(screen: Screen[Any]) -> None:
    """The header's user label says «· Medlem 12» (or «· M12») while a member is on the sale,
    and gives way (the first name, then the number alone) where the shop's name and register
    would not fit beside it."""
    member = club_basket.current_member(host(screen).till.baskets, club_of(screen))
    person = host(screen).person
    if person is None:
        return
    width = screen.size.width or screen.app.size.width
    used = cell_len(str(screen.query_one("#sale-shop", Label).render())) + 2
    if host(screen).till.receipts.training:  # shown right after this (SaleScreen.reload)
        used += cell_len(_("TRAINING")) + 2
    for other in ("#sale-scanner", "#sale-printer", "#sale-sync"):
        label = screen.query_one(other, Label)
        if label.display:
            used += cell_len(str(label.render())) + 2
    room = width - used - 2  # the user label's own padding
    screen.query_one("#sale-user", Label).update(
        header_user_text(person.name, person.number, member.number if member else None, room)
    )


def scanned_member(screen: Screen[Any], text: str) -> str | None:
    """A member card scanned on the sale screen identifies the member, a personal offer's code
    takes its discount: the message, or None when `text` is neither."""
    app = host(screen)
    if club_basket.is_offer(app.till.baskets, text):
        if app.person is None:
            raise Refused(_("Sign in first."))
        return club_basket.apply_offer(app.till.baskets, app.person, text)
    if not club_basket.is_member_card(app.till.baskets, text):
        return None
    return identify(screen, text)
