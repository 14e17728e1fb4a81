"""The case lifecycle as a state machine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairscreen.cases.policy import STATUSES, TRANSITIONS, can, next_status
from fairscreen.shared.errors import InvalidState


def test_happy_path_reaches_destroyed() -> None:
    status = "draft"
    for command in ("invite", "sign_consent", "release_report", "decide", "archive", "destroy"):
        status, _ = next_status(status, command)
    assert status == "destroyed"


def test_refusal_and_withdrawal_end_the_check() -> None:
    assert next_status("awaiting_consent", "refuse_consent")[0] == "refused"
    assert next_status("in_progress", "withdraw_consent")[0] == "withdrawn"
    assert next_status("report_released", "withdraw_consent")[0] == "withdrawn"


def test_no_report_before_consent() -> None:
    with pytest.raises(InvalidState) as err:
        next_status("awaiting_consent", "release_report")
    assert err.value.code == "invalid_state"


def test_a_destroyed_case_cannot_move() -> None:
    for command in TRANSITIONS:
        assert not can("destroyed", command)


def test_decision_needs_a_released_report() -> None:
    assert not can("in_progress", "decide")
    assert can("report_released", "decide")


@given(st.lists(st.sampled_from(sorted(TRANSITIONS)), max_size=30))
def test_any_command_sequence_stays_within_known_states(commands: list[str]) -> None:
    status = "draft"
    for command in commands:
        if can(status, command):
            status, event = next_status(status, command)
            assert event
        else:
            with pytest.raises(InvalidState):
                next_status(status, command)
        assert status in STATUSES
