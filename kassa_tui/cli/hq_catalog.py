"""`kassa hq publish FILE`, `kassa hq catalog`, `kassa hq verify` and `kassa hq register key`;
on the till, `kassa journal verify --against-hq` (journal_against_hq).

Publishing: the shared catalog HQ publishes to the tills.

The file is the one a till imports (`kassa import products`, or with --campaigns `kassa import
campaigns`), checked with the same rules and kassa.toml's VAT rates; one bad row publishes
nothing. The rules live in kassa_tui.hq.catalog. These commands join `kassa hq` (kassa_tui.cli.hq).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kassa_tui.cli.base import N_, F, bad_input, config_of, friendly
from kassa_tui.cli.hq import DSN_HELP, _connect, _refused, hq, hq_register
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till


@hq.command(
    "publish",
    help=N_(
        "Publish FILE to every till as the next catalog revision: a product file as "
        "`kassa import products` reads it (plu, ean, name, group, vat, price, ...), or with "
        "--campaigns a campaign file as `kassa import campaigns` reads it (multi-buys and "
        "planned prices). Every row is checked first; one bad row publishes nothing. The tills "
        "take it at their next `kassa sync`."
    ),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--campaigns", is_flag=True, help=N_("FILE is a campaign file."))
@click.option(
    "--kind",
    type=click.Choice(["products", "campaigns", "groups", "deposits", "users"]),
    default="products",
    show_default=True,
    help=N_(
        "What FILE holds: products, campaigns, groups (code;name;saft_group), deposits "
        "(code;name;amount;vat;account, as kassa deposits add takes them) or users "
        "(number;name;role;active, never a PIN)."
    ),
)
@click.option("--dry-run", is_flag=True, help=N_("Check the file and report; publish nothing."))
@click.option("--dsn", default=None, help=DSN_HELP)
@click.pass_context
@friendly
def hq_publish(
    ctx: click.Context, file: Path, campaigns: bool, kind: str, dry_run: bool, dsn: str | None
) -> None:
    from kassa_tui.hq import catalog

    kind = "campaigns" if campaigns else kind
    try:
        rows = catalog.checked_rows(file, config_of(ctx), kind)
    except Refused as refused:
        _refused(Exception(refused.message))
        return
    if dry_run:
        click.echo(
            _("{file}: {rows} rows, all good (nothing published).").format(
                file=file, rows=len(rows)
            )
        )
        return
    with _connect(dsn) as conn:
        published = catalog.publish(conn, kind, file.name, rows)
        conn.commit()
    click.echo(
        _("Published catalog revision {revision}: {rows} rows from {file}.").format(
            revision=published.revision, rows=published.rows, file=file.name
        )
    )


@hq.command("catalog", help=N_("The catalog revisions HQ has published, newest first."))
@click.option("--dsn", default=None, help=DSN_HELP)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help=N_("Print it as JSON."))
@click.option(
    "--registers",
    is_flag=True,
    help=N_("Instead: the revision each till sells on, as its pushed journal says."),
)
@friendly
def hq_catalog(dsn: str | None, limit: int, as_json: bool, registers: bool) -> None:
    from kassa_tui.hq import catalog

    if registers:
        with _connect(dsn) as conn:
            tills = catalog.register_revisions(conn)
        if as_json:
            click.echo(json.dumps([t.__dict__ for t in tills], indent=2, ensure_ascii=False))
            return
        shop, register, revision, applied = _("Shop"), _("Register"), _("Revision"), _("Applied")
        click.echo(f"{shop:<10} {register:<12} {revision:>8}  {applied}")
        for t in tills:
            click.echo(
                f"{t.shop_id[:10]:<10} {t.register_id[:12]:<12} {t.revision:>8}  "
                f"{t.applied_utc or '-'}"
            )
        return
    with _connect(dsn) as conn:
        found = catalog.revisions(conn, limit)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in found], indent=2, ensure_ascii=False))
        return
    revision, kind, rows, published, source = (
        _("Revision"),
        _("Kind"),
        _("Rows"),
        _("Published"),
        _("File"),
    )
    click.echo(f"{revision:>8} {kind:<10} {rows:>7} {published:<20}  {source}")
    for r in found:
        click.echo(f"{r.revision:>8} {r.kind:<10} {r.rows:>7} {r.published_at:<20}  {r.source}")


@hq_register.command(
    "key",
    help=N_(
        "Give HQ REGISTER's public signing key (the .pub.pem beside the till's key, PEM). "
        "`kassa hq verify` uses it for the key version the till's journal registers with its "
        "fingerprint; after a rotation (kassa keys generate) give HQ the new one too."
    ),
)
@click.argument("register")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dsn", default=None, help=DSN_HELP)
@friendly
def hq_register_key(register: str, file: Path, dsn: str | None) -> None:
    from kassa_tui.core.errors import Stopped
    from kassa_tui.hq import verify

    try:
        pem = file.read_bytes()
    except OSError as exc:
        _refused(
            Exception(_("{path} cannot be read ({error})").format(path=file, error=exc.strerror))
        )
        return
    with _connect(dsn) as conn:
        try:
            print_ = verify.add_key(conn, register, pem)
        except LookupError:
            _refused(Exception(_("no register {register!r} at HQ").format(register=register)))
            return
        except Stopped as exc:
            _refused(exc)
            return
    click.echo(
        _("Public key {fingerprint}… of register {register} is at HQ.").format(
            fingerprint=print_[:16], register=register
        )
    )


@hq.command(
    "verify",
    help=N_(
        "Check every register's chains at HQ from its first entry: the journal's hash chain "
        "(an entry missing or changed), the transactions and the sales rows made from them, "
        "the SAF-T signatures with the keys the journal registers, and forks (a till whose "
        "journal no longer extends what HQ holds). Exit 1 when anything is wrong."
    ),
)
@click.option("--register", "register_id", default=None, help=N_("Only this register."))
@click.option("--dsn", default=None, help=DSN_HELP)
@click.option("--json", "as_json", is_flag=True, help=N_("Print it as JSON."))
@friendly
def hq_verify(register_id: str | None, dsn: str | None, as_json: bool) -> None:
    from kassa_tui.hq import verify

    with _connect(dsn) as conn:
        found = verify.verify_all(conn, register_id)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in found], indent=2, ensure_ascii=False))
    else:
        for r in found:
            if r.ok:
                click.echo(
                    _(
                        "OK {register} ({shop}): {entries} entries, {signed} of {transactions}"
                        " transactions' signatures verified"
                    ).format(
                        register=r.register_id,
                        shop=r.shop_id,
                        entries=r.entries,
                        signed=r.signed,
                        transactions=r.transactions,
                    )
                )
                continue
            click.echo(
                _("PROBLEM {register} ({shop}):").format(register=r.register_id, shop=r.shop_id)
            )
            for problem in r.problems:
                click.echo(f"  - {problem}")
        if not found:
            click.echo(_("HQ has no registers yet."))
    if any(not r.ok for r in found):
        raise SystemExit(1)


def primary_only(func: F) -> F:
    """A command that writes at HQ (the reports' rollup): on a read-only database (a streaming
    standby; SQLSTATE 25006) one line and exit 1, not a traceback. Goes under @friendly."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import psycopg

        try:
            return func(*args, **kwargs)
        except psycopg.errors.ReadOnlySqlTransaction:
            click.echo(
                "kassa: "
                + _("HQ's database is read-only here (a standby?): run the report on the primary"),
                err=True,
            )
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@hq.command(
    "report",
    help=N_(
        "KIND (sales, products, stock, transfers or pairs) over the business days --from to --to "
        "(both included), across every shop or --shop: sales per day and shop, products sold, "
        "stock moved (sold, delivered, counted, adjusted, transferred in and out) and the level "
        "at the end (a negative level is flagged), transfers between shops sent, received and "
        "in transit, pairs bought together (count, confidence, lift: as the till's kassa "
        "report pairs). Made from what the tills pushed; training receipts are left out."
    ),
)
@click.argument("kind", type=click.Choice(["sales", "products", "stock", "transfers", "pairs"]))
@click.option(
    "--from",
    "first",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help=N_("The first day (YYYY-MM-DD)."),
)
@click.option(
    "--to",
    "last",
    default=None,
    type=click.DateTime(["%Y-%m-%d"]),
    help=N_("The last day [default: --from]."),
)
@click.option("--shop", default=None, help=N_("Only this shop."))
@click.option(
    "--product", default=None, metavar="CODE", help=N_("pairs: only this product's partners.")
)
@click.option(
    "--min-count",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help=N_("pairs: leave out pairs on fewer receipts than this."),
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=50,
    show_default=True,
    help=N_("pairs: at most this many pairs."),
)
@click.option("--dsn", default=None, help=DSN_HELP)
@click.option("--json", "as_json", is_flag=True, help=N_("Print it as JSON."))
@click.option("--csv", "as_csv", is_flag=True, help=N_("Print it as CSV (';', amounts in øre)."))
@friendly
@primary_only
def hq_report(
    kind: str,
    first: datetime,
    last: datetime | None,
    shop: str | None,
    product: str | None,
    min_count: int,
    limit: int,
    dsn: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    from kassa_tui.hq.report import report

    if as_json and as_csv:
        bad_input(_("--json and --csv: choose one"))
    if kind == "pairs":
        from kassa_tui.cli.hq_pairs import print_pairs

        with _connect(dsn) as conn:
            day = (last or first).date()
            print_pairs(conn, first.date(), day, shop, product, min_count, limit, as_json, as_csv)
        return
    with _connect(dsn) as conn:
        found = report(conn, kind, first.date(), (last or first).date(), shop)
    if as_json:
        click.echo(json.dumps(found.as_json(), indent=2, ensure_ascii=False))
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(found.columns)
        writer.writerows(found.rows)
        click.echo(out.getvalue(), nl=False)
        return
    _print_report(found)


def _print_report(found: Any) -> None:
    from kassa_tui.core.money import format_kr, format_quantity

    def cell(column: str, value: Any) -> str:
        if column.endswith("_ore"):
            return format_kr(int(value))
        if column.endswith("_milli"):
            return format_quantity(int(value))
        if column == "negative":
            return _("NEGATIVE") if value else ""
        return str(value)

    headings = {
        "date": _("Date"),
        "shop": _("Shop"),
        "receipts": _("Receipts"),
        "returns": _("Returns"),
        "total_ore": _("Total"),
        "vat_ore": _("VAT"),
        "code": _("Code"),
        "name": _("Name"),
        "group": _("Group"),
        "qty_milli": _("Quantity"),
        "amount_ore": _("Amount"),
        "codes": _("Codes"),
        "moved_milli": _("Moved"),
        "level_milli": _("Level"),
        "sold_milli": _("Sold"),
        "delivered_milli": _("Delivered"),
        "counted_milli": _("Counted"),
        "adjusted_milli": _("Adjusted"),
        "transfer_in_milli": _("In"),
        "transfer_out_milli": _("Out"),
        "transfer": _("Transfer"),
        "from": _("From"),
        "to": _("To"),
        "sent_date": _("Date"),  # the sending day; "Sent" is the quantity
        "sent_milli": _("Sent"),
        "received_milli": _("Received"),
        "in_transit_milli": _("In transit"),
        "difference_milli": _("Difference"),
        "negative": "",
    }
    table = [[headings[c] for c in found.columns]]
    table += [[cell(c, v) for c, v in zip(found.columns, row, strict=True)] for row in found.rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(found.columns))]
    text_columns = {"date", "shop", "code", "name", "group", "negative"}
    for r in table:
        parts = [
            v.ljust(w) if c in text_columns else v.rjust(w)
            for c, v, w in zip(found.columns, r, widths, strict=True)
        ]
        click.echo("  ".join(parts).rstrip())
    if not found.rows:
        click.echo(_("Nothing in this period."))


def journal_against_hq(till: Till) -> bool:
    """`kassa journal verify --against-hq`: HQ's last row of this register must still be in the
    till's journal with HQ's hash (§ 2-7: a journal rolled back or rewritten is named)."""
    import psycopg

    from kassa_tui.sync import link
    from kassa_tui.sync.pull import check_against_hq

    settings = till.config.hq
    if settings is None:
        click.echo(
            "kassa: " + _("kassa.toml has no [hq] table: no head office to check against"), err=True
        )
        return False
    try:
        with link.connect(settings) as conn:
            anchor = check_against_hq(conn, till.db, till.config.register_id)
    except psycopg.Error as exc:
        error = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        click.echo(
            "kassa: " + _("cannot reach HQ's database: {error}").format(error=error), err=True
        )
        return False
    if anchor.problem is not None:
        click.echo(f"kassa: {anchor.problem}", err=True)
        return False
    click.echo(
        _("Journal holds HQ's last row of register {register} ({head})").format(
            register=till.config.register_id, head=f"{anchor.hq_seq}:{anchor.hq_hash[:16]}"
        )
    )
    return True
