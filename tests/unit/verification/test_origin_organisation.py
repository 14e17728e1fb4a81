"""One organisation is one origin, whichever of its parts wrote (origin_organisation)."""

from __future__ import annotations

import pytest

from fairscreen.verification.policy import normalise_origin, origin_organisation, origin_units


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ACME HR", "ACME HR dept 2"),
        ("ACME HR", "acme"),
        ("Acme Co., Ltd. Human Resources", "ACME"),
        ("ACME Branch No. 3", "Acme Ltd"),
        ("ACME Department #2", "ACME Division 9"),
        ("ACME 2nd Office", "ACME"),
        ("某某科技有限公司人事部", "某某科技"),
        ("某某科技公司第二分公司", "某某科技有限公司"),
        ("某某科技股份有限公司人力资源部", "某某科技"),
        ("北京大學人事處", "北京大学"),
        ("中国银行北京分行", "中国银行北京"),
    ],
)
def test_parts_of_one_organisation_are_one_origin(a: str, b: str) -> None:
    assert origin_organisation(a) == origin_organisation(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ACME", "ACNE"),
        ("HR Solutions", "Solutions"),
        ("北京大学", "南京大学"),
        ("三一", "一"),
        ("Tencent", "Alibaba"),
    ],
)
def test_different_organisations_stay_different(a: str, b: str) -> None:
    assert origin_organisation(a) != origin_organisation(b)


def test_a_name_that_is_only_a_unit_word_is_kept() -> None:
    assert origin_organisation("Team") == "team"
    assert origin_organisation("三一") == "三一"
    assert origin_organisation(" ,. ") == ""


def test_it_refines_normalise_origin_and_is_idempotent() -> None:
    for origin in ("Acme Co., Ltd.", "阿里巴巴（中国）有限公司", "Tsinghua-University"):
        assert origin_organisation(origin) == normalise_origin(origin)
    once = origin_organisation("ACME HR dept 2")
    assert origin_organisation(once) == once


def test_the_unit_words_are_rules_data() -> None:
    units = origin_units()
    assert units.version == "1"
    assert {"dept", "branch", "hr"} <= units.latin
    assert "no" in units.number_words  # quoted in YAML: not the boolean false
    assert units.cjk[0] == max(units.cjk, key=len)
