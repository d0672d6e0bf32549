"""The printed X and Z are Bokmål whatever the till's language, and exactly what they were
before their labels became English message ids translated through the Bokmål catalog (the
screen shows them in the till's language). A changed Bokmål entry for one of those ids (some,
like "Sales" or "VAT", are the screens' words too) changes the paper: this test says so."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from kassa_tui.config import Config, load
from kassa_tui.core import i18n
from kassa_tui.dayclose.content import (
    X_REPORT,
    Z_REPORT,
    EmpPaymentLine,
    GroupLine,
    PaymentLine,
    Report,
    Tally,
    TypeLine,
    VatReportLine,
    report_doc,
)
from kassa_tui.selling.cash import CashCount
from tests.shop import write_config

Z = Report(
    report_type=Z_REPORT,
    z_nr=7,
    company_name="Butikk AS",
    company_ident="999",
    report_date="2026-12-04",
    report_time="21:05",
    register_id="K1",
    business_date="2026-12-04",
    user_number=2,
    total_cash_sale=123456,
    art_groups=(GroupLine("100", 3, 5000), GroupLine("200", 1, 2990)),
    payments=(
        PaymentLine("cash", "12001", 2, 5000),
        PaymentLine("card", "12002", 1, 2990),
        PaymentLine("vipps", "12011", 1, 100),
    ),
    emp_payments=(
        EmpPaymentLine(1, "cash", "12001", 2, 5000),
        EmpPaymentLine(2, "card", "12002", 1, 2990),
    ),
    vat=(VatReportLine("3", 2500, 4000, 1000), VatReportLine("31", 1500, 2600, 390)),
    opening_float=150000,
    receipts=4,
    open_cash_box_num=1,
    copies=Tally(1, 100),
    provisional=Tally(2, 200),
    returns=Tally(1, 500),
    discounts=Tally(1, 50),
    voided=Tally(1, 300),
    corr_lines=(
        TypeLine("Delete line", 1, 100),
        TypeLine("Reduce quantity", 1, 200),
        TypeLine("Price override", 1, 300),
        TypeLine("Return without receipt", 1, 400),
    ),
    price_inquiries=(GroupLine("100", 2, 0),),
    other_corrs=(),
    delivery=Tally(),
    training=Tally(3, 999),
    pay_ins=(TypeLine("Veksel", 1, 10000),),
    pay_outs=(TypeLine("Avis", 1, 2500),),
    grand_total_sales=9999999,
    grand_total_returns=5000,
    grand_total_net=9994999,
    rounding=-2,
    cash_expected=160000,
    cash_count=CashCount(159000, 160000, -1000),
    last_journal_seq=42,
    last_sale_id=9,
    last_cash_event_id=3,
    journal_head_hash="abcdef0123456789abcdef",
    last_receipt_nr=17,
    last_signature="sig0123456789abcdef",
    pant_sold=Tally(4, 800),
    pant_paid_out=Tally(1, 300),
)
#: An X by nobody signed in, the cash not counted, before any receipt was signed.
X = dataclasses.replace(
    Z,
    report_type=X_REPORT,
    z_nr=None,
    user_number=None,
    cash_count=None,
    cash_not_counted=True,
    last_receipt_nr=None,
)

Z_PAPER_48 = "".join(
    "                   Z-rapport\n"
    "                   Butikk AS\n"
    "                   Storgata 1\n"
    "                   0155 Oslo\n"
    "             Org.nr 999 999 999 MVA\n"
    "------------------------------------------------\n"
    "Z-nummer                                       7\n"
    "Kasse                                         K1\n"
    "Dato 04.12.2026                        Kl. 21:05\n"
    "Salgsdag                              04.12.2026\n"
    "Utført av                                      2\n"
    "------------------------------------------------\n"
    "Kontantsalg                             1\xa0234,56\n"
    "Varegrupper\n"
    "  Gr. 100: 3                               50,00\n"
    "  Gr. 200: 1                               29,90\n"
    "Betalingsmidler\n"
    "  Kontant: 2                               50,00\n"
    "  Bankkort: 1                              29,90\n"
    "  Vipps: 1                                  1,00\n"
    "Per operatør\n"
    "  Op. 1 Kontant: 2                         50,00\n"
    "  Op. 2 Bankkort: 1                        29,90\n"
    "Mva\n"
    "Kode sats    Grunnlag        Mva\n"
    " 3 25 %         40,00      10,00\n"
    "31 15 %         26,00       3,90\n"
    "------------------------------------------------\n"
    "Vekselkasse                             1\xa0500,00\n"
    "Salgskvitteringer                              4\n"
    "Skuffåpninger u/salg                           1\n"
    "Kopikvitteringer: 1                         1,00\n"
    "Foreløpige kvitt.: 2                        2,00\n"
    "Returer: 1                                  5,00\n"
    "Rabatter: 1                                 0,50\n"
    "Ikke fullførte salg: 1                      3,00\n"
    "Utleveringskvitt.: 0                        0,00\n"
    "Treningskvitt.: 3                           9,99\n"
    "Pant solgt: 4                               8,00\n"
    "Pant utbetalt: 1                            3,00\n"
    "Linjekorreksjoner\n"
    "  Slettet linje: 1                          1,00\n"
    "  Redusert antall: 1                        2,00\n"
    "  Prisendring: 1                            3,00\n"
    "  Retur uten kvittering: 1                  4,00\n"
    "Andre korreksjoner\n"
    "  Ingen: 0                                  0,00\n"
    "Innbetalinger\n"
    "  Veksel: 1                               100,00\n"
    "Utbetalinger\n"
    "  Avis: 1                                  25,00\n"
    "Prisforespørsler\n"
    "  Gr. 100: 2                                0,00\n"
    "------------------------------------------------\n"
    "Grand total (fra installasjon)\n"
    "Salg                                   99\xa0999,99\n"
    "Retur                                      50,00\n"
    "Netto                                  99\xa0949,99\n"
    "------------------------------------------------\n"
    "Øreavrunding                               -0,02\n"
    "Forventet kontant                       1\xa0600,00\n"
    "Opptalt kontant                         1\xa0590,00\n"
    "Forventet ved telling                   1\xa0600,00\n"
    "Differanse                                -10,00\n"
    "------------------------------------------------\n"
    "Kontrollspor\n"
    "Journal                      42:abcdef0123456789\n"
    "Siste kvittering                              17\n"
    "Signatur                     sig0123456789abcdef\n"
)
X_PAPER_32 = "".join(
    "           X-rapport\n"
    "           Butikk AS\n"
    "           Storgata 1\n"
    "           0155 Oslo\n"
    "     Org.nr 999 999 999 MVA\n"
    "--------------------------------\n"
    "Kasse                         K1\n"
    "Dato 04.12.2026        Kl. 21:05\n"
    "Salgsdag              04.12.2026\n"
    "--------------------------------\n"
    "Kontantsalg             1\xa0234,56\n"
    "Varegrupper\n"
    "  Gr. 100: 3               50,00\n"
    "  Gr. 200: 1               29,90\n"
    "Betalingsmidler\n"
    "  Kontant: 2               50,00\n"
    "  Bankkort: 1              29,90\n"
    "  Vipps: 1                  1,00\n"
    "Per operatør\n"
    "  Op. 1 Kontant: 2         50,00\n"
    "  Op. 2 Bankkort: 1        29,90\n"
    "Mva\n"
    "Kode sats    Grunnlag        Mva\n"
    " 3 25 %         40,00      10,00\n"
    "31 15 %         26,00       3,90\n"
    "--------------------------------\n"
    "Vekselkasse             1\xa0500,00\n"
    "Salgskvitteringer              4\n"
    "Skuffåpninger u/salg           1\n"
    "Kopikvitteringer: 1         1,00\n"
    "Foreløpige kvitt.: 2        2,00\n"
    "Returer: 1                  5,00\n"
    "Rabatter: 1                 0,50\n"
    "Ikke fullførte salg: 1      3,00\n"
    "Utleveringskvitt.: 0        0,00\n"
    "Treningskvitt.: 3           9,99\n"
    "Pant solgt: 4               8,00\n"
    "Pant utbetalt: 1            3,00\n"
    "Linjekorreksjoner\n"
    "  Slettet linje: 1          1,00\n"
    "  Redusert antall: 1        2,00\n"
    "  Prisendring: 1            3,00\n"
    "  Retur uten kvittering: 1  4,00\n"
    "Andre korreksjoner\n"
    "  Ingen: 0                  0,00\n"
    "Innbetalinger\n"
    "  Veksel: 1               100,00\n"
    "Utbetalinger\n"
    "  Avis: 1                  25,00\n"
    "Prisforespørsler\n"
    "  Gr. 100: 2                0,00\n"
    "--------------------------------\n"
    "Grand total (fra installasjon)\n"
    "Salg                   99\xa0999,99\n"
    "Retur                      50,00\n"
    "Netto                  99\xa0949,99\n"
    "--------------------------------\n"
    "Øreavrunding               -0,02\n"
    "Forventet kontant       1\xa0600,00\n"
    "Opptalt kontant     IKKE OPPTALT\n"
    "--------------------------------\n"
    "Kontrollspor\n"
    "Journal      42:abcdef0123456789\n"
)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load(write_config(tmp_path))


@pytest.fixture(params=["nb", "nn", "en"])
def ui_language(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.set_language(request.param)
    try:
        yield str(request.param)
    finally:
        i18n.set_language("en")


def test_the_paper_is_bokmal_in_every_ui_language(config: Config, ui_language: str) -> None:
    assert report_doc(config, Z).as_text(48) == Z_PAPER_48
    assert report_doc(config, X).as_text(32) == X_PAPER_32


def test_the_screen_takes_the_language_it_is_given(config: Config) -> None:
    english = report_doc(config, Z, i18n.translator("en")).as_text(48)
    nynorsk = report_doc(config, Z, i18n.translator("nn")).as_text(48)
    assert "Business day                          04.12.2026" in english
    assert "Salsdag                               04.12.2026" in nynorsk
    assert "  Deleted line: 1" in english and "  Sletta linje: 1" in nynorsk
    assert "Salgsdag" not in english + nynorsk
    assert report_doc(config, Z, i18n.translator("nb")).as_text(48) == Z_PAPER_48
