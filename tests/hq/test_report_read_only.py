"""`kassa hq report …` on a read-only HQ database (a streaming standby) says so in one line
(issue 15, operations): the reports' day-total rollup writes, and on a standby that failed with
a traceback. `default_transaction_read_only = on` for the test's own database reproduces what
a hot standby answers (SQLSTATE 25006, read_only_sql_transaction); the primary's reports are
unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from psycopg.conninfo import conninfo_to_dict

from kassa_tui.cli import main
from kassa_tui.core import i18n
from kassa_tui.people import users
from tests.unit.conftest import ROMME, TOOTHPASTE

from .test_verify import Shop

KINDS = ["sales", "products", "stock", "transfers", "pairs"]
MESSAGE = "HQ's database is read-only here (a standby?): run the report on the primary"


@pytest.fixture(autouse=True)
def _fast_pins_in_english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "SCRYPT_N", 2**8)
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def pushed(hq_dsn: str, tmp_path: Path) -> Iterator[Path]:
    """HQ with two sales pushed, not yet rolled up by any report; the till's kassa.toml (its
    language: English)."""
    shop = Shop(hq_dsn, tmp_path)
    shop.sell(ROMME, ROMME, TOOTHPASTE)
    shop.sell(TOOTHPASTE, ROMME)
    assert shop.push() == "ok"
    shop.till.db.close()
    shop.hq.close()
    yield shop.config_path


def _read_only(hq_dsn: str) -> None:
    import psycopg

    name = conninfo_to_dict(hq_dsn)["dbname"]
    with psycopg.connect(hq_dsn, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')


def _report(toml: Path, hq_dsn: str, kind: str) -> Result:
    args = ["--config", str(toml), "hq", "report", kind, "--from", "2026-11-27", "--dsn", hq_dsn]
    return CliRunner().invoke(main, args)


def test_every_report_on_a_read_only_hq_says_run_it_on_the_primary(
    pushed: Path, hq_dsn: str
) -> None:
    _read_only(hq_dsn)
    for kind in KINDS:
        result = _report(pushed, hq_dsn, kind)
        assert result.exit_code == 1, (kind, result.output)
        assert result.output == f"kassa: {MESSAGE}\n", kind
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit), kind

    # in the till's language (kassa.toml's [ui] language)
    text = pushed.read_text(encoding="utf-8")
    for language, words in (("nb", "skrivebeskyttet"), ("nn", "skriveverna")):
        toml = pushed.with_name(f"kassa-{language}.toml")
        toml.write_text(text.replace('language = "en"', f'language = "{language}"'))
        result = _report(toml, hq_dsn, "sales")
        assert result.exit_code == 1, result.output
        assert words in result.output and MESSAGE not in result.output, result.output
        assert len(result.output.splitlines()) == 1


def test_the_reports_on_the_primary_still_print(pushed: Path, hq_dsn: str) -> None:
    result = _report(pushed, hq_dsn, "sales")
    assert result.exit_code == 0, result.output
    assert "OSLO1" in result.output and "read-only" not in result.output
