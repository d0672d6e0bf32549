"""X/Z per campaign (issue 14): each campaign that gave a discount in the period, with its name,
times applied and amount, on paper, on screen, in `kassa report x --json` and in the stored Z;
their sum is the campaigns' share of 'Discounts'. SAF-T carries them as line discounts (valid
against the XSD) and the voucher posts the sales net of them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from kassa_tui.accounting.voucher import build_voucher
from kassa_tui.composition import Till
from kassa_tui.dayclose.campaign_figures import CampaignLine
from kassa_tui.dayclose.reports import Report, report_doc
from kassa_tui.people.person import Person
from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns

from .conftest import ROMME, ROMME_PRICE, TOOTHPASTE, TOOTHPASTE_PRICE, print_waiting

APPLES = "7045811781536"  # Epler Pink Lady 4 stk, 39,90
APPLES_PRICE = 3990
CAMPAIGNS = (
    "campaign;type;products;quantity;price;from;to\n"
    f"3 for 2 epler;n_for_m;{APPLES};3/2;;2026-11-27;\n"
    f"2 rømme for 40;n_for_price;{ROMME};2;40;2026-11-27;\n"
)


def sell_the_day(till: Till, cashier: Person, shift_lead: Person) -> None:
    import_campaigns(
        till.db, till.journal, till.clock, shift_lead, read_campaigns(till.db, CAMPAIGNS)
    )
    till.baskets.add(cashier, APPLES, 6000)  # two groups: 2 x 39,90 off
    till.baskets.add(cashier, ROMME, 2000)  # 2 x 24,90 - 40 = 9,80 off
    assert till.sales.pay_card(cashier, "").completed
    till.baskets.add(cashier, APPLES, 3000)  # one group more
    line = till.baskets.add(cashier, TOOTHPASTE)  # a cashier's discount, no campaign
    till.baskets.discount_line(cashier, line.id, "5", "skadet")
    assert till.sales.pay_cash(cashier, "").completed
    print_waiting(till)


def test_x_lists_each_campaign_and_their_sum_is_in_the_discounts(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    sell_the_day(till, cashier, shift_lead)
    x = till.reports.x_report(shift_lead)
    assert x.campaigns == (
        CampaignLine(2, "2 rømme for 40", 1, 1, 2 * ROMME_PRICE - 4000),
        CampaignLine(1, "3 for 2 epler", 3, 2, 3 * APPLES_PRICE),
    )
    campaigns = sum(c.amount for c in x.campaigns)
    assert x.discounts.amount == campaigns + 500  # and the cashier's 5 kr
    # Printed (Bokmål, 32 columns) under the discounts, and on screen in the UI's language.
    printed = report_doc(till.config, x).as_text(32)
    assert "Kampanjer (i rabatter)" in printed
    assert "3 for 2 epler: 3" in printed and "119,70" in printed
    assert "2 rømme for 40: 1" in printed and "9,80" in printed
    shown = report_doc(till.config, x, translate=lambda s: s).as_text(48)
    assert "Campaigns (in discounts)" in shown
    # Stored and read back (a Z keeps them), and as JSON.
    assert Report.from_json(x.to_json()) == x
    assert json.loads(x.to_json())["campaigns"][1] == {
        "campaign_id": 1,
        "name": "3 for 2 epler",
        "num": 3,
        "sales": 2,
        "amount": 3 * APPLES_PRICE,
    }


def test_a_period_without_campaigns_reads_as_before(till: Till, shift_lead: Person) -> None:
    x = till.reports.x_report(shift_lead)
    assert x.campaigns == () and "campaigns" not in json.loads(x.to_json())
    printed = report_doc(till.config, x).as_text(48)
    assert "Kampanjer" not in printed
    old = json.loads(x.to_json())
    assert Report.from_dict(old) == x  # a stored report without the key


def test_kassa_report_x_json_has_the_campaigns(
    till: Till, cashier: Person, shift_lead: Person, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from kassa_tui.cli import main

    sell_the_day(till, cashier, shift_lead)
    result = CliRunner().invoke(
        main,
        ["--config", str(tmp_path / "kassa.toml"), "report", "x", "--json"],
        input="2\n2222\n",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert [(c["name"], c["num"], c["amount"]) for c in data["campaigns"]] == [
        ("2 rømme for 40", 1, 980),
        ("3 for 2 epler", 3, 11970),
    ]


def test_z_saft_and_voucher_count_campaign_discounts_as_discounts(
    till: Till, cashier: Person, shift_lead: Person
) -> None:
    from lxml import etree  # type: ignore[import-untyped]

    from kassa_tui.saft.export import export_saft

    from .test_saft import NS, schema

    sell_the_day(till, cashier, shift_lead)
    z = till.reports.z_report(shift_lead, not_counted=True)
    stored = till.db.execute_sql("SELECT report FROM z_report WHERE z_nr = ?", (z.z_nr,))
    assert Report.from_json(stored.fetchone()[0]).campaigns == z.campaigns
    paid = 6 * APPLES_PRICE + 4000 + TOOTHPASTE_PRICE - 500  # what the customers paid
    assert z.total_cash_sale == paid
    path = export_saft(
        till.db,
        till.config,
        date(2026, 11, 27),
        date(2026, 11, 27),
        till.config.database.parent / "saft",
        clock=till.clock,
    )
    doc = etree.parse(str(path))
    schema().assertValid(doc)
    discounts = doc.findall(".//s:ctLine/s:discount/s:dscAmnt", NS)
    assert round(sum(float(d.text or 0) for d in discounts) * 100) == z.discounts.amount
    # The Z's own discount figure in SAF-T's eventReport equals the lines' discounts too.
    [reported] = [
        e.findtext("s:reportDiscountAmnt", namespaces=NS)
        for e in doc.findall(".//s:eventReport", NS)
        if e.findtext("s:reportType", namespaces=NS) == "Z report"
    ]
    assert round(float(reported or 0) * 100) == z.discounts.amount
    voucher = build_voucher(z, till.config.accounting)
    sales = [ln for ln in voucher.lines if ln.line_type == "sale"]
    assert -sum(ln.gross or 0 for ln in sales) == paid  # posted net of every discount
    assert sum(ln.amount for ln in voucher.lines) == 0
