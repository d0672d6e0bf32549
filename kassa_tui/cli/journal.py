"""`kassa journal show|verify`: the electronic journal, read and checked."""

from __future__ import annotations

import sys

import click

from kassa_tui.cli.base import config_of, friendly


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
    metavar="SEQ:HASH",
    help="A journal head as printed on an X or Z report (Kontrollspor): the journal must"
    " still hold that row with that hash. As Z<number>=SEQ:HASH, that Z's journal row must"
    " also record it. Repeatable.",
)
@click.pass_context
@friendly
def journal_verify(ctx: click.Context, public_key: str | None, heads: tuple[str, ...]) -> None:
    """Check the journal's hash chain, the sales' signature chain and the records against the
    journal (sales, lines, payments, counters, Z reports); names what is wrong, exits 1."""
    from dataclasses import replace
    from pathlib import Path

    from kassa_tui.composition import open_till
    from kassa_tui.records.audit import audit, check_head, check_z_head, parse_anchor
    from kassa_tui.records.signing import chain_rows, verify_chain

    anchors: list[tuple[int | None, int, str]] = []
    for text in heads:
        try:
            anchors.append(parse_anchor(text))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--against") from None
    config = config_of(ctx)
    pem = Path(public_key).read_bytes() if public_key else None
    if pem is not None:  # an auditor's copy needs no private key
        config = replace(config, signing=replace(config.signing, enabled=False))
    till = open_till(config)
    if pem is None and till.sales.signer is not None:
        pem = till.sales.signer.public_key_pem()
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
    if pem is None:
        click.echo("Signatures not checked: signing is off in kassa.toml (or give --public-key)")
    else:
        rows = chain_rows(till.db, config.register_id)
        bad_nr = verify_chain(rows, pem)
        if bad_nr is not None:
            click.echo(
                f"kassa: the signature of receipt {bad_nr} does not verify: the sale was altered"
                " or removed, or signed with another key",
                err=True,
            )
            intact = False
        else:
            click.echo(f"Signatures intact: {len(rows)} sales")
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


#: Problems named one by one; a wholesale rewrite would otherwise scroll for pages.
_SHOWN = 20
