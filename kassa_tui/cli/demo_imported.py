"""`kassa init --demo --imported DAYS`: the old system's sales for the demo (issue 16).

A shop that moves to kassa brings its history; the demo gets one to try the forecasts, the
backtest and the insight screen on from day one: the DAYS days before kassa's first day (the
first day of `--history`, or today) of a generated old system's sales of the demo's everyday
products (a weekday rhythm, Sundays closed), written as the old system's CSV export and imported
exactly as `kassa import sales FILE` does (stored as history, journaled as one IMPORT; never a
receipt, an X, a Z or SAF-T).
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kassa_tui.composition import Till

#: Monday..Sunday relative demand (Sunday closed).
WEEKDAY = (0.8, 0.85, 0.9, 1.0, 1.25, 1.6, 0.0)
PRODUCTS = 40
TECHNICIAN = 9  # the demo's technician imports it


def everyday_products(till: Till) -> list[tuple[str, int]]:
    """(PLU, price in øre) of the demo's plain products: sold by the piece, no age limit, no
    pant, with a PLU."""
    rows = till.db.execute_sql(
        "SELECT p.plu, p.price_ore FROM product p"
        " LEFT JOIN product_counter_rule pr ON pr.product_id = p.id"
        " LEFT JOIN group_counter_rule gr ON gr.group_id = p.group_id"
        " WHERE p.unit = 'stk' AND p.active AND p.price_ore > 0 AND p.plu IS NOT NULL"
        " AND COALESCE(pr.age_limit, gr.age_limit, 0) = 0"
        " AND p.id NOT IN (SELECT product_id FROM product_deposit) ORDER BY p.id LIMIT ?",
        (PRODUCTS,),
    ).fetchall()
    return [(str(plu), int(price)) for plu, price in rows]


def history_csv(products: list[tuple[str, int]], last: date, days: int, path: Path) -> None:
    """The old system's export: `Dato;Varekode;Antall;Beløp`, Norwegian dates and kroner."""
    import numpy as np

    rng = np.random.default_rng(16)
    lines = ["Dato;Varekode;Antall;Beløp"]
    for k, (plu, price) in enumerate(products):
        mean = rng.uniform(0.3, 12.0) if k % 4 else rng.uniform(8.0, 25.0)
        trend = rng.uniform(-0.2, 0.3)
        for i in range(days):
            day = last - timedelta(days=days - 1 - i)
            rate = mean * (1 + trend * i / days) * WEEKDAY[day.weekday()]
            units = int(rng.poisson(rate)) if rate > 0 else 0
            if units:
                ore = units * price
                lines.append(
                    f"{day.strftime('%d.%m.%Y')};{plu};{units};{ore // 100},{ore % 100:02d}"
                )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def import_demo_history(till: Till, days: int, before: date, cutoff_hour: int) -> str:
    """Import `days` days of generated history ending the day before `before`; what to say."""
    from kassa_tui.core.i18n import _
    from kassa_tui.insight.history import SALES_COLUMNS, import_sales
    from kassa_tui.stock.importing import read_table

    last = before - timedelta(days=1)
    with tempfile.TemporaryDirectory(prefix="kassa-demo-") as folder:
        path = Path(folder) / "gammel-kasse.csv"
        history_csv(everyday_products(till), last, days, path)
        table = read_table(path, SALES_COLUMNS)
        report = import_sales(till.db, till.journal, table, TECHNICIAN, cutoff_hour=cutoff_hour)
    if not report.written:
        problems = "; ".join(f"{r.line}: {r.reason}" for r in report.rejected[:3])
        return _("The old system's sales were not imported: {why}").format(
            why=report.refused or problems
        )
    return _(
        "Imported the old system's sales: {first} to {last}, {products} products, {rows} rows "
        "(history, not kassa's own sales)"
    ).format(
        first=report.first_date,
        last=report.last_date,
        products=report.products,
        rows=report.rows,
    )
