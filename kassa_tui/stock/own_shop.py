"""This till's shop for transfers: kassa.toml's `[shop] shop_id`, and HQ's idea of it (issue 15).

HQ books a register's sales and stock moves to the shop `kassa hq register add REGISTER --shop
SHOP` gave it. Each sync round that reaches HQ reads that shop (kassa_tui.sync.shop_check) and
keeps it in the till's `setting` table (`hq_shop:<register>`); this module reads it back for
transfers (kassa_tui.stock.transfers, the transfer screens) and the sale screen's header:

- `[shop] shop_id` unset: HQ's shop is this shop (`own_shop`);
- set and different from HQ's: `mismatch` says so in one line, and `own_shop` refuses with it,
  so no transfer is sent or booked in until the two agree. Sales go on.
"""

from __future__ import annotations

from peewee import SqliteDatabase

from kassa_tui.config import Config
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _


def _key(register_id: str) -> str:
    return f"hq_shop:{register_id}"


def hq_shop(db: SqliteDatabase, register_id: str) -> str | None:
    """HQ's shop for this register as the last round that reached HQ read it (None: never)."""
    row = db.execute_sql("SELECT value FROM setting WHERE key = ?", (_key(register_id),)).fetchone()
    return str(row[0]) if row else None


def remember(db: SqliteDatabase, register_id: str, shop: str) -> None:
    """Keep HQ's shop on the till (written only when it changed)."""
    if hq_shop(db, register_id) == shop:
        return
    with db.atomic("IMMEDIATE"):
        db.execute_sql(
            "INSERT INTO setting (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_key(register_id), shop),
        )


def mismatch(db: SqliteDatabase, config: Config) -> str | None:
    """One line when kassa.toml's `[shop] shop_id` is not HQ's shop for this register."""
    hq = hq_shop(db, config.register_id)
    own = config.shop_id
    if not own or hq is None or own.casefold() == hq.casefold():
        return None
    return _(
        "This till says shop {till} ([shop] shop_id in kassa.toml), HQ has register"
        " {register} in shop {hq} (`kassa hq register add`): correct the wrong one; transfers"
        " are refused until they agree"
    ).format(till=own, register=config.register_id, hq=hq)


def own_shop(db: SqliteDatabase, config: Config) -> str:
    """This shop's id for transfers: kassa.toml's, else HQ's ("" when neither is known).
    Refused when the two differ."""
    problem = mismatch(db, config)
    if problem is not None:
        raise Refused(problem)
    return config.shop_id or hq_shop(db, config.register_id) or ""
