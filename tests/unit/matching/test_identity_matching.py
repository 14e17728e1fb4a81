"""A record attaches to the candidate only by two identifiers beyond the name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairscreen.matching.policy import Identifiers, match, normalise_date, require_match
from fairscreen.shared.errors import IdentityNotMatched

CANDIDATE = Identifiers.parse(
    {
        "name": "张伟",
        "id_number": "11010519900307123X",
        "date_of_birth": "1990-03-07",
        "addresses": ["北京市朝阳区建国路88号"],
    }
)


def test_name_only_match_is_refused_naming_what_is_missing() -> None:
    with pytest.raises(IdentityNotMatched) as err:
        require_match(CANDIDATE, Identifiers.parse({"name": "张伟"}))
    assert err.value.details["missing"] == ["id_number", "date_of_birth", "address"]
    assert err.value.details["reason"] == "id_number_required"
    assert err.value.message.startswith("Only the name matches; an ID number is required")


def test_name_and_one_identifier_is_not_enough() -> None:
    with pytest.raises(IdentityNotMatched):
        require_match(CANDIDATE, Identifiers.parse({"name": "张伟", "date_of_birth": "1990-03-07"}))


def test_two_identifiers_after_normalisation_attach_the_record() -> None:
    subject = Identifiers.parse(
        {
            "name": "張偉",
            "id_number": "１１０１０５１９９００３０７１２３ｘ",
            "date_of_birth": "1990年3月7日",
        }
    )
    assert require_match(CANDIDATE, subject).matched == ("id_number", "date_of_birth")


def test_romanised_name_matches_by_pinyin_in_either_order() -> None:
    for name in ("Zhang Wei", "WEI ZHANG", "zhang-wei"):
        subject = Identifiers.parse(
            {
                "name": name,
                "id_number": "11010519900307123X",
                "address": "北京市 朝阳区 建国路 88 号",
            }
        )
        assert require_match(CANDIDATE, subject).ok, name


def test_name_birth_date_and_address_without_an_id_number_never_attach() -> None:
    # Twins and relatives share a name's family, a birth date and an address.
    subject = Identifiers.parse(
        {"name": "张伟", "date_of_birth": "1990-03-07", "address": "北京市朝阳区建国路88号"}
    )
    assert not match(CANDIDATE, subject).ok
    with pytest.raises(IdentityNotMatched) as err:
        require_match(CANDIDATE, subject)
    assert err.value.details["reason"] == "id_number_required"
    assert "ID number is required" in err.value.message


def test_a_different_id_number_refuses_whatever_else_matches() -> None:
    subject = Identifiers.parse(
        {
            "name": "张伟",
            "id_number": "110105199003075678",
            "date_of_birth": "1990-03-07",
            "address": "北京市朝阳区建国路88号",
        }
    )
    with pytest.raises(IdentityNotMatched) as err:
        require_match(CANDIDATE, subject, court_document=True)
    assert err.value.details["reason"] == "id_number_contradicts"
    assert err.value.details["contradicted"] == ["id_number"]


def test_an_id_number_alone_beyond_the_name_is_not_enough() -> None:
    with pytest.raises(IdentityNotMatched) as err:
        require_match(
            CANDIDATE, Identifiers.parse({"name": "张伟", "id_number": "11010519900307123X"})
        )
    assert err.value.details["reason"] == "too_few_identifiers"


def test_a_candidate_without_identifiers_matches_no_record() -> None:
    bare = Identifiers.parse({"name": "张伟"})
    with pytest.raises(IdentityNotMatched) as err:
        require_match(bare, Identifiers.parse({"name": "张伟", "id_number": "11010519900307123X"}))
    assert err.value.details["reason"] == "no_candidate_identifiers"
    assert "no identifiers yet" in err.value.message


def test_a_record_id_number_the_candidate_has_not_given_asks_for_it() -> None:
    no_id = Identifiers.parse({"name": "张伟", "date_of_birth": "1990-03-07"})
    subject = Identifiers.parse(
        {"name": "张伟", "id_number": "11010519900307123X", "date_of_birth": "1990-03-07"}
    )
    with pytest.raises(IdentityNotMatched) as err:
        require_match(no_id, subject)
    assert err.value.details["reason"] == "no_candidate_id_number"


COURT = {
    "name": "张伟",
    "date_of_birth": "1990-03-07",
    "address": "北京市朝阳区建国路88号",
    "case_number": "（2023）京0105民初1234号",
    "document_names_candidate": True,
}


def test_a_court_document_naming_the_candidate_stands_in_for_the_id_number() -> None:
    result = require_match(CANDIDATE, Identifiers.parse(COURT), court_document=True)
    assert result.ok and result.court_document
    assert result.matched == ("date_of_birth", "address")


def test_only_a_court_kind_with_a_case_number_may_name_the_candidate() -> None:
    with pytest.raises(IdentityNotMatched):  # not a court record
        require_match(CANDIDATE, Identifiers.parse(COURT), court_document=False)
    without_number = {**COURT, "case_number": " "}
    with pytest.raises(IdentityNotMatched):
        require_match(CANDIDATE, Identifiers.parse(without_number), court_document=True)
    with pytest.raises(IdentityNotMatched):  # still two identifiers beyond the name
        require_match(
            CANDIDATE,
            Identifiers.parse({**COURT, "address": None}),
            court_document=True,
        )


def test_a_different_person_with_the_same_name_is_refused() -> None:
    other = Identifiers.parse(
        {
            "name": "张伟",
            "id_number": "310101198805051234",
            "date_of_birth": "1988-05-05",
            "address": "上海市黄浦区",
        }
    )
    result = match(CANDIDATE, other)
    assert result.name_matches and not result.ok


def test_different_name_never_matches_even_with_identifiers() -> None:
    other = Identifiers.parse(
        {"name": "李娜", "id_number": "11010519900307123X", "date_of_birth": "1990-03-07"}
    )
    with pytest.raises(IdentityNotMatched):
        require_match(CANDIDATE, other)


def test_dates_in_common_forms_normalise_alike() -> None:
    assert {
        normalise_date(d) for d in ("1990-03-07", "1990/3/7", "1990年03月07日", "19900307")
    } == {"1990-03-07"}


@given(st.sampled_from(["id_number", "date_of_birth", "address"]))
def test_any_single_identifier_alone_never_attaches(which: str) -> None:
    raw = {
        "name": "张伟",
        "id_number": "11010519900307123X",
        "date_of_birth": "1990-03-07",
        "address": "北京市朝阳区建国路88号",
    }
    subject = Identifiers.parse({"name": "张伟", which: raw[which]})
    assert not match(CANDIDATE, subject).ok
