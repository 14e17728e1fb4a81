"""The one collection check: findings, sources and evidence are refused by the same rule."""

from __future__ import annotations

import pytest

from fairscreen.cases.policy import COLLECTING, STATUSES
from fairscreen.consent.policy import check_collection
from fairscreen.shared.errors import DomainError, InvalidState, OutOfScope

GRANTED = ["identity", "education"]


@pytest.mark.parametrize("status", sorted(COLLECTING))
def test_a_collecting_case_with_the_grant_may_collect(status: str) -> None:
    check_collection(status=status, stopped=False, granted=GRANTED, category="education")


@pytest.mark.parametrize("status", ["decided", "archived"])
def test_a_case_past_its_check_collects_nothing_even_with_standing_consent(status: str) -> None:
    with pytest.raises(InvalidState) as err:
        check_collection(status=status, stopped=False, granted=GRANTED, category="education")
    assert err.value.message == (
        "Findings and evidence are collected only while the check is under way."
    )


def test_a_category_the_case_did_not_request_is_out_of_scope() -> None:
    with pytest.raises(OutOfScope) as err:
        check_collection(
            status="in_progress",
            stopped=False,
            granted=["identity", "education"],
            category="education",
            requested=["identity"],
        )
    assert err.value.details["category"] == "education"


def test_only_the_collecting_states_may_collect() -> None:
    allowed = set()
    for status in STATUSES:
        try:
            check_collection(status=status, stopped=False, granted=GRANTED, category="identity")
        except DomainError:
            continue
        allowed.add(status)
    assert allowed == COLLECTING
