"""Decisions: checked in the contract's order, the first failing check answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairscreen.feedback.policy import (
    DecisionFacts,
    check_decision,
    load_reasons,
    pick_owner,
    waiting_days,
)
from fairscreen.shared.errors import (
    AssessmentRequired,
    DisputeOpen,
    ProhibitedReason,
    ValidationFailed,
    WaitingPeriod,
)

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def facts(**kw) -> DecisionFacts:
    base = {
        "outcome": "reject",
        "reasons": ["credential_mismatch"],
        "open_disputes": 0,
        "rating": "red",
        "adverse_categories": frozenset({"education"}),
        "has_assessment": False,
        "waiting_ends_at": NOW - timedelta(days=1),
        "now": NOW,
    }
    base.update(kw)
    return DecisionFacts(**base)


def test_litigation_record_is_never_a_reason() -> None:
    with pytest.raises(ProhibitedReason):
        check_decision(facts(reasons=["litigation_record"]))
    with pytest.raises(ProhibitedReason):
        check_decision(facts(outcome="hire", reasons=["litigation_record"]))


def test_prohibited_reason_answers_before_an_open_dispute() -> None:
    with pytest.raises(ProhibitedReason):
        check_decision(facts(reasons=["litigation_record"], open_disputes=1))


def test_open_dispute_answers_before_missing_assessment_and_waiting() -> None:
    with pytest.raises(DisputeOpen):
        check_decision(
            facts(
                open_disputes=1,
                adverse_categories=frozenset({"criminal_record"}),
                waiting_ends_at=NOW + timedelta(days=3),
            )
        )


def test_reject_on_criminal_record_needs_an_assessment_before_waiting() -> None:
    with pytest.raises(AssessmentRequired):
        check_decision(
            facts(
                reasons=["job_related_conviction"],
                adverse_categories=frozenset({"criminal_record"}),
                waiting_ends_at=NOW + timedelta(days=3),
            )
        )
    with pytest.raises(WaitingPeriod):
        check_decision(
            facts(
                reasons=["job_related_conviction"],
                has_assessment=True,
                adverse_categories=frozenset({"criminal_record"}),
                waiting_ends_at=NOW + timedelta(days=3),
            )
        )


def test_hire_needs_no_waiting() -> None:
    check_decision(
        facts(
            outcome="hire",
            reasons=["checks_completed"],
            open_disputes=1,
            waiting_ends_at=NOW + timedelta(days=3),
        )
    )


def test_unknown_or_mismatched_reasons_are_validation_errors() -> None:
    with pytest.raises(ValidationFailed):
        check_decision(facts(reasons=["vibes"]))
    with pytest.raises(ValidationFailed):
        check_decision(facts(outcome="hire", reasons=["credential_mismatch"]))
    with pytest.raises(ValidationFailed):
        check_decision(facts(reasons=[]))


def test_waiting_period_never_below_the_packs_minimum() -> None:
    settings = {"waiting_period_business_days": {"default": 5, "minimum": 5}}
    assert waiting_days(settings) == 5
    assert waiting_days(settings, 10) == 10
    assert waiting_days(settings, 2) == 5


def test_dispute_owner_is_the_officer_else_the_least_loaded() -> None:
    assert pick_owner(["a", "b"], {"a": 2, "b": 0}, dispute_officer="o") == "o"
    assert pick_owner(["a", "b"], {"a": 2, "b": 0}) == "b"
    with pytest.raises(ValidationFailed):
        pick_owner([], {})


def test_published_reasons_have_three_languages() -> None:
    for reason in load_reasons().published()["reasons"]:
        assert set(reason["names"]) == {"zh-Hans", "zh-Hant", "en"}


@given(st.lists(st.sampled_from(sorted(load_reasons().reasons)), min_size=1, max_size=4))
def test_any_prohibited_reason_in_a_list_is_refused(reasons: list[str]) -> None:
    prohibited = any(load_reasons().reasons[r].prohibited for r in reasons)
    try:
        check_decision(facts(reasons=reasons, has_assessment=True))
    except ProhibitedReason:
        assert prohibited
    except ValidationFailed:
        assert not prohibited
    else:
        assert not prohibited
