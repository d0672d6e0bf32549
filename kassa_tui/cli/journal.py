"""`kassa journal show|verify`: the electronic journal, read and checked."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import N_, Group, config_of, friendly
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    from kassa_tui.composition import Till


@click.group(cls=Group, help=N_("The electronic journal."))
def journal() -> None:
    pass


@journal.command(
    "show",
    help=N_("Print the journal, oldest first: sequence, date and time, event, user, details."),
)
@click.option("--from", "from_date", help=N_("First local date, YYYY-MM-DD."))
@click.option("--to", "to_date", help=N_("Last local date, YYYY-MM-DD."))
@click.option(
    "--type",
    "kinds",
    multiple=True,
    help=N_("Event code (13008) or kassa's name for it (LINEDELETE); repeatable."),
)
@click.pass_context
@friendly
def journal_show(
    ctx: click.Context, from_date: str | None, to_date: str | None, kinds: tuple[str, ...]
) -> None:
    from kassa_tui.composition import open_till
    from kassa_tui.records.journal import read_rows

    for text, label in ((from_date, "--from"), (to_date, "--to")):
        if text is not None and not _is_date(text):
            raise click.BadParameter(
                _("{text} is not a date (YYYY-MM-DD)").format(text=repr(text)), param_hint=label
            )
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission

    till = open_till(config_of(ctx))
    authenticate(till, Permission.EXPORT)
    wanted = {kind.upper() for kind in kinds}
    seq, day, time, event, user, details = (
        _("Seq"),
        _("Date"),
        _("Time"),
        _("Event"),
        _("User"),
        _("Details"),
    )
    header = f"{seq:>7} {day:<10} {time:<8} {event:<19} {user:<9} {details}"
    headed = False
    for row in read_rows(till.db, till.config.register_id, from_date, to_date):
        if wanted and row.event_code not in wanted and row.basic_id not in wanted:
            continue
        if not headed:  # no rows, no output: a script can test for empty
            click.echo(header)
            headed = True
        user = (
            _("user {number}").format(number=row.user_number) if row.user_number is not None else ""
        )
        click.echo(
            f"{row.seq:>7} {row.local_date} {row.local_time} {row.event_code}"
            f" {row.basic_id:<13} {user:<9} {row.text}".rstrip()
        )


def _is_xml(path: Path) -> bool:
    """A SAF-T file (XML) rather than a backup (SQLite)."""
    try:
        with path.open("rb") as file:
            start = file.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return start.startswith(b"<")


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


@journal.command(
    "verify",
    help=N_(
        "Check the journal's hash chain, the sales' signature chain and the records "
        "against the journal (sales, lines, payments, counters, Z reports); names what "
        "is wrong, exits 1."
    ),
)
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help=N_(
        "Check the sales' signatures with this PEM public key (default: the configured key's)."
    ),
)
@click.option(
    "--against",
    "heads",
    multiple=True,
    metavar="SEQ:HASH|BACKUP|SAFT-FILE",
    help=N_(
        "A journal head as printed on an X or Z report (Kontrollspor): the journal must"
        " still hold that row with that hash. As Z<number>=SEQ:HASH, that Z's journal row must"
        " also record it. Or a backup file (kassa backup; decrypted): the journal must hold every"
        " one of its journal rows unchanged. Or a SAF-T export (with its .head file beside it):"
        " the journal must still hold the head recorded at the export. Repeatable."
    ),
)
@click.option(
    "--against-hq",
    is_flag=True,
    help=N_(
        "Also the head office's last row of this register ([hq] in kassa.toml): the journal"
        " must still hold it with HQ's hash."
    ),
)
@click.pass_context
@friendly
def journal_verify(
    ctx: click.Context, public_key: str | None, heads: tuple[str, ...], against_hq: bool
) -> None:
    from dataclasses import replace

    from kassa_tui.composition import open_till
    from kassa_tui.records.anchors import (
        BackupJournal,
        check_export_row,
        check_extends,
        check_head,
        check_z_head,
        parse_anchor,
    )
    from kassa_tui.records.audit import audit
    from kassa_tui.records.keyring import public_keys
    from kassa_tui.records.signing import chain_rows, verify_chain, verify_chain_by_version
    from kassa_tui.saft.export import read_ends, read_heads

    anchors: list[tuple[int | None, int, str]] = []
    files: list[BackupJournal] = []
    saft_files: list[tuple[Path, dict[str, tuple[int, str]]]] = []
    saft_ends: dict[Path, dict[str, tuple[int, str] | None] | None] = {}
    for text in heads:
        try:
            if Path(text).is_file() and _is_xml(Path(text)):
                saft_files.append((Path(text), read_heads(Path(text))))
                saft_ends[Path(text)] = read_ends(Path(text))
            elif Path(text).is_file():
                files.append(BackupJournal(Path(text)))
            else:
                anchors.append(parse_anchor(text))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--against") from None
    config = config_of(ctx)
    pem = Path(public_key).read_bytes() if public_key else None
    # The stored public keys check the sales; the private key is only compared with them.
    till = open_till(replace(config, signing=replace(config.signing, enabled=False)))
    intact = True
    bad = till.journal.verify()
    if bad is not None:
        click.echo(
            "kassa: " + _("journal row {seq} was altered or removed").format(seq=bad), err=True
        )
        intact = False
    else:
        click.echo(_("Journal intact: {rows} rows").format(rows=len(till.journal.rows())))
    for z_nr, seq, digest in anchors:
        wrong = check_head(till.db, config.register_id, seq, digest)
        if wrong is None and z_nr is not None:
            wrong = check_z_head(till.db, config.register_id, z_nr, seq, digest)
        if wrong is not None:
            click.echo(f"kassa: {wrong}", err=True)
            intact = False
        elif bad is None:
            click.echo(_("Journal holds the printed head {head}").format(head=f"{seq}:{digest}"))
    for backup in files:
        if not backup.registers():
            click.echo(
                "kassa: "
                + _("the backup {path} holds no journal rows to check against").format(
                    path=backup.path
                ),
                err=True,
            )
            intact = False
    # A backup holds the journal itself (read row by row), a SAF-T export only its head.
    extended: list[tuple[Path, dict[str, Iterable[tuple[int, str]]], bool]] = [
        (backup.path, {r: backup.rows(r) for r in backup.registers()}, True) for backup in files
    ]
    extended += [(path, {r: [h] for r, h in rec.items()}, False) for path, rec in saft_files]
    for path, journals, is_backup in extended:
        for register, held in journals.items():
            what = "the backup" if is_backup else "the SAF-T export"
            extension = check_extends(till.db, register, held, f"{what} {path.name}")
            if extension.problem is not None:
                click.echo(f"kassa: {extension.problem}", err=True)
                intact = False
            elif bad is None:
                seq, digest = extension.head
                head = f"{seq}:{digest[:16]}"
                if is_backup:
                    said = _(
                        "Journal of register {register} extends the backup {name}"
                        " ({rows} rows, head {head})"
                    )
                else:
                    said = _(
                        "Journal of register {register} holds the head of the SAF-T export"
                        " {name} ({head})"
                    )
                click.echo(
                    said.format(register=register, name=path.name, rows=extension.rows, head=head)
                )
    for backup in files:
        backup.close()
    # The .head beside a SAF-T export and the export's own journal row must agree.
    for path, recorded in saft_files:
        wrong = check_export_row(till.db, path.name, recorded, saft_ends[path])
        if wrong is not None:
            click.echo(f"kassa: {wrong}", err=True)
            intact = False
    rows = chain_rows(till.db, config.register_id)
    keys = public_keys(till.db)
    if pem is not None:  # an auditor's copy: one public key for every sale
        bad_nr = verify_chain(rows, pem)
        unknown: dict[str, list[str]] = {}
    elif not keys and not config.signing.enabled:
        bad_nr = None
        click.echo(_("Signatures not checked: signing is off in kassa.toml (or give --public-key)"))
    elif not keys and not rows:
        bad_nr = None
        click.echo(_("Signatures not checked: no signing key is registered (or give --public-key)"))
    else:
        checked = verify_chain_by_version(rows, keys)
        bad_nr, unknown = checked.bad_nr, checked.unknown
    if bad_nr is not None:
        click.echo(
            "kassa: "
            + _(
                "the signature of receipt {receipt} does not verify: the sale was altered"
                " or removed, or signed with another key"
            ).format(receipt=bad_nr),
            err=True,
        )
        intact = False
    for version, receipts in unknown.items():
        click.echo(
            "kassa: "
            + _(
                "key version {version} is not registered: the signatures of {count} sales"
                " (receipts {first}–{last}) cannot be checked"
            ).format(
                version=version or _("(none)"),
                count=len(receipts),
                first=receipts[0],
                last=receipts[-1],
            ),
            err=True,
        )
        intact = False
    if bad_nr is None and not unknown and (pem is not None or keys):
        click.echo(_("Signatures intact: {count} sales").format(count=len(rows)))
    if pem is None and config.signing.enabled and config.signing.key_file is not None:
        problem = _key_file_problem(till, config.signing.key_file, config.signing.key_version)
        if problem is not None:
            click.echo(f"kassa: {problem}", err=True)
            intact = False
    found = audit(till.db, config.register_id)
    for problem in found.problems[:_SHOWN]:
        click.echo(f"kassa: {problem}", err=True)
    if len(found.problems) > _SHOWN:
        click.echo(
            "kassa: " + _("… and {count} more").format(count=len(found.problems) - _SHOWN),
            err=True,
        )
    if found.problems:
        intact = False
    else:
        click.echo(
            _(
                "Records agree with the journal: {transactions} transactions, {z_reports} Z"
                " reports, counters"
            ).format(transactions=found.transactions, z_reports=found.z_reports)
        )
    if against_hq:
        from kassa_tui.cli.hq_catalog import journal_against_hq

        intact = journal_against_hq(till) and intact
    if not intact:
        sys.exit(1)


def _key_file_problem(till: Till, key_file: Path, first_version: str) -> str | None:
    """What is wrong with the key the till would sign with, measured against the registered
    keys; None when it is the newest one (or cannot be read by this user)."""
    from kassa_tui.core.errors import Stopped
    from kassa_tui.records.keyring import refuse, registered
    from kassa_tui.records.signing import Signer

    try:
        signer = Signer.load(key_file, first_version)
    except Stopped:
        return None  # the till says why when it starts
    keys = registered(till.db)
    if not keys:
        return None  # the till's next start registers it
    refusal = refuse(keys, signer, key_file)
    if refusal is None:
        return None
    return _("{problem}; the till refuses to sign with it").format(problem=refusal)


#: Problems named one by one; a wholesale rewrite would otherwise scroll for pages.
_SHOWN = 20
