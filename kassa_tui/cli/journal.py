"""`kassa journal show|verify`: the electronic journal, read and checked."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kassa_tui.cli.base import config_of, friendly

if TYPE_CHECKING:
    from kassa_tui.composition import Till


@click.group()
def journal() -> None:
    """The electronic journal."""


@journal.command("show")
@click.option("--from", "from_date", help="First local date, YYYY-MM-DD.")
@click.option("--to", "to_date", help="Last local date, YYYY-MM-DD.")
@click.option(
    "--type",
    "kinds",
    multiple=True,
    help="Event code (13008) or kassa's name for it (LINEDELETE); repeatable.",
)
@click.pass_context
@friendly
def journal_show(
    ctx: click.Context, from_date: str | None, to_date: str | None, kinds: tuple[str, ...]
) -> None:
    """Print the journal, oldest first: sequence, date and time, event, user, details."""
    from kassa_tui.composition import open_till
    from kassa_tui.records.journal import read_rows

    for text, label in ((from_date, "--from"), (to_date, "--to")):
        if text is not None and not _is_date(text):
            raise click.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=label)
    from kassa_tui.cli.auth import authenticate
    from kassa_tui.people.permissions import Permission

    till = open_till(config_of(ctx))
    authenticate(till, Permission.EXPORT)
    wanted = {kind.upper() for kind in kinds}
    for row in read_rows(till.db, till.config.register_id, from_date, to_date):
        if wanted and row.event_code not in wanted and row.basic_id not in wanted:
            continue
        user = f"user {row.user_number}" if row.user_number is not None else ""
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


@journal.command("verify")
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Check the sales' signatures with this PEM public key (default: the configured key's).",
)
@click.option(
    "--against",
    "heads",
    multiple=True,
    metavar="SEQ:HASH|BACKUP|SAFT-FILE",
    help="A journal head as printed on an X or Z report (Kontrollspor): the journal must"
    " still hold that row with that hash. As Z<number>=SEQ:HASH, that Z's journal row must"
    " also record it. Or a backup file (kassa backup; decrypted): the journal must hold every"
    " one of its journal rows unchanged. Or a SAF-T export (with its .head file beside it):"
    " the journal must still hold the head recorded at the export. Repeatable.",
)
@click.pass_context
@friendly
def journal_verify(ctx: click.Context, public_key: str | None, heads: tuple[str, ...]) -> None:
    """Check the journal's hash chain, the sales' signature chain and the records against the
    journal (sales, lines, payments, counters, Z reports); names what is wrong, exits 1."""
    from dataclasses import replace

    from kassa_tui.composition import open_till
    from kassa_tui.records.audit import (
        audit,
        backup_journal,
        check_extends,
        check_head,
        check_z_head,
        parse_anchor,
    )
    from kassa_tui.records.keyring import public_keys
    from kassa_tui.records.signing import chain_rows, verify_chain, verify_chain_by_version
    from kassa_tui.saft.export import read_heads

    anchors: list[tuple[int | None, int, str]] = []
    files: list[tuple[Path, dict[str, list[tuple[int, str]]]]] = []
    saft_files: list[tuple[Path, dict[str, list[tuple[int, str]]]]] = []
    for text in heads:
        try:
            if Path(text).is_file() and _is_xml(Path(text)):
                exported = {r: [h] for r, h in read_heads(Path(text)).items()}
                saft_files.append((Path(text), exported))
            elif Path(text).is_file():
                files.append((Path(text), backup_journal(Path(text))))
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
        click.echo(f"kassa: journal row {bad} was altered or removed", err=True)
        intact = False
    else:
        click.echo(f"Journal intact: {len(till.journal.rows())} rows")
    for z_nr, seq, digest in anchors:
        wrong = check_head(till.db, config.register_id, seq, digest)
        if wrong is None and z_nr is not None:
            wrong = check_z_head(till.db, config.register_id, z_nr, seq, digest)
        if wrong is not None:
            click.echo(f"kassa: {wrong}", err=True)
            intact = False
        elif bad is None:
            click.echo(f"Journal holds the printed head {seq}:{digest}")
    for path, journals in files:
        if not journals:
            click.echo(f"kassa: the backup {path} holds no journal rows to check against", err=True)
            intact = False
    # A backup holds the journal itself, a SAF-T export only its head: both must be extended.
    extended = [(path, journals, "the backup", "extends the backup") for path, journals in files]
    extended += [
        (path, journals, "the SAF-T export", "holds the head of the SAF-T export")
        for path, journals in saft_files
    ]
    for path, journals, what, holds in extended:
        for register, held in journals.items():
            wrong = check_extends(till.db, register, held, f"{what} {path.name}")
            if wrong is not None:
                click.echo(f"kassa: {wrong}", err=True)
                intact = False
            elif bad is None:
                seq, digest = held[-1]
                rows_text = f"{len(held)} rows, head " if what == "the backup" else ""
                click.echo(
                    f"Journal of register {register} {holds} {path.name}"
                    f" ({rows_text}{seq}:{digest[:16]})"
                )
    rows = chain_rows(till.db, config.register_id)
    keys = public_keys(till.db)
    if pem is not None:  # an auditor's copy: one public key for every sale
        bad_nr = verify_chain(rows, pem)
        unknown: dict[str, list[str]] = {}
    elif not keys and not config.signing.enabled:
        bad_nr = None
        click.echo("Signatures not checked: signing is off in kassa.toml (or give --public-key)")
    elif not keys and not rows:
        bad_nr = None
        click.echo("Signatures not checked: no signing key is registered (or give --public-key)")
    else:
        checked = verify_chain_by_version(rows, keys)
        bad_nr, unknown = checked.bad_nr, checked.unknown
    if bad_nr is not None:
        click.echo(
            f"kassa: the signature of receipt {bad_nr} does not verify: the sale was altered"
            " or removed, or signed with another key",
            err=True,
        )
        intact = False
    for version, receipts in unknown.items():
        click.echo(
            f"kassa: key version {version or '(none)'} is not registered: the signatures of"
            f" {len(receipts)} sales (receipts {receipts[0]}–{receipts[-1]}) cannot be checked",
            err=True,
        )
        intact = False
    if bad_nr is None and not unknown and (pem is not None or keys):
        click.echo(f"Signatures intact: {len(rows)} sales")
    if pem is None and config.signing.enabled and config.signing.key_file is not None:
        problem = _key_file_problem(till, config.signing.key_file, config.signing.key_version)
        if problem is not None:
            click.echo(f"kassa: {problem}", err=True)
            intact = False
    found = audit(till.db, config.register_id)
    for problem in found.problems[:_SHOWN]:
        click.echo(f"kassa: {problem}", err=True)
    if len(found.problems) > _SHOWN:
        click.echo(f"kassa: … and {len(found.problems) - _SHOWN} more", err=True)
    if found.problems:
        intact = False
    else:
        click.echo(
            f"Records agree with the journal: {found.transactions} transactions,"
            f" {found.z_reports} Z reports, counters"
        )
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
    return None if refusal is None else f"{refusal}; the till refuses to sign with it"


#: Problems named one by one; a wholesale rewrite would otherwise scroll for pages.
_SHOWN = 20
