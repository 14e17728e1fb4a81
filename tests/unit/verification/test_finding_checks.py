"""The checks on findings and sources that need no database."""

from __future__ import annotations

from datetime import date

import pytest

from fairscreen.rating.actions import build_input
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import ForbiddenCategory, OutOfScope, ValidationFailed
from fairscreen.verification.actions import (
    check_finding,
    check_litigation_role,
    check_source_kind,
)
from fairscreen.verification.models import Finding
from fairscreen.verification.policy import load_rules

PACK = load_pack("cn")


def test_every_known_source_kind_maps_to_a_method_or_is_always_allowed() -> None:
    methods = {code: kind.method for code, kind in load_rules().kinds.items()}
    assert {code for code, method in methods.items() if method is None} == {"self_declared"}
    assert set(methods.values()) - {None} <= set(PACK.taxonomy.method_names)


@pytest.mark.parametrize(
    ("category", "kind"),
    [("criminal_record", "reference"), ("credit", "document"), ("education", "employer_record")],
)
def test_a_method_the_scope_does_not_allow_for_the_category_is_out_of_scope(category, kind):
    with pytest.raises(OutOfScope):
        check_source_kind(PACK, category, kind)


def test_court_records_count_as_official_registry_and_self_declaration_is_always_allowed():
    check_source_kind(PACK, "litigation", "court_record")
    check_source_kind(PACK, "criminal_record", "self_declared")


def test_unknown_source_kind_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed) as info:
        check_source_kind(PACK, "education", "rumour")
    assert info.value.code == "validation_error"


def test_severity_defaults_to_material_when_adverse_else_minor() -> None:
    assert check_finding(PACK, category="education", severity=None, adverse=True) == "material"
    assert check_finding(PACK, category="education", severity=None, adverse=False) == "minor"
    with pytest.raises(ForbiddenCategory):
        check_finding(PACK, category="health", severity=None, adverse=False)
    with pytest.raises(ValidationFailed):
        check_finding(PACK, category="astrology", severity=None, adverse=False)


@pytest.mark.parametrize("role", ["plaintiff", "claimant", "third_party"])
def test_litigation_is_recorded_only_where_the_candidate_was_defendant(role: str) -> None:
    with pytest.raises(ForbiddenCategory):
        check_litigation_role(PACK, "litigation", role)
    check_litigation_role(PACK, "litigation", "defendant")
    check_litigation_role(PACK, "education", None)


def _finding(fid: str, status: str, fact_date: date | None = None, category: str = "education"):
    return Finding(
        id=fid,
        category=category,
        adverse=True,
        severity="material",
        job_related=True,
        fact_date=fact_date,
        status=status,
    )


def test_rating_input_holds_verified_findings_only_with_their_age_and_scope() -> None:
    inp = build_input(
        [
            _finding("a", "verified", date(2020, 1, 1)),
            _finding("b", "unverified"),
            _finding("c", "inconclusive"),
            _finding("d", "verified", category="credit"),
        ],
        granted={"education"},
        today=date(2020, 1, 11),
        lookback_days={"default": 100},
    )
    assert [(f.id, f.fact_age_days, f.in_scope) for f in inp.findings] == [
        ("a", 10, True),
        ("d", None, False),
    ]
