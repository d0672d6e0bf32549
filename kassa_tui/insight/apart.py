"""Run one of kassa's figures functions in a child process (issue 16, «Speed»: the till's peak
memory with the insight screen open).

A read of a year of sales takes the process that does it tens of MB up at its peak (SQLite's
sorts, the fetched rows, numpy's temporaries), and glibc keeps much of that heap after. Done in
a child Python (`python -m kassa_tui.insight.apart`), the peak is the child's and goes back to
the system when it ends; the till only holds the result.

`run_apart("kassa_tui.insight.pairs:report_at", args)`: the target and its arguments (and the
till's language) go to the child pickled on its stdin, the result comes back pickled on its
stdout (no file: /tmp may be memory on the till). The figures are the same objects as
in-process. If the child cannot start, ends without a result or raises, the till computes them
itself and logs why (`run_child` alone raises instead: the tests use it to see the child ran).
Only functions of kassa_tui's own modules are run, and their arguments must pickle (a path,
dates, numbers; not a connection or a clock).
"""

from __future__ import annotations

import importlib
import logging
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from kassa_tui.core import i18n

log = logging.getLogger(__name__)

_PACKAGE = "kassa_tui."


class ChildFailed(RuntimeError):
    """The child ended without its result (its stderr's last lines are the message)."""


def resolve(target: str) -> Callable[..., Any]:
    """`"kassa_tui.module:function"` → the function (only kassa_tui's own)."""
    module, _sep, name = target.partition(":")
    if not module.startswith(_PACKAGE) or not name:
        raise ValueError(f"not a kassa_tui function: {target!r}")
    found = getattr(importlib.import_module(module), name)
    if not callable(found):
        raise ValueError(f"not a function: {target!r}")
    return found  # type: ignore[no-any-return]


def run_here(target: str, args: tuple[Any, ...]) -> Any:
    return resolve(target)(*args)


def run_child(target: str, args: tuple[Any, ...]) -> Any:
    """`target(*args)` in a child Python; ChildFailed (or OSError: none could start) if it did
    not give its result."""
    resolve(target)  # a wrong target fails here, not in the child
    request = pickle.dumps((target, args, i18n.language()), protocol=pickle.HIGHEST_PROTOCOL)
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "kassa_tui.insight.apart", target],  # named for ps
            stdin=subprocess.PIPE,  # the request only: never the till's terminal
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert child.stdin is not None and child.stdout is not None
        found: tuple[Any] | None = None
        try:
            try:
                child.stdin.write(request)
                child.stdin.close()
            except BrokenPipeError:
                pass  # the child ended at once: said below
            found = pickle.load(child.stdout)  # our own child wrote it
        except (EOFError, pickle.UnpicklingError):
            pass  # the child ended without its result: said below
        finally:
            child.stdout.close()
            code = child.wait()
        if code == 0 and isinstance(found, tuple) and len(found) == 1:
            return found[0]
        errors.seek(0)
        said = errors.read()[-2000:].decode(errors="replace")
    raise ChildFailed(f"{target} in a child process failed ({code}): {said}")


def run_apart(target: str, args: tuple[Any, ...]) -> Any:
    """`target(*args)` in a child process; computed here (and logged) if the child fails."""
    try:
        return run_child(target, args)
    except (OSError, ChildFailed) as problem:
        log.warning("%s: computed in the till's own process instead: %s", target, problem)
    return run_here(target, args)


def _main() -> None:
    target, args, language = pickle.load(sys.stdin.buffer)  # from our parent
    if sys.argv[1:] != [target]:
        raise SystemExit(f"asked for {target}, named {sys.argv[1:]}")
    i18n.set_language(language)  # texts in the result (a reason) in the till's language
    found = run_here(target, args)
    pickle.dump((found,), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _main()
