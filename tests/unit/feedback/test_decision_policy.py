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
    ReasonUnsupported,
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
                reasons=["job_related_conviction"],
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
    except (ValidationFailed, ReasonUnsupported):
        assert not prohibited
    else:
        assert not prohibited


# --- which reasons rest on which facts (reasons-v2) --------------------------------------


def test_a_reject_reason_needs_a_verified_adverse_finding_of_its_categories() -> None:
    # The attack: "credential does not match" on a report with no education fact at all.
    with pytest.raises(ReasonUnsupported) as err:
        check_decision(facts(adverse_categories=frozenset({"employment_history"})))
    assert err.value.details == {
        "reason": "credential_mismatch",
        "categories": ["education", "qualifications"],
    }
    assert "credential_mismatch" in err.value.message
    with pytest.raises(ReasonUnsupported):
        check_decision(facts(adverse_categories=frozenset()))
    check_decision(facts(adverse_categories=frozenset({"qualifications"})))


def test_every_reason_of_a_list_must_be_supported() -> None:
    with pytest.raises(ReasonUnsupported) as err:
        check_decision(facts(reasons=["credential_mismatch", "financial_responsibility"]))
    assert err.value.details["reason"] == "financial_responsibility"


def test_a_verified_credit_finding_has_a_reason_of_its_own() -> None:
    check_decision(
        facts(reasons=["financial_responsibility"], adverse_categories=frozenset({"credit"}))
    )


def test_reasons_about_the_application_rest_on_no_finding() -> None:
    for code in ("candidate_withdrew", "position_filled_or_cancelled"):
        assert load_reasons().reasons[code].categories == ()
        check_decision(facts(reasons=[code], adverse_categories=frozenset()))


def test_the_contract_order_prohibited_then_unsupported_then_dispute_assessment_waiting():
    everything_wrong = {
        "open_disputes": 1,
        "adverse_categories": frozenset({"criminal_record"}),
        "waiting_ends_at": NOW + timedelta(days=3),
    }
    with pytest.raises(ProhibitedReason):
        check_decision(facts(reasons=["credential_mismatch", "health"], **everything_wrong))
    with pytest.raises(ReasonUnsupported):
        check_decision(facts(reasons=["credential_mismatch"], **everything_wrong))
    supported = {**everything_wrong, "reasons": ["job_related_conviction"]}
    with pytest.raises(DisputeOpen):
        check_decision(facts(**supported))
    with pytest.raises(AssessmentRequired):
        check_decision(facts(**{**supported, "open_disputes": 0}))
    with pytest.raises(WaitingPeriod):
        check_decision(facts(**{**supported, "open_disputes": 0, "has_assessment": True}))


def test_every_collectable_category_grounds_a_reject_or_says_why_it_never_does() -> None:
    from fairscreen.scope.policy import load_taxonomy

    reasons = load_reasons()
    collectable = {c.code for c in load_taxonomy().categories.values() if not c.forbidden}
    grounding = {c for r in reasons.reasons.values() for c in r.categories}
    assert grounding | set(reasons.never_grounds_reject) == collectable
    assert "credit" in grounding and "litigation" in reasons.never_grounds_reject
    published = reasons.published()
    assert set(published) == {"version", "reasons", "never_grounds_reject"}
    for item in published["reasons"]:
        assert set(item) == {
            "code",
            "outcome",
            "categories",
            "prohibited",
            "needs_assessment",
            "names",
        }


def test_a_reasons_file_that_forgets_a_category_or_a_reject_reasons_categories_is_refused():
    import copy
    from importlib.resources import files

    import yaml

    from fairscreen.feedback.policy import REASONS_FILE, ReasonsError, parse_reasons

    raw = yaml.safe_load(
        files("fairscreen.feedback").joinpath("rules", REASONS_FILE).read_text("utf-8")
    )
    collectable = frozenset({c for r in raw["reasons"].values() for c in r.get("categories") or []})
    collectable |= frozenset(raw["never_grounds_reject"])
    parse_reasons(raw, collectable)
    forgot = copy.deepcopy(raw)
    del forgot["reasons"]["credential_mismatch"]["categories"]
    with pytest.raises(ReasonsError):
        parse_reasons(forgot, collectable)
    with pytest.raises(ReasonsError):
        parse_reasons(raw, collectable | {"astrology"})
    both = copy.deepcopy(raw)
    both["never_grounds_reject"]["credit"] = raw["never_grounds_reject"]["litigation"]
    with pytest.raises(ReasonsError):
        parse_reasons(both, collectable)


def test_v2_keeps_every_v1_reason_with_its_outcome() -> None:
    from importlib.resources import files

    import yaml

    v1 = yaml.safe_load(
        files("fairscreen.feedback").joinpath("rules", "reasons-v1.yaml").read_text("utf-8")
    )
    v2 = load_reasons().reasons
    for code, item in v1["reasons"].items():
        assert v2[code].outcome == item.get("outcome") and v2[code].prohibited == bool(
            item.get("prohibited")
        ), code
