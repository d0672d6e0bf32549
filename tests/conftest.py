"""Shared by every test folder."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.still import no_blinking

Before = Callable[[Any], Awaitable[None] | None]


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool]) -> Callable[..., bool]:
    """pytest-textual-snapshot's `snap_compare`, with `no_blinking` after the test's own
    steps, so no snapshot test can forget it."""

    def compare(app: Any, *args: Any, run_before: Before | None = None, **kwargs: Any) -> bool:
        async def before(pilot: Any) -> None:
            if run_before is not None:
                done = run_before(pilot)
                if done is not None:
                    await done
            await no_blinking(pilot)

        return snap_compare(app, *args, run_before=before, **kwargs)

    return compare
