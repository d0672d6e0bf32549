"""The shift lead's campaign list (stock screen, F9): what runs, what is planned, what ended,
with the discount each has given so far (`kassa campaigns list` adds its sales); Enter on one
that runs or is planned ends it; F7 changes it and F8 makes a new one
(screens.dialogs.campaign_form)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from kassa_tui.stock.importing.campaigns import CampaignListed, campaign_state
from screens import styles

NAME = 20
#: What the list dismisses with when the shift lead asks for a new campaign (F8).
NEW = -1


def offer(c: CampaignListed) -> str:
    if c.kind == "n_for_m":
        return _("{n} for {m}").format(n=c.quantity, m=c.pay_for)
    return _("{n} for {price}").format(n=c.quantity, price=format_kr(c.price_ore))


def state_word(state: str) -> str:
    return {"running": _("runs"), "planned": _("planned"), "ended": _("ended")}[state]


def row_text(c: CampaignListed, now_utc: str, *, plain: bool = False) -> str:
    mark = "..." if plain else "…"
    name = c.name if len(c.name) <= NAME else c.name[: NAME - len(mark)] + mark
    return (
        f"{name:<{NAME}} {offer(c):<11} {state_word(campaign_state(c, now_utc)):<9}"
        f"{format_kr(-c.discount_ore):>10}"
    )


class CampaignsDialog(ModalScreen[int | None]):
    """Dismisses with the id of a campaign to end, NEW for a new one, or None."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("f8,ctrl+n", "new", show=False, priority=True),
        Binding("f7,ctrl+o", "change", show=False, priority=True),
    ]

    def __init__(self, campaigns: list[CampaignListed], now_utc: str, *, plain: bool) -> None:
        super().__init__(classes="dialog", id="campaigns-dialog")
        self.campaigns = campaigns
        self.now_utc = now_utc
        self.plain = plain
        self.change = False  # F7: the id dismissed with is a campaign to change, not to end

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=_("Campaigns"), classes="dialog-title")
            if self.campaigns:
                yield OptionList(
                    *[
                        Option(
                            Text(row_text(c, self.now_utc, plain=self.plain), no_wrap=True),
                            id=str(c.id),
                        )
                        for c in self.campaigns
                    ]
                )
            else:
                yield Static(
                    markup=False,
                    content=_("No campaigns yet: F8 makes one, kassa import campaigns FILE too."),
                )
            yield Static(
                markup=False,
                content=_("Enter: end it · F7: change it · F8: new · Esc: back"),
                classes="dialog-help",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0) or None)

    def action_new(self) -> None:
        self.dismiss(NEW)

    def action_change(self) -> None:
        """F7: the highlighted campaign, to change (the form filled in)."""
        if not self.campaigns:
            return
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        self.change = True
        self.dismiss(self.campaigns[index].id)

    def action_cancel(self) -> None:
        self.dismiss(None)
