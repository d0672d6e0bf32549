"""`kassa keys`: the SAF-T signing key.

A real shop's private key is provisioned by the supplier and never lives in the repository.
`kassa keys generate` makes one for a demo or test shop (and is how a supplier makes theirs);
the public key written beside it is what goes with the RF-1348 declaration.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kassa_tui.cli.base import N_, Group, config_of, friendly
from kassa_tui.config import Config
from kassa_tui.core.i18n import _
from kassa_tui.records.signing import generate_key_pair


def rf1348_note() -> str:
    return _(
        "The public key goes with the RF-1348 declaration (the private key never leaves here)."
    )


def key_paths(config: Config) -> tuple[Path, Path]:
    """The configured private key file and its public twin; exits 2 when none is configured."""
    private, public = config.signing.key_file, config.signing.public_key_file
    if private is None or public is None:
        click.echo("kassa: " + _("signing.key_file: is not set in kassa.toml"), err=True)
        sys.exit(2)
    return private, public


def make_demo_key(config: Config) -> None:
    """For `kassa init --demo`: a key pair where the config expects one, unless one is there."""
    if not config.signing.enabled:
        return
    private, public = key_paths(config)
    if private.exists():
        return
    generate_key_pair(private, public)
    click.echo(
        _("Made a demo signing key {private} (public key {public})").format(
            private=private, public=public
        )
    )


@click.group(cls=Group, help=N_("The signing key of the SAF-T signature chain."))
def keys() -> None:
    pass


@keys.command(
    "generate",
    help=N_(
        "Write a new signing key (mode 0600) and its public key.\n\n"
        "The key is 1024-bit RSA, written to signing.key_file; the public key goes "
        "beside it as <name>.pub.pem. In a shop that has a database, a technician's "
        "number and PIN are asked for and the new key is registered as the next key "
        "version, journaled; the database keeps every version's public key, so the "
        "sales signed before still verify."
    ),
)
@click.option("--force", is_flag=True, help=N_("Replace an existing key."))
@click.pass_context
@friendly
def keys_generate(ctx: click.Context, force: bool) -> None:
    config = config_of(ctx)
    private, public = key_paths(config)
    refusal = "kassa: " + _(
        "{path} already exists; a till keeps its key (--force replaces it)"
    ).format(path=private)
    if private.exists() and not force:
        click.echo(refusal, err=True)
        sys.exit(1)
    if config.database.exists():
        _rotate(config, private, public, force)
        return
    try:
        generate_key_pair(private, public, overwrite=force)
    except FileExistsError:
        click.echo(refusal, err=True)
        sys.exit(1)
    _key_files(private, public)
    if force:
        click.echo(
            _(
                "A new key needs a new signing.key_version in kassa.toml and a new RF-1348"
                " declaration; sales signed before stay verifiable only with the old public key."
            )
        )


def _key_files(private: Path, public: Path) -> None:
    click.echo(
        _("Private key: {path} (mode 0600: only this user can read it)").format(path=private)
    )
    click.echo(_("Public key: {path}").format(path=public))
    click.echo(rf1348_note())


def _rotate(config: Config, private: Path, public: Path, force: bool) -> None:
    """A shop's new key: the technician's PIN (EXPORT: the key signs what goes to
    Skatteetaten), the next key version registered and journaled, then the files replaced."""
    from dataclasses import replace

    from kassa_tui.cli.auth import authenticate
    from kassa_tui.composition import open_till
    from kassa_tui.core.errors import Stopped
    from kassa_tui.people.permissions import Permission
    from kassa_tui.records import keyring
    from kassa_tui.records.signing import Signer, new_private_key, public_pem_of, write_key_pair

    # The key on disk may be the one being replaced (or unreadable): the till opens without it.
    till = open_till(replace(config, signing=replace(config.signing, enabled=False)))
    try:
        person = authenticate(till, Permission.EXPORT, who=_("Technician's user number"))
        key = new_private_key()
        new_pem = public_pem_of(key)
        with till.db.atomic("IMMEDIATE"):
            if not keyring.registered(till.db):
                # Never registered (signing was off, or the key unreadable since the upgrade):
                # keep the old key's public half so the sales it signed still verify.
                try:
                    old = Signer.load(private, config.signing.key_version)
                except Stopped:
                    old = None
                if old is not None:
                    keyring.register(
                        till.db, till.journal, old.public_key_pem(), old.key_version, person.number
                    )
            version = keyring.next_version(till.db, config.signing.key_version)
            print_ = keyring.register(till.db, till.journal, new_pem, version, person.number)
            try:
                write_key_pair(key, private, public, overwrite=force)
            except FileExistsError:
                raise Stopped(
                    _("{path} already exists; a till keeps its key").format(path=private)
                ) from None
    finally:
        till.db.close()
    click.echo(
        _("Private key: {path} (mode 0600: only this user can read it)").format(path=private)
    )
    click.echo(_("Public key: {path}").format(path=public))
    click.echo(
        _(
            "Key version {version} registered by user {user}, journaled (fingerprint"
            " {fingerprint}). The till signs with it from its next start; the database keeps"
            " every version's public key, so the sales signed before still verify. kassa.toml's"
            " signing.key_version names only the first key: no line to change."
        ).format(version=version, user=person.number, fingerprint=print_)
    )
    click.echo(rf1348_note())
    if force:
        click.echo(_("A new key needs a new RF-1348 declaration."))
