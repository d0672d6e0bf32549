"""Who may do what: one matrix, checked by the services, so the CLI and the TUI obey it alike.

A refusal is a clear message and a journal row (who tried what), so the shift lead sees it in
the fraud signals and the journal.
"""

from __future__ import annotations

from enum import StrEnum

from peewee import SqliteDatabase

from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.people.person import Person
from kassa_tui.records.journal import Event, Journal


class Permission(StrEnum):
    SELL = "sell"
    PRICE_OVERRIDE = "price_override"
    DISCOUNT_OVER_LIMIT = "discount_over_limit"
    RETURN = "return"
    RETURN_WITHOUT_RECEIPT = "return_without_receipt"
    NO_SALE = "no_sale"
    TRAINING = "training"
    STOCK = "stock"  # goods received, adjustments, stocktakes
    PRODUCTS = "products"  # product and price changes, imports
    X_REPORT = "x_report"
    Z_REPORT = "z_report"
    CASH = "cash"  # opening float, pay-ins, pay-outs, cash count
    USERS = "users"
    EXPORT = "export"  # SAF-T, vouchers, catalog, journal, backups
    VOID_OVER_LIMIT = "void_over_limit"  # voiding a sale above [sale] void_approval_above


_LEAD = frozenset(
    {
        Permission.SELL,
        Permission.PRICE_OVERRIDE,
        Permission.DISCOUNT_OVER_LIMIT,
        Permission.RETURN,
        Permission.RETURN_WITHOUT_RECEIPT,
        Permission.NO_SALE,
        Permission.TRAINING,
        Permission.STOCK,
        Permission.PRODUCTS,
        Permission.X_REPORT,
        Permission.Z_REPORT,
        Permission.CASH,
        Permission.VOID_OVER_LIMIT,
    }
)
#: The matrix. A cashier sells and takes an X; a shift lead runs the shop's day; a technician
#: administers (users, products, exports) but never sells.
MATRIX: dict[str, frozenset[Permission]] = {
    "cashier": frozenset({Permission.SELL, Permission.X_REPORT}),
    "shift_lead": _LEAD,
    "technician": frozenset(
        {
            Permission.STOCK,
            Permission.PRODUCTS,
            Permission.X_REPORT,
            Permission.USERS,
            Permission.EXPORT,
        }
    ),
}


def allowed(role: str, permission: Permission) -> bool:
    return permission in MATRIX.get(role, frozenset())


def describe(permission: Permission) -> str:
    """The permission in the user's words, for the refusal."""
    return {
        Permission.SELL: _("selling"),
        Permission.PRICE_OVERRIDE: _("a price override"),
        Permission.DISCOUNT_OVER_LIMIT: _("a discount above the limit"),
        Permission.RETURN: _("a return"),
        Permission.RETURN_WITHOUT_RECEIPT: _("a return without a receipt"),
        Permission.NO_SALE: _("opening the drawer without a sale"),
        Permission.TRAINING: _("training mode"),
        Permission.STOCK: _("stock changes"),
        Permission.PRODUCTS: _("product and price changes"),
        Permission.X_REPORT: _("the X report"),
        Permission.Z_REPORT: _("the Z report"),
        Permission.CASH: _("the float, pay-ins, pay-outs and the cash count"),
        Permission.USERS: _("user administration"),
        Permission.EXPORT: _("exports"),
        Permission.VOID_OVER_LIMIT: _("voiding a sale above the limit"),
    }[permission]


def require(
    database: SqliteDatabase, journal: Journal, person: Person | None, permission: Permission
) -> None:
    """Refuse (and journal the attempt) unless `person`'s role allows `permission`."""
    if person is not None and allowed(person.role, permission):
        return
    with database.atomic("IMMEDIATE"):
        journal.write(
            Event.DENIED, user=person.number if person else None, permission=str(permission)
        )
    raise Refused(
        _("{who} may not do {what}.").format(
            who=person.name if person else _("Nobody signed in"), what=describe(permission)
        )
    )
