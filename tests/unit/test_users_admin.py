"""Lock-out after wrong PINs, and the technician's user administration."""

from __future__ import annotations

import pytest

from kassa_tui.composition import Till
from kassa_tui.core.errors import Refused
from tests.unit.conftest import SteeredTime, journal_events


def technician(till: Till):  # type: ignore[no-untyped-def]
    return till.users.verify("9", "9999", purpose="test")


def test_five_wrong_pins_lock_the_user_and_the_right_pin_is_refused(
    till: Till, time: SteeredTime
) -> None:
    for _ in range(5):
        with pytest.raises(Refused, match="Wrong user number or PIN"):
            till.users.sign_in("1", "0000")
    assert journal_events(till).count("LOGINFAIL") == 5
    assert journal_events(till)[-2:] == ["USERLOCKED", "LOGINFAIL"]
    with pytest.raises(Refused, match="locked until 2026-11-27 12:15"):
        till.users.sign_in("1", "1111")
    # A shift lead still signs in while the cashier is locked.
    assert till.users.sign_in("2", "2222").is_shift_lead
    time.advance(15 * 60 + 1)
    assert till.users.sign_in("1", "1111").number == 1
    assert journal_events(till).count("USERLOCKED") == 2  # the lock and its end


def test_a_right_pin_resets_the_count(till: Till) -> None:
    for _ in range(4):
        with pytest.raises(Refused):
            till.users.sign_in("1", "0000")
    till.users.sign_in("1", "1111")
    for _ in range(4):
        with pytest.raises(Refused, match="Wrong"):
            till.users.sign_in("1", "0000")
    assert till.users.sign_in("1", "1111").number == 1


def test_a_technician_lifts_the_lock(till: Till) -> None:
    for _ in range(5):
        with pytest.raises(Refused):
            till.users.sign_in("1", "0000")
    assert till.users.locked_until(1) is not None
    cashier_locked = till.users.status()[0]
    assert cashier_locked[2] is not None
    with pytest.raises(Refused, match="may not do user administration"):
        till.users.lift_lock(till.users.sign_in("2", "2222"), 1)
    till.users.lift_lock(technician(till), 1)
    assert till.users.locked_until(1) is None
    assert till.users.sign_in("1", "1111").number == 1


def test_changes_are_journaled_without_the_pin(till: Till) -> None:
    tech = technician(till)
    till.users.add(5, "Per", "cashier", "4321", by=tech)
    till.users.set_pin(tech, 5, "8765")
    till.users.set_role(tech, 5, "shift_lead")
    till.users.set_active(tech, 5, False)
    rows = [r for r in till.journal.rows() if r.basic_id == "MASTERDATA"]
    assert len(rows) == 4
    assert all(r.event_code == "13021" for r in rows)
    assert not any("8765" in r.text or "4321" in r.text for r in rows)
    with pytest.raises(Refused, match="Wrong"):
        till.users.sign_in("5", "8765")  # disabled
    till.users.set_active(tech, 5, True)
    assert till.users.sign_in("5", "8765").is_shift_lead


def test_the_last_technician_stays(till: Till) -> None:
    tech = technician(till)
    with pytest.raises(Refused, match="last active technician"):
        till.users.set_active(tech, 9, False)
    with pytest.raises(Refused, match="last active technician"):
        till.users.set_role(tech, 9, "cashier")
    till.users.add(8, "Ny Tekniker", "technician", "8888", by=tech)
    till.users.set_role(tech, 9, "cashier")
    assert [p.role for p in till.users.list() if p.number == 9] == ["cashier"]
