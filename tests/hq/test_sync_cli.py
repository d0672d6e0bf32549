"""`kassa sync` and [hq] in kassa.toml: a bad setting is one clear line, nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kassa_tui.cli import main
from kassa_tui.config import ConfigError, load
from tests.unit.conftest import write_config


def _config(tmp_path: Path, hq_table: str) -> Path:
    path = write_config(tmp_path)
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + hq_table)
    return path


def test_a_till_without_hq_is_told_so(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(path), "init", "--demo"]).exit_code == 0
    result = runner.invoke(main, ["--config", str(path), "sync", "--once"])
    assert result.exit_code == 2
    assert "kassa.toml has no [hq] table" in result.output


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('dsn = "host=hq dbname=kassa"\npassword_file = "pw"', "hq.dsn: names no user="),
        ('dsn = "host=hq dbname=k user=r password=x"\npassword_file = "pw"', "password_file"),
        ('dsn = "host=hq dbname=k user=r sslmode=maybe"\npassword_file = "pw"', "sslmode"),
        ('dsn = "host=hq dbname=k user=r"', "hq.password_file: is missing"),
        ('dsn = "host=hq dbname=k user=r"\npassword_file = "pw"\nbatch_size = 0', "batch_size"),
        ('dsn = "host=hq dbname=k user=r"\npassword_file = "pw"\nspeed = 3', "hq.speed: is not"),
    ],
)
def test_a_bad_hq_table_names_its_key(tmp_path: Path, table: str, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load(_config(tmp_path, "[hq]\n" + table + "\n"))
    assert problem in str(refused.value)


def test_an_open_or_missing_password_file_is_one_line(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        '[hq]\ndsn = "host=127.0.0.1 port=1 dbname=k user=r sslmode=disable"\n'
        'password_file = "hq-password"\ntls = false\n',
    )
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(path), "init", "--demo"]).exit_code == 0
    missing = runner.invoke(main, ["--config", str(path), "sync", "--once"])
    assert missing.exit_code == 1 and "hq-password does not exist" in missing.output
    pw = tmp_path / "hq-password"
    pw.write_text("secret\n")
    pw.chmod(0o644)
    open_file = runner.invoke(main, ["--config", str(path), "sync", "--once"])
    assert open_file.exit_code == 1 and "chmod 600" in open_file.output
    pw.chmod(0o600)
    # HQ out of reach: one line, exit 1, and the journal is all still waiting
    down = runner.invoke(main, ["--config", str(path), "sync", "--once"])
    assert down.exit_code == 1 and "HQ cannot be reached" in down.output
