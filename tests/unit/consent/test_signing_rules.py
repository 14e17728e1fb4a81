"""The rules of a signature: the typed name, partial consent, separate consent."""

from __future__ import annotations

import pytest

from fairscreen.consent.policy import check_consent_choice, names_match, normalise_name
from fairscreen.shared.errors import SeparateConsentRequired, ValidationFailed

REQUESTED = ("identity", "education", "criminal_record")


def sensitive(code: str) -> bool:
    return code == "criminal_record"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("张 伟", "张伟"),
        (" 张伟\u3000", "张伟"),  # ideographic space from a Chinese input method
        ("Ｌｉ Ｎａ", "Li Na"),  # full-width Latin
        ("li na", "Li Na"),
        ("LINA", "Li Na"),
        ("STRASSE", "straße"),  # casefold, not lower
    ],
)
def test_names_match_regardless_of_spacing_width_and_case(typed: str, expected: str) -> None:
    assert names_match(typed, expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("张为", "张伟"), ("Li", "Li Na"), ("", "张伟"), ("   ", "张伟"), ("张伟", "")],
)
def test_a_different_or_empty_name_does_not_match(typed: str, expected: str) -> None:
    assert not names_match(typed, expected)


def test_normalised_name_has_no_whitespace_and_is_casefolded() -> None:
    assert normalise_name(" Ｌｉ\tNa ") == "lina"


def test_partial_consent_splits_granted_and_declined_in_case_order() -> None:
    granted, declined, separately = check_consent_choice(
        requested=REQUESTED,
        granted=["education", "identity"],
        separate_consent=[],
        is_sensitive=sensitive,
    )
    assert granted == ["identity", "education"]
    assert declined == ["criminal_record"]
    assert separately == []


def test_granting_a_sensitive_category_needs_separate_consent() -> None:
    with pytest.raises(SeparateConsentRequired) as err:
        check_consent_choice(
            requested=REQUESTED,
            granted=["identity", "criminal_record"],
            separate_consent=[],
            is_sensitive=sensitive,
        )
    assert err.value.details["categories"] == ["criminal_record"]
    assert "criminal_record" in err.value.message


def test_separate_consent_is_kept_for_granted_sensitive_categories() -> None:
    *_, separately = check_consent_choice(
        requested=REQUESTED,
        granted=["identity", "criminal_record"],
        separate_consent=["criminal_record"],
        is_sensitive=sensitive,
    )
    assert separately == ["criminal_record"]


def test_a_category_the_case_does_not_request_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        check_consent_choice(
            requested=REQUESTED,
            granted=["identity", "credit"],
            separate_consent=[],
            is_sensitive=sensitive,
        )
    assert err.value.details["field"] == "categories"
    assert err.value.details["categories"] == ["credit"]


def test_granting_nothing_points_to_refusal() -> None:
    with pytest.raises(ValidationFailed) as err:
        check_consent_choice(
            requested=REQUESTED, granted=[], separate_consent=[], is_sensitive=sensitive
        )
    assert "refuse" in err.value.message
