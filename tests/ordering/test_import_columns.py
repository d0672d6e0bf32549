"""`kassa import products` with the ordering columns: supplier, supplier_code, pack_size,
min_order; an empty cell leaves the value alone, an unknown supplier rejects its row, a change
is journaled as master data."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.composition import Till
from kassa_tui.ordering.suppliers import product_supplier

from .conftest import STEADY


def facts(shop: Till, plu: str) -> tuple[str, str, int, int] | None:
    row = shop.db.execute_sql(
        "SELECT s.code, ps.supplier_code, ps.pack_size, ps.min_order FROM product p"
        " JOIN product_supplier ps ON ps.product_id = p.id JOIN supplier s ON s.id ="
        " ps.supplier_id WHERE p.plu = ?",
        (plu,),
    ).fetchone()
    return None if row is None else tuple(row)  # type: ignore[return-value]


def test_the_import_sets_supplier_and_pack(shop: Till, tmp_path: Path) -> None:
    path = tmp_path / "varer.csv"
    path.write_text(
        "plu;name;group;vat;price;leverandør;pakning;minstebestilling;levvarenr\n"
        "70011;Havregryn 1 kg;50;15;29,90;asko;10;20;A-77\n"  # new, from ASKO
        f"{STEADY};Steady 1 l;50;15;29,90;;12;;\n"  # the pack only: supplier kept
        "70012;Ris 1 kg;50;15;39,90;NOPE;6;;\n",  # no such supplier: rejected
        encoding="utf-8",
    )
    config = Path(shop.config.source)
    result = CliRunner().invoke(
        main, ["--config", str(config), "import", "products", str(path)], input="9\n9999\n"
    )
    assert result.exit_code == 0, result.output
    assert "line 4: unknown supplier 'NOPE' (kassa order suppliers list)" in result.output
    assert facts(shop, "70011") == ("ASKO", "A-77", 10, 20)
    assert facts(shop, STEADY) == ("TEST", f"T-{STEADY}", 12, 0)
    assert facts(shop, "70012") is None
    rows = [
        json.loads(t)
        for (t,) in shop.db.execute_sql(
            "SELECT text FROM journal WHERE basic_id = 'MASTERDATA' ORDER BY seq"
        ).fetchall()
    ]
    changes = [r for r in rows if r.get("action") == "import_supplier"]
    assert [c["after"] for c in changes] == [
        ["ASKO", "A-77", 10, 20],
        ["TEST", f"T-{STEADY}", 12, 0],
    ]
    assert changes[1]["before"] == ["TEST", f"T-{STEADY}", 6, 0]
    # The same file again changes nothing and journals nothing more.
    CliRunner().invoke(
        main, ["--config", str(config), "import", "products", str(path)], input="9\n9999\n"
    )
    again = shop.db.execute_sql(
        "SELECT COUNT(*) FROM journal WHERE text LIKE '%import_supplier%'"
    ).fetchone()[0]
    assert again == 2
    assert product_supplier(shop.db, shop.ids[STEADY]).pack_size == 12  # type: ignore[attr-defined,union-attr]


def test_a_bad_pack_rejects_the_row(shop: Till, tmp_path: Path) -> None:
    path = tmp_path / "varer.csv"
    path.write_text(
        "plu;name;group;vat;price;supplier;pack_size\n70013;Mel 2 kg;50;15;19,90;ASKO;0\n",
        encoding="utf-8",
    )
    config = Path(shop.config.source)
    result = CliRunner().invoke(
        main, ["--config", str(config), "import", "products", str(path)], input="9\n9999\n"
    )
    assert "line 2: bad pack_size '0'" in result.output, result.output
    assert facts(shop, "70013") is None
