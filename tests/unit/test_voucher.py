"""The day-close voucher: a Z becomes one balanced voucher, written as kassa's CSV or GBAT10.

The day is sold through the real services (float, cash and card sales at 25, 15 and 0 %, an
øreavrunding each way, a count that comes up short, the Z); the file layouts are checked line
by line, and against the worked example in shared/docs/accounting.md (§1.5, §2.3, §7.2).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kassa_tui.accounting.voucher import (
    CSV_COLUMNS,
    UnbalancedVoucher,
    Voucher,
    VoucherLine,
    build_voucher,
    write_csv,
    write_gbat10,
)
from kassa_tui.composition import Till
from kassa_tui.config import AccountingSettings, ConfigError, VatAccounts, parse
from kassa_tui.dayclose.reports import PaymentLine, Report, VatReportLine
from kassa_tui.people.person import Person
from kassa_tui.selling.cash import NOTES_AND_COINS

from .conftest import PILSNER, REPO_CONFIG, ROMME, VG, print_waiting

FLOAT = 100_000  # 1 000 kr
SHORT = 1_000  # the count comes up 10 kr short


def pieces(amount: int) -> dict[int, int]:
    """Whole kroner as notes and coins, largest first."""
    out: dict[int, int] = {}
    for value in NOTES_AND_COINS:
        out[value], amount = divmod(amount, value)
    assert amount == 0
    return out


def sell(till: Till, person: Person, *codes: str | tuple[str, int], card: bool = False) -> None:
    for code in codes:
        if isinstance(code, tuple):
            till.baskets.add(person, code[0], code[1])
        else:
            till.baskets.add(person, code)
    if age := till.baskets.age_to_confirm():  # the cashier's J: beer is sold from 18
        till.baskets.confirm_age(person, age)
    pay = till.sales.pay_card if card else till.sales.pay_cash
    assert pay(person, "").completed is not None
    print_waiting(till)


@pytest.fixture
def z(till: Till, cashier: Person, shift_lead: Person) -> Report:
    """A day: float, cash and card at 25/15/0 %, rounding up and down, a short count, the Z."""
    till.cash.opening_float(shift_lead, FLOAT)
    sell(till, cashier, PILSNER, ROMME)  # 64,80 in cash → 65,00: +0,20
    sell(till, cashier, (PILSNER, 2000), card=True)  # 79,80 by card: exact
    sell(till, cashier, (ROMME, 6000), VG)  # 189,40 in cash → 189,00: −0,40
    expected = till.cash.expected_cash()
    assert expected == FLOAT + 6500 + 18900
    count = till.cash.count(shift_lead, pieces(expected - SHORT))
    assert count.difference_ore == -SHORT
    taken = till.reports.z_report(shift_lead, not_counted=True)
    assert taken.z_nr is not None
    stored = till.reports.stored_z(taken.z_nr)
    assert stored == taken
    return stored


def by_type(voucher: Voucher, line_type: str) -> list[VoucherLine]:
    return [line for line in voucher.lines if line.line_type == line_type]


# -- the voucher -------------------------------------------------------------------------------


def test_a_day_becomes_one_balanced_voucher_that_matches_its_z(z: Report, till: Till) -> None:
    voucher = build_voucher(z, till.config.accounting)
    assert sum(line.amount for line in voucher.lines) == 0
    assert voucher.debit == voucher.credit == 33400
    assert (voucher.voucher_id, voucher.z_number, voucher.date) == (
        "KASSE-1-Z000001",
        1,
        date(2026, 11, 27),
    )
    assert voucher.description == "Kasseoppgjør KASSE-1 Z1 2026-11-27"
    assert [line.line_no for line in voucher.lines] == list(range(1, len(voucher.lines) + 1))
    assert [(ln.line_type, ln.account, ln.amount, ln.vat_code) for ln in voucher.lines] == [
        ("sale", "3000", -9576, "3"),
        ("vat", "2700", -2394, "3"),
        ("sale", "3030", -15156, "31"),
        ("vat", "2701", -2274, "31"),
        ("sale", "3100", -4000, "5"),  # 0 %: no VAT line; 12 % sold nothing: no line at all
        ("payment", "1900", 24400, "0"),  # counted: 254,00 taken less 10,00 short
        ("cash_difference", "1909", 1000, "0"),  # a shortage is a debit
        ("payment", "1579", 7980, "0"),
        ("rounding", "7740", 20, "0"),  # customers paid 0,20 less than the prices: a debit
    ]

    # Sales and VAT per rate are the Z's, to the øre.
    sold = [v for v in z.vat if v.basis or v.vat]
    assert {s.vat_rate_bp: -s.amount for s in by_type(voucher, "sale")} == {
        v.rate_bp: v.basis for v in sold
    }
    assert {s.vat_rate_bp: -s.amount for s in by_type(voucher, "vat")} == {
        v.rate_bp: v.vat for v in sold if v.vat
    }
    for sale in by_type(voucher, "sale"):
        assert sale.gross == sale.amount + (sale.vat_amount or 0)
    assert -sum(s.gross or 0 for s in by_type(voucher, "sale")) == z.total_cash_sale
    # Payments per method are the Z's; cash, kassedifferanse and rounding add up to the cash
    # the customers owed before rounding.
    paid = {p.method: p.amount for p in z.payments}
    lines = {(ln.line_type, ln.payment_method): ln.amount for ln in voucher.lines}
    assert z.cash_count is not None
    assert lines[("payment", "card")] == paid["card"] == 7980
    assert lines[("payment", "cash")] == paid["cash"] + z.cash_count.difference_ore
    assert lines[("payment", "cash")] + lines[("cash_difference", None)] == paid["cash"]
    assert lines[("rounding", None)] == -z.rounding
    assert by_type(voucher, "payment")[0].description == "Kontanter (opptalt)"
    assert by_type(voucher, "cash_difference")[0].description == "Kassedifferanse (manko)"


def test_an_overage_is_a_credit_and_no_count_means_no_difference(z: Report) -> None:
    assert z.cash_count is not None
    over = replace(z, cash_count=replace(z.cash_count, difference_ore=500))
    voucher = build_voucher(over, AccountingSettings())
    diff = by_type(voucher, "cash_difference")
    assert [(d.account, d.amount, d.description) for d in diff] == [
        ("1909", -500, "Kassedifferanse (overskudd)")
    ]
    assert by_type(voucher, "payment")[0].amount == 25400 + 500
    uncounted = build_voucher(replace(z, cash_count=None), AccountingSettings())
    assert by_type(uncounted, "cash_difference") == []
    assert by_type(uncounted, "payment")[0].description == "Kontanter"
    assert by_type(uncounted, "payment")[0].amount == 25400


def test_a_day_without_sales_posts_only_a_cash_difference(till: Till, shift_lead: Person) -> None:
    till.cash.opening_float(shift_lead, FLOAT)
    till.cash.count(shift_lead, pieces(FLOAT + 2000))  # 20 kr too much
    voucher = build_voucher(
        till.reports.z_report(shift_lead, not_counted=True), till.config.accounting
    )
    assert [(ln.account, ln.amount) for ln in voucher.lines] == [("1900", 2000), ("1909", -2000)]


def test_nothing_at_all_is_an_empty_voucher(till: Till, shift_lead: Person) -> None:
    voucher = build_voucher(
        till.reports.z_report(shift_lead, not_counted=True), till.config.accounting
    )
    assert voucher.lines == ()
    out = io.BytesIO()
    write_csv(voucher, out)
    assert out.getvalue() == (";".join(CSV_COLUMNS) + "\r\n").encode()


def test_an_unbalanced_voucher_cannot_be_made() -> None:
    with pytest.raises(UnbalancedVoucher, match=r"does not balance: debit 10\.00, credit 0\.00"):
        Voucher("K1-Z000001", 1, "K1", date(2026, 1, 2), "", (line(1, "payment", "1900", 1000),))


def test_an_amount_without_an_account_refuses_the_export(z: Report) -> None:
    settings = AccountingSettings()
    klarna = replace(z, payments=(*z.payments, PaymentLine("klarna", "12999", 1, 500)))
    with pytest.raises(ConfigError, match=r"payment: is missing: Z 1 has klarna payments of 5.00"):
        build_voucher(klarna, settings)
    no_zero = replace(settings, vat=tuple(v for v in settings.vat if v.rate_bp))
    with pytest.raises(ConfigError, match=r"accounting\.vat\.0: is missing: Z 1 has sales at 0 %"):
        build_voucher(z, no_zero)
    ten = replace(z, vat=(VatReportLine("3", 1000, 1000, 100), *z.vat))
    with pytest.raises(ConfigError, match=r"accounting\.vat\.10: is missing"):
        build_voucher(ten, settings)
    x = replace(z, report_type="X report", z_nr=None)
    with pytest.raises(ValueError, match="only a Z report"):
        build_voucher(x, settings)


def test_the_vat_codes_and_accounts_come_from_the_config(z: Report) -> None:
    settings = AccountingSettings()
    exempt = tuple(VatAccounts(0, "3200", None, "6") if v.rate_bp == 0 else v for v in settings.vat)
    voucher = build_voucher(z, replace(settings, vat=exempt, card="1901", rounding="7741"))
    assert ("sale", "3200", -4000, "6") in [
        (ln.line_type, ln.account, ln.amount, ln.vat_code) for ln in voucher.lines
    ]
    assert {ln.account for ln in voucher.lines} >= {"1901", "7741"}


# -- the generic CSV ---------------------------------------------------------------------------

AMOUNT = re.compile(r"^-?[0-9]+\.[0-9]{2}$")


def csv_rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_has_the_documented_columns_and_formats(z: Report, till: Till) -> None:
    voucher = build_voucher(z, till.config.accounting)
    out = io.BytesIO()
    write_csv(voucher, out)
    data = out.getvalue()
    assert not data.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM by default
    assert "Utgående mva 25 %".encode() in data and "Øreavrunding".encode() in data
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and not any(b"\n" in ln or b"\r" in ln for ln in lines)
    assert len(lines) == 1 + len(voucher.lines) + 1
    assert lines[0].decode() == (
        "voucher_id;voucher_date;z_number;register_id;line_no;line_type;account;description;"
        "amount;debit;credit;vat_code;vat_rate;vat_base;vat_amount;gross_amount;payment_method;"
        "department;project;currency"
    )
    rows = csv_rows(data)
    assert all(len(line.split(b";")) == 20 for line in lines[:-1])  # nothing needed quotes
    assert {
        (r["voucher_id"], r["voucher_date"], r["z_number"], r["register_id"]) for r in rows
    } == {("KASSE-1-Z000001", "2026-11-27", "1", "KASSE-1")}
    assert {r["currency"] for r in rows} == {"NOK"}
    for row, line in zip(rows, voucher.lines, strict=True):
        assert (row["line_no"], row["line_type"], row["account"], row["description"]) == (
            str(line.line_no),
            line.line_type,
            line.account,
            line.description,
        )
        for column in ("amount", "debit", "credit"):
            assert AMOUNT.match(row[column]), row
        amount = row["amount"]
        if amount.startswith("-"):
            assert (row["debit"], row["credit"]) == ("0.00", amount[1:])
        else:
            assert (row["debit"], row["credit"]) == (amount, "0.00")
        if line.line_type in ("sale", "vat"):
            assert row["vat_rate"] in ("25", "15", "0")
            assert AMOUNT.match(row["vat_base"]) and AMOUNT.match(row["vat_amount"])
        else:
            assert row["vat_code"] == "0"
            assert row["vat_rate"] == row["vat_base"] == row["vat_amount"] == ""
        assert bool(row["gross_amount"]) == (line.line_type == "sale")
        assert row["department"] == row["project"] == ""
    assert sum(int(r["amount"].replace(".", "")) for r in rows) == 0
    assert [r["payment_method"] for r in rows if r["line_type"] == "payment"] == ["cash", "card"]
    first = rows[0]
    assert [first[c] for c in ("amount", "vat_code", "vat_rate", "vat_base", "vat_amount")] == [
        "-95.76",
        "3",
        "25",
        "-95.76",
        "-23.94",
    ]
    assert first["gross_amount"] == "-119.70"


def test_csv_decimal_comma_and_bom(z: Report) -> None:
    out = io.BytesIO()
    write_csv(build_voucher(z, AccountingSettings()), out, decimal=",", bom=True)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbfvoucher_id;")
    rows = csv_rows(data[3:])
    assert rows[0]["amount"] == "-95,76" and rows[0]["gross_amount"] == "-119,70"
    assert rows[0]["debit"] == "0,00"
    with pytest.raises(ValueError, match="decimal"):
        write_csv(build_voucher(z, AccountingSettings()), io.BytesIO(), decimal=";")


def test_text_with_separators_is_quoted_in_csv_and_stripped_in_gbat10() -> None:
    voucher = Voucher(
        "K;1-Z000001",
        1,
        "K;1",
        date(2026, 1, 2),
        "",
        (
            line(1, "payment", "1900", 1000, 'Kontant; "ekstra"\nlinje'),
            taxed(2, "sale", "3100", -1000, 0, 0, "5", "Salg"),
        ),
    )
    out = io.BytesIO()
    write_csv(voucher, out)
    text = out.getvalue().decode()
    assert '"K;1-Z000001";2026-01-02;1;"K;1";1;payment;1900;"Kontant; ""ekstra""\nlinje";' in text
    assert csv_rows(out.getvalue())[0]["description"] == 'Kontant; "ekstra"\nlinje'
    out = io.BytesIO()
    write_gbat10(voucher, out)
    first = out.getvalue().decode().split("\r\n")[0].split(";")
    assert len(first) == 29 and first[20] == first[21] == 'Z1 K1 Kontant "ekstra"linje'
    long = replace(voucher, lines=(line(1, "payment", "1900", 0, "x" * 200),))
    out = io.BytesIO()
    write_gbat10(long, out)
    assert len(out.getvalue().decode().split(";")[20]) == 100


def test_csv_text_cells_are_never_formulas_and_amounts_keep_their_sign() -> None:
    voucher = Voucher(
        "=K1-Z000001",
        1,
        "=K1",
        date(2026, 1, 2),
        "",
        (
            line(1, "payment", "1900", 1000, "@SUM(A1)", method="+gavekort"),
            taxed(2, "sale", "3100", -1000, 0, 0, "5", '=HYPERLINK("http://x","y")'),
        ),
    )
    out = io.BytesIO()
    write_csv(voucher, out)
    rows = csv_rows(out.getvalue())
    assert [(r["voucher_id"], r["register_id"]) for r in rows] == [("'=K1-Z000001", "'=K1")] * 2
    assert rows[0]["description"] == "'@SUM(A1)" and rows[0]["payment_method"] == "'+gavekort"
    assert rows[1]["description"] == """'=HYPERLINK("http://x","y")"""
    # Numbers are not text: the credit keeps its '-' for the books.
    assert [(r["amount"], r["credit"], r["vat_base"], r["gross_amount"]) for r in rows] == [
        ("10.00", "0.00", "", ""),
        ("-10.00", "10.00", "-10.00", "-10.00"),
    ]


# -- GBAT10 ------------------------------------------------------------------------------------


def gbat10(voucher: Voucher, **options: Any) -> list[list[str]]:
    out = io.BytesIO()
    write_gbat10(voucher, out, **options)
    data = out.getvalue()
    assert data.endswith(b";\r\n") and data.count(b"\n") == data.count(b"\r\n")
    text = data.decode(options.get("encoding", "utf-8"))
    return [row.split(";") for row in text.split("\r\n")[:-1]]


def test_gbat10_has_the_documented_layout(z: Report, till: Till) -> None:
    voucher = build_voucher(z, till.config.accounting)
    rows = gbat10(voucher)
    assert len(rows) == len(voucher.lines) - 2  # the two output VAT lines are Tripletex's
    assert all(len(row) == 29 for row in rows)
    assert {tuple(row[:6]) for row in rows} == {("GBAT10", "1", "20261127", "6", "11", "2026")}
    assert [(row[6], row[7]) for row in rows] == [
        ("3000", "3"),
        ("3030", "31"),
        ("3100", "5"),
        ("1900", "0"),
        ("1909", "0"),
        ("1579", "0"),
        ("7740", "0"),
    ]
    assert [row[8] for row in rows] == [
        "-95.76",
        "-151.56",
        "-40.00",
        "244.00",
        "10.00",
        "79.80",
        "0.20",
    ]  # column 9: net
    assert [row[27] for row in rows] == [
        "-119.70",
        "-174.30",
        "-40.00",
        "244.00",
        "10.00",
        "79.80",
        "0.20",
    ]  # column 28: gross, which Tripletex posts
    assert sum(int(row[27].replace(".", "")) for row in rows) == 0
    assert {row[26] for row in rows} == {"T"}
    assert rows[0][20] == rows[0][21] == "Z1 KASSE-1 Salg 25 %"
    assert rows[5][20] == "Z1 KASSE-1 Bankkort (til oppgjør)"
    for row in rows:
        assert all(row[i] == "" for i in (*range(9, 20), *range(22, 26), 28))


def test_gbat10_options_explicit_vat_lines_latin1_and_voucher_type(z: Report) -> None:
    voucher = build_voucher(z, AccountingSettings())
    rows = gbat10(voucher, voucher_type=9, encoding="iso-8859-1", vat_lines="explicit_f")
    assert len(rows) == len(voucher.lines)
    assert {row[3] for row in rows} == {"9"}
    vat_rows = [row for row in rows if row[26] == "F"]
    assert [(r[6], r[7], r[8], r[27]) for r in vat_rows] == [
        ("2700", "3", "-23.94", ""),
        ("2701", "31", "-22.74", ""),
    ]
    assert sum(int(row[8].replace(".", "")) for row in rows) == 0  # now the net column balances
    out = io.BytesIO()
    write_gbat10(voucher, out, encoding="iso-8859-1")
    assert b"Bankkort (til oppgj\xf8r)" in out.getvalue()
    assert b"\xd8reavrunding" in out.getvalue()
    with pytest.raises(ValueError, match="vat_lines"):
        write_gbat10(voucher, io.BytesIO(), vat_lines="both")
    with pytest.raises(ValueError, match="8 digits"):
        write_gbat10(replace(voucher, z_number=123_456_789), io.BytesIO())


# -- the worked example of accounting.md -------------------------------------------------------


def line(
    nr: int, line_type: str, account: str, amount: int, text: str = "", method: str | None = None
) -> VoucherLine:
    """A balance-side posting: no VAT."""
    return VoucherLine(nr, line_type, account, amount, text, payment_method=method)


def taxed(
    nr: int, line_type: str, account: str, base: int, vat: int, rate: int, code: str, text: str
) -> VoucherLine:
    """A sale (the net) or its output VAT."""
    amount, gross = (base, base + vat) if line_type == "sale" else (vat, None)
    return VoucherLine(nr, line_type, account, amount, text, code, rate, base, vat, gross)


def example() -> Voucher:
    """accounting.md §1.5: business day 2025-03-14, register K1, Z 123."""
    return Voucher(
        "K1-Z000123",
        123,
        "K1",
        date(2025, 3, 14),
        "Kasseoppgjør K1 Z123 2025-03-14",
        (
            taxed(1, "sale", "3000", -800032, -200008, 2500, "3", "Salg varer 25 %"),
            taxed(2, "vat", "2700", -800032, -200008, 2500, "3", "Utgående mva 25 %"),
            taxed(3, "sale", "3030", -200000, -30000, 1500, "31", "Salg næringsmidler 15 %"),
            taxed(4, "vat", "2701", -200000, -30000, 1500, "31", "Utgående mva 15 %"),
            taxed(5, "sale", "3100", -50000, 0, 0, "5", "Salg fritatt (0 %)"),
            line(6, "gift_card_sold", "2900", -100000, "Gavekort solgt"),
            line(7, "payment", "1900", 224000, "Kontanter (opptalt)", "cash"),
            line(8, "cash_difference", "1909", 1000, "Kassedifferanse (manko)"),
            line(9, "payment", "1579", 900000, "Bankkort (til oppgjør)", "card"),
            line(10, "payment", "1578", 200000, "Vipps (til oppgjør)", "vipps"),
            line(11, "payment", "2900", 55000, "Gavekort innløst", "gift_card"),
            line(12, "rounding", "7740", 40, "Øreavrunding kontant"),
        ),
    )


EXAMPLE_CSV = """\
voucher_id;voucher_date;z_number;register_id;line_no;line_type;account;description;amount;debit;credit;vat_code;vat_rate;vat_base;vat_amount;gross_amount;payment_method;department;project;currency
K1-Z000123;2025-03-14;123;K1;1;sale;3000;Salg varer 25 %;-8000.32;0.00;8000.32;3;25;-8000.32;-2000.08;-10000.40;;;;NOK
K1-Z000123;2025-03-14;123;K1;2;vat;2700;Utgående mva 25 %;-2000.08;0.00;2000.08;3;25;-8000.32;-2000.08;;;;;NOK
K1-Z000123;2025-03-14;123;K1;3;sale;3030;Salg næringsmidler 15 %;-2000.00;0.00;2000.00;31;15;-2000.00;-300.00;-2300.00;;;;NOK
K1-Z000123;2025-03-14;123;K1;4;vat;2701;Utgående mva 15 %;-300.00;0.00;300.00;31;15;-2000.00;-300.00;;;;;NOK
K1-Z000123;2025-03-14;123;K1;5;sale;3100;Salg fritatt (0 %);-500.00;0.00;500.00;5;0;-500.00;0.00;-500.00;;;;NOK
K1-Z000123;2025-03-14;123;K1;6;gift_card_sold;2900;Gavekort solgt;-1000.00;0.00;1000.00;0;;;;;;;;NOK
K1-Z000123;2025-03-14;123;K1;7;payment;1900;Kontanter (opptalt);2240.00;2240.00;0.00;0;;;;;cash;;;NOK
K1-Z000123;2025-03-14;123;K1;8;cash_difference;1909;Kassedifferanse (manko);10.00;10.00;0.00;0;;;;;;;;NOK
K1-Z000123;2025-03-14;123;K1;9;payment;1579;Bankkort (til oppgjør);9000.00;9000.00;0.00;0;;;;;card;;;NOK
K1-Z000123;2025-03-14;123;K1;10;payment;1578;Vipps (til oppgjør);2000.00;2000.00;0.00;0;;;;;vipps;;;NOK
K1-Z000123;2025-03-14;123;K1;11;payment;2900;Gavekort innløst;550.00;550.00;0.00;0;;;;;gift_card;;;NOK
K1-Z000123;2025-03-14;123;K1;12;rounding;7740;Øreavrunding kontant;0.40;0.40;0.00;0;;;;;;;;NOK
"""  # noqa: E501

EXAMPLE_GBAT10 = """\
GBAT10;123;20250314;6;3;2025;3000;3;-8000.32;;;;;;;;;;;;Z123 Salg 25%;Z123 Salg 25%;;;;;T;-10000.40;
GBAT10;123;20250314;6;3;2025;3030;31;-2000.00;;;;;;;;;;;;Z123 Salg 15%;Z123 Salg 15%;;;;;T;-2300.00;
GBAT10;123;20250314;6;3;2025;3100;5;-500.00;;;;;;;;;;;;Z123 Salg fritatt;Z123 Salg fritatt;;;;;T;-500.00;
GBAT10;123;20250314;6;3;2025;2900;0;-1000.00;;;;;;;;;;;;Z123 Gavekort solgt;Z123 Gavekort solgt;;;;;T;-1000.00;
GBAT10;123;20250314;6;3;2025;1900;0;2240.00;;;;;;;;;;;;Z123 Kontant (opptalt);Z123 Kontant (opptalt);;;;;T;2240.00;
GBAT10;123;20250314;6;3;2025;1909;0;10.00;;;;;;;;;;;;Z123 Kassedifferanse;Z123 Kassedifferanse;;;;;T;10.00;
GBAT10;123;20250314;6;3;2025;1579;0;9000.00;;;;;;;;;;;;Z123 Kort;Z123 Kort;;;;;T;9000.00;
GBAT10;123;20250314;6;3;2025;1578;0;2000.00;;;;;;;;;;;;Z123 Vipps;Z123 Vipps;;;;;T;2000.00;
GBAT10;123;20250314;6;3;2025;2900;0;550.00;;;;;;;;;;;;Z123 Gavekort innlost;Z123 Gavekort innlost;;;;;T;550.00;
GBAT10;123;20250314;6;3;2025;7740;0;0.40;;;;;;;;;;;;Z123 Oreavrunding;Z123 Oreavrunding;;;;;T;0.40;
"""  # noqa: E501


def test_the_worked_example_as_csv_is_the_documented_file() -> None:
    out = io.BytesIO()
    write_csv(example(), out)
    assert out.getvalue() == EXAMPLE_CSV.replace("\n", "\r\n").encode("utf-8")


def test_the_worked_example_as_gbat10_is_the_documented_file() -> None:
    """Field for field, but for the descriptions (columns 21-22), which §7.3 words as
    'Z{z} {register} {line text}'."""
    voucher = example()
    rows = gbat10(voucher)
    documented = [row.split(";") for row in EXAMPLE_GBAT10.splitlines()]
    assert [r[:20] + r[22:] for r in rows] == [r[:20] + r[22:] for r in documented]
    texts = [ln.description for ln in voucher.lines if ln.line_type != "vat"]
    assert [(r[20], r[21]) for r in rows] == [(f"Z123 K1 {t}", f"Z123 K1 {t}") for t in texts]


# -- [accounting] in kassa.toml ----------------------------------------------------------------


def repo_raw() -> dict[str, Any]:
    return tomllib.loads(REPO_CONFIG.read_text(encoding="utf-8"))


def refused(raw: dict[str, Any], tmp_path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as error:
        parse(raw, tmp_path / "kassa.toml")
    return error.value


def test_the_documented_section_holds_the_built_in_defaults() -> None:
    documented = parse(repo_raw(), REPO_CONFIG).accounting
    assert documented == AccountingSettings()
    raw = repo_raw()
    del raw["accounting"]
    assert parse(raw, REPO_CONFIG).accounting == documented
    assert (documented.cash, documented.card, documented.rounding) == ("1900", "1579", "7740")
    assert documented.cash_difference == "1909"
    assert [(v.rate_bp, v.sales_account, v.vat_account, v.vat_code) for v in documented.vat] == [
        (2500, "3000", "2700", "3"),
        (1500, "3030", "2701", "31"),
        (1200, "3050", "2703", "33"),
        (1111, "3035", "2702", "32"),
        (0, "3100", None, "5"),
    ]


@pytest.mark.parametrize(
    ("path", "value", "key", "problem"),
    [
        ("accounts.cash", "190", "accounting.accounts.cash", "'190' is not an account number"),
        ("accounts.card", "15790", "accounting.accounts.card", "not an account number"),
        ("accounts.rounding", "77A0", "accounting.accounts.rounding", "not an account number"),
        ("accounts.cash_difference", 1909, "accounting.accounts.cash_difference", "must be text"),
        ("accounts.vipps", "1578", "accounting.accounts.vipps", "is not a known setting"),
        ("vat.25.sales_account", "30000", "accounting.vat.25.sales_account", "not an account"),
        ("vat.15.vat_account", "", "accounting.vat.15.vat_account", "not an account number"),
        ("vat.25.vat_code", 31.0, "accounting.vat.25.vat_code", "not a SAF-T code"),
        ("vat.25.vat_code", "5", "accounting.vat.25.vat_code", "one of 3, 31, 32, 33"),
        ("vat.0.vat_code", 3, "accounting.vat.0.vat_code", "one of 5, 51, 52, 6, 7"),
        ("vat.0.vat_account", "2700", "accounting.vat.0.vat_account", "has no output VAT"),
        ("vat.25.account", "3000", "accounting.vat.25.account", "is not a known setting"),
        ("vat.abc", {}, "accounting.vat.abc", "must be a VAT rate in percent"),
        ("vat.12", "3050", "accounting.vat.12", "must be a table"),
        ("gbat10.voucher_type", 0, "accounting.gbat10.voucher_type", "1 to 999"),
        ("gbat10.encoding", "cp1252", "accounting.gbat10.encoding", "utf-8 or iso-8859-1"),
        ("gbat10.vat_lines", "both", "accounting.gbat10.vat_lines", "'omit' or 'explicit_f'"),
        ("csv.decimal", ";", "accounting.csv.decimal", "'.' or ','"),
        ("currency", "SEK", "accounting.currency", "is not a known setting"),
    ],
)
def test_a_bad_entry_names_its_key(
    path: str, value: Any, key: str, problem: str, tmp_path: Path
) -> None:
    raw = repo_raw()
    *tables, last = path.split(".")
    table = raw["accounting"]
    for name in tables:
        table = table[name]
    table[last] = value
    error = refused(raw, tmp_path)
    assert error.key == key
    assert problem in error.problem


@pytest.mark.parametrize(
    ("rate", "field", "key"),
    [
        ("15", "vat_code", "accounting.vat.15.vat_code"),
        ("25", "vat_account", "accounting.vat.25.vat_account"),
        ("0", "sales_account", "accounting.vat.0.sales_account"),
    ],
)
def test_a_missing_mapping_names_its_key(rate: str, field: str, key: str, tmp_path: Path) -> None:
    raw = repo_raw()
    del raw["accounting"]["vat"][rate][field]
    error = refused(raw, tmp_path)
    assert (error.key, error.problem[:10]) == (key, "is missing")


def test_every_rate_the_till_sells_at_needs_its_table(tmp_path: Path) -> None:
    raw = repo_raw()
    del raw["accounting"]["vat"]["12"]  # the given tables replace the defaults, so 12 % is gone
    assert refused(raw, tmp_path).key == "accounting.vat.12"
    raw = repo_raw()
    raw["vat"]["rates"] = [25, 15, 12, 0, 10]
    del raw["accounting"]  # and the defaults know nothing of 10 %
    error = refused(raw, tmp_path)
    assert error.key == "accounting.vat.10" and "vat.rates has this rate" in error.problem
    raw["vat"]["rates"] = [25, 12.5]
    raw["accounting"] = {"vat": {"25": {"sales_account": "3000", "vat_account": "2700"}}}
    raw["accounting"]["vat"]["25"]["vat_code"] = "3"
    assert refused(raw, tmp_path).key == 'accounting.vat."12.5"'
    raw["accounting"]["vat"]["12.5"] = {
        "sales_account": "3050",
        "vat_account": "2703",
        "vat_code": 33,
    }
    accounting = parse(raw, tmp_path / "kassa.toml").accounting
    assert [v.rate_bp for v in accounting.vat] == [2500, 1250]
    assert accounting.for_rate(1250) == VatAccounts(1250, "3050", "2703", "33")
    raw["accounting"]["vat"]["25.0"] = raw["accounting"]["vat"]["25"]
    assert refused(raw, tmp_path).key == "accounting.vat.25.0"
