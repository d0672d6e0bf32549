"""Where kassa's data files are, in a checkout and after a (non-editable) install."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # kassa_tui/


def data_dir() -> Path:
    """`kassa_tui/data` in an installed wheel, the repository's `data/` in a checkout."""
    installed = _PACKAGE / "data"
    return installed if installed.is_dir() else _PACKAGE.parent / "data"
