"""A command whose reader goes away (`kassa hq report … | head`) ends quietly: no traceback, no
«BrokenPipeError (details in the log file)», exit 1 (as click does for its own output)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

COMMAND = """
import click
from kassa_tui.cli.base import friendly

@click.command()
@friendly
def big() -> None:
    for _ in range(2000):
        click.echo("x" * 1000)

big()
"""


def test_output_into_a_pipe_nobody_reads_ends_without_a_word() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader (head) is gone before the command writes
    try:
        done = subprocess.run(
            [sys.executable, "-c", COMMAND],
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr == b"", done.stderr.decode(errors="replace")
