"""`kassa backup` and `kassa restore`: a checked copy of the database, taken while selling.

`kassa backup DEST [--encrypt-to PUBLIC.pem]` is short for `kassa backup take ...`; a DEST that
is literally named `take` or `decrypt` must be written `./take` or `./decrypt`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kassa_tui.cli.base import N_, Command, Group, bad_input, config_of, friendly
from kassa_tui.core.i18n import _


class _TakeByDefault(Group):
    """`kassa backup DEST` runs `kassa backup take DEST`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["take", *args]
        return super().parse_args(ctx, args)


@click.group(
    cls=_TakeByDefault,
    help=N_("Back up the database (`kassa backup DEST`), or decrypt an encrypted backup."),
)
def backup() -> None:
    pass


def backup_dest(text: str) -> tuple[Path, bool]:
    """DEST as the technician meant it, and whether it is a folder to create: an existing
    folder; a new folder when it ends in `/` (its parent must exist); else a file name, which
    needs an extension (`.db`), so a mistyped or unmounted folder is refused instead of
    becoming a file of that name. Checked before the PIN is asked."""
    dest = Path(text)
    if dest.exists():
        return dest, False
    if text.endswith(("/", os.sep)):
        if not dest.parent.is_dir():
            bad_input(_("{folder}: no such folder").format(folder=dest.parent))
        return dest, True
    if not dest.suffix:
        bad_input(
            _(
                "{dest} does not exist. A folder must exist (or end DEST with / to create it);"
                " a new file's name needs an extension, e.g. {example}."
            ).format(dest=text, example=f"{dest.name}.db")
        )
    return dest, False


@backup.command(
    "take",
    help=N_(
        "Copy the database to DEST (a file, or a folder to name one in), safe while "
        "selling.\n\n"
        "A DEST that does not exist is a new file (its name needs an extension, such as "
        ".db), or a new folder when it ends in / (created; its parent must exist).\n\n"
        "The copy is checked (integrity and journal chain) and deleted if the check "
        "fails. With --encrypt-to, only the encrypted file reaches DEST; the key must "
        "be RSA of 2048 bits or more and not the till's own signing key. A DEST file "
        "that exists is never overwritten."
    ),
)
@click.argument("dest", type=click.Path())
@click.option(
    "--encrypt-to",
    "encrypt_to",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help=N_("Encrypt for this RSA public key (PEM); only its private key can read the backup."),
)
@click.pass_context
@friendly
def backup_take(ctx: click.Context, dest: str, encrypt_to: Path | None) -> None:
    from kassa_tui.cli.auth import authenticate_config
    from kassa_tui.people.permissions import Permission
    from kassa_tui.store.backup import backup_key, take_backup, take_encrypted_backup

    config = config_of(ctx)
    if not config.database.exists():
        click.echo("kassa: " + _("no database at {path}").format(path=config.database), err=True)
        sys.exit(2)
    folder, new_folder = backup_dest(dest)  # as a bad key, refused before the PIN is asked
    pem = encrypt_to.read_bytes() if encrypt_to else None
    if pem is not None:
        backup_key(pem, config.signing)
    authenticate_config(config, Permission.EXPORT)
    if new_folder:
        folder.mkdir(mode=0o700)
    if pem is None:
        path, info = take_backup(config.database, folder, config.register_id)
    else:
        path, info = take_encrypted_backup(
            config.database, folder, config.register_id, pem, signing=config.signing
        )
    click.echo(
        _("Backup written: {path} (schema {schema}, {rows} journal rows, checked)").format(
            path=path, schema=info.schema_version, rows=info.journal_rows
        )
    )


@backup.command("decrypt", help=N_("Decrypt FILE (a .db.enc backup) so it can be restored."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=N_("The RSA private key (PEM, unencrypted) the backup was encrypted for."),
)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(path_type=Path),
    help=N_("Where to write the database (must not exist)."),
)
@friendly
def backup_decrypt(file: Path, key: Path, output: Path) -> None:
    from kassa_tui.store.backup import check_database, decrypt_file

    decrypt_file(file, key.read_bytes(), output)
    info = check_database(output)
    click.echo(
        _("Decrypted: {path} (schema {schema}, {rows} rows)").format(
            path=output, schema=info.schema_version, rows=info.journal_rows
        )
    )


@click.command(
    cls=Command,
    help=N_(
        "Check BACKUP and put it in place of the database (the old one is kept beside "
        "it).\n\n"
        "Refused while any till sells on the database (on any register). The backup's "
        "files (a -wal beside it included) are copied once into a private file beside "
        "the database, which is checked (integrity, journal chain, this register's "
        "signatures, the shop's org number and register) and renamed into place: "
        "exactly what was checked is installed."
    ),
)
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help=N_(
        "Replace the database even if it is newer, or when no signing key can check the backup."
    ),
)
@click.option(
    "--other-shop",
    "other_shop",
    is_flag=True,
    help=N_("Restore a backup of another org number or register (journaled in the database)."),
)
@click.option(
    "--despite-unsent",
    "despite_unsent",
    is_flag=True,
    help=N_(
        "Restore even though journal rows have not reached HQ ([hq] configured; journaled in "
        "the restored database)."
    ),
)
@click.pass_context
@friendly
def restore(
    ctx: click.Context, backup_file: Path, force: bool, other_shop: bool, despite_unsent: bool
) -> None:
    from kassa_tui.cli.auth import authenticate_config
    from kassa_tui.core.errors import Refused
    from kassa_tui.people.permissions import Permission
    from kassa_tui.store.restore import local_time
    from kassa_tui.store.restore import restore as do_restore
    from kassa_tui.sync.unsent import refusal, unsent

    config = config_of(ctx)
    override: dict[str, object] | None = None
    if config.database.exists() and config.database.stat().st_size > 0:
        waiting = unsent(config.database, config.register_id) if config.hq else None
        if waiting is not None and waiting.count and not despite_unsent:
            raise Refused(refusal(waiting, "kassa restore"))  # before the PIN is asked
        # A till that has a database asks its technician; a new machine has nobody to ask.
        person = authenticate_config(config, Permission.EXPORT)
        if waiting is not None and waiting.count:
            override = {**waiting.details(), "user": person.number}
    result = do_restore(
        backup_file,
        config.database,
        config.register_id,
        org_nr=config.org_nr,
        signing=config.signing,
        force=force,
        other_shop=other_shop,
        despite_unsent=override,
    )
    if override is not None:
        click.echo(
            _(
                "Restored with --despite-unsent ({n} rows HQ had not acknowledged); journaled"
            ).format(n=override["unsent"])
        )
    if result.override is not None:
        click.echo(_("Restored with --other-shop ({why}); journaled").format(why=result.override))
    if result.kept is not None:
        click.echo(_("Kept the replaced database as {path}").format(path=result.kept))
    click.echo(
        _("Restored {backup} to {path} ({rows} journal rows, last {last})").format(
            backup=backup_file,
            path=config.database,
            rows=result.info.journal_rows,
            last=local_time(result.info.last_utc),
        )
    )
