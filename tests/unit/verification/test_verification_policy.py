"""Multi-source verification: when a finding may count as verified."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fairscreen.shared.languages import RULE_DATA_LANGUAGES
from fairscreen.verification.policy import (
    Reason,
    SourceView,
    Status,
    UnknownSourceKind,
    VerificationRules,
    VerificationRulesError,
    load_rules,
    normalise_origin,
    status_of,
)

RULES = load_rules()
TESTIMONY = ("reference", "self_declared")
WHEN = datetime(2025, 5, 6, 10, 0, tzinfo=UTC)


def src(kind: str, origin: str, *, supports: bool = True, retracted: bool = False) -> SourceView:
    return SourceView(kind, normalise_origin(origin), supports, retracted, WHEN)


def rules_data() -> dict[str, Any]:
    text = (
        resources.files("fairscreen.verification")
        .joinpath("rules", "verification-v2.yaml")
        .read_text(encoding="utf-8")
    )
    return dict(yaml.safe_load(text))


# --- one authoritative source -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["official_registry", "issuing_institution"])
def test_one_authoritative_source_verifies(kind: str) -> None:
    result = status_of([src(kind, "Tsinghua University")])
    assert result.status is Status.VERIFIED
    assert result.reason_code is Reason.AUTHORITATIVE_SOURCE


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("court_record", "litigation"),
        ("criminal_registry", "criminal_record"),
        ("credit_bureau", "credit"),
    ],
)
def test_a_record_source_verifies_its_own_category_alone(kind: str, category: str) -> None:
    assert status_of([src(kind, "registry")], category=category).status is Status.VERIFIED


def test_a_record_source_outside_its_category_does_not_verify_alone() -> None:
    result = status_of([src("court_record", "Haidian Court")], category="education")
    assert result.status is Status.UNVERIFIED
    assert result.reason_code is Reason.SINGLE_ORIGIN


def test_a_record_source_outside_its_category_still_anchors_a_pair() -> None:
    sources = [src("court_record", "Haidian Court"), src("reference", "Li Si")]
    assert status_of(sources, category="employment_history").status is Status.VERIFIED


def test_without_a_category_record_sources_count_as_authoritative() -> None:
    assert status_of([src("criminal_registry", "Public Security Bureau")]).status is Status.VERIFIED


def test_the_record_kinds_are_those_that_must_carry_the_subjects_identifiers() -> None:
    assert RULES.record_kinds == {
        "official_registry",
        "court_record",
        "criminal_registry",
        "credit_bureau",
    }


@pytest.mark.parametrize("category", ["education", "identity", "criminal_record", "credit"])
def test_a_record_kind_needs_the_subject_whatever_the_category(category: str) -> None:
    for kind in RULES.record_kinds:
        assert RULES.subject_required(kind, category), (kind, category)


@pytest.mark.parametrize("category", ["criminal_record", "credit", "litigation"])
@pytest.mark.parametrize(
    "kind", ["document", "employer_record", "reference", "issuing_institution"]
)
def test_a_record_category_needs_the_subject_whatever_the_kind(kind: str, category: str) -> None:
    assert RULES.subject_required(kind, category)


def test_the_candidates_own_word_and_ordinary_sources_need_no_subject() -> None:
    assert not RULES.subject_required("self_declared", "criminal_record")
    assert not RULES.subject_required("document", "education")
    assert not RULES.subject_required("employer_record", "employment_history")


def test_a_kind_must_name_its_method_or_be_always_allowed() -> None:
    data = rules_data()
    del data["kinds"]["document"]["method"]
    with pytest.raises(VerificationRulesError):
        VerificationRules.from_data(data)
    data = rules_data()
    data["kinds"]["document"]["method"] = "hearsay"
    with pytest.raises(VerificationRulesError):
        VerificationRules.from_data(data)


def test_a_record_category_must_be_a_collectable_category() -> None:
    data = rules_data()
    data["record_categories"] = ["criminal_record", "religion"]
    with pytest.raises(VerificationRulesError):
        VerificationRules.from_data(data)


# --- corroboration -----------------------------------------------------------------------


def test_two_anchoring_sources_of_independent_origins_verify() -> None:
    sources = [src("employer_record", "Acme Co., Ltd."), src("document", "Beta Payroll Inc")]
    result = status_of(sources)
    assert result.status is Status.VERIFIED
    assert result.reason_code is Reason.INDEPENDENT_SOURCES


def test_a_reference_corroborates_alongside_a_document_of_another_origin() -> None:
    sources = [src("document", "Acme HR letter"), src("reference", "Wang Wu")]
    assert status_of(sources).status is Status.VERIFIED


def test_a_self_declaration_corroborates_alongside_a_document_of_another_origin() -> None:
    sources = [src("self_declared", "candidate"), src("document", "Beijing Notary Office")]
    assert status_of(sources).status is Status.VERIFIED


def test_reference_alone_never_verifies() -> None:
    result = status_of([src("reference", "Former colleague Zhang")])
    assert result.status is Status.UNVERIFIED
    assert result.reason_code is Reason.TESTIMONY_ONLY


def test_two_references_from_different_people_stay_unverified() -> None:
    sources = [src("reference", "Zhang San"), src("reference", "Li Si")]
    result = status_of(sources)
    assert result.status is Status.UNVERIFIED
    assert result.reason_code is Reason.TESTIMONY_ONLY


def test_two_self_declarations_never_verify() -> None:
    sources = [src("self_declared", "candidate"), src("self_declared", "candidate's CV")]
    assert status_of(sources).status is Status.UNVERIFIED


def test_a_reference_and_a_self_declaration_stay_unverified() -> None:
    sources = [src("reference", "Zhang San"), src("self_declared", "candidate")]
    assert status_of(sources).reason_code is Reason.TESTIMONY_ONLY


def test_the_same_origin_twice_stays_unverified() -> None:
    sources = [src("employer_record", "Acme Co., Ltd."), src("document", "ACME LIMITED")]
    result = status_of(sources)
    assert result.status is Status.UNVERIFIED
    assert result.reason_code is Reason.SINGLE_ORIGIN


def test_one_institution_in_traditional_and_simplified_script_is_one_origin() -> None:
    sources = [src("document", "華為技術有限公司"), src("employer_record", "华为技术有限公司")]
    assert status_of(sources).reason_code is Reason.SINGLE_ORIGIN


def test_a_source_with_a_blank_origin_cannot_be_the_independent_one() -> None:
    assert normalise_origin(" ,. ") == ""
    sources = [src("document", "Acme Ltd"), src("reference", " ,. ")]
    assert status_of(sources).reason_code is Reason.SINGLE_ORIGIN


def test_raw_origins_are_normalised_again_before_comparison() -> None:
    raw = [
        SourceView("document", "Acme Co., Ltd.", True, False, WHEN),
        SourceView("employer_record", "ACME limited", True, False, WHEN),
    ]
    assert status_of(raw).reason_code is Reason.SINGLE_ORIGIN


# --- contradiction and retraction ----------------------------------------------------------


def test_a_contradicting_source_makes_it_inconclusive_even_against_a_registry() -> None:
    sources = [src("official_registry", "CHSI"), src("employer_record", "Acme", supports=False)]
    result = status_of(sources)
    assert result.status is Status.INCONCLUSIVE
    assert result.reason_code is Reason.CONTRADICTED


def test_a_retracted_contradiction_no_longer_counts() -> None:
    sources = [
        src("official_registry", "CHSI"),
        src("employer_record", "Acme", supports=False, retracted=True),
    ]
    assert status_of(sources).status is Status.VERIFIED


def test_a_retracted_support_no_longer_counts() -> None:
    sources = [src("official_registry", "CHSI", retracted=True), src("document", "Acme")]
    assert status_of(sources).status is Status.UNVERIFIED


def test_a_finding_without_sources_is_unverified() -> None:
    result = status_of([])
    assert (result.status, result.reason_code) == (Status.UNVERIFIED, Reason.NO_SOURCES)


def test_an_unknown_source_kind_is_refused_with_a_validation_error() -> None:
    with pytest.raises(UnknownSourceKind) as caught:
        status_of([src("gossip", "neighbour")])
    assert caught.value.code == "validation_error"


def test_the_result_records_the_rules_version() -> None:
    assert status_of([]).rules_version == RULES.version == "verification-v2"


# --- normalising origins ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Co., Ltd.", "ACME"),
        ("Apple Inc.", "apple"),
        ("Ｔｅｎｃｅｎｔ　Ｌｔｄ", "Tencent Limited"),
        ("阿里巴巴（中国）有限公司", "阿里巴巴中国"),
        ("北京大學", "北京大学"),
        ("中国平安保险(集团)股份有限公司", "中国平安保险"),
        ("  Tsinghua-University ", "tsinghua university"),
    ],
)
def test_spellings_of_one_origin_normalise_alike(a: str, b: str) -> None:
    assert normalise_origin(a) == normalise_origin(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Acme", "Acne"), ("北京大学", "南京大学"), ("Costco", "Cost"), ("Zinc Works", "Z Works")],
)
def test_different_origins_stay_different(a: str, b: str) -> None:
    assert normalise_origin(a) != normalise_origin(b)


# --- the rules file ---------------------------------------------------------------------


def test_every_reason_is_explained_in_three_languages() -> None:
    assert set(RULES.reasons) == set(Reason)
    assert all(set(texts) == set(RULE_DATA_LANGUAGES) for texts in RULES.reasons.values())


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("kinds", "reference", "anchors"), True, "neither be authoritative nor anchor"),
        (("kinds", "self_declared", "authoritative"), True, "neither be authoritative"),
        (("independent_origins",), 1, "at least 2"),
        (("kinds", "employer_record", "authoritative_for"), ["education"], "needs authority"),
        (("kinds", "document", "weight"), 3, "unknown keys"),
        (("reasons", "no_sources", "en"), "", "empty"),
        (("version",), "", "version"),
    ],
)
def test_unsafe_or_malformed_rules_are_refused(
    path: tuple[str, ...], value: Any, message: str
) -> None:
    data = copy.deepcopy(rules_data())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(VerificationRulesError, match=message):
        VerificationRules.from_data(data)


def test_rules_without_the_reference_kind_are_refused() -> None:
    data = copy.deepcopy(rules_data())
    del data["kinds"]["reference"]
    with pytest.raises(VerificationRulesError, match="'reference' must be defined"):
        VerificationRules.from_data(data)


# --- properties ---------------------------------------------------------------------------

ORIGINS = ["Acme Ltd", "ACME Limited", "北京大学", "北京大學", "Beta Inc", "Gamma", "", "张三"]
sources_st = st.builds(
    src,
    st.sampled_from(sorted(RULES.kinds)),
    st.sampled_from(ORIGINS),
    supports=st.booleans(),
    retracted=st.booleans(),
)
source_lists = st.lists(sources_st, max_size=6)
categories = st.sampled_from([None, "education", "litigation", "criminal_record", "credit"])


@settings(max_examples=200)
@given(sources=source_lists, data=st.data(), category=categories)
def test_the_order_of_sources_never_matters(
    sources: list[SourceView], data: st.DataObject, category: str | None
) -> None:
    shuffled = data.draw(st.permutations(sources))
    assert status_of(shuffled, category=category) == status_of(sources, category=category)


@settings(max_examples=200)
@given(sources=source_lists, against=sources_st, category=categories)
def test_adding_a_contradicting_source_never_yields_verified(
    sources: list[SourceView], against: SourceView, category: str | None
) -> None:
    contradiction = SourceView(against.kind, against.origin_normalised, False, False, WHEN)
    result = status_of([*sources, contradiction], category=category)
    assert result.status is Status.INCONCLUSIVE


@settings(max_examples=200)
@given(
    sources=st.lists(
        st.builds(
            src,
            st.sampled_from(TESTIMONY),
            st.sampled_from(ORIGINS + ["Li Si", "Wang Wu"]),
            retracted=st.booleans(),
        ),
        max_size=8,
    ),
    category=categories,
)
def test_people_s_word_alone_is_never_verified(
    sources: list[SourceView], category: str | None
) -> None:
    assert all(s.kind in TESTIMONY for s in sources)
    assert status_of(sources, category=category).status is not Status.VERIFIED


@settings(max_examples=200)
@given(
    kinds=st.lists(
        st.sampled_from(["employer_record", "document", "reference", "self_declared"]), max_size=6
    ),
    origin=st.sampled_from(["Acme Ltd", "ACME Limited", "Acme Co., Ltd.", "acme"]),
)
def test_duplicates_of_one_origin_never_verify(kinds: list[str], origin: str) -> None:
    assert status_of([src(kind, origin) for kind in kinds]).status is not Status.VERIFIED


@settings(max_examples=200)
@given(sources=source_lists, extra=sources_st, category=categories)
def test_retracted_sources_never_change_the_status(
    sources: list[SourceView], extra: SourceView, category: str | None
) -> None:
    retracted = SourceView(extra.kind, extra.origin_normalised, extra.supports, True, WHEN)
    assert status_of([*sources, retracted], category=category) == status_of(
        sources, category=category
    )


@settings(max_examples=200)
@given(sources=source_lists, extra=sources_st, category=categories)
def test_more_supporting_evidence_never_undoes_a_verification(
    sources: list[SourceView], extra: SourceView, category: str | None
) -> None:
    support = SourceView(extra.kind, extra.origin_normalised, True, False, WHEN)
    if status_of(sources, category=category).status is Status.VERIFIED:
        assert status_of([*sources, support], category=category).status is Status.VERIFIED


@settings(max_examples=500)
@given(origin=st.text(max_size=40))
def test_normalising_an_origin_twice_changes_nothing(origin: str) -> None:
    once = normalise_origin(origin)
    assert normalise_origin(once) == once
