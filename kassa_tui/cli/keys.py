"""`kassa keys`: the SAF-T signing key.

A real shop's private key is provisioned by the supplier and never lives in the repository.
`kassa keys generate` makes one for a demo or test shop (and is how a supplier makes theirs);
the public key written beside it is what goes with the RF-1348 declaration.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kassa_tui.cli.base import config_of, friendly
from kassa_tui.config import Config
from kassa_tui.records.signing import generate_key_pair

RF1348_NOTE = (
    "The public key goes with the RF-1348 declaration (the private key never leaves here)."
)


def key_paths(config: Config) -> tuple[Path, Path]:
    """The configured private key file and its public twin; exits 2 when none is configured."""
    private, public = config.signing.key_file, config.signing.public_key_file
    if private is None or public is None:
        click.echo("kassa: signing.key_file: is not set in kassa.toml", err=True)
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
    click.echo(f"Made a demo signing key {private} (public key {public})")


@click.group()
def keys() -> None:
    """The signing key of the SAF-T signature chain."""


@keys.command("generate")
@click.option("--force", is_flag=True, help="Replace an existing key.")
@click.pass_context
@friendly
def keys_generate(ctx: click.Context, force: bool) -> None:
    """Write a new signing key (mode 0600) and its public key.

    The key is 1024-bit RSA, written to signing.key_file; the public key goes beside it as
    <name>.pub.pem.
    """
    config = config_of(ctx)
    private, public = key_paths(config)
    refusal = f"kassa: {private} already exists; a till keeps its key (--force replaces it)"
    if private.exists() and not force:
        click.echo(refusal, err=True)
        sys.exit(1)
    try:
        generate_key_pair(private, public, overwrite=force)
    except FileExistsError:
        click.echo(refusal, err=True)
        sys.exit(1)
    click.echo(f"Private key: {private} (mode 0600: only this user can read it)")
    click.echo(f"Public key: {public}")
    click.echo(RF1348_NOTE)
    if force:
        click.echo(
            "A new key needs a new signing.key_version in kassa.toml and a new RF-1348"
            " declaration; sales signed before stay verifiable only with the old public key."
        )
