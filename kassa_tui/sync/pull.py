"""The till pulls the head office's catalog (issue 15): `kassa sync` pushes, then pulls.

HQ publishes the catalog in revisions numbered in commit order, without gaps
(kassa_tui/hq/sql/0002_catalog.sql). The till asks for the revision after the last one it
applied (`catalog_pull`), fetches all its pages first (no SQLite lock is held while the network
is slow), then applies it in ONE SQLite transaction with the till's own importers: a product
file as `kassa import products` applies it (new products, a 13021 PRICECHANGE row per price
that changes, MASTERDATA for the rest, groups created), a campaign file as `kassa import
campaigns` does (MASTERDATA per campaign and planned price; a planned price then switches on the
till's own clock, offline, as every planned price does). The `catalog_pull` row goes in the
same transaction, so a revision is applied whole or not at all: a crash or an error half way
leaves the till on the revision before, and the next sync tries again.

A row this till cannot take (a product it lacks, a VAT rate it does not have) is skipped and
journaled with the revision (IMPORT, what=hq_catalog), never blocking the revisions after it.
When HQ cannot be reached nothing changes: the till sells on the last revision it has.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from peewee import SqliteDatabase
from psycopg import Connection

from kassa_tui.config import Config
from kassa_tui.core.clock import Clock
from kassa_tui.core.errors import Refused
from kassa_tui.core.i18n import _
from kassa_tui.records.journal import GENESIS, Event, Journal
from kassa_tui.stock.importing import IMPORT, Table, import_products
from kassa_tui.stock.importing.campaigns import import_campaigns, read_campaigns
from kassa_tui.sync.shop_check import learn

log = logging.getLogger("kassa.sync")
CAMPAIGN_FIELDS = ("campaign", "type", "products", "quantity", "price", "from", "to")
Row = dict[str, Any]


@dataclass(frozen=True)
class Applied:
    revision: int
    kind: str
    source: str
    rows: int
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


@dataclass(frozen=True)
class PullResult:
    before: int  # the revision the till was on
    after: int  # the revision it is on now
    applied: list[Applied]


def applied_revision(db: SqliteDatabase) -> int:
    """The last catalog revision this till applied (0: none)."""
    found = db.execute_sql("SELECT COALESCE(MAX(revision), 0) FROM catalog_pull").fetchone()
    return int(found[0])


def pull(
    conn: Connection[Any],
    db: SqliteDatabase,
    journal: Journal,
    config: Config,
    *,
    max_revisions: int | None = None,
    max_rows: int | None = None,
    on_applied: Callable[[Applied], None] | None = None,
) -> PullResult:
    """Apply every revision HQ has after this till's, one at a time, in order.

    Raises psycopg's errors when HQ cannot be reached or answers wrongly; what was applied
    before stays applied, and nothing of a revision not yet applied is written."""
    before = last = applied_revision(db)
    done: list[Applied] = []
    while max_revisions is None or len(done) < max_revisions:
        head = conn.execute(
            "SELECT revision, kind, source, row_count FROM catalog_revision WHERE revision = %s",
            (last + 1,),
        ).fetchone()
        if head is None:
            break
        revision, kind, source, row_count = int(head[0]), str(head[1]), str(head[2]), head[3]
        if max_rows is not None and int(row_count) > max_rows:
            break  # too large to apply beside the cashier: `kassa sync` takes it
        rows = _spool(conn, db, revision)
        if len(rows) != int(row_count):  # cannot happen: a revision commits with its pages
            raise RuntimeError(
                f"catalog revision {revision}: {len(rows)} rows of {row_count} arrived"
            )
        result = apply_revision(db, journal, config, revision, kind, source, rows)
        done.append(result)
        if on_applied is not None:
            on_applied(result)
        last = revision
    return PullResult(before, last, done)


class Spooled(Collection[Row]):
    """A revision's rows as fetched, held in a TEMP table of the till's connection (a temp
    table takes no lock on the till's database), read back a row at a time: a 200,000-row
    price file is never in memory whole."""

    def __init__(
        self, db: SqliteDatabase, count: int, stop: Callable[[], bool] | None = None
    ) -> None:
        self.db = db
        self.count = count
        self.stop = stop  # asked before each row: True ends the apply (Interrupted, rolled back)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Row]:
        # A chunk at a time, each read to its end: a statement left open while the importer
        # writes would make SQLite keep a statement journal for every write (10x slower).
        start = 0
        while True:
            found = self.db.execute_sql(
                f"SELECT n, body FROM {_SPOOL} WHERE n >= ? ORDER BY n LIMIT {_READ}", (start,)
            ).fetchall()
            if not found:
                return
            for _n, body in found:
                if self.stop is not None and self.stop():
                    raise Interrupted
                yield json.loads(body)
            start = int(found[-1][0]) + 1

    def __contains__(self, item: object) -> bool:
        return any(row == item for row in self)


class Interrupted(Exception):
    """The till turned busy while a large revision was being applied: the transaction is rolled
    back (nothing of it written) and the revision is applied when the till is idle again."""


_SPOOL = "temp.hq_catalog_spool"
_READ = 2000  # spooled rows read back at a time


def _spool(conn: Connection[Any], db: SqliteDatabase, revision: int) -> Spooled:
    """Fetch a revision page by page (one page in memory at a time) into the spool."""
    db.execute_sql(
        "CREATE TEMP TABLE IF NOT EXISTS hq_catalog_spool"
        " (n INTEGER PRIMARY KEY, body TEXT NOT NULL)"
    )
    db.execute_sql(f"DELETE FROM {_SPOOL}")
    count = 0
    page = 0
    while True:
        page += 1
        found = conn.execute(
            "SELECT body FROM catalog_page WHERE revision = %s AND page = %s", (revision, page)
        ).fetchone()
        if found is None:
            break
        body: list[Row] = found[0]
        db.cursor().executemany(
            f"INSERT INTO {_SPOOL} (n, body) VALUES (?, ?)",
            [(count + i, json.dumps(row, ensure_ascii=False)) for i, row in enumerate(body)],
        )
        count += len(body)
    return Spooled(db, count)


def apply_revision(
    db: SqliteDatabase,
    journal: Journal,
    config: Config,
    revision: int,
    kind: str,
    source: str,
    rows: Collection[Row],
) -> Applied:
    """One revision, whole, in one SQLite transaction; `Refused` (nothing written) unless it is
    the one after the till's last."""
    with db.atomic("IMMEDIATE"):
        last = applied_revision(db)
        if revision != last + 1:
            message = _("catalog revision {revision} is not the next one after {last}")
            raise Refused(message.format(revision=revision, last=last))
        if kind == "products":
            rejected = _apply_products(db, journal, config, revision, rows)
        elif kind == "campaigns":
            rejected = _apply_campaigns(db, journal, rows)
        elif kind == "groups":
            rejected = _apply_groups(db, journal, rows)
        elif kind == "deposits":
            rejected = _apply_deposits(db, journal, rows)
        elif kind == "users":  # staff without PINs (kassa_tui.sync.users_pull)
            from kassa_tui.sync.users_pull import apply_users

            rejected = apply_users(db, journal, revision, rows)
        else:
            message = _("catalog revision {revision}: unknown kind {kind}")
            raise Refused(message.format(revision=revision, kind=repr(kind)))
        instant = journal.write(
            IMPORT,
            what="hq_catalog",
            revision=revision,
            kind=kind,
            file=source,
            rows=len(rows),
            rejected=[{"row": n, "reason": why} for n, why in rejected],
        )
        db.execute_sql(
            "INSERT INTO catalog_pull (revision, kind, source, row_count, rejected, applied_utc)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (revision, kind, source, len(rows), len(rejected), instant.utc_text),
        )
    return Applied(revision, kind, source, len(rows), rejected)


def _apply_products(
    db: SqliteDatabase, journal: Journal, config: Config, revision: int, rows: Collection[Row]
) -> list[tuple[int, str]]:
    fields: list[str] = []
    for row in rows:
        fields.extend(key for key in row if key not in fields)
    columns = {key: index for index, key in enumerate(fields)}

    def records() -> Iterator[tuple[int, int, list[str]]]:
        for number, row in enumerate(rows, start=1):
            yield number, number, [str(row.get(key, "")) for key in fields]

    table = Table(
        path=Path(f"hq-catalog-{revision}.csv"),
        encoding="utf-8",
        delimiter=";",
        header_line=0,
        headers=list(fields),
        columns=columns,
        _records=records,
    )
    report = import_products(db, journal, table, config, create_groups=True, samples=0)
    return [(r.line, r.reason) for r in report.rejected]


def _apply_campaigns(
    db: SqliteDatabase, journal: Journal, rows: Collection[Row]
) -> list[tuple[int, str]]:
    """Each row checked and written on its own (a campaign this till already has, or one naming
    a product it lacks, is rejected; the rest are written)."""
    rejected: list[tuple[int, str]] = []
    for number, row in enumerate(rows, start=1):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(CAMPAIGN_FIELDS)
        writer.writerow([str(row.get(key, "")) for key in CAMPAIGN_FIELDS])
        try:
            checked = read_campaigns(db, out.getvalue())
        except Refused as refused:
            reason = refused.message.split("\n")[-1]
            rejected.append((number, reason))
            continue
        import_campaigns(db, journal, journal.clock, None, checked)
    return rejected


def _apply_groups(
    db: SqliteDatabase, journal: Journal, rows: Collection[Row]
) -> list[tuple[int, str]]:
    """Groups by code: a new one created, an existing one given the name and SAF-T code (each
    change journaled 13021 MASTERDATA, as an import's groups are)."""
    for row in rows:
        code, name, saft = str(row["code"]), str(row["name"]), str(row["saft_group"])
        found = db.execute_sql(
            "SELECT id, name, saft_group FROM product_group WHERE code = ?", (code,)
        ).fetchone()
        if found is None:
            db.execute_sql(
                "INSERT INTO product_group (code, name, saft_group) VALUES (?, ?, ?)",
                (code, name, saft),
            )
            journal.write(
                Event.MASTER_DATA, action="add_group", group=code, name=name, saft_group=saft
            )
            continue
        gid, old_name, old_saft = found
        if (old_name, old_saft) == (name, saft):
            continue
        db.execute_sql(
            "UPDATE product_group SET name = ?, saft_group = ? WHERE id = ?", (name, saft, gid)
        )
        changed = {}
        if old_name != name:
            changed["name"] = [old_name, name]
        if old_saft != saft:
            changed["saft_group"] = [old_saft, saft]
        journal.write(Event.MASTER_DATA, action="group", group=code, changed=changed)
    return []


def _apply_deposits(
    db: SqliteDatabase, journal: Journal, rows: Collection[Row]
) -> list[tuple[int, str]]:
    """Deposit types by code, added or changed as `kassa deposits add|set` does (journaled the
    same way); one the till refuses (its pant product's PLU taken) is rejected."""
    from kassa_tui.catalog.deposits import add_type, change_type, deposit_types

    have = {kind.code: kind for kind in deposit_types(db)}
    rejected: list[tuple[int, str]] = []
    for number, row in enumerate(rows, start=1):
        code, name, account = str(row["code"]), str(row["name"]), str(row["account"])
        amount = int(row["amount_ore"])
        vat = int(row["vat_bp"]) if str(row.get("vat_bp", "")) else None
        old = have.get(code)
        try:
            with db.atomic():
                if old is None:
                    kind = add_type(db, code, name, amount, vat, account)
                    journal.write(
                        Event.MASTER_DATA,
                        deposit_type=kind.code,
                        name=kind.name,
                        amount=kind.amount_ore,
                        vat_bp=kind.vat_bp,
                        account=kind.account,
                    )
                    continue
                before = [old.name, old.amount_ore, old.vat_bp, old.account]
                if before == [name, amount, vat, account]:
                    continue
                kind = change_type(
                    db, code, amount_ore=amount, vat_bp=vat, account=account, name=name
                )
                journal.write(
                    Event.MASTER_DATA,
                    deposit_type=kind.code,
                    before=before,
                    after=[kind.name, kind.amount_ore, kind.vat_bp, kind.account],
                )
        except Refused as refused:
            rejected.append((number, refused.message))
    return rejected


# -- the § 2-7 anchor and one round of `kassa sync` -------------------------------------------


@dataclass(frozen=True)
class Anchor:
    hq_seq: int
    hq_hash: str
    problem: str | None


def check_against_hq(conn: Connection[Any], db: SqliteDatabase, register_id: str) -> Anchor:
    """The till's journal against HQ's last seq/hash for this register (§ 2-7): the local row
    at that seq must exist and carry that hash. None as problem when it does."""
    found = conn.execute("SELECT last_seq, last_hash FROM hq_anchor(%s)", (register_id,)).fetchone()
    if found is None:
        return Anchor(
            0, GENESIS, _("HQ does not know register {register}").format(register=register_id)
        )
    hq_seq, hq_hash = int(found[0]), str(found[1])
    if hq_seq == 0:
        return Anchor(0, hq_hash, None)
    local = db.execute_sql(
        "SELECT hash FROM journal WHERE register_id = ? AND seq = ?", (register_id, hq_seq)
    ).fetchone()
    head = db.execute_sql(
        "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE register_id = ?", (register_id,)
    ).fetchone()[0]
    if local is None:
        problem = _(
            "HQ holds register {register}'s journal up to {hq}, this till's ends at {head}:"
            " it was rolled back (restored from an old copy?)"
        ).format(register=register_id, hq=hq_seq, head=head)
        return Anchor(hq_seq, hq_hash, problem)
    if local[0] != hq_hash:
        problem = _(
            "this till's journal row {seq} is not the one HQ holds: the journal no longer"
            " extends what HQ has (rewritten or restored from another copy)"
        ).format(seq=hq_seq)
        return Anchor(hq_seq, hq_hash, problem)
    return Anchor(hq_seq, hq_hash, None)


@dataclass(frozen=True)
class CatalogRound:
    ok: bool
    revision: int  # the catalog revision the till sells on now
    applied: list[Applied]
    message: str


def catalog_round(
    db: SqliteDatabase,
    journal: Journal,
    config: Config,
    connect: Callable[[], Connection[Any]],
    *,
    max_rows: int | None = None,
) -> CatalogRound:
    """After the push: the journal checked against HQ's anchor, then the catalog pulled. HQ
    unreachable or answering wrongly changes nothing: the till sells on the revision it has."""
    register_id = journal.register_id
    try:
        conn = connect()
    except psycopg.Error as exc:
        return CatalogRound(False, applied_revision(db), [], _offline(db, exc))
    try:
        anchor = check_against_hq(conn, db, register_id)
        learn(db, conn, register_id)  # HQ's shop for this register (kassa_tui.sync.shop_check)
        result = pull(conn, db, journal, config, max_rows=max_rows)
    except psycopg.Error as exc:
        return CatalogRound(False, applied_revision(db), [], _offline(db, exc))
    except Refused as exc:
        return CatalogRound(False, applied_revision(db), [], exc.message)
    finally:
        conn.close()
    if anchor.problem is not None:
        return CatalogRound(False, result.after, result.applied, anchor.problem)
    message = _("Catalog revision {revision} ({n} applied now).").format(
        revision=result.after, n=len(result.applied)
    )
    return CatalogRound(True, result.after, result.applied, message)


def _offline(db: SqliteDatabase, exc: Exception) -> str:
    error = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return _(
        "HQ's catalog cannot be reached ({error}); the till sells on catalog revision {revision}"
    ).format(error=error, revision=applied_revision(db))


#: The largest revision the running till applies by itself, beside the cashier (a few hundred
#: milliseconds of the database's write lock); a larger one waits for `kassa sync`.
BACKGROUND_MAX_ROWS = 2000


def background_round(
    db: SqliteDatabase, config: Config, clock: Clock, connect: Callable[[], Connection[Any]]
) -> CatalogRound:
    """The running till's catalog round, after its background push (kassa_tui.sync.status):
    on the worker's own connection, small revisions only; logged, never raised."""
    journal = Journal(db, config.register_id, clock)
    done = catalog_round(db, journal, config, connect, max_rows=BACKGROUND_MAX_ROWS)
    if done.applied:
        log.info("catalog: %s", done.message)
    elif not done.ok:
        log.warning("catalog: %s", done.message)
    return done
