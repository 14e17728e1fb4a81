"""The one visibility rule, replayed over HTTP as the outside test's attacks (issue 20, 1 and 13).

The employer read the investigator's working file before release (every claim, the
reference's hearsay included, with origins and notes) and downloaded its scans; after
withdrawal it read everything until the hourly purge; a hold with no end date kept a
case readable for ever.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories.consent import record_subject
from factories.released import (
    HEARSAY_CLAIM,
    HEARSAY_NOTE,
    HEARSAY_ORIGIN,
    HEARSAY_SCAN,
    VERIFIED_CLAIM,
    VERIFIED_NOTE,
    VERIFIED_ORIGIN,
    VERIFIED_SCAN,
    WORKING_TEXTS,
    released_case,
    working_case,
)
from fairscreen.ledger.models import LedgerEvent
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding

NAME = "张伟"
EMAIL = "zhang.wei@candidate.example"
EMPLOYER_SIDE = ("hr", "admin")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _case(client, world, who: str, case_id: str):
    r = client.get(f"/api/v1/cases/{case_id}", headers=world[who].headers)
    assert r.status_code == 200, r.text
    return r


def _evidence(client, headers, evidence_id: str):
    return client.get(f"/api/v1/evidence/{evidence_id}", headers=headers)


@pytest.mark.parametrize("who", EMPLOYER_SIDE)
def test_before_release_the_employer_sees_no_finding_content_at_all(client, world, who):
    case = working_case(world)
    r = _case(client, world, who, case.case_id)
    for text in WORKING_TEXTS:
        assert text not in r.text
    body = r.json()
    assert body["status"] == "in_progress" and body["findings"] == [] and body["report"] is None
    assert body["candidate"] == {"name": NAME, "email": EMAIL}  # the employer opened the case
    page = client.get(
        f"/app/cases/{case.case_id}", headers={**world[who].headers, "accept": "text/html"}
    )
    assert page.status_code == 200
    for text in WORKING_TEXTS:
        assert text not in page.text


@pytest.mark.parametrize("who", EMPLOYER_SIDE)
def test_before_release_the_employer_cannot_download_the_scans(client, world, who):
    case = working_case(world)
    for evidence_id in (case.verified_scan, case.hearsay_scan):
        r = _evidence(client, world[who].headers, evidence_id)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert b"scan" not in r.content and b"interview" not in r.content


def test_after_release_the_employer_sees_the_reports_verified_findings_only(client, world):
    case = working_case(world)
    # Read (and cached) before the release: the release must move the file on.
    assert _case(client, world, "hr", case.case_id).json()["findings"] == []
    do_release_report(world.app.uow(), actor=world["investigator"].actor, case_id=case.case_id)
    r = _case(client, world, "hr", case.case_id)
    body = r.json()
    assert [f["id"] for f in body["findings"]] == [case.verified]
    assert [f["id"] for f in body["report"]["findings"]] == [case.verified]
    [used] = body["report"]["findings"]
    assert used["claim"] == VERIFIED_CLAIM and used["sources"][0]["origin"] == VERIFIED_ORIGIN
    assert used["sources"][0]["note"] == VERIFIED_NOTE
    # The hearsay is named as not used, with its category and status and nothing else.
    assert body["report"]["not_used"] == [
        {"id": case.hearsay, "category": "employment_history", "status": "unverified"}
    ]
    for text in (HEARSAY_CLAIM, HEARSAY_ORIGIN, HEARSAY_NOTE):
        assert text not in r.text
    got = _evidence(client, world["hr"].headers, case.verified_scan)
    assert got.status_code == 200 and got.content == VERIFIED_SCAN
    refused = _evidence(client, world["hr"].headers, case.hearsay_scan)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    page = client.get(
        f"/app/cases/{case.case_id}", headers={**world["hr"].headers, "accept": "text/html"}
    )
    assert VERIFIED_CLAIM in page.text and HEARSAY_CLAIM not in page.text


def test_a_finding_recorded_after_the_release_stays_in_the_working_file(client, world):
    case = released_case(world)
    inv = world["investigator"].actor
    late = do_record_finding(
        world.app.uow(),
        actor=inv,
        case_id=case.case_id,
        category="identity",
        claim="ID card number matches the registry",
    ).id
    do_add_source(
        world.app.uow(),
        actor=inv,
        finding_id=late,
        kind="official_registry",
        origin="Public security registry",
        supports=True,
        subject=record_subject(),
    )
    r = _case(client, world, "hr", case.case_id)
    assert [f["id"] for f in r.json()["findings"]] == [case.verified]
    assert "ID card number matches" not in r.text and "Public security" not in r.text
    inv_view = _case(client, world, "investigator", case.case_id).json()
    assert late in [f["id"] for f in inv_view["findings"]]


@pytest.mark.parametrize("released", [False, True])
def test_the_investigator_keeps_the_whole_working_file(client, world, released):
    case = released_case(world) if released else working_case(world)
    r = _case(client, world, "investigator", case.case_id)
    for text in WORKING_TEXTS:
        assert text in r.text
    assert {f["id"] for f in r.json()["findings"]} == {case.verified, case.hearsay}
    for evidence_id, data in (
        (case.verified_scan, VERIFIED_SCAN),
        (case.hearsay_scan, HEARSAY_SCAN),
    ):
        got = _evidence(client, world["investigator"].headers, evidence_id)
        assert got.status_code == 200 and got.content == data
    # The candidate reads their own file's scans too.
    assert _evidence(client, _bearer(case.token), case.hearsay_scan).status_code == 200


def test_the_regulator_sees_no_case_and_no_scan(client, world):
    case = released_case(world)
    inspector = world["inspector"].headers
    assert client.get(f"/api/v1/cases/{case.case_id}", headers=inspector).status_code == 404
    assert _evidence(client, inspector, case.verified_scan).status_code == 404


@pytest.mark.parametrize("how", ["withdraw", "erasure"])
def test_withdrawal_seals_the_case_from_every_reader_at_once(client, world, fs, how):
    case = released_case(world)
    for who in ("hr", "investigator"):
        _case(client, world, who, case.case_id)  # cached before the withdrawal
    path = (
        "/api/v1/candidate/consent/withdraw" if how == "withdraw" else "/api/v1/candidate/erasure"
    )
    r = client.post(path, headers=_bearer(case.token))
    assert r.status_code in (200, 202), r.text
    for who in ("hr", "admin", "investigator"):
        r = _case(client, world, who, case.case_id)
        assert r.json()["candidate"] is None
        for text in (NAME, EMAIL, *WORKING_TEXTS):
            assert text not in r.text, (who, text)
        for evidence_id in (case.verified_scan, case.hearsay_scan):
            assert _evidence(client, world[who].headers, evidence_id).status_code == 403
    page = client.get("/app/cases", headers={**world["hr"].headers, "accept": "text/html"})
    assert NAME not in page.text and EMAIL not in page.text
    # Destruction is queued at once: the case is due now, not at the end of retention.
    body = _case(client, world, "hr", case.case_id).json()
    assert body["destroy_due_at"] == fs.clock.now().isoformat()


def _hold(client, world, case_id: str, **body):
    return client.post(
        f"/api/v1/cases/{case_id}/legal-hold", json=body, headers=world["admin"].headers
    )


def test_a_hold_needs_an_end_date_within_the_maximum(client, world, fs):
    case = working_case(world)
    now = fs.clock.now()
    for body in (
        {"reason": "Labour arbitration pending"},
        {"reason": "Labour arbitration pending", "ends_at": None},
        {
            "reason": "Labour arbitration pending",
            "ends_at": (now + timedelta(days=366)).isoformat(),
        },
    ):
        r = _hold(client, world, case.case_id, **body)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "validation_error" and "365 days" in error["message"]
    ok = _hold(
        client,
        world,
        case.case_id,
        reason="Labour arbitration pending",
        ends_at=(now + timedelta(days=365)).isoformat(),
    )
    assert ok.status_code == 201, ok.text


def test_a_hold_reason_touching_a_forbidden_topic_is_refused(client, world, fs):
    case = working_case(world)
    ends = (fs.clock.now() + timedelta(days=30)).isoformat()
    r = _hold(client, world, case.case_id, reason="She is pregnant, keep the file", ends_at=ends)
    assert r.status_code == 422 and r.json()["error"]["code"] == "forbidden_content"


def test_a_hold_tells_the_regulator_and_the_candidate_and_keeps_the_data_sealed(client, world, fs):
    from fairscreen.retention.actions import do_purge_due

    case = released_case(world)
    assert (
        client.post("/api/v1/candidate/consent/withdraw", headers=_bearer(case.token)).status_code
        == 200
    )
    ends = fs.clock.now() + timedelta(days=30)
    r = _hold(
        client, world, case.case_id, reason="Labour arbitration 2026-17", ends_at=ends.isoformat()
    )
    assert r.status_code == 201, r.text
    inspector = world["inspector"].actor.id
    mails = fs.outbox()
    to_regulator = [m for m in mails if "Legal hold placed" in m.subject]
    assert to_regulator and all(NAME not in m.body for m in to_regulator)
    assert "Labour arbitration" not in to_regulator[0].body
    assert [m for m in mails if m.to == EMAIL and "legal hold" in m.subject]
    with fs.reader() as uow:
        assert uow.session.query(LedgerEvent).filter_by(type="legal_hold.placed").count() == 1
    assert inspector
    assert do_purge_due(fs.uow, now=fs.clock.now()).skipped_held == 1
    for who in ("hr", "admin", "investigator"):
        r = _case(client, world, who, case.case_id)
        for text in (NAME, EMAIL, VERIFIED_CLAIM):
            assert text not in r.text
        assert _evidence(client, world[who].headers, case.verified_scan).status_code == 403


def test_webhooks_carry_no_finding_content(client, world, fs):
    from fairscreen.webhooks.actions import do_create_endpoint
    from fairscreen.webhooks.models import Delivery
    from fairscreen.webhooks.policy import EVENT_TYPES

    do_create_endpoint(
        fs.uow(),
        actor=world["admin"].actor,
        url="https://ats.example/hooks",
        events=list(EVENT_TYPES),
    )
    case = released_case(world)
    client.post("/api/v1/candidate/consent/withdraw", headers=_bearer(case.token))
    with fs.reader() as uow:
        bodies = [d.body for d in uow.session.query(Delivery).all()]
    assert {"report.released", "case.withdrawn"} <= {
        b.split('"type":"')[1].split('"')[0] for b in bodies
    }
    for body in bodies:
        for text in (NAME, EMAIL, *WORKING_TEXTS, case.verified, case.hearsay):
            assert text not in body
