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


IDENTIFIERS = {
    "id_number": "11010519900307123X",
    "date_of_birth": "1990-03-07",
    "addresses": ["北京市朝阳区建国路88号"],
}


def _criminal_case(client, world, *, identifiers=IDENTIFIERS) -> str:
    case_id, token = consented_case(
        world,
        purpose="childcare_education",
        categories=("identity", "criminal_record"),
        identifiers=None,
    )
    if identifiers is not None:
        r = client.post(
            "/api/v1/candidate/identifiers",
            headers={"Authorization": f"Bearer {token}"},
            json=identifiers,
        )
        assert r.status_code == 200
    return _finding(world, case_id)


def _add(client, world, finding_id: str, **body):
    base = {"kind": "official_registry", "origin": "公安机关", "supports": True}
    return client.post(
        f"/api/v1/findings/{finding_id}/sources",
        headers=world["investigator"].headers,
        json={**base, **body},
    )


def _refused(r, reason: str) -> dict:
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "identity_not_matched" and err["reason"] == reason, err
    return err


def test_an_official_registry_source_without_subject_cannot_verify_a_criminal_record(
    client, world
) -> None:
    # The attack: choose another record kind than criminal_registry to skip the matching.
    finding_id = _criminal_case(client, world)
    err = _refused(_add(client, world, finding_id), "subject_required")
    assert "record about a person" in err["message"]


def test_a_record_with_another_id_number_never_attaches_whatever_else_matches(
    client, world
) -> None:
    finding_id = _criminal_case(client, world)
    subject = {
        "name": "张伟",
        "id_number": "110105199003075678",
        "date_of_birth": "1990-03-07",
        "address": "北京市朝阳区建国路88号",
    }
    for kind in ("official_registry", "criminal_registry"):
        err = _refused(
            _add(client, world, finding_id, kind=kind, subject=subject), "id_number_contradicts"
        )
        assert "ID number" in err["message"] and err["contradicted"] == ["id_number"]


def test_name_and_birth_date_alone_never_attach_a_record(client, world) -> None:
    finding_id = _criminal_case(client, world)
    subject = {"name": "张伟", "date_of_birth": "1990-03-07"}
    err = _refused(_add(client, world, finding_id, subject=subject), "id_number_required")
    assert err["message"].startswith("Only the name and date_of_birth match; an ID number")
    with_address = {**subject, "address": "北京市朝阳区建国路88号"}
    _refused(_add(client, world, finding_id, subject=with_address), "id_number_required")
    ok = _add(client, world, finding_id, subject={**subject, "id_number": IDENTIFIERS["id_number"]})
    assert ok.status_code == 201 and ok.json()["finding"]["status"] == "verified"


def test_no_record_attaches_before_the_candidate_gives_identifiers(client, world) -> None:
    finding_id = _criminal_case(client, world, identifiers=None)
    subject = {"name": "张伟", "id_number": IDENTIFIERS["id_number"], "date_of_birth": "1990-03-07"}
    err = _refused(_add(client, world, finding_id, subject=subject), "no_candidate_identifiers")
    assert "no identifiers yet" in err["message"]


def test_a_court_document_naming_the_candidate_attaches_a_lawsuit(client, world) -> None:
    case_id, token = consented_case(world, purpose="finance", categories=("identity", "litigation"))
    client.post(
        "/api/v1/candidate/identifiers",
        headers={"Authorization": f"Bearer {token}"},
        json=IDENTIFIERS,
    )
    finding_id = do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="litigation",
        claim="被诉合同纠纷，判决败诉",
        adverse=True,
        subject_role="defendant",
    ).id
    court = {
        "name": "张伟",
        "date_of_birth": "1990-03-07",
        "address": "北京市朝阳区建国路88号",
        "case_number": "（2023）京0105民初1234号",
    }
    _refused(
        _add(client, world, finding_id, kind="court_record", subject=court), "id_number_required"
    )
    r = _add(
        client,
        world,
        finding_id,
        kind="court_record",
        subject={**court, "document_names_candidate": True},
    )
    assert r.status_code == 201 and r.json()["finding"]["status"] == "verified"
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["investigator"].headers).json()
    [source] = case["findings"][0]["sources"]
    assert source["matched_identifiers"] == ["date_of_birth", "address", "court_document"]
