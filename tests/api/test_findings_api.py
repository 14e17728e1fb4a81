"""Step 3 and the report over HTTP: findings, sources, report versions, the candidate's view."""

from __future__ import annotations

from factories.consent import consented_case
from factories.world import open_case


def _finding(client, world, case_id, **body):
    body = {"category": "education", "claim": "本科学历，某大学 2015 年毕业", **body}
    return client.post(
        f"/api/v1/cases/{case_id}/findings", json=body, headers=world["investigator"].headers
    )


def _source(client, world, finding_id, **body):
    body = {"kind": "issuing_institution", "origin": "某大学", "supports": True, **body}
    return client.post(
        f"/api/v1/findings/{finding_id}/sources", json=body, headers=world["investigator"].headers
    )


def _error(r, status, code):
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def test_finding_is_recorded_unverified_and_verified_by_an_authoritative_source(client, world):
    case_id, _ = consented_case(world)
    r = _finding(client, world, case_id)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "unverified"
    got = _source(client, world, r.json()["id"])
    assert got.status_code == 201, got.text
    assert got.json() == {"finding": {"id": r.json()["id"], "status": "verified"}}


def test_references_alone_never_verify_however_many(client, world):
    case_id, _ = consented_case(world, categories=("identity", "employment_history"))
    fid = _finding(client, world, case_id, category="employment_history").json()["id"]
    for origin in ("Former manager A", "Former colleague B", "Former client C"):
        r = _source(client, world, fid, kind="reference", origin=origin)
        assert r.json()["finding"]["status"] == "unverified"


def test_a_contradicting_source_makes_the_finding_inconclusive(client, world):
    case_id, _ = consented_case(world)
    fid = _finding(client, world, case_id).json()["id"]
    _source(client, world, fid)
    r = _source(client, world, fid, kind="document", origin="Diploma copy", supports=False)
    assert r.json()["finding"]["status"] == "inconclusive"


def test_same_origin_in_two_scripts_is_one_origin(client, world):
    case_id, _ = consented_case(world, categories=("identity", "employment_history"))
    fid = _finding(client, world, case_id, category="employment_history").json()["id"]
    _source(client, world, fid, kind="employer_record", origin="华为技术有限公司")
    r = _source(client, world, fid, kind="reference", origin="華為技術")
    assert r.json()["finding"]["status"] == "unverified"
    r = _source(client, world, fid, kind="reference", origin="Tencent")
    assert r.json()["finding"]["status"] == "verified"


def test_findings_are_refused_before_consent_and_after_withdrawal(client, world):
    case_id, token = open_case(world)
    _error(_finding(client, world, case_id), 409, "consent_required")
    case_id, token = consented_case(world)
    fid = _finding(client, world, case_id).json()["id"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/candidate/consent/withdraw", headers=headers).status_code == 200
    _error(_finding(client, world, case_id), 409, "consent_withdrawn")
    _error(_source(client, world, fid), 409, "consent_withdrawn")


def test_forbidden_and_out_of_scope_categories_are_refused(client, world):
    case_id, _ = consented_case(world)
    _error(_finding(client, world, case_id, category="religion"), 422, "forbidden_category")
    _error(_finding(client, world, case_id, category="credit"), 422, "out_of_scope")


def test_litigation_as_plaintiff_is_refused_and_needs_a_role(client, world):
    case_id, _ = consented_case(world, purpose="finance", categories=("identity", "litigation"))
    for role in ("plaintiff", "claimant"):
        r = _finding(client, world, case_id, category="litigation", subject_role=role)
        _error(r, 422, "forbidden_category")
    _error(_finding(client, world, case_id, category="litigation"), 422, "validation_error")
    r = _finding(client, world, case_id, category="litigation", subject_role="defendant")
    assert r.status_code == 201, r.text
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["investigator"].headers).json()
    assert [f["subject_role"] for f in case["findings"]] == ["defendant"]


def test_source_kind_must_be_known_and_allowed_for_the_category(client, world):
    case_id, _ = consented_case(world)
    fid = _finding(client, world, case_id).json()["id"]
    _error(_source(client, world, fid, kind="gossip"), 422, "validation_error")
    _error(_source(client, world, fid, kind="employer_record"), 422, "out_of_scope")
    assert _source(client, world, fid, kind="self_declared").status_code == 201


def test_only_the_investigator_doing_the_check_records_findings(client, world):
    case_id, _ = consented_case(world)
    r = client.post(
        f"/api/v1/cases/{case_id}/findings",
        json={"category": "education", "claim": "x"},
        headers=world["hr"].headers,
    )
    _error(r, 403, "forbidden")


def test_report_rates_verified_findings_only_and_lists_the_rest_as_not_used(client, world):
    case_id, _ = consented_case(world)
    verified = _finding(client, world, case_id).json()["id"]
    _source(client, world, verified)
    unverified = _finding(client, world, case_id, category="identity", claim="身份证号一致").json()
    r = client.post(f"/api/v1/cases/{case_id}/report", headers=world["investigator"].headers)
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["version"] == 1 and report["rating"] == "green"
    assert report["rules_version"] and len(report["rules_sha256"]) == 64
    assert [f["id"] for f in report["findings"]] == [verified]
    assert report["findings"][0]["claim"] == "本科学历，某大学 2015 年毕业"
    assert report["findings"][0]["sources"][0]["origin"] == "某大学"
    assert report["not_used"] == [
        {"id": unverified["id"], "category": "identity", "status": "unverified"}
    ]
    assert all({"rule_id", "level", "finding_ids", "text"} <= set(e) for e in report["explanation"])
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert case["status"] == "report_released"
    assert case["report"] == report
    # The employer's file shows the report's verified finding only, never the unused one.
    assert [f["id"] for f in case["findings"]] == [verified]


def test_adverse_verified_finding_rates_worse_than_green(client, world):
    case_id, _ = consented_case(world)
    fid = _finding(client, world, case_id, adverse=True, severity="falsified").json()["id"]
    _source(client, world, fid, origin="某大学学籍办")
    report = client.post(
        f"/api/v1/cases/{case_id}/report", headers=world["investigator"].headers
    ).json()
    assert report["rating"] != "green"
    assert any(fid in e["finding_ids"] for e in report["explanation"])


def test_report_versions_increase_and_say_what_changed(client, world):
    case_id, _ = consented_case(world)
    headers = world["investigator"].headers
    first = client.post(f"/api/v1/cases/{case_id}/report", headers=headers).json()
    fid = _finding(client, world, case_id).json()["id"]
    _source(client, world, fid)
    second = client.post(f"/api/v1/cases/{case_id}/report", headers=headers).json()
    assert (first["version"], second["version"]) == (1, 2)
    assert second["changes"]["added"] == [fid]
    listed = client.get(f"/api/v1/cases/{case_id}/reports", headers=world["hr"].headers).json()
    assert [v["version"] for v in listed] == [1, 2]


def test_report_before_consent_is_an_invalid_state(client, world):
    case_id, _ = open_case(world)
    r = client.post(f"/api/v1/cases/{case_id}/report", headers=world["investigator"].headers)
    _error(r, 409, "invalid_state")


def test_candidate_sees_the_same_report_with_rights_only_once_released(client, world):
    case_id, token = consented_case(world)
    headers = {"Authorization": f"Bearer {token}"}
    _error(client.get("/api/v1/candidate/report", headers=headers), 409, "invalid_state")
    fid = _finding(client, world, case_id).json()["id"]
    _source(client, world, fid)
    released = client.post(
        f"/api/v1/cases/{case_id}/report", headers=world["investigator"].headers
    ).json()
    mine = client.get("/api/v1/candidate/report", headers=headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    rights = body.pop("rights")
    assert set(rights) == {"zh-Hans", "zh-Hant", "en"}
    assert body == released
    staff = client.get("/api/v1/candidate/report", headers=world["hr"].headers)
    _error(staff, 403, "forbidden")


def test_rating_rules_are_public_with_version_and_hash(client):
    r = client.get("/api/v1/rating-rules")
    assert r.status_code == 200
    body = r.json()
    assert body["version"] and len(body["sha256"]) == 64 and body["rules"]
    page = client.get("/rating-rules", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and body["sha256"] in page.text
    assert body["rules"][0]["condition"]["en"] in page.text
    zh = client.get("/rating-rules?lang=zh-Hant")
    assert body["rules"][0]["condition"]["zh-Hant"] in zh.text


def test_forbidden_content_in_a_claim_or_note_is_refused_and_nothing_is_kept(client, world):
    case_id, _ = consented_case(world)
    r = _finding(client, world, case_id, claim="候选人目前怀孕了")
    _error(r, 422, "forbidden_content")
    assert "pregnancy_family" in r.json()["error"]["message"]
    fid = _finding(client, world, case_id).json()["id"]
    _error(_source(client, world, fid, note="she is married"), 422, "forbidden_content")
    case = client.get(f"/api/v1/cases/{case_id}", headers=world["investigator"].headers).json()
    assert [(f["id"], f["sources"]) for f in case["findings"]] == [(fid, [])]


def test_refused_findings_are_counted_for_the_regulator(client, world, fs):
    from fairscreen.compliance.actions import refusal_counts

    case_id, _ = consented_case(world)
    _finding(client, world, case_id, category="religion")
    _finding(client, world, case_id, category="credit")
    _finding(client, world, case_id, claim="he is married")
    counts = refusal_counts(fs.reader(), org_id=world.employer)
    assert counts["forbidden_category"] == 1
    assert counts["out_of_scope"] == 1
    assert counts["forbidden_content"] == 1


def test_each_write_is_in_the_very_next_case_read(client, world, fs, backend):
    # Reads of an unchanged case come from the case-file cache (on PostgreSQL with its
    # stamp read on the event loop): a write must never be missing from the next read.
    case_id, _ = consented_case(world)
    staff = world["investigator"].headers  # the working file: the employer sees no finding

    def read():
        got = client.get(f"/api/v1/cases/{case_id}", headers=staff)
        assert got.status_code == 200, got.text
        return got.json()

    assert read()["findings"] == [] and read()["findings"] == []
    assert (fs.fast_reads is not None) == (backend == "postgresql")
    finding_id = _finding(client, world, case_id).json()["id"]
    assert [(f["id"], f["status"]) for f in read()["findings"]] == [(finding_id, "unverified")]
    _source(client, world, finding_id)
    assert [f["status"] for f in read()["findings"]] == ["verified"]
    r = client.post(f"/api/v1/cases/{case_id}/report", headers=world["investigator"].headers)
    assert r.status_code == 201, r.text
    after = read()
    assert after["status"] == "report_released" and after["report"]["rating"] == r.json()["rating"]
    assert read() == after


def test_the_receipt_and_the_report_state_the_same_rights(client, world):
    case_id, token = consented_case(world)
    headers = {"Authorization": f"Bearer {token}"}
    fid = _finding(client, world, case_id).json()["id"]
    _source(client, world, fid)
    client.post(f"/api/v1/cases/{case_id}/report", headers=world["investigator"].headers)
    report = client.get("/api/v1/candidate/report", headers=headers).json()
    for lang in ("zh-Hans", "zh-Hant", "en"):
        receipt = client.get(f"/api/v1/candidate/consent/receipt?lang={lang}", headers=headers)
        assert receipt.status_code == 200, receipt.text
        assert receipt.json()["rights"] == report["rights"][lang]


def test_the_case_file_says_what_its_state_allows_and_its_pack(client, world):
    case_id, _ = consented_case(world)
    view = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert (view["collecting"], view["may_decide"], view["pack"]) == (True, False, "cn")
    fid = _finding(client, world, case_id).json()["id"]
    _source(client, world, fid)
    client.post(f"/api/v1/cases/{case_id}/report", headers=world["investigator"].headers)
    view = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()
    assert (view["collecting"], view["may_decide"]) == (True, True)
