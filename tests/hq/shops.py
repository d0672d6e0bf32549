"""A shop's till pushing to a test's HQ, and what the stock and transfer tests ask of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.config.hq import HqSettings
from kassa_tui.core.clock import Clock
from kassa_tui.stock import transfer_check
from kassa_tui.sync import link, push
from tests.unit.conftest import SteeredTime

from .pushing import Hq, make_till


@dataclass
class Shop:
    shop: str
    register: str
    till: Till
    settings: HqSettings
    folder: Path

    def push(self) -> None:
        result = push.push(
            self.till.db, self.register, self.till.clock, lambda: link.connect(self.settings)
        )
        assert result.status == "ok", result.message

    def cli(self, *args: str) -> Any:
        """`kassa --config … ARGS` with the shift lead's number and PIN on stdin."""
        config = str(self.folder / "kassa.toml")
        return CliRunner().invoke(main, ["--config", config, *args], input="2\n2222\n")

    def on_hand(self, code: str) -> int:
        pid = self.till.catalog.by_barcode(code).id
        row = self.till.db.execute_sql(
            "SELECT on_hand_milli FROM product_stock WHERE product_id = ?", (pid,)
        ).fetchone()
        return int(row[0]) if row else 0

    def opening(self, code: str) -> int:
        """The demo's opening stock (journaled per product as OPENINGSTOCK: at HQ too)."""
        pid = self.till.catalog.by_barcode(code).id
        return int(
            self.till.db.execute_sql(
                "SELECT COALESCE(SUM(delta_milli), 0) FROM stock_movement"
                " WHERE product_id = ? AND reason = 'opening'",
                (pid,),
            ).fetchone()[0]
        )

    def transfer_in(self) -> list[dict[str, Any]]:
        """The TRANSFERIN journal rows' details, oldest first."""
        return [
            json.loads(text)
            for (text,) in self.till.db.execute_sql(
                "SELECT text FROM journal WHERE basic_id = 'TRANSFERIN' ORDER BY seq"
            ).fetchall()
        ]

    def ask(self, transfer: str) -> transfer_check.Answer:
        """What HQ says was sent under `transfer` (0025), as the receiving till asks it."""
        return transfer_check.ask_hq(
            self.settings, self.register, transfer, link.connect, link.deadline
        )


def open_shop(hq: Hq, tmp_path: Path, shop: str, register: str, *, hq_section: bool) -> Shop:
    """A shop's till, its register added at HQ (with [hq] in its kassa.toml if `hq_section`:
    the CLI then reaches HQ). One till open at a time: the process holds one database and one
    PIN pepper, so a second till opened would re-point the first."""
    folder = tmp_path / shop
    till = make_till(folder, Clock(source=SteeredTime()), register)
    settings = hq.add(register, shop, folder)
    if hq_section:
        with (folder / "kassa.toml").open("a", encoding="utf-8") as toml:
            toml.write(
                f'\n[hq]\ndsn = "{settings.dsn}"\npassword_file = "{settings.password_file}"\n'
                "tls = false\n"
            )
    return Shop(shop, register, till, settings, folder)
