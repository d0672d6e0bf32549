"""The sale screen's counter rules (issue 14): voiding the whole sale (Shift+F8).

Functions the sale screen calls with itself: the screen supplies the person, the messages and
`reload`; the rules themselves are `till.baskets`' (selling.void).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.core.money import format_kr
from screens.dialogs.approval import ApprovalDialog
from screens.dialogs.reason import ReasonDialog
from screens.host import guarded, host

if TYPE_CHECKING:
    from screens.sale import SaleScreen


def ask_void(screen: SaleScreen) -> None:
    """Shift+F8: why (the shop's reasons), then a shift lead above the limit, then voided."""
    baskets = host(screen).till.baskets
    baskets._guard()
    screen.person()
    if screen.state is None or screen.state.empty:
        raise Refused(_("The basket is empty."))
    total = format_kr(screen.state.priced.total)

    def with_reason(reason: str | None) -> None:
        if not reason:
            screen.show_info(_("The sale is not voided."))
            return
        if not baskets.void_needs_approval(screen.person()):
            finish(reason, None)
            return

        def approved(value: tuple[str, str] | None) -> None:
            if value is None:
                screen.show_info(_("The sale is not voided."))
                return
            finish(reason, value)

        screen.app.push_screen(
            ApprovalDialog(_("Void the sale of {total}").format(total=total), (reason,)),
            approved,
        )

    def finish(reason: str, approval: tuple[str, str] | None) -> None:
        voided = _void(screen, reason, approval)
        if voided is not None:
            screen.clear_lookup()
            screen.show_info(
                _("Sale of {total} voided: {reason}.").format(
                    total=format_kr(voided), reason=reason
                )
            )
        screen.reload(keep_cursor=False)

    reasons = host(screen).till.config.sale.void_reasons
    screen.app.push_screen(
        ReasonDialog(_("Void the whole sale ({total})? Why:").format(total=total), reasons),
        with_reason,
    )


@guarded
def _void(screen: SaleScreen, reason: str, approval: tuple[str, str] | None) -> int | None:
    voided: int = host(screen).till.baskets.void_sale(screen.person(), reason, approval)
    return voided
