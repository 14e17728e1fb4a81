"""Retention periods: from the pack, shortened but never lengthened by an organisation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from fairscreen.retention.policy import RetentionPolicy, hold_in_force
from fairscreen.shared.errors import ValidationFailed

PACK = {"not_hired": 180, "hired_after_end": 30, "abandoned_without_consent": 30}
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_rejected_candidates_data_goes_180_days_after_decision() -> None:
    policy = RetentionPolicy.from_pack(PACK)
    assert policy.due_after_decision("reject", NOW, None) == NOW + timedelta(days=180)


def test_hired_candidates_data_goes_30_days_after_employment_ends() -> None:
    policy = RetentionPolicy.from_pack(PACK)
    assert policy.due_after_decision("hire", NOW, None) is None
    due = policy.due_after_decision("hire", NOW, date(2028, 1, 31))
    assert due == datetime(2028, 3, 1, tzinfo=UTC)


def test_an_organisation_may_shorten_but_never_lengthen() -> None:
    assert RetentionPolicy.from_pack(PACK, {"not_hired": 90}).not_hired == 90
    with pytest.raises(ValidationFailed):
        RetentionPolicy.from_pack(PACK, {"not_hired": 365})
    with pytest.raises(ValidationFailed):
        RetentionPolicy.from_pack(PACK, {"forever": 1})


def test_a_hold_is_in_force_until_released_or_ended() -> None:
    assert hold_in_force(None, None, NOW)
    assert hold_in_force(NOW + timedelta(days=1), None, NOW)
    assert not hold_in_force(NOW - timedelta(days=1), None, NOW)
    assert not hold_in_force(None, NOW, NOW)
