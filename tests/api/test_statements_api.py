"""The candidate's own account travels with the finding in the report."""

from __future__ import annotations

from factories.consent import consented_case
from fairscreen.feedback.actions import do_record_decision
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding
from integration.feedback.helpers import released_case


def test_candidate_account_is_shown_with_the_finding(client, world) -> None:
    case_id, token = consented_case(world, categories=("identity", "education"))
    inv = world["investigator"].actor
    finding = do_record_finding(
        world.app.uow(),
        actor=inv,
        case_id=case_id,
        category="education",
        claim="2015年硕士学位未获授予",
        adverse=True,
        severity="falsified",
    )
    do_add_source(
        world.app.uow(),
        actor=inv,
        finding_id=finding.id,
        kind="issuing_institution",
        origin="北京大学研究生院",
        supports=True,
    )
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post(
        f"/api/v1/candidate/findings/{finding.id}/account",
        headers=auth,
        json={"statement": "论文答辩推迟至2016年，已于2016年7月获授学位，附证明。"},
    )
    assert r.status_code == 201
    do_release_report(world.app.uow(), actor=inv, case_id=case_id)
    report = client.get(f"/api/v1/cases/{case_id}", headers=world["hr"].headers).json()["report"]
    [used] = report["findings"]
    assert used["candidate_account"][0]["statement"].startswith("论文答辩推迟")
    mine = client.get("/api/v1/candidate/report", headers=auth).json()
    assert mine["findings"][0]["candidate_account"] == used["candidate_account"]


def test_the_candidate_may_speak_about_themself_but_not_gossip_about_others(client, world):
    case_id, token = consented_case(world, categories=("identity", "education"))
    finding = do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="education",
        claim="学历核实",
    )
    auth = {"Authorization": f"Bearer {token}"}
    own = client.post(
        f"/api/v1/candidate/findings/{finding.id}/account",
        headers=auth,
        json={"statement": "我当年因病休学一年，所以毕业时间晚了一年。"},
    )
    assert own.status_code == 201
    other = client.post(
        f"/api/v1/candidate/findings/{finding.id}/account",
        headers=auth,
        json={"statement": "举报人是我的前同事，她离过婚，对我有成见。"},
    )
    assert other.status_code == 422 and other.json()["error"]["code"] == "forbidden_content"
    nope = client.post(
        "/api/v1/candidate/findings/fnd_nope/account", headers=auth, json={"statement": "x"}
    )
    assert nope.status_code == 404


def test_an_account_after_the_employers_decision_is_refused_with_invalid_state(client, world):
    case_id, finding_id, token, _ = released_case(world, adverse=False)
    do_record_decision(
        world.app.uow(),
        actor=world["hr"].actor,
        case_id=case_id,
        outcome="hire",
        reasons=["checks_completed"],
    )
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post(
        f"/api/v1/candidate/findings/{finding_id}/account",
        headers=auth,
        json={"statement": "I finished the degree a year later."},
    )
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_state"
    assert error["message"] == (
        "The employer has already decided; an account is added before the decision."
    )
    mine = client.get("/api/v1/candidate/report", headers=auth).json()
    assert mine["findings"][0]["candidate_account"] == []
