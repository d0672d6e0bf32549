"""X/Z: what each campaign took off in the period (issue 14: 'counted as discounts in X/Z and
kept per campaign').

A campaign's discount is already in the lines' discounts (X/Z 'Discounts', SAF-T's line
discounts, the voucher's sales net of them); this breaks that amount down by campaign, from
`sale_campaign` (kept per completed sale, training left out). Times applied is the number of
groups (a '3 for 2' bought twice in one sale is applied twice). A return keeps the discount at
the sale (selling.returns), so these figures, like 'Discounts', count it there once. The sum
over campaigns is the campaigns' share of 'Discounts'; the rest are the cashiers' discounts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peewee import SqliteDatabase

from kassa_tui.core.i18n import N_
from kassa_tui.core.money import format_kr
from kassa_tui.records.receipts import ReceiptDoc


@dataclass(frozen=True)
class CampaignLine:
    campaign_id: int
    name: str
    num: int  # times applied (groups)
    sales: int  # sales it applied to
    amount: int  # the discount it gave, øre, positive as 'Discounts'


def period_campaigns(
    db: SqliteDatabase, in_period: str, period: tuple[object, ...]
) -> tuple[CampaignLine, ...]:
    """Each campaign that gave a discount in the period, by name. `in_period` filters `sale s`
    with `period`'s parameters (as the report builder's other figures)."""
    rows = db.execute_sql(
        "SELECT c.campaign_id, MIN(c.name), SUM(c.groups), COUNT(DISTINCT c.sale_id),"
        " SUM(c.discount_ore) FROM sale_campaign c JOIN sale s ON s.id = c.sale_id"
        f" WHERE {in_period} AND s.training = 0 GROUP BY c.campaign_id"
        " HAVING SUM(c.discount_ore) != 0 ORDER BY MIN(c.name), c.campaign_id",
        period,
    ).fetchall()
    return tuple(CampaignLine(int(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows)


def from_stored(items: list[dict[str, object]]) -> tuple[CampaignLine, ...]:
    """A stored report's campaigns (none in reports stored before they were counted)."""
    return tuple(CampaignLine(**item) for item in items)  # type: ignore[arg-type]


def add_to_doc(
    doc: ReceiptDoc, t: Callable[[str], str], campaigns: tuple[CampaignLine, ...]
) -> None:
    """The campaigns under 'Discounts' on the printed X/Z and the screen: a title, then each
    campaign's name and times applied with its discount; nothing in a period without any (so
    such a report prints exactly as before)."""
    if not campaigns:
        return
    doc.add("bold", t(N_("Campaigns (in discounts)")))
    for c in campaigns:
        doc.add("cols", f"{c.name}: {c.num}", format_kr(c.amount))
