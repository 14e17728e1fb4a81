"""The published rating rules: what may, and what may never, make a rating adverse."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from datetime import date
from importlib import resources
from typing import Any

import pytest
import rfc8785
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fairscreen.rating.policy import (
    SEVERITIES,
    Condition,
    Level,
    RatingFinding,
    RatingInput,
    RatingRules,
    RatingRulesError,
    Rule,
    load_rules,
    rate,
)
from fairscreen.shared.languages import RULE_DATA_LANGUAGES

RULES = load_rules()
CN_PACK_LOOKBACK = {"default": 2555, "criminal_record": 3650}


def finding(
    category: str = "employment_history",
    *,
    id: str = "f1",
    adverse: bool = True,
    severity: str = "material",
    job_related: bool = True,
    in_scope: bool = True,
    verified: bool = True,
    age: int | None = 100,
) -> RatingFinding:
    return RatingFinding(id, category, adverse, severity, job_related, in_scope, verified, age)


def level_of(*findings: RatingFinding, lookback: dict[str, int] | None = None) -> Level:
    return rate(RatingInput(tuple(findings), lookback)).level


def rules_text() -> str:
    return (
        resources.files("fairscreen.rating")
        .joinpath("rules", "rating-v1.yaml")
        .read_text(encoding="utf-8")
    )


def rules_data() -> dict[str, Any]:
    return copy.deepcopy(dict(yaml.safe_load(rules_text())))


# --- the defaults, as specifications ----------------------------------------------------


def test_no_finding_rates_green_and_says_why() -> None:
    rating = rate(RatingInput(()))
    assert rating.level is Level.GREEN
    assert [e.rule_id for e in rating.explanation] == ["green.no-adverse-finding"]


def test_verified_findings_that_count_for_nobody_rate_green() -> None:
    assert level_of(finding(adverse=False, severity="falsified")) is Level.GREEN


@pytest.mark.parametrize("severity", SEVERITIES)
def test_litigation_alone_never_rates_worse_than_green(severity: str) -> None:
    rating = rate(RatingInput((finding("litigation", severity=severity, age=0),)))
    assert rating.level is Level.GREEN
    assert "green.litigation-not-counted" in [e.rule_id for e in rating.explanation]


def test_litigation_beside_a_minor_discrepancy_rates_only_the_discrepancy() -> None:
    minor = finding(id="m", severity="minor")
    lawsuit = finding("litigation", id="l", severity="material")
    assert level_of(minor, lawsuit) is Level.BLUE


def test_unverified_adverse_finding_cannot_make_rating_adverse() -> None:
    assert level_of(finding("education", severity="falsified", verified=False)) is Level.GREEN


def test_out_of_scope_adverse_finding_cannot_make_rating_adverse() -> None:
    assert level_of(finding("criminal_record", severity="conviction", in_scope=False)) is (
        Level.GREEN
    )


def test_an_adverse_finding_unrelated_to_the_job_cannot_make_rating_adverse() -> None:
    assert level_of(finding("criminal_record", severity="conviction", job_related=False)) is (
        Level.GREEN
    )


def test_a_minor_verified_discrepancy_rates_blue() -> None:
    assert level_of(finding("employment_history", severity="minor")) is Level.BLUE


def test_a_material_adverse_finding_in_a_needed_category_rates_yellow() -> None:
    assert level_of(finding("professional_conduct", severity="material")) is Level.YELLOW


@pytest.mark.parametrize("category", ["education", "qualifications"])
def test_a_falsified_credential_rates_red(category: str) -> None:
    assert level_of(finding(category, severity="falsified", age=0)) is Level.RED


def test_a_falsified_employment_claim_rates_yellow_not_red() -> None:
    assert level_of(finding("employment_history", severity="falsified")) is Level.YELLOW


def test_a_job_related_conviction_within_the_look_back_rates_red() -> None:
    assert level_of(finding("criminal_record", severity="conviction", age=2000)) is Level.RED


def test_adverse_facts_older_than_seven_years_are_ignored() -> None:
    assert level_of(finding(severity="material", age=2555)) is Level.YELLOW
    assert level_of(finding(severity="material", age=2556)) is Level.GREEN
    assert level_of(finding("criminal_record", severity="conviction", age=4000)) is Level.GREEN


def test_the_packs_look_back_decides_per_category() -> None:
    conviction = finding("criminal_record", severity="conviction", age=3000)
    assert level_of(conviction) is Level.GREEN
    assert level_of(conviction, lookback=CN_PACK_LOOKBACK) is Level.RED
    assert level_of(finding(age=3000), lookback=CN_PACK_LOOKBACK) is Level.GREEN
    assert level_of(finding(age=3000), lookback={"default": 4000}) is Level.YELLOW


def test_a_fact_of_unknown_age_counts_as_current() -> None:
    assert level_of(finding("education", severity="falsified", age=None)) is Level.RED


def test_each_finding_is_explained_once_by_the_highest_rule_it_matches() -> None:
    rating = rate(RatingInput((finding("criminal_record", severity="conviction"),)))
    assert [(e.rule_id, e.finding_ids) for e in rating.explanation] == [
        ("red.job-related-conviction", ("f1",))
    ]


def test_explanations_count_and_name_the_category_in_three_languages() -> None:
    findings = (
        finding("education", id="b", severity="falsified"),
        finding("education", id="a", severity="falsified"),
        finding("employment_history", id="c", severity="minor"),
    )
    rating = rate(RatingInput(findings))
    assert rating.level is Level.RED
    red, blue = rating.explanation
    assert (red.rule_id, red.level, red.finding_ids) == (
        "red.falsified-credential",
        Level.RED,
        ("a", "b"),
    )
    assert red.text == {
        "zh-Hans": "经核实，“学历学位”中有 2 项伪造的学历或资格证明。",
        "zh-Hant": "經核實，「學歷學位」中有 2 項偽造的學歷或資格證明。",
        "en": "Verified: 2 falsified credential(s) in Education.",
    }
    assert (blue.rule_id, blue.finding_ids) == ("blue.minor-discrepancy", ("c",))
    assert "Employment history" in blue.text["en"]


def test_every_rating_records_the_rules_version_and_sha256() -> None:
    rating = rate(RatingInput(()))
    assert (rating.rules_version, rating.rules_sha256) == ("rating-v1", RULES.sha256)


def test_the_sha256_is_over_the_canonical_json_of_the_published_document() -> None:
    published = RULES.published()
    assert hashlib.sha256(rfc8785.dumps(published["document"])).hexdigest() == RULES.sha256
    assert published["sha256"] == RULES.sha256


def test_the_sha256_ignores_comments_and_layout_but_not_content() -> None:
    commented = RatingRules.from_data(yaml.safe_load("# a note\n" + rules_text() + "\n\n"))
    assert commented.sha256 == RULES.sha256
    data = rules_data()
    data["lookback_days"]["default"] = 2556
    assert RatingRules.from_data(data).sha256 != RULES.sha256


# --- what the rating may see ---------------------------------------------------------------


def test_the_rating_input_carries_no_personal_fields() -> None:
    assert {f.name for f in dataclasses.fields(RatingFinding)} == {
        "id",
        "category",
        "adverse",
        "severity",
        "job_related",
        "in_scope",
        "verified",
        "fact_age_days",
    }
    assert {f.name for f in dataclasses.fields(RatingInput)} == {"findings", "lookback_days"}


def test_an_unknown_severity_or_a_negative_age_is_refused() -> None:
    with pytest.raises(ValueError, match="severity"):
        finding(severity="lifestyle")
    with pytest.raises(ValueError, match="negative"):
        finding(age=-1)


def test_a_negative_look_back_is_refused() -> None:
    with pytest.raises(ValueError, match="look-back"):
        level_of(finding(), lookback={"default": -1})


# --- the loader refuses rules that could break a guarantee ------------------------------


def _with_rule(**changes: Any) -> dict[str, Any]:
    data = rules_data()
    rule = {
        "id": "test.rule",
        "level": "yellow",
        "when": {"adverse": True, "job_related": True, "category_in": ["credit"]},
        "explanation": {"zh-Hans": "{count}", "zh-Hant": "{count}", "en": "{count} in {category}"},
    }
    rule.update(changes)
    data["rules"].append(rule)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"when": {"adverse": True, "category_in": ["credit"]}}, "job_related: true"),
        ({"when": {"job_related": True, "category_in": ["credit"]}}, "adverse: true"),
        ({"when": {"adverse": True, "job_related": True}}, "could fire on"),
        (
            {"when": {"adverse": True, "job_related": True, "category_in": ["litigation"]}},
            "could fire on",
        ),
        (
            {"when": {"adverse": True, "job_related": True, "category_not_in": ["credit"]}},
            "could fire on",
        ),
        ({"level": "orange"}, "unknown level"),
        ({"id": "red.falsified-credential"}, "unique"),
        ({"when": {"adverse": True, "job_related": True, "age_over": 3}}, "bad when"),
        ({"explanation": {"zh-Hans": "{name}", "zh-Hant": "x", "en": "x"}}, "placeholder"),
        ({"explanation": {"zh-Hans": "x", "en": "x"}}, "exactly"),
        (
            {
                "when": {
                    "adverse": True,
                    "job_related": True,
                    "category_in": ["credit"],
                    "severity_in": ["scandalous"],
                }
            },
            "unknown severity",
        ),
    ],
)
def test_a_rule_that_could_break_a_guarantee_is_refused(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(RatingRulesError, match=message):
        RatingRules.from_data(_with_rule(**changes))


def test_a_green_rule_may_look_at_litigation() -> None:
    data = _with_rule(level="green", when={"category_in": ["litigation"]})
    assert RatingRules.from_data(data).rules[-1].id == "test.rule"


def test_rules_that_drop_litigation_from_never_adverse_are_refused() -> None:
    data = rules_data()
    data["never_adverse"] = ["credit"]
    with pytest.raises(RatingRulesError, match="litigation"):
        RatingRules.from_data(data)


def test_rules_holding_values_that_are_not_plain_json_are_refused() -> None:
    data = rules_data()
    data["published_on"] = date(2026, 11, 1)
    with pytest.raises(RatingRulesError, match="plain JSON"):
        RatingRules.from_data(data)


def test_the_engine_keeps_litigation_and_unrelated_facts_green_despite_a_rule() -> None:
    reckless = Rule("red.anything", Level.RED, Condition(), dict.fromkeys(RULE_DATA_LANGUAGES, "x"))
    rules = dataclasses.replace(RULES, rules=(reckless, *RULES.rules))
    inp = RatingInput((finding("litigation", severity="conviction"), finding(job_related=False)))
    assert rate(inp, rules).level is Level.GREEN


# --- publication ------------------------------------------------------------------------


def test_the_published_rules_state_every_rule_and_condition_in_three_languages() -> None:
    published = RULES.published()
    assert (published["version"], published["sha256"]) == (RULES.version, RULES.sha256)
    ids = [r["id"] for r in published["rules"]]
    assert ids[0] == "green.no-adverse-finding"
    assert set(ids[1:]) == {r.id for r in RULES.rules}
    for rule in published["rules"]:
        assert set(rule["condition"]) == set(RULE_DATA_LANGUAGES)
        assert all(text.strip() for text in rule["condition"].values())
    red = next(r for r in published["rules"] if r["id"] == "red.falsified-credential")
    assert "Education or Professional qualifications" in red["condition"]["en"]
    assert "学历学位或职业资格" in red["condition"]["zh-Hans"]
    assert any("Litigation alone never" in p["en"] for p in published["principles"])
    assert [lv["code"] for lv in published["levels"]] == ["green", "blue", "yellow", "red"]


# --- properties ---------------------------------------------------------------------------

CATEGORIES = [
    "education",
    "qualifications",
    "employment_history",
    "professional_conduct",
    "criminal_record",
    "credit",
    "litigation",
    "driving_record",
]
findings_st = st.builds(
    finding,
    st.sampled_from(CATEGORIES),
    id=st.text(min_size=1, max_size=4),
    adverse=st.booleans(),
    severity=st.sampled_from(SEVERITIES),
    job_related=st.booleans(),
    in_scope=st.booleans(),
    verified=st.booleans(),
    age=st.none() | st.integers(min_value=0, max_value=5000),
)
finding_lists = st.lists(findings_st, max_size=12)
lookbacks = st.none() | st.just(CN_PACK_LOOKBACK)


@settings(max_examples=200)
@given(findings=finding_lists, extra=findings_st, lookback=lookbacks)
def test_adding_a_finding_never_makes_the_rating_better(
    findings: list[RatingFinding], extra: RatingFinding, lookback: dict[str, int] | None
) -> None:
    before = level_of(*findings, lookback=lookback)
    adverse = dataclasses.replace(
        extra, adverse=True, job_related=True, verified=True, in_scope=True
    )
    assert level_of(*findings, adverse, lookback=lookback).rank >= before.rank
    assert level_of(*findings, extra, lookback=lookback).rank >= before.rank


@settings(max_examples=200)
@given(findings=finding_lists, extra=findings_st, lookback=lookbacks)
def test_unverified_or_out_of_scope_findings_never_change_the_rating(
    findings: list[RatingFinding], extra: RatingFinding, lookback: dict[str, int] | None
) -> None:
    before = rate(RatingInput(tuple(findings), lookback))
    for ignored in (
        dataclasses.replace(extra, verified=False),
        dataclasses.replace(extra, in_scope=False),
    ):
        assert rate(RatingInput((*findings, ignored), lookback)) == before


@settings(max_examples=200)
@given(findings=finding_lists, data=st.data())
def test_the_rating_ignores_finding_ids_and_order(
    findings: list[RatingFinding], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(findings))
    relabelled = [dataclasses.replace(f, id=f"x{i}") for i, f in enumerate(shuffled)]
    a, b = rate(RatingInput(tuple(findings))), rate(RatingInput(tuple(relabelled)))

    def shape(rating: Any) -> list[tuple[str, Level, int, Any]]:
        return sorted(
            (e.rule_id, e.level, len(e.finding_ids), sorted(e.text.items()))
            for e in rating.explanation
        )

    assert a.level is b.level
    assert shape(a) == shape(b)


@settings(max_examples=150)
@given(
    findings=st.lists(
        findings_st.map(lambda f: dataclasses.replace(f, category="litigation")), max_size=10
    )
)
def test_any_number_of_litigation_records_rates_green(findings: list[RatingFinding]) -> None:
    assert level_of(*findings, lookback=CN_PACK_LOOKBACK) is Level.GREEN


@settings(max_examples=200)
@given(findings=finding_lists, lookback=lookbacks)
def test_an_adverse_rating_always_rests_on_a_verified_in_scope_job_related_finding(
    findings: list[RatingFinding], lookback: dict[str, int] | None
) -> None:
    findings = [dataclasses.replace(f, id=str(i)) for i, f in enumerate(findings)]
    rating = rate(RatingInput(tuple(findings), lookback))
    if rating.level is Level.GREEN:
        return
    fired = {i for e in rating.explanation if e.level is not Level.GREEN for i in e.finding_ids}
    grounds = [f for f in findings if f.id in fired]
    assert any(
        f.verified and f.in_scope and f.job_related and f.adverse and f.category != "litigation"
        for f in grounds
    )
