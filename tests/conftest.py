"""Shared by every test folder."""

from __future__ import annotations

import pytest

from kassa_tui.selling.age_check import AgeChecks

#: Test modules written before the sale service itself refused an age limit the cashier has not
#: confirmed (issue 14): they sell Ringnes Pilsner (their usual 25 % product) with the service
#: alone, without the J the sale screen asks for. Their till has that one refusal off; every
#: other test (tests/unit/test_age_at_payment.py, the app's flows) runs with it on. A module
#: leaves this list by confirming the age (`till.baskets.confirm_age(person, 18)`) where it
#: sells beer or tobacco.
SELL_BEER_UNCONFIRMED = {
}


@pytest.fixture(autouse=True)
def _age_check_at_payment(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.module.__name__ in SELL_BEER_UNCONFIRMED:
        monkeypatch.setattr(AgeChecks, "check_age_at_payment", lambda _self, _basket_id: None)
