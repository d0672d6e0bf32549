"""`kassa hq …`: the head office's PostgreSQL, run by its technician (not on a till).

`init` creates or upgrades HQ's schema and base roles; `register add` gives a till its own
login role and prints what the till's kassa.toml needs; `status` shows, per register, what HQ
has received. The DSN (`--dsn` or $KASSA_HQ_DSN) is an owner's: libpq's usual ways to give the
password apply (~/.pgpass, $PGPASSWORD, a service file).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kassa_tui.cli.base import N_, Group, bad_input, friendly
from kassa_tui.core.i18n import _

if TYPE_CHECKING:
    import psycopg

    from kassa_tui.hq import admin

DSN_HELP = N_("HQ's database as a libpq connection string (default: $KASSA_HQ_DSN).")


def _connect(dsn: str | None) -> psycopg.Connection[Any]:
    import psycopg

    dsn = dsn or os.environ.get("KASSA_HQ_DSN")
    if not dsn:
        bad_input(_("no HQ database given: use --dsn or set KASSA_HQ_DSN"))
    try:
        return psycopg.connect(dsn, connect_timeout=10)
    except psycopg.Error as exc:
        click.echo(
            "kassa: " + _("cannot reach HQ's database: {error}").format(error=str(exc).strip()),
            err=True,
        )
        sys.exit(1)


def _refused(exc: Exception) -> None:
    click.echo(f"kassa: {exc}", err=True)
    sys.exit(1)


@click.group(cls=Group, help=N_("The head office's PostgreSQL: schema, registers, status."))
def hq() -> None:
    pass


def till_table(where: str, creds: admin.Credentials, sslmode: str) -> str:
    """The `[hq]` table of the till's kassa.toml (TOML: not translated)."""
    dsn = f"{where} dbname={creds.dbname} user={creds.role} sslmode={sslmode}"
    tls = 'certificate = "hq.crt"' if sslmode == "verify-full" else "tls = false"
    return "\n".join(("[hq]", f"dsn = {json.dumps(dsn)}", 'password_file = "hq-password"', tls))


@hq.command("init", help=N_("Create or upgrade HQ's schema and base roles (run again: no-op)."))
@click.option("--dsn", default=None, help=DSN_HELP)
@friendly
def hq_init(dsn: str | None) -> None:
    from kassa_tui.hq import migrations

    with _connect(dsn) as conn:
        done = migrations.upgrade(conn)
        version = max(migrations.applied(conn), default=0)
    if done:
        click.echo(_("Applied: {names}.").format(names=", ".join(done)))
    click.echo(_("HQ's schema is at version {version}.").format(version=f"{version:04d}"))


@hq.group("register", cls=Group, help=N_("The registers (tills) that push to HQ."))
def hq_register() -> None:
    pass


@hq_register.command(
    "add",
    help=N_(
        "Add REGISTER (the till's [register] id) to SHOP with a login role of its own that may "
        "only push its journal and read the catalog; prints the till's [hq] table. The "
        "password goes to --password-file (mode 0600), else it is printed once."
    ),
)
@click.argument("register")
@click.option("--shop", required=True, help=N_("The shop the register sells in."))
@click.option("--dsn", default=None, help=DSN_HELP)
@click.option("--host", default=None, help=N_("HQ's address as the till reaches it."))
@click.option("--port", type=int, default=None, help=N_("HQ's port as the till reaches it."))
@click.option(
    "--sslmode",
    type=click.Choice(["verify-full", "disable"]),
    default="verify-full",
    show_default=True,
    help=N_(
        "verify-full: the till speaks TLS and checks HQ's certificate and name; disable: a"
        " plain connection (a lab; the till's table says tls = false)."
    ),
)
@click.option(
    "--certificate",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help=N_("HQ's TLS certificate (PEM) to give the till (default: the server's ssl_cert_file)."),
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Write the role's password to this new file (copy it to the till)."),
)
@friendly
def hq_register_add(
    register: str,
    shop: str,
    dsn: str | None,
    host: str | None,
    port: int | None,
    sslmode: str,
    certificate: Path | None,
    password_file: Path | None,
) -> None:
    from kassa_tui.hq import admin

    if password_file is not None and password_file.exists():
        bad_input(_("{path} already exists; not overwriting it").format(path=password_file))
    pem = ""
    if certificate is not None and sslmode == "verify-full":
        pem = certificate.read_text(encoding="ascii", errors="replace")
        if "-----BEGIN CERTIFICATE-----" not in pem:
            bad_input(_("{path} holds no PEM certificate").format(path=certificate))
    with _connect(dsn) as conn:
        info = conn.info
        try:
            if sslmode == "verify-full" and not pem:  # before the register: nothing half done
                pem = admin.server_certificate(conn)
            creds = admin.add_register(conn, register, shop)
        except admin.HqRefused as exc:
            _refused(exc)
            return
        host = host or info.host
        port = port or info.port
    if password_file is not None:
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(creds.password + "\n")
    click.echo(_("# For the till {register}'s kassa.toml:").format(register=creds.register_id))
    click.echo(till_table(f"host={host} port={port}", creds, sslmode))
    click.echo(  # the till's own shop id must be HQ's (kassa_tui.stock.own_shop)
        _(
            '# Under [shop]: shop_id = "{shop}", or none (the till then takes HQ\'s); another'
            " id refuses transfers."
        ).format(shop=creds.shop_id)
    )
    if pem:
        click.echo(_("# HQ's TLS certificate: put it in hq.crt beside kassa.toml:"))
        click.echo(pem.strip())
    if password_file is None:
        click.echo(_("# The password (put it alone in hq-password beside kassa.toml, mode 0600):"))
        click.echo(creds.password)
    else:
        click.echo(
            _(
                "# The password is in {path}: copy it to hq-password beside kassa.toml, mode 0600."
            ).format(path=password_file)
        )


@hq_register.command(
    "clear-fork",
    help=N_(
        "A technician has looked at REGISTER's fork: let it push again. What HQ holds is not "
        "changed; a till whose journal really left HQ's forks again (give it a new register ID)."
    ),
)
@click.argument("register")
@click.option("--dsn", default=None, help=DSN_HELP)
@friendly
def hq_register_clear_fork(register: str, dsn: str | None) -> None:
    from kassa_tui.hq import admin

    with _connect(dsn) as conn:
        try:
            cleared = admin.clear_fork(conn, register, conn.info.user)
        except admin.HqRefused as exc:
            _refused(exc)
            return
    click.echo(_("Fork alarms cleared for {register}: {n}.").format(register=register, n=cleared))


@hq.command(
    "status",
    help=N_(
        "Per register: last seq HQ holds, rows waiting on the till (as of its last contact),"
        " last contact, clock skew, forks and gaps."
    ),
)
@click.option("--dsn", default=None, help=DSN_HELP)
@click.option("--json", "as_json", is_flag=True, help=N_("Print it as JSON."))
@friendly
def hq_status(dsn: str | None, as_json: bool) -> None:
    from kassa_tui.hq import admin

    with _connect(dsn) as conn:
        rows = admin.status(conn)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        return
    shop, register, last, waiting, contact, skew, alarms = (
        _("Shop"),
        _("Register"),
        _("Last seq"),
        _("Waiting"),
        _("Last contact"),
        _("Clock skew"),
        _("Alarms"),
    )
    click.echo(
        f"{shop:<10} {register:<12} {last:>9} {waiting:>7} {contact:<19} {skew:>11}  {alarms}"
    )
    for r in rows:
        contact = r.last_contact.strftime("%Y-%m-%d %H:%M:%S") if r.last_contact else "-"
        skew = f"{r.clock_skew.total_seconds():+.0f} s" if r.clock_skew is not None else "-"
        found = []
        if r.retired_seq is not None:
            found.append(_("RETIRED at {seq}").format(seq=r.retired_seq))
        if r.forked:
            found.append(_("FORK at {seq}").format(seq=r.fork_seq))
        if r.open_gaps:
            found.append(_("gap before {seq}").format(seq=r.open_gaps[0]))
        if r.open_clock_alarms:
            found.append(_("clock"))
        backlog = "-" if r.backlog is None else str(r.backlog)
        click.echo(
            f"{r.shop_id[:10]:<10} {r.register_id[:12]:<12} {r.last_seq:>9} {backlog:>7} "
            f"{contact:<19} {skew:>11}  {', '.join(found) or '-'}"
        )
