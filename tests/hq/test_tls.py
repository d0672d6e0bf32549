"""Tills speak TLS to HQ and check its certificate (issue 15: «psycopg 3 over TLS»).

A second throwaway cluster runs with ssl=on and takes TCP connections over TLS only (pg_hba
`hostssl`), with a self-signed certificate for 127.0.0.1 made in the test. `kassa hq register
add` prints HQ's certificate with the till's [hq] table; the till connects with
sslmode=verify-full against it. Another certificate in the till's hq.crt: `kassa sync --once`
says so, the header shows «HQ: TLS!», nothing is sent. A plain connection is refused by the
till's config unless `tls = false` is said, and by HQ (hostssl) anyway.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict

from kassa_tui.cli import main
from kassa_tui.config import load
from kassa_tui.config.table import ConfigError
from kassa_tui.core.clock import Clock
from kassa_tui.people import users
from kassa_tui.sync import link, push
from kassa_tui.sync.status import status_text
from tests.shop import demo_till
from tests.test_cli_backup import sell

from .conftest import PgServer
from .pushing import Hq
from .tls import self_signed


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)


def _add_register(hq_tls_dsn: str, folder: Path) -> tuple[str, str]:
    """`kassa hq init` and `register add` as HQ's technician: (the till's [hq] table, the PEM)."""
    runner = CliRunner()
    env = {"KASSA_HQ_DSN": hq_tls_dsn, "KASSA_CONFIG": str(folder / "none.toml")}
    assert runner.invoke(main, ["hq", "init"], env=env).exit_code == 0
    pw = folder / "hq-password"
    added = runner.invoke(
        main,
        ["hq", "register", "add", "KASSE-1", "--shop", "STORGATA", "--password-file", str(pw)],
        env=env,
    )  # the shop kassa.toml's shop_id names (kassa_tui.stock.own_shop)
    assert added.exit_code == 0, added.output
    out = added.output
    pem = out[out.index("-----BEGIN CERTIFICATE-----") : out.index("-----END CERTIFICATE-----")]
    pem += "-----END CERTIFICATE-----\n"
    table = "\n".join(
        ln for ln in out.splitlines() if ln.startswith(("[hq]", "dsn", "password_file", "cert"))
    )
    return table, pem


@pytest.fixture
def till_folder(tmp_path: Path, hq_tls_dsn: str, pg_tls_server: PgServer) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    demo_till(folder, language='"en"').db.close()
    table, pem = _add_register(hq_tls_dsn, folder)
    assert pg_tls_server.certificate is not None
    assert pem == pg_tls_server.certificate.read_text()  # the server's own certificate
    (folder / "hq.crt").write_text(pem)
    assert 'certificate = "hq.crt"' in table and "sslmode=verify-full" in table
    config = folder / "kassa.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + table + "\n", encoding="utf-8")
    sell(folder, 2)
    return folder


def _sync(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(folder / "kassa.toml"), "sync", "--once"])
    return result.exit_code, result.output


def _at_hq(hq_tls_dsn: str) -> int:
    return int(Hq(hq_tls_dsn).one("SELECT count(*) FROM entry WHERE register_id = 'KASSE-1'"))


def _head(folder: Path) -> int:
    with sqlite3.connect(folder / "var" / "kassa.db") as conn:
        return int(conn.execute("SELECT MAX(seq) FROM journal").fetchone()[0])


def test_a_till_pushes_over_tls_with_verify_full_against_hqs_certificate(
    till_folder: Path, hq_tls_dsn: str
) -> None:
    settings = load(till_folder / "kassa.toml").hq
    assert settings is not None and settings.tls
    with link.connect(settings) as conn:
        assert conn.pgconn.ssl_in_use
        assert conninfo_to_dict(conn.info.dsn)["sslmode"] == "verify-full"
    code, out = _sync(till_folder)
    assert code == 0, out
    head = _head(till_folder)
    assert f"HQ holds register KASSE-1 up to {head}; 0 waiting." in out
    assert _at_hq(hq_tls_dsn) == head


def test_another_certificate_is_a_clear_error_and_nothing_is_sent(
    till_folder: Path, hq_tls_dsn: str
) -> None:
    right = (till_folder / "hq.crt").read_bytes()
    (till_folder / "hq.crt").write_bytes(self_signed()[0])  # same name, another key
    code, out = _sync(till_folder)
    assert code == 1
    assert "HQ's TLS certificate does not match" in out and "hq.crt" in out
    assert "certificate verify failed" in out
    assert _at_hq(hq_tls_dsn) == 0
    config = load(till_folder / "kassa.toml")
    assert config.hq is not None
    till = push.open_own(config.database)
    try:
        state = push.state(till, "KASSE-1")
    finally:
        till.close()
    assert (state.status, state.acked_seq) == ("tls", 0)
    assert status_text(state, config.hq, Clock().now().utc_text) == ("HQ: TLS!", False)
    (till_folder / "hq.crt").write_bytes(right)  # the right certificate back: everything goes
    code, out = _sync(till_folder)
    assert code == 0, out
    assert _at_hq(hq_tls_dsn) == _head(till_folder)


def test_a_plain_connection_needs_tls_false_and_hq_refuses_it_anyway(
    till_folder: Path, hq_tls_dsn: str
) -> None:
    config = till_folder / "kassa.toml"
    text = config.read_text(encoding="utf-8")
    plain = text.replace("sslmode=verify-full", "sslmode=disable")
    config.write_text(plain, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load(config)
    assert "sslmode=disable does not check HQ's certificate" in str(refused.value)
    assert "tls = false" in str(refused.value)
    config.write_text(plain.replace('certificate = "hq.crt"', "tls = false"), encoding="utf-8")
    code, out = _sync(till_folder)
    assert code == 1
    assert "HQ cannot be reached" in out and "no encryption" in out
    assert _at_hq(hq_tls_dsn) == 0


def test_no_certificate_named_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    folder.mkdir()
    demo_till(folder, language='"en"').db.close()
    config = folder / "kassa.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[hq]\ndsn = "host=127.0.0.1 dbname=k user=r"\npassword_file = "pw"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as refused:
        load(config)
    assert "hq.certificate: names no file" in str(refused.value)
    shutil.rmtree(folder)


async def test_the_sale_screen_says_hq_tls_when_the_certificate_is_not_hqs(
    tmp_path: Path, hq_tls_dsn: str, pg_tls_server: PgServer
) -> None:
    """At 80×24: another certificate in hq.crt, the cashier sells on and the top line shows
    «HQ: TLS!» in red; nothing reaches HQ."""
    from dataclasses import replace

    from textual.widgets import Label

    from devices.printer import MemoryPrinter
    from kassa_tui.app import KassaApp
    from kassa_tui.core import i18n
    from tests.app.screen_text import screen_text
    from tests.app.test_sale_flow import scan, sign_in
    from tests.shop import SteppingClock

    from .pushing import make_hq, make_till

    hq = make_hq(hq_tls_dsn)
    till = make_till(tmp_path / "till", SteppingClock(), "KASSE-1")
    i18n.set_language("en")
    wrong = tmp_path / "till" / "hq.crt"
    wrong.write_bytes(self_signed()[0])
    plain = hq.add("KASSE-1", "OSLO1", tmp_path / "till")
    settings = replace(
        plain,
        dsn=plain.dsn.replace(" sslmode=disable", ""),
        tls=True,
        certificate=wrong,
        interval_seconds=3600,
    )
    till = replace(till, config=replace(till.config, hq=settings))
    try:
        app = KassaApp(till, MemoryPrinter())
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await scan(pilot, "7020164760728")
            await pilot.press("f10", "enter")
            await pilot.pause()
            app.push_to_hq()
            await app.workers.wait_for_complete()
            await pilot.pause()
            label = app.screen.query_one("#sale-sync", Label)
            assert str(label.render()) == "HQ: TLS!"
            assert label.has_class("error")
            assert "HQ: TLS!" in screen_text(app).splitlines()[0]
        assert hq.one("SELECT count(*) FROM entry") == 0
    finally:
        till.db.close()
