"""The house rules that keep the code readable: one clock, no import circles, a light CLI.

import-linter (`make layers`) checks that the rooms point down; these check what it cannot.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("kassa_tui", "screens", "devices")
#: The only module that may ask the operating system what time it is.
CLOCK = REPO / "kassa_tui" / "core" / "clock.py"
#: Calls that read the wall clock. `time.monotonic` is not one (it measures intervals).
WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((REPO / package).rglob("*.py"))


def wall_clock_reads(path: Path) -> list[str]:
    where = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in WALL_CLOCK
        ):
            found.append(f"{where}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_only_the_clock_reads_the_wall_clock() -> None:
    """Time comes from the till's clock (business day, cut-off, frozen in tests), never the OS."""
    reads = [read for path in sources() if path != CLOCK for read in wall_clock_reads(path)]
    assert reads == []


def test_the_wall_clock_check_sees_a_read(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from datetime import datetime\nprint(datetime.now().date())\n")
    assert len(wall_clock_reads(sneaky)) == 1


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or round about (Tarjan's SCC)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_circles() -> None:
    """Imports inside functions count too: a lazy import that hides a circle is still one."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert circles(graph) == []


def test_the_circle_check_sees_a_circle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "loop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from loop import b\n")
    (package / "b.py").write_text("from loop import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert circles(grimp.build_graph("loop", cache_dir=None)) == [["loop.a", "loop.b"]]


@pytest.mark.parametrize("args", [["--help"], ["report", "x", "--help"], ["journal", "--help"]])
def test_the_technicians_commands_load_no_user_interface(args: list[str]) -> None:
    """`kassa …` over SSH must not pay for Textual or the screens (as harlequin checks)."""
    script = (
        "import json, sys\n"
        "from kassa_tui.cli import main\n"
        "try:\n"
        f"    main({args!r}, standalone_mode=False)\n"
        "finally:\n"
        "    print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert "[OPTIONS]" in done.stdout  # the usage line, in the language of ./kassa.toml
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert [m for m in loaded if m.split(".")[0] in ("textual", "screens", "devices")] == []


def test_the_till_starts_without_the_head_office_driver() -> None:
    """psycopg (the head office's driver) costs the till's cold start 65 ms and 10 MB; peewee
    would import it at its own import. The till loads it only when it pushes or pulls."""
    script = (
        "import sys, kassa_tui.app, kassa_tui.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'psycopg2')))\n"
        "import peewee, psycopg\n"
        "assert peewee.sqlite3 is not None and psycopg.connect  # both still usable\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "[]"


def test_every_room_is_in_the_contracts() -> None:
    """A new room (or loose module) in kassa_tui/ must be placed in the layers and, unless it
    is a front end, in the domain's no-Textual contract: nothing goes unchecked by omission."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}
    layers = next(c for c in contracts.values() if c["type"] == "layers")
    layered = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    domain = next(c for c in contracts.values() if "textual" in c.get("forbidden_modules", []))
    front_ends = {"kassa_tui.app", "kassa_tui.cli"}
    rooms = {
        f"kassa_tui.{path.stem if path.suffix else path.name}"
        for path in (REPO / "kassa_tui").iterdir()
        if (path.suffix == ".py" and not path.stem.startswith("__"))
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert rooms - layered == set()
    assert rooms - front_ends - set(domain["source_modules"]) == set()
