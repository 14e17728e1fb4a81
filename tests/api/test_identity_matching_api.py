"""Records attach to the candidate only by two identifiers beyond the name."""

from __future__ import annotations

from factories.consent import consented_case
from fairscreen.verification.actions import do_record_finding


def _finding(world, case_id: str) -> str:
    return do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="criminal_record",
        claim="无犯罪记录",
    ).id


def test_name_only_record_is_refused_and_two_identifiers_attach_it(client, world) -> None:
    case_id, token = consented_case(
        world, purpose="childcare_education", categories=("identity", "criminal_record")
    )
    client.post(
        "/api/v1/candidate/identifiers",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "id_number": "11010519900307123X",
            "date_of_birth": "1990-03-07",
            "addresses": ["北京市朝阳区建国路88号"],
        },
    )
    finding_id = _finding(world, case_id)
    url = f"/api/v1/findings/{finding_id}/sources"
    base = {"kind": "criminal_registry", "origin": "公安机关无犯罪记录证明", "supports": True}
    r = client.post(
        url, headers=world["investigator"].headers, json={**base, "subject": {"name": "张伟"}}
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "identity_not_matched"
    assert "id_number" in err["message"] and "date_of_birth" in err["message"]
    r = client.post(url, headers=world["investigator"].headers, json=base)
    assert r.status_code == 422 and r.json()["error"]["code"] == "identity_not_matched"
    r = client.post(
        url,
        headers=world["investigator"].headers,
        json={
            **base,
            "subject": {
                "name": "張偉",
                "id_number": "110105199003071 23x",
                "date_of_birth": "1990年3月7日",
            },
        },
    )
    assert r.status_code == 201 and r.json()["finding"]["status"] == "verified"
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["investigator"].headers).json()
    [source] = case["findings"][0]["sources"]
    assert source["matched_identifiers"] == ["id_number", "date_of_birth"]


def test_ordinary_sources_need_no_subject(client, world) -> None:
    case_id, _ = consented_case(world)
    finding = do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="education",
        claim="本科学位属实",
    )
    r = client.post(
        f"/api/v1/findings/{finding.id}/sources",
        headers=world["investigator"].headers,
        json={"kind": "issuing_institution", "origin": "浙江大学", "supports": True},
    )
    assert r.status_code == 201
