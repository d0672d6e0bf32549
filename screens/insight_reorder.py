"""The insight screen's Reorder tab: what to order from a supplier, and the order itself.

A widget, not a screen: screens/insight.py mounts `ReorderPane()` in its "Reorder" pane. Per
supplier (Left/Right chooses), one row per product with the proposal and its reason
(kassa_tui.ordering.suggest: forecast over lead time + review period, safety stock, on hand,
on order, whole packs). The shift lead changes a quantity (Enter: a number), and Ctrl+O
(«ordre») confirms: a shift lead's number and PIN, then the purchase order is made, journaled
and printed, and the tab shows its number. kassa never orders by itself. Ctrl+X cancels the
supplier's newest open order (a shift lead's PIN; journaled ORDERCANCEL as `kassa order
cancel` does); the status line lists the open orders.

The proposal reads half a year of sales, so it runs in a worker thread, in a child process on
its own read-only connection (kassa_tui.insight.apart: its peak memory is not the till's); the
till never waits. It is kept with its time per database, supplier, business
day and the orders' stamp (kassa_tui.ordering.orders.orders_stamp): an order confirmed, closed
or cancelled, or goods received against one (the goods-in screen, `kassa order receive`),
makes the tab read again when it is next shown (F2 reads again at any time).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from kassa_tui.core.clock import Clock, business_date
from kassa_tui.core.i18n import N_, _
from kassa_tui.core.money import format_kr
from kassa_tui.insight import apart
from kassa_tui.ordering import orders, suggest
from kassa_tui.ordering.suppliers import Supplier, suppliers
from kassa_tui.people.permissions import Permission
from screens import styles
from screens.dialogs.approval import ApprovalDialog
from screens.host import host, show_message

if TYPE_CHECKING:
    from kassa_tui.composition import Till

log = logging.getLogger("kassa.screens")


@dataclass(frozen=True)
class _Result:
    key: tuple[str, str, str, str]  # (database, supplier code, business day, orders' stamp)
    suggestion: suggest.Suggestion
    computed: str  # local time, HH:MM


_kept: dict[tuple[str, str, str, str], _Result] = {}


def compute(
    database_path: Path, clock: Clock, supplier: Supplier, level: float, cutoff_hour: int
) -> suggest.Suggestion:
    """The proposal now, worked out in a child process on a read-only connection
    (insight.apart: its read's peak, ~29 MB on the benchmark's year, is not the till's)."""
    args = (str(database_path), clock.now().utc_text, supplier, level, cutoff_hour)
    found: suggest.Suggestion = apart.run_apart("kassa_tui.ordering.suggest:suggest_at", args)
    return found


class QuantityDialog(ModalScreen[int | None]):
    """Units to order of one product: a whole number (whole packs are checked on confirming)."""

    CSS_PATH = styles.DIALOGS
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, current: int, pack: int) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.current = current
        self.pack = pack

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(markup=False, content=self.title_text, classes="dialog-title")
            yield Input(value=str(self.current), id="reorder-qty", max_length=7, restrict=r"[0-9]*")
            yield Static(markup=False, content="", classes="message", id="reorder-qty-message")
            hint = _("Units (packs of {pack}), Enter · 0: not this time · Esc: cancel")
            yield Static(markup=False, content=hint.format(pack=self.pack), classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text.isdigit():
            show_message(self, "#reorder-qty-message", _("Type a whole number."), error=True)
            return
        qty = int(text)
        if qty % self.pack:
            message = _("{qty} is not whole packs of {pack}.").format(qty=qty, pack=self.pack)
            show_message(self, "#reorder-qty-message", message, error=True)
            return
        self.dismiss(qty)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReorderPane(Vertical, can_focus=True):
    """Per supplier: the proposal per product, its reason, the shift lead's quantities."""

    DEFAULT_CSS = """
    ReorderPane { height: 1fr; }
    ReorderPane #reorder-status { height: auto; max-height: 2; padding: 0 1; }
    ReorderPane #reorder-table { height: 1fr; }
    ReorderPane #reorder-detail { height: auto; max-height: 2; padding: 0 1; }
    ReorderPane #reorder-help { height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("left", "supplier(-1)", show=False),
        Binding("right", "supplier(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("enter", "edit", show=False),
        Binding("ctrl+o", "confirm", N_("Order"), show=False),
        Binding("ctrl+x", "cancel_order", N_("Cancel order"), show=False),
    ]

    def __init__(self, till: Till | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._till = till
        self.suppliers: list[Supplier] = []
        self.index = 0
        self.result: _Result | None = None
        self.edits: dict[str, dict[int, int]] = {}  # supplier code → product id → units
        self.last_order: orders.PurchaseOrder | None = None

    @property
    def till(self) -> Till:
        return self._till if self._till is not None else host(self).till

    def compose(self) -> ComposeResult:
        yield Static("", id="reorder-status")
        table: DataTable[str | Text] = DataTable(
            id="reorder-table", cursor_type="row", zebra_stripes=True
        )
        table.can_focus = False
        yield table
        yield Static("", id="reorder-detail")
        help_text = _("Left/Right: supplier · Enter: qty · Ctrl+O: order · Ctrl+X: cancel order")
        yield Static(Text(help_text), id="reorder-help")

    def on_mount(self) -> None:
        self.suppliers = suppliers(self.till.db)
        self.refresh_proposal()

    @property
    def supplier(self) -> Supplier | None:
        return self.suppliers[self.index] if self.suppliers else None

    def _key(self, supplier: Supplier) -> tuple[str, str, str, str]:
        till = self.till
        today = business_date(till.journal.clock.now(), till.config.day_cutoff_hour)
        stamp = orders.orders_stamp(till.db)
        return (str(till.config.database), supplier.code, today, stamp)

    def on_show(self) -> None:
        """Shown again: read again if an order changed meanwhile (goods in, a cancel)."""
        supplier = self.supplier
        if self.result is None or supplier is None:
            return
        if self.result.key != self._key(supplier):
            self.refresh_proposal()

    def refresh_proposal(self, again: bool = False) -> None:
        supplier = self.supplier
        if supplier is None:
            self._status(_("No suppliers yet: kassa order suppliers add, then assign products."))
            return
        key = self._key(supplier)
        if not again and key in _kept:
            self._show(_kept[key])
            return
        self.result = None
        self.query_one("#reorder-table", DataTable).clear(columns=True)
        self._status(_("Working out what to order from {name} ...").format(name=supplier.name))
        till = self.till
        path, clock = till.config.database, till.journal.clock
        level, cutoff = till.config.ordering.service_level, till.config.day_cutoff_hour

        def work() -> None:
            try:
                proposal = compute(path, clock, supplier, level, cutoff)
            except Exception:  # the pane says so; the till goes on
                log.exception("reorder")
                self.app.call_from_thread(
                    self._status, _("The proposal could not be worked out (see the log).")
                )
                return
            result = _Result(key, proposal, clock.now().local.strftime("%H:%M"))
            self.app.call_from_thread(self._done, result)

        self.run_worker(work, thread=True, exclusive=True, group="reorder")

    def _done(self, result: _Result) -> None:
        _kept[result.key] = result
        supplier = self.supplier
        if self.is_attached and supplier is not None and result.key == self._key(supplier):
            self._show(result)

    def _status(self, text: str) -> None:
        self.query_one("#reorder-status", Static).update(Text(text))

    def quantity(self, line: suggest.SuggestedLine) -> int:
        supplier = self.supplier
        chosen = self.edits.get(supplier.code, {}) if supplier else {}
        return chosen.get(line.product_id, line.suggested)

    def _show(self, result: _Result, row: int = 0) -> None:
        self.result = result
        proposal = result.suggestion
        lines = proposal.lines
        units = sum(self.quantity(line) for line in lines)
        status = _(
            "{n}/{all} {code} {name}: lead {lead} + review {review} days, {level} % ({time})"
        ).format(
            n=self.index + 1,
            all=len(self.suppliers),
            code=proposal.supplier.code,
            name=proposal.supplier.name,
            lead=proposal.supplier.lead_days,
            review=proposal.supplier.review_days,
            level=round(proposal.service_level * 100),
            time=result.computed,
        )
        ordered = sum(1 for line in lines if self.quantity(line))
        status += "\n" + _("To order: {lines} lines, {units} units").format(
            lines=ordered, units=units
        )
        if self.last_order is not None:
            status += "  " + _("Last order: no. {number}").format(number=self.last_order.number)
        waiting = orders.open_orders(self.till.db, proposal.supplier.id)
        if waiting:
            status += "  " + _("Open: {numbers}").format(
                numbers=", ".join(str(found.number) for found in waiting)
            )
        self._status(status)
        table = self.query_one("#reorder-table", DataTable)
        table.clear(columns=True)
        arrow = "->" if self.app.ansi_color else "→"
        width = max(60, table.size.width or self.size.width or 80)
        numbers = [(_("Target"), 4), (_("Stock"), 5), (_("Coming"), 4), (_("Order"), 5)]
        numbers = [(h, max(w, len(h))) for h, w in numbers]
        room = width - 6 - sum(w for _h, w in numbers) - 2 * 7 - 2
        name_width = max(12, room * 9 // 20)
        why_width = max(10, room - name_width)
        table.add_column(Text(_("Code"), no_wrap=True), width=6)
        table.add_column(Text(_("Name"), no_wrap=True), width=name_width)
        for heading, w in numbers:
            table.add_column(Text(heading, justify="right", no_wrap=True), width=w)
        table.add_column(Text(_("Why"), no_wrap=True), width=why_width)
        for line in lines:
            qty = self.quantity(line)
            why = line.reason.replace("→", arrow)
            if qty != line.suggested:
                why = _("changed from {qty}").format(qty=line.suggested)
            name = line.name if len(line.name) <= name_width else line.name[: name_width - 1] + "."
            table.add_row(
                line.plu[:6],
                name,
                str(line.target if not line.by_hand else "").rjust(numbers[0][1]),
                str(line.on_hand).rjust(numbers[1][1]),
                str(line.on_order).rjust(numbers[2][1]),
                str(qty).rjust(numbers[3][1]),
                why[:why_width],
            )
        if lines:
            table.move_cursor(row=max(0, min(row, len(lines) - 1)))
        self._detail()

    def _detail(self) -> None:
        """The selected line in full: the figures the proposal is made of, and its reason."""
        line = self.selected()
        text = ""
        if line is not None and line.by_hand:
            text = f"{line.name}: {line.reason}"
        elif line is not None:
            arrow = "->" if self.app.ansi_color else "→"
            text = _(
                "{name}: forecast {forecast} + safety {safety} = target {target}; stock "
                "{stock}, coming {coming}: {reason}"
            ).format(
                name=line.name,
                forecast=f"{line.forecast:.1f}".replace(".", ","),
                safety=f"{line.safety:.1f}".replace(".", ","),
                target=line.target,
                stock=line.on_hand,
                coming=line.on_order,
                reason=line.reason.replace("→", arrow),
            )
        self.query_one("#reorder-detail", Static).update(Text(text))

    def selected(self) -> suggest.SuggestedLine | None:
        if self.result is None or not self.result.suggestion.lines:
            return None
        row = self.query_one("#reorder-table", DataTable).cursor_row
        lines = self.result.suggestion.lines
        return lines[max(0, min(row, len(lines) - 1))]

    def action_supplier(self, step: int) -> None:
        if not self.suppliers:
            return
        self.index = (self.index + step) % len(self.suppliers)
        self.refresh_proposal()

    def action_move(self, step: int) -> None:
        table = self.query_one("#reorder-table", DataTable)
        if self.result is not None and self.result.suggestion.lines:
            last = len(self.result.suggestion.lines) - 1
            table.move_cursor(row=max(0, min(last, table.cursor_row + step)))
            self._detail()

    def action_edit(self) -> None:
        line = self.selected()
        supplier = self.supplier
        if line is None or supplier is None or self.result is None:
            return
        result = self.result
        row = self.query_one("#reorder-table", DataTable).cursor_row

        def entered(qty: int | None) -> None:
            if qty is None:
                return
            self.edits.setdefault(supplier.code, {})[line.product_id] = qty
            self._show(result, row)

        title = _("{name}: units to order").format(name=line.name)
        self.app.push_screen(QuantityDialog(title, self.quantity(line), line.pack_size), entered)

    def action_confirm(self) -> None:
        supplier = self.supplier
        if supplier is None or self.result is None:
            return
        lines = [line for line in self.result.suggestion.lines if self.quantity(line)]
        if not lines:
            self.notify_screen(_("Nothing to order: every quantity is 0."), error=True)
            return
        wanted = [
            orders.Wanted(line.product_id, self.quantity(line), line.suggested, line.reason)
            for line in lines
        ]
        known = [self.quantity(line) * line.cost_ore for line in lines if line.cost_ore]
        summary = [
            _("{lines} lines, {units} units").format(
                lines=len(lines), units=sum(w.qty for w in wanted)
            )
        ]
        if known:
            summary.append(_("Cost about {amount}").format(amount=format_kr(sum(known))))
        till = self.till
        made: list[orders.PurchaseOrder] = []

        def act(number: str, pin: str) -> None:
            person = till.users.verify(number, pin, purpose=str(Permission.STOCK))
            made.append(
                orders.confirm(
                    till.db,
                    till.journal,
                    till.print_queue,
                    till.config,
                    till.journal.clock,
                    person,
                    supplier.id,
                    wanted,
                )
            )

        def approved(value: tuple[str, str] | None) -> None:
            if value is None or not made:
                return
            self.last_order = made[0]
            self.edits.pop(supplier.code, None)
            host(self).print_waiting()
            self.notify_screen(
                _("Purchase order {number} to {code} confirmed and printed.").format(
                    number=made[0].number, code=supplier.code
                )
            )
            self.refresh_proposal(again=True)  # what is on order changed

        reason = _("Order from {name}").format(name=supplier.name)
        self.app.push_screen(ApprovalDialog(reason, summary, act=act), approved)

    def action_cancel_order(self) -> None:
        """Cancel the supplier's newest open order: a shift lead's number and PIN."""
        supplier = self.supplier
        if supplier is None or self.result is None:
            return
        till = self.till
        waiting = orders.open_orders(till.db, supplier.id)
        if not waiting:
            self.notify_screen(
                _("No open purchase order to {code}.").format(code=supplier.code), error=True
            )
            return
        found = waiting[-1]
        summary = [
            _("Order {number} of {date}: {lines} lines, {units} units").format(
                number=found.number,
                date=found.local_date,
                lines=len(found.lines),
                units=sum(line.qty for line in found.lines),
            )
        ]
        if len(waiting) > 1:
            summary.append(
                _("Also open: {numbers} (kassa order cancel N)").format(
                    numbers=", ".join(str(other.number) for other in waiting[:-1])
                )
            )
        done: list[int] = []

        def act(number: str, pin: str) -> None:
            person = till.users.verify(number, pin, purpose=str(Permission.STOCK))
            orders.cancel(till.db, till.journal, till.journal.clock, person, found.number)
            done.append(found.number)

        def approved(value: tuple[str, str] | None) -> None:
            if value is None or not done:
                return
            self.notify_screen(
                _("Purchase order {number} to {code} cancelled.").format(
                    number=found.number, code=supplier.code
                )
            )
            self.refresh_proposal(again=True)  # what is on order changed

        reason = _("Cancel purchase order {number} to {name}").format(
            number=found.number, name=supplier.name
        )
        self.app.push_screen(ApprovalDialog(reason, summary, act=act), approved)

    def notify_screen(self, message: str, error: bool = False) -> None:
        show_message(self.screen, "#stock-message", message, error=error)
