"""The guard's evasions, replayed over HTTP as finding claims.

Issue #20 found evasive forbidden-topic texts that slipped past the guard; the guard folds
them now (scope/guard.py, measured in bench_guard). These replay one of each class through
`POST /api/v1/cases/{id}/findings`, where an investigator would type them, and check that
the innocent texts closest to them still pass.
"""

from __future__ import annotations

import pytest

from factories.consent import consented_case

EVASIONS = [
    "Reference: ta li guo hun",  # pinyin, toneless
    "前同事说她 tā lí guò hūn",  # pinyin with tones
    "Former manager says she is d1v0rced",  # leetspeak
    "同事反映她已离*婚",  # a filler character inside the term
    "同事反映她已离昏",  # a homophone of a key character
    "She is \u202edecrovid\u202c, her manager said.",  # a bidi override reverses the display
]
INNOCENT = [
    "湖南大学 Hunan University 2012 本科毕业",
    "北京市民政局 档案科科员 2016-2020",
    "Referee: Li Guo, head of finance",
    "黄昏读书会 志愿者",
]


def _claim(client, world, case_id: str, claim: str):
    return client.post(
        f"/api/v1/cases/{case_id}/findings",
        json={"category": "employment_history", "claim": claim},
        headers=world["investigator"].headers,
    )


@pytest.fixture
def case_id(world) -> str:
    case_id, _ = consented_case(world, categories=("identity", "employment_history"))
    return case_id


@pytest.mark.parametrize("claim", EVASIONS)
def test_an_evasive_forbidden_claim_is_refused(client, world, case_id, claim) -> None:
    r = _claim(client, world, case_id, claim)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "forbidden_content"
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["investigator"].headers)
    assert case.json()["findings"] == []


@pytest.mark.parametrize("claim", INNOCENT)
def test_an_innocent_claim_close_to_them_is_accepted(client, world, case_id, claim) -> None:
    r = _claim(client, world, case_id, claim)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "unverified"
