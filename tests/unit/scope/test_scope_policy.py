"""Scope: purpose and grade decide the categories a position may request."""

from __future__ import annotations

import pytest

from fairscreen.scope.policy import load_pack, load_taxonomy
from fairscreen.shared.errors import ForbiddenCategory, OutOfScope, ValidationFailed


def test_taxonomy_marks_never_collectable_categories_forbidden() -> None:
    tax = load_taxonomy()
    for code in (
        "marital_status",
        "pregnancy_family",
        "private_life",
        "religion",
        "ethnicity",
        "sexual_orientation",
        "health",
        "union_membership",
        "family_background",
    ):
        assert tax.categories[code].forbidden
    for code in ("criminal_record", "credit", "litigation"):
        assert tax.categories[code].sensitive
    for cat in tax.categories.values():
        assert set(cat.names) == {"zh-Hans", "zh-Hant", "en"}


def test_credit_only_for_finance_at_manager_grade_and_above() -> None:
    pack = load_pack("cn")
    assert "credit" not in pack.allowed_categories("finance", "staff")
    assert "credit" in pack.allowed_categories("finance", "manager")
    assert "credit" not in pack.allowed_categories("general", "executive")


def test_criminal_record_only_where_a_law_requires_it() -> None:
    pack = load_pack("cn")
    assert "criminal_record" in pack.allowed_categories("childcare_education", "staff")
    assert "criminal_record" not in pack.allowed_categories("general", "executive")
    assert "criminal_record" not in pack.allowed_categories("finance", "manager")


def test_driving_record_only_for_drivers() -> None:
    pack = load_pack("cn")
    assert "driving_record" in pack.allowed_categories("driver", "staff")
    assert "driving_record" not in pack.allowed_categories("general", "staff")


def test_forbidden_category_is_refused_before_scope() -> None:
    pack = load_pack("cn")
    with pytest.raises(ForbiddenCategory):
        pack.check_requested(["identity", "marital_status"], ["identity"])


def test_category_outside_position_is_out_of_scope() -> None:
    pack = load_pack("cn")
    allowed = pack.allowed_categories("general", "staff")
    with pytest.raises(OutOfScope):
        pack.check_requested(["credit"], allowed)


def test_unknown_purpose_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed):
        load_pack("cn").allowed_categories("astrology", "staff")
