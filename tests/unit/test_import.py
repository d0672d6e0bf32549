"""Catalog import and export: ugly real-world files in, a plan out, one transaction written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from kassa_tui.catalog.barcodes import with_check_digit
from kassa_tui.composition import Till
from kassa_tui.stock.importing import (
    PRODUCT_COLUMNS,
    STOCK_COLUMNS,
    ImportReport,
    UnreadableFile,
    export_products,
    import_products,
    import_stock,
    parse_kroner,
    parse_vat,
    read_table,
)
from kassa_tui.stock.importing import apply as importer  # where CHUNK and ProductImport live

from .conftest import REPO, ROMME, count, journal_events

HEADER = "plu;ean;name;group;vat;price\n"
ROMME_ROW = f"2025;{ROMME};Rømme 18 % 3 dl;20;15;24,90\n"  # exactly as the demo has it
NEW_EAN = with_check_digit("703801000999")
NEW_EAN_2 = with_check_digit("703801000998")

# Pant is sold as products of its own, kept with `kassa deposits`, never exported.
NOT_PANT = "id NOT IN (SELECT product_id FROM deposit_type)"


def write(folder: Path, text: str, name: str = "products.csv", encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def dry(till: Till, path: Path, **options: Any) -> ImportReport:
    return import_products(
        till.db,
        till.journal,
        read_table(path, PRODUCT_COLUMNS),
        till.config,
        dry_run=True,
        **options,
    )


def run(till: Till, path: Path, **options: Any) -> ImportReport:
    return import_products(
        till.db, till.journal, read_table(path, PRODUCT_COLUMNS), till.config, **options
    )


def reasons(report: ImportReport) -> dict[int, str]:
    return {rejected.line: rejected.reason for rejected in report.rejected}


def product(till: Till, plu: str) -> dict[str, Any]:
    row = till.db.execute_sql(
        "SELECT p.id, p.name, g.code, p.vat_bp, p.price_ore, p.unit, p.cost_ore,"
        " p.reorder_point_milli FROM product p JOIN product_group g ON g.id = p.group_id"
        " WHERE p.plu = ?",
        (plu,),
    ).fetchone()
    assert row is not None, plu
    pid, name, group, vat, price, unit, cost, reorder = row
    codes = till.db.execute_sql(
        "SELECT code FROM barcode WHERE product_id = ? ORDER BY code", (pid,)
    ).fetchall()
    return {
        "id": pid,
        "name": name,
        "group": group,
        "vat": vat,
        "price": price,
        "unit": unit,
        "cost": cost,
        "reorder": reorder,
        "codes": [code for (code,) in codes],
    }


def writes(till: Till) -> int:
    """Rows this connection has inserted, updated or deleted since it opened."""
    return int(till.db.connection().total_changes)


# -- reading ugly files ------------------------------------------------------------------------


def test_utf8_with_bom_semicolons_and_norwegian_headers(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffVarenr;Strekkode;Varenavn;Varegruppe;MVA %;Utpris\r\n"
        f"50001;{NEW_EAN};Brunost Gudbrandsdalen 500 g;20;15 %;89,90\r\n",
    )
    table = read_table(path, PRODUCT_COLUMNS)
    assert (table.encoding, table.delimiter, table.header_line) == ("utf-8-sig", ";", 1)
    assert list(table.columns) == ["plu", "ean", "name", "group", "vat", "price"]
    report = run(till, path)
    assert (report.new, report.rejected) == (1, [])
    assert product(till, "50001") == {
        **product(till, "50001"),
        "name": "Brunost Gudbrandsdalen 500 g",
        "price": 8990,
        "vat": 1500,
        "codes": [NEW_EAN],
        "unit": "stk",
        "cost": None,
        "reorder": 0,
    }


def test_cp1252_file_keeps_its_norwegian_letters(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "VARENR;EAN;BESKRIVELSE;GRUPPE;MOMS;PRIS\r\n"
        "50002;;Blåbærsyltetøy ÆØÅ 400 g;20;15;39,90\r\n",
        encoding="cp1252",
    )
    assert read_table(path, PRODUCT_COLUMNS).encoding == "cp1252"
    run(till, path)
    assert product(till, "50002")["name"] == "Blåbærsyltetøy ÆØÅ 400 g"
    assert [p.name for p in till.catalog.search("blabaersyltetoy")] == ["Blåbærsyltetøy ÆØÅ 400 g"]


def test_excels_unicode_text_is_utf16_with_tabs(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffVarenr\tVarenavn\tVaregruppe\tMva\tPris\r\n50006\tSmørbukk\t70\t15\t12,50\r\n",
        encoding="utf-16-le",
    )
    table = read_table(path, PRODUCT_COLUMNS)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    run(till, path)
    assert product(till, "50006")["name"] == "Smørbukk"


def test_commas_with_quoted_delimiters_and_decimal_commas(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sku,barcode,description,category,vat,price,cost,unit,reorder\n"
        '50003,,"Epler, røde ""Gala""",10,"0,15","1 234,50","12,5",KG,"2,5"\n',
    )
    table = read_table(path, PRODUCT_COLUMNS)
    assert table.delimiter == ","
    report = run(till, path)
    assert report.rejected == [] and report.new == 1
    assert product(till, "50003") == {
        **product(till, "50003"),
        "name": 'Epler, røde "Gala"',
        "price": 123450,
        "cost": 1250,
        "unit": "kg",
        "reorder": 2500,
        "vat": 1500,
    }


def test_tabs_blank_lines_and_a_title_keep_physical_line_numbers(
    till: Till, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Prisliste fra grossist\n"  # line 1
        "\n"  # line 2
        "plu\tean\tname\tgroup\tvat\tprice\n"  # line 3: the header
        "\n"  # line 4
        "50004\t\tKaffe 250 g\t70\t15\t59.9\n"  # line 5
        "   \t \t\n"  # line 6: blank cells only
        "50005\t\tTe 20 poser\t70\t15\t\n",  # line 7: no price
    )
    report = dry(till, path)
    assert report.table.header_line == 3 and report.table.delimiter == "\t"
    assert report.rows == 2 and report.new == 1
    assert reasons(report) == {7: "missing price"}
    assert report.samples[0].line == 5


def test_every_rejected_row_says_why_with_its_line_number(till: Till, tmp_path: Path) -> None:
    bad_digit = NEW_EAN[:-1] + str((int(NEW_EAN[-1]) + 1) % 10)
    path = write(
        tmp_path,
        HEADER
        + f"50010;{NEW_EAN};A;20;15;10\n"  # 2: fine
        + f"50011;{NEW_EAN};B;20;15;10\n"  # 3: barcode again
        + f"50012;{bad_digit};C;20;15;10\n"  # 4
        + "50013;;D;20;24;10\n"  # 5: VAT 24 %
        + "50014;;E;20;15;\n"  # 6
        + "50015;;F;20;15;ti kroner\n"  # 7
        + "50016;;;20;15;10\n"  # 8
        + "50017;;G;77;15;10\n"  # 9: no such group
        + f"1002;{ROMME};H;10;15;10\n"  # 10: Rømme's barcode on Granny Smith
        + "50010;;I;20;15;10\n"  # 11: PLU again
        + "12345678;;J;20;15;10\n"  # 12: not a PLU
        + ";;K;20;15;10\n"  # 13
        + "50019;7,04581E+12;L;20;15;10\n"  # 14: a spreadsheet ate the barcode
        + "50020;;M;20;15;10;extra\n"  # 15: one field too many
        + "50021;;N;20;15;-5\n"  # 16
        + "50022;;O;20;15;10;\n",  # 17: a trailing empty field is fine
    )
    report = dry(till, path)
    assert report.new == 2
    assert reasons(report) == {
        3: f"barcode {NEW_EAN} is also on line 2",
        4: f"barcode {bad_digit}: wrong check digit",
        5: "unknown VAT rate '24' (the till's rates: 25, 15, 12, 0 %)",
        6: "missing price",
        7: "bad price 'ti kroner'",
        8: "missing name",
        9: "unknown product group '77' (or give --create-groups)",
        10: f"barcode {ROMME} belongs to another product (PLU 2025 Rømme 18 % 3 dl)",
        11: "PLU 50010 is also on line 2",
        12: "bad PLU '12345678' (1 to 6 digits)",
        13: "no PLU or barcode",
        14: "barcode '7,04581E+12' was turned into a number by a spreadsheet;"
        " format the column as text and export again",
        15: "7 fields where the header has 6 (an unquoted ';'?)",
        16: "bad price '-5'",
    }


def test_a_runaway_quote_rejects_the_rows_it_swallowed(till: Till, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + '50030;;"Skrue 3;20;15;10\n50031;;Mutter;20;15;5"\n')
    assert reasons(dry(till, path)) == {
        2: "a quoted field runs from line 2 to 3 (a missing closing quote?)"
    }


def test_vat_and_amounts_in_the_forms_people_type() -> None:
    assert [parse_vat(v) for v in ("25", "25 %", "0,25", "15,00", "0.12", "0", "11,11")] == [
        2500,
        2500,
        2500,
        1500,
        1200,
        0,
        1111,
    ]
    assert [
        parse_kroner(v)
        for v in ("24,90", "24.9", "1 234,50", "1.234,50", "1,234.50", "kr 24,90", "24,-", "249")
    ] == [2490, 2490, 123450, 123450, 123450, 2490, 2400, 24900]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"\n \r\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "an old Excel .xls file"),
        (b"a;b;c\n1;2;3\n", "no header line with known columns (found: a, b, c)"),
        (b"plu;name;price\n1;x;2\n", "no column for group, vat (columns: plu, name, price)"),
        (b"name;group;vat;price\nx;20;15;2\n", "no column for plu or ean"),
        (
            b"varenr;sku;name;group;vat;price\n",
            "columns 'varenr' and 'sku' on line 1 both mean plu",
        ),
        (
            "plu;name;group;vat;price\n1;Brød;20;15;2\n".encode() + b"2;Br\xf8d;20;15;2\n",
            "line 3 is not UTF-8 but the rest of the file is",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "catalog.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        read_table(path, PRODUCT_COLUMNS)
    assert message in caught.value.message and "\n" not in caught.value.message


def test_the_wrong_encoding_given_and_an_unknown_mapped_column(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "1;;Blåbær;20;15;2\n", encoding="cp1252")
    with pytest.raises(UnreadableFile, match="line 2 is not utf-8 text"):
        read_table(path, PRODUCT_COLUMNS, encoding="utf-8")
    assert read_table(path, PRODUCT_COLUMNS, encoding="latin-1").encoding == "iso8859-1"
    with pytest.raises(UnreadableFile, match="--map name=Artikkeltekst: no such column"):
        read_table(path, PRODUCT_COLUMNS, mapping={"name": "Artikkeltekst"})


def test_map_names_a_column_the_synonyms_do_not_know(till: Till, tmp_path: Path) -> None:
    path = write(tmp_path, "Varenr;Artikkeltekst;Navn;Gruppe;Mva;Pris\n50040;Pølse;x;40;15;20\n")
    table = read_table(path, PRODUCT_COLUMNS, mapping={"name": "artikkeltekst"})
    assert table.columns["name"] == 1
    import_products(till.db, till.journal, table, till.config)
    assert product(till, "50040")["name"] == "Pølse"


def test_an_xlsx_workbook_reads_like_a_csv(till: Till, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Varenr", "EAN", "Varenavn", "Varegruppe", "MVA", "Utpris"])
    sheet.append([50050, int(NEW_EAN), "Lefse 4 stk", 30, 0.15, 34.9])
    sheet.append([])
    sheet.append([50051, None, "Lompe", "30", "15", 29])
    path = tmp_path / "grossist.xlsx"
    book.save(path)
    report = run(till, path)
    assert (report.new, report.rejected, report.table.encoding) == (2, [], "xlsx")
    assert product(till, "50050")["codes"] == [NEW_EAN]
    assert product(till, "50050")["price"] == 3490 and product(till, "50051")["price"] == 2900


# -- the plan ----------------------------------------------------------------------------------


def test_rows_are_new_changed_unchanged_or_rejected(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + ROMME_ROW
        + "1001;7045811781536;Epler Pink Lady 6 stk;10;15;44,90\n"
        + f"50060;{NEW_EAN};Flatbrød 300 g;30;15;32,50\n"
        + "50061;;Knekkebrød;30;15;\n",
    )
    report = dry(till, path)
    assert (report.new, report.changed, report.unchanged) == (1, 1, 1)
    assert reasons(report) == {5: "missing price"}
    by_line = {sample.line: sample for sample in report.samples}
    assert by_line[3].kind == "changed" and by_line[3].changes == (
        "name 'Epler Pink Lady 4 stk' → 'Epler Pink Lady 6 stk'",
        "price 39,90 → 44,90",
    )
    assert by_line[4].kind == "new" and by_line[4].product == "PLU 50060 Flatbrød 300 g"


def test_a_row_finds_its_product_by_barcode_when_the_plu_is_new(till: Till, tmp_path: Path) -> None:
    before = product(till, "2025")
    path = write(tmp_path, HEADER + f"90025;{ROMME};Rømme 18 % 3 dl;20;15;24,90\n")
    report = run(till, path)
    assert report.changed == 1 and report.samples[0].changes == ("plu 2025 → 90025",)
    assert product(till, "90025")["id"] == before["id"]
    assert till.catalog.search("90025")[0].name == "Rømme 18 % 3 dl"


def test_empty_cells_leave_values_alone_and_a_barcode_cell_replaces_the_list(
    till: Till, tmp_path: Path
) -> None:
    till.db.execute_sql("UPDATE product SET cost_ore = 1500 WHERE plu = '2025'")
    header = "plu;ean;name;group;vat;price;cost;unit;reorder\n"
    path = write(tmp_path, header + "2025;;Rømme 18 % 3 dl;20;15;24,90;;;\n")
    assert dry(till, path).unchanged == 1
    path = write(tmp_path, header + f"2025;{ROMME}|{NEW_EAN};Rømme 18 % 3 dl;20;15;24,90;;;\n")
    report = run(till, path)
    assert report.samples[0].changes == (f"barcodes +{NEW_EAN}",)
    assert product(till, "2025")["codes"] == sorted([ROMME, NEW_EAN])
    path = write(tmp_path, header + f"2025;{NEW_EAN};Rømme 18 % 3 dl;20;15;24,90;;;\n")
    assert run(till, path).samples[0].changes == (f"barcodes -{ROMME}",)
    assert product(till, "2025")["codes"] == [NEW_EAN] and product(till, "2025")["cost"] == 1500


def test_unknown_groups_are_created_only_when_asked(till: Till, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "50070;;Grill kull 5 kg;Sesong;25;99\n")
    assert "unknown product group 'Sesong'" in reasons(dry(till, path))[2]
    report = dry(till, path, create_groups=True)
    assert report.new == 1 and report.groups_created == ["Sesong"]
    assert count(till.db, "product_group", "code = 'Sesong'") == 0
    run(till, path, create_groups=True)
    assert product(till, "50070")["group"] == "Sesong"
    assert "MASTERDATA" in journal_events(till)


def saft_of(till: Till, group: str) -> str:
    row = till.db.execute_sql("SELECT saft_group FROM product_group WHERE code = ?", (group,))
    return str(row.fetchone()[0])


def test_a_group_saft_code_column_sets_the_groups_code(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plu;ean;name;group;vat;price;Gruppe SAF-T\n"  # 1
        "70070;;Grill kull 5 kg;Sesong;25;99;04014\n"  # 2: a new group with its code
        f"2025;{ROMME};Rømme 18 % 3 dl;20;15;24,90;4003\n"  # 3: 04006 → 04003 (zero dropped)
        "70071;;Tennveske;Sesong;25;49;04999\n"  # 4: another code for Sesong
        "70072;;Lys;20;25;29;9999\n"  # 5: not a PredefinedBasicID-04 code
        "70073;;Fyrstikker;Sesong;25;19;\n",  # 6: no code: the group keeps its own
    )
    report = dry(till, path, create_groups=True)
    assert reasons(report) == {
        4: "group Sesong has SAF-T code 04014 on line 2",
        5: "unknown SAF-T group code '9999' (PredefinedBasicID-04, e.g. 04999)",
    }
    assert (report.new, report.unchanged, report.groups_saft_changed) == (2, 1, ["20"])
    assert (
        saft_of(till, "20") == "04006" and count(till.db, "product_group", "code = 'Sesong'") == 0
    )
    before = len(till.journal.rows())
    report = run(till, path, create_groups=True)
    assert saft_of(till, "Sesong") == "04014" and saft_of(till, "20") == "04003"
    texts = [json.loads(row.text) for row in till.journal.rows()[before:] if row.text]
    assert {
        "action": "import_group",
        "group": "20",
        "changed": {"saft_group": ["04006", "04003"]},
    } in texts
    assert any(t.get("action") == "add_group" and t.get("saft_group") == "04014" for t in texts)
    assert run(till, path, create_groups=True).groups_saft_changed == []


def test_a_group_created_without_a_saft_code_is_04999(till: Till, tmp_path: Path) -> None:
    run(till, write(tmp_path, HEADER + "50070;;Grill kull 5 kg;Sesong;25;99\n"), create_groups=True)
    assert saft_of(till, "Sesong") == "04999"


# -- writing -----------------------------------------------------------------------------------


def test_a_dry_run_writes_nothing(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "1001;7045811781536;Epler;10;15;1,00\n" + "50080;;Ny;10;15;1\n",
    )
    before = (writes(till), count(till.db, "product"), len(till.journal.rows()))
    report = dry(till, path, create_groups=True)
    assert (report.new, report.changed, report.written) == (1, 1, False)
    assert (writes(till), count(till.db, "product"), len(till.journal.rows())) == before


def test_an_import_is_one_transaction_and_can_run_twice(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "1001;7045811781536;Epler Pink Lady 4 stk;10;15;42,90\n"  # price only
        + "1002;7045811847119;Epler Granny Smith 1,2 kg;10;25;34,90\n"  # name and VAT
        + f"50090;{NEW_EAN};Sjokoladepudding;20;15;19,90\n",
    )
    journal_before = len(till.journal.rows())
    report = run(till, path)
    assert (report.new, report.changed, report.written) == (1, 2, True)
    rows = till.journal.rows()[journal_before:]
    assert [row.basic_id for row in rows] == ["PRICECHANGE", "MASTERDATA", "MASTERDATA", "IMPORT"]
    assert {row.event_code for row in rows[:3]} == {"13021"}
    price = json.loads(rows[0].text)
    assert (price["plu"], price["old"], price["new"]) == ("1001", 3990, 4290)
    assert json.loads(rows[1].text)["changed"] == {
        "name": ["Epler Granny Smith 1 kg", "Epler Granny Smith 1,2 kg"],
        "vat_bp": [1500, 2500],
    }
    assert json.loads(rows[2].text) == {
        "action": "import_add",
        "file": "products.csv",
        "products": 1,
    }
    summary = json.loads(rows[3].text)
    assert rows[3].event_code == "13999"
    assert (summary["new"], summary["changed"], summary["unchanged"], summary["rejected"]) == (
        1,
        2,
        0,
        0,
    )
    assert till.catalog.by_barcode(NEW_EAN).price_ore == 1990
    assert till.journal.verify() is None

    again = run(till, path)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)
    assert journal_events(till)[-1] == "IMPORT"
    assert len(till.journal.rows()) == journal_before + 5  # only the second summary


def test_a_crash_halfway_leaves_nothing_behind(
    till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK", 2)
    path = write(
        tmp_path,
        HEADER + "".join(f"{50100 + n};;Vare {n};10;15;{n + 1}\n" for n in range(5)),
    )
    before = (count(till.db, "product"), len(till.journal.rows()))
    calls = 0
    real_insert = importer.ProductImport._insert

    def insert_then_fail(self: importer.ProductImport, new: list[Any]) -> None:
        nonlocal calls
        calls += 1
        real_insert(self, new)
        if calls == 2:
            raise OSError("disk full")

    monkeypatch.setattr(importer.ProductImport, "_insert", insert_then_fail)
    with pytest.raises(OSError):
        run(till, path)
    assert (count(till.db, "product"), len(till.journal.rows())) == before


def test_a_dry_run_and_a_real_run_decide_alike_across_chunks(
    till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK", 1)  # every row sees the rows before it written
    path = write(
        tmp_path,
        HEADER
        + f"2025;{NEW_EAN};Rømme 18 % 3 dl;20;15;24,90\n"  # gives up Rømme's barcode
        + f"50110;{ROMME};Lettrømme;20;15;22,90\n"  # which was Rømme's before the import
        + f"90001;{NEW_EAN_2}|7045811781536;Epler;10;15;39,90\n",  # Pink Lady's code, new PLU
    )
    planned = dry(till, path)
    done = run(till, path)
    assert reasons(planned) == reasons(done) and reasons(done).keys() == {3}
    assert (planned.changed, done.changed) == (2, 2)
    assert product(till, "90001")["codes"] == sorted([NEW_EAN_2, "7045811781536"])


def test_a_big_file_reindexes_the_search_once(
    till: Till, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "REINDEX_ALL_FROM", 10)
    monkeypatch.setattr(importer, "CHUNK", 7)
    rows = "".join(
        f"{200000 + n};{with_check_digit(f'7099{n:08d}')};Tyttebær nr {n};20;15;10\n"
        for n in range(40)
    )
    report = run(till, write(tmp_path, HEADER + rows))
    assert report.new == 40
    assert count(till.db, "product_search") == count(till.db, "product")
    assert till.catalog.search("tyttebaer nr 39")[0].plu == "200039"


# -- stock -------------------------------------------------------------------------------------


def stock_level(till: Till, plu: str) -> int:
    row = till.db.execute_sql(
        "SELECT COALESCE(s.on_hand_milli, 0) FROM product p"
        " LEFT JOIN product_stock s ON s.product_id = p.id WHERE p.plu = ?",
        (plu,),
    ).fetchone()
    return int(row[0])


def test_opening_stock_is_reached_with_deltas(till: Till, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Varenr,EAN,Antall\n"
        "1001,,12\n"
        f",{ROMME},7\n"
        '10001,,"2,5"\n'
        "1002,,\n"
        "9999,,1\n"
        "1001,,4\n"
        "2025,,0,5\n",
        name="lager.csv",
    )
    table = read_table(path, STOCK_COLUMNS)
    movements = count(till.db, "stock_movement")
    old_apples = stock_level(till, "1001")
    assert old_apples != 12000
    report = import_stock(till.db, till.journal, table, till.config, dry_run=True)
    assert count(till.db, "stock_movement") == movements
    assert report.changed + report.unchanged == 3
    assert reasons(report) == {
        5: "missing quantity",
        6: "no product with PLU 9999",
        7: "the same product as line 2",
        8: "4 fields where the header has 3 (an unquoted ','?)",
    }
    report = import_stock(till.db, till.journal, table, till.config)
    assert (stock_level(till, "1001"), stock_level(till, "2025"), stock_level(till, "10001")) == (
        12000,
        7000,
        2500,
    )
    delta = till.db.execute_sql(
        "SELECT m.delta_milli, m.reason FROM stock_movement m JOIN product p"
        " ON p.id = m.product_id WHERE p.plu = '1001' ORDER BY m.id DESC LIMIT 1"
    ).fetchone()
    assert tuple(delta) == (12000 - old_apples, "import")
    assert journal_events(till)[-2:] == ["IMPORT", "OPENINGSTOCK"]  # the levels for HQ
    written = count(till.db, "stock_movement")
    again = import_stock(till.db, till.journal, table, till.config)
    assert (again.changed, count(till.db, "stock_movement")) == (0, written)


def test_a_piece_item_takes_whole_units(till: Till, tmp_path: Path) -> None:
    path = write(tmp_path, "plu;antall\n1001;2,5\n", name="lager.csv")
    report = import_stock(
        till.db, till.journal, read_table(path, STOCK_COLUMNS), till.config, dry_run=True
    )
    assert reasons(report) == {2: "Epler Pink Lady 4 stk is counted in whole units"}


# -- export ------------------------------------------------------------------------------------


def test_the_export_imports_back_unchanged(till: Till, tmp_path: Path) -> None:
    till.db.execute_sql("UPDATE product SET cost_ore = 1234 WHERE plu = '2025'")
    out = io.StringIO()
    assert export_products(till.db, out) == count(till.db, "product", NOT_PANT)
    lines = out.getvalue().splitlines()
    assert lines[0] == "plu;ean;name;group;vat;price;unit;cost;reorder;group_saft;pant"
    (romme,) = [line for line in lines if line.startswith(f"2025;{ROMME};")]
    assert romme.startswith(f"2025;{ROMME};Rømme 18 % 3 dl;20;15;24,90;stk;12,34;")
    assert romme.endswith(";04006;")  # group 20's SAF-T code (Food), no pant
    (cola,) = [line for line in lines if line.startswith("6001;")]
    assert cola.endswith(";04011;A")  # the drink's deposit type
    till.db.execute_sql("UPDATE product_group SET saft_group = '04011' WHERE code = '20'")
    path = write(tmp_path, out.getvalue(), name="export.csv")
    report = dry(till, path)
    assert report.rejected == [] and report.unchanged == count(till.db, "product", NOT_PANT)
    assert report.groups_saft_changed == ["20"]  # the file's 04006 differs now: not a no-op
    till.db.execute_sql("UPDATE product_group SET saft_group = '04006' WHERE code = '20'")
    before = len(journal_events(till))
    report = run(till, path)
    assert (report.changed, report.new, report.groups_saft_changed) == (0, 0, [])
    assert journal_events(till)[before:] == ["IMPORT"]  # only the import's summary row


def test_a_formula_in_a_name_is_exported_as_text_and_imports_back_unchanged(
    till: Till, tmp_path: Path
) -> None:
    link = '=HYPERLINK("http://x","y")'
    till.db.execute_sql("UPDATE product SET name = ? WHERE plu = '2025'", (link,))
    till.db.execute_sql("UPDATE product SET name = '-20 % Epler' WHERE plu = '1001'")
    out = io.StringIO()
    export_products(till.db, out)
    rows = {row[0]: row for row in csv.reader(io.StringIO(out.getvalue()), delimiter=";")}
    # A spreadsheet shows a cell starting with ' as text: neither a link nor a formula.
    assert rows["2025"][2] == "'" + link and rows["1001"][2] == "'-20 % Epler"
    assert rows["2025"][5] == "24,90"  # the number columns are written as numbers
    path = write(tmp_path, out.getvalue(), name="export.csv")
    report = dry(till, path)
    assert report.rejected == [] and report.unchanged == count(till.db, "product", NOT_PANT)
    assert run(till, path).changed == 0
    assert till.catalog.by_plu("2025").name == link


def test_the_demo_catalog_file_itself_imports_unchanged(till: Till) -> None:
    report = dry(till, REPO / "data" / "demo_products.csv")
    assert (report.unchanged, report.new, report.changed, report.rejected) == (611, 0, 0, [])
