"""The employer's and the investigator's HTML pages: forms without JavaScript, refusals shown."""

from __future__ import annotations

import re

import pytest

from factories.consent import candidate, consented_case
from factories.world import open_case, position, staff
from fairscreen.cases.models import Case
from fairscreen.feedback.complaints import do_file_complaint
from fairscreen.feedback.desk import do_file_dispute
from fairscreen.identity.actions import do_create_org
from fairscreen.identity.policy import SYSTEM
from fairscreen.verification.models import Finding
from fairscreen.web.forms import REFUSALS
from fairscreen.web.l10n import catalog
from fairscreen.web.pages import employer, investigator
from fairscreen.web.pages import staff as staff_pages
from integration.feedback.helpers import released_case

HTML = {"accept": "text/html"}


def _as(world, who: str) -> dict[str, str]:
    return {**world[who].headers, **HTML}


def _csrf(client, world, who: str, path: str = "/app") -> str:
    page = client.get(path, headers=_as(world, who))
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _status(fs, case_id: str) -> str:
    with fs.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return case.status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ("/app", "/app/cases/new", "/app/work", "/app/desk", "/app/cases/x"):
        r = client.get(path, headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login", path


def test_the_cases_list_filters_by_state_and_finds_a_candidate_by_e_mail(client, world):
    waiting, _ = open_case(world, email="li.na@candidate.example", name="李娜")
    released, _, _, _ = released_case(world)
    page = client.get("/app?lang=en", headers=_as(world, "hr"))
    assert page.status_code == 200
    assert waiting in page.text and released in page.text and "李娜" in page.text
    assert page.headers["cache-control"] == "no-store"

    page = client.get("/app?status=report_released", headers=_as(world, "hr"))
    assert released in page.text and waiting not in page.text
    page = client.get("/app?q=LI.NA@candidate.example", headers=_as(world, "hr"))
    assert waiting in page.text and released not in page.text
    page = client.get(f"/app?q={released[-6:]}", headers=_as(world, "hr"))
    assert released in page.text and waiting not in page.text
    page = client.get("/app?q=nobody@nowhere.example", headers=_as(world, "hr"))
    assert "No case matches." in page.text


def test_another_employer_sees_none_of_the_cases(client, world, fs):
    case_id, _ = open_case(world)
    other = do_create_org(fs.uow(), actor=SYSTEM, name="Other Co", kind="employer")
    world.staff["other_hr"] = staff(fs, other, "employer")
    assert case_id not in client.get("/app", headers=_as(world, "other_hr")).text
    r = client.get(f"/app/cases/{case_id}", headers=_as(world, "other_hr"))
    assert r.status_code == 404


def test_the_new_case_form_shows_what_the_position_allows(client, world, fs):
    pos = position(fs, world["hr"], "driver", "staff")
    page = client.get(f"/app/cases/new?position_id={pos.id}&lang=en", headers=_as(world, "hr"))
    assert page.status_code == 200
    text = page.text
    assert re.search(r'id="cat-criminal_record"(?![^>]*disabled)', text)  # drivers: allowed
    assert re.search(r'id="cat-credit"[^>]*disabled', text)  # not for this position
    assert re.search(r'id="cat-religion"[^>]*disabled', text)  # never
    assert "may never be checked" in text and "allowed for this position" in text
    assert "Agency Co" in text


def test_a_position_is_created_and_a_case_opened_through_the_forms(client, world, fs):
    csrf = _csrf(client, world, "hr", "/app/cases/new")
    r = client.post(
        "/app/cases/new/position",
        data={"csrf": csrf, "title": "Cashier", "purpose": "finance", "grade": "staff"},
        headers=_as(world, "hr"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    position_id = r.headers["location"].split("position_id=")[1]
    form = {
        "csrf": csrf,
        "position_id": position_id,
        "candidate_name": "王芳",
        "candidate_email": "wang.fang@candidate.example",
        "agency_id": world.agency,
        "categories": ["identity", "credit"],  # credit: finance managers only
    }
    r = client.post("/app/cases?lang=en", data=form, headers=_as(world, "hr"))
    assert r.status_code == 422
    assert REFUSALS["out_of_scope"] in r.text and 'id="categories-error"' in r.text
    assert 'value="wang.fang@candidate.example"' in r.text  # what was typed is kept
    with fs.reader() as uow:
        assert uow.session.query(Case).count() == 0

    r = client.post(
        "/app/cases",
        data={**form, "categories": ["identity", "employment_history"]},
        headers=_as(world, "hr"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    case_id = r.headers["location"].split("/app/cases/")[1].split("?")[0]
    assert _status(fs, case_id) == "awaiting_consent"
    page = client.get(r.headers["location"] + "&lang=en", headers=_as(world, "hr"))
    assert "王芳" in page.text and "Invitation to read and sign the consent" in page.text


def test_a_form_without_its_csrf_token_is_refused(client, world, fs):
    case_id, _, _, _ = released_case(world)
    _csrf(client, world, "hr")
    r = client.post(
        f"/app/cases/{case_id}/decision",
        data={"csrf": "forged", "outcome": "hire", "reasons": ["checks_completed"]},
        headers=_as(world, "hr"),
    )
    assert r.status_code == 403
    assert _status(fs, case_id) == "report_released"


def test_the_employer_cannot_reject_in_the_waiting_period_and_sees_when_it_ends(
    client, world, fs, clock
):
    case_id, _, _, _ = released_case(world)
    page = client.get(f"/app/cases/{case_id}?lang=en", headers=_as(world, "hr"))
    assert (
        'id="waiting-period"' in page.text and "an adverse decision is possible from" in page.text
    )
    assert "Report version 1 released" in page.text  # the notices sent
    assert "Declared credential does not match the record" in page.text  # published reasons
    assert 'value="litigation_record"' not in page.text  # a prohibited reason is not offered
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    form = {"csrf": csrf, "outcome": "reject", "reasons": ["credential_mismatch"]}

    r = client.post(f"/app/cases/{case_id}/decision?lang=en", data=form, headers=_as(world, "hr"))
    assert r.status_code == 409
    refusal = re.search(r'id="decision-error"[^>]*>([^<]+)<', r.text).group(1)
    assert REFUSALS["waiting_period"] in refusal and "possible from" in refusal
    assert 'id="outcome-reject" checked' in r.text
    assert _status(fs, case_id) == "report_released"

    clock.advance(days=10)
    r = client.post(
        f"/app/cases/{case_id}/decision",
        data=form,
        headers=_as(world, "hr"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _status(fs, case_id) == "decided"
    page = client.get(f"/app/cases/{case_id}?lang=en", headers=_as(world, "hr"))
    assert "Adverse decision notice, with its reasons" in page.text
    assert 'id="decision-form"' not in page.text


def test_an_open_dispute_is_shown_as_the_reason_the_employer_cannot_reject(
    client, world, fs, clock
):
    case_id, finding_id, token, _ = released_case(world)
    do_file_dispute(
        fs.uow(), actor=candidate(world, token), statement="我获得了该学位", finding_id=finding_id
    )
    clock.advance(days=10)
    csrf = _csrf(client, world, "hr", f"/app/cases/{case_id}")
    r = client.post(
        f"/app/cases/{case_id}/decision?lang=zh-Hans",
        data={"csrf": csrf, "outcome": "reject", "reasons": ["credential_mismatch"]},
        headers=_as(world, "hr"),
    )
    assert r.status_code == 409
    assert catalog("zh-Hans")[REFUSALS["dispute_open"]] in r.text
    assert 'id="dispute-warning"' in r.text


def test_a_forbidden_phrase_is_refused_as_typed_and_when_sent(client, world, fs):
    case_id, _ = consented_case(world)
    csrf = _csrf(client, world, "investigator", f"/app/work/{case_id}")
    r = client.post(
        "/app/guard?field=claim&lang=en",
        data={"csrf": csrf, "claim": "The candidate is pregnant"},
        headers=_as(world, "investigator"),
    )
    assert r.status_code == 200 and "may never be recorded" in r.text and "<html" not in r.text
    r = client.post(
        "/app/guard?field=claim&lang=en",
        data={"csrf": csrf, "claim": "Degree confirmed by the university"},
        headers=_as(world, "investigator"),
    )
    assert "guard-ok" in r.text
    # Signed out meanwhile: htmx is told to move the whole page to the sign-in page.
    r = client.post(
        "/app/guard?field=claim&lang=en",
        data={"csrf": csrf, "claim": "Degree confirmed"},
        headers={**HTML, "HX-Request": "true"},
    )
    assert r.status_code == 204 and r.headers["hx-redirect"] == "/login"

    r = client.post(
        f"/app/work/{case_id}/findings?lang=en",
        data={"csrf": csrf, "category": "education", "claim": "她离过婚，学历属实"},
        headers=_as(world, "investigator"),
    )
    assert r.status_code == 422
    assert re.search(r'id="claim-error"[^>]*>[^<]*may never be recorded', r.text)
    assert "她离过婚" in r.text  # kept in the field to correct, never stored
    with fs.reader() as uow:
        assert uow.session.query(Finding).count() == 0


def test_an_investigator_records_verifies_and_releases(client, world, fs):
    case_id, _ = consented_case(world)
    csrf = _csrf(client, world, "investigator", f"/app/work/{case_id}")
    r = client.post(
        f"/app/work/{case_id}/findings",
        data={"csrf": csrf, "category": "education", "claim": "Bachelor's degree confirmed"},
        headers=_as(world, "investigator"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    with fs.reader() as uow:
        finding = uow.session.query(Finding).one()
        assert finding.status == "unverified"
    r = client.post(
        f"/app/work/{case_id}/findings/{finding.id}/sources",
        data={"csrf": csrf, "kind": "issuing_institution", "origin": "Fudan University"},
        headers=_as(world, "investigator"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/app/work/{case_id}?lang=en", headers=_as(world, "investigator"))
    assert 'data-status="verified"' in page.text and "Fudan University" in page.text
    assert "Confirmed by an authoritative source." in page.text

    r = client.post(
        f"/app/work/{case_id}/release",
        data={"csrf": csrf},
        headers=_as(world, "investigator"),
        follow_redirects=False,
    )
    assert r.status_code == 303 and "released=1" in r.headers["location"]
    assert _status(fs, case_id) == "report_released"
    page = client.get(r.headers["location"], headers=_as(world, "investigator"))
    assert 'id="latest-report"' in page.text


def test_a_record_source_without_matching_identifiers_is_refused_by_its_fields(client, world, fs):
    case_id, _ = consented_case(world, purpose="driver", categories=("identity", "criminal_record"))
    csrf = _csrf(client, world, "investigator", f"/app/work/{case_id}")
    client.post(
        f"/app/work/{case_id}/findings",
        data={"csrf": csrf, "category": "criminal_record", "claim": "No record found"},
        headers=_as(world, "investigator"),
    )
    with fs.reader() as uow:
        finding = uow.session.query(Finding).one()
    r = client.post(
        f"/app/work/{case_id}/findings/{finding.id}/sources?lang=en",
        data={"csrf": csrf, "kind": "criminal_registry", "origin": "Public security bureau"},
        headers=_as(world, "investigator"),
    )
    assert r.status_code == 422
    assert f'id="subject-{finding.id}-error"' in r.text
    assert REFUSALS["identity_not_matched"] in r.text


def test_the_employer_cannot_record_findings(client, world, fs):
    case_id, _ = consented_case(world)
    csrf = _csrf(client, world, "hr", f"/app/cases/{case_id}")
    r = client.post(
        f"/app/work/{case_id}/findings?lang=en",
        data={"csrf": csrf, "category": "education", "claim": "Degree confirmed"},
        headers=_as(world, "hr"),
    )
    assert r.status_code == 403 and REFUSALS["forbidden"] in r.text


def test_the_desk_puts_overdue_items_first_and_closes_them_by_form(client, world, fs, clock):
    first, finding_id, token, cand = released_case(world)
    late = do_file_dispute(fs.uow(), actor=cand, statement="学位属实", finding_id=finding_id)
    clock.advance(days=30)
    _, _, token2, cand2 = released_case(world)
    fresh = do_file_dispute(fs.uow(), actor=cand2, statement="另一项异议")
    page = client.get("/app/desk?lang=en", headers=_as(world, "investigator"))
    assert page.text.index(late["id"]) < page.text.index(fresh["id"])
    assert "Overdue" in page.text

    item = client.get(f"/app/desk/disputes/{late['id']}", headers=_as(world, "investigator"))
    assert "学位属实" in item.text and "Declared degree was not conferred" in item.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', item.text).group(1)
    r = client.post(
        f"/app/desk/disputes/{late['id']}/resolve?lang=en",
        data={"csrf": csrf, "outcome": "upheld", "note": "她有宗教信仰"},
        headers=_as(world, "investigator"),
    )
    assert r.status_code == 422 and 'id="note-error"' in r.text
    r = client.post(
        f"/app/desk/disputes/{late['id']}/resolve",
        data={"csrf": csrf, "outcome": "removed", "note": "The registry was wrong"},
        headers=_as(world, "investigator"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    hr_page = client.get(f"/app/cases/{first}?lang=en", headers=_as(world, "hr"))
    assert "Report version 2 released" in hr_page.text and "Facts removed: 1." in hr_page.text

    complaint = do_file_complaint(
        fs.uow(), actor=cand2, category="investigation_conduct", statement="调查员态度不好"
    )
    desk = client.get("/app/desk?lang=en", headers=_as(world, "hr"))
    assert complaint["id"] in desk.text and "About how the check was done" in desk.text
    csrf = _csrf(client, world, "hr", f"/app/desk/complaints/{complaint['id']}")
    r = client.post(
        f"/app/desk/complaints/{complaint['id']}/answer",
        data={"csrf": csrf, "answer": "We apologise and have spoken to the agency."},
        headers=_as(world, "hr"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/app/desk/complaints/{complaint['id']}", headers=_as(world, "hr"))
    assert 'data-status="resolved"' in page.text and 'id="answer-form"' not in page.text


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_every_staff_label_and_field_message_is_translated(lang):
    messages = [
        *(text for labels in staff_pages.LABELS for text in labels.values()),
        *employer.FIELD_MESSAGES.values(),
        *investigator.FIELD_MESSAGES.values(),
    ]
    missing = [m for m in messages if m not in catalog(lang)]
    assert missing == []


def test_the_pages_answer_in_traditional_chinese(client, world):
    case_id, _, _, _ = released_case(world)
    page = client.get(f"/app/cases/{case_id}?lang=zh-Hant", headers=_as(world, "hr"))
    assert "已寄送的通知" in page.text and "等待期" in page.text
    page = client.get("/app/work?lang=zh-Hant", headers=_as(world, "investigator"))
    assert "待辦案件" in page.text


def test_an_out_of_scope_case_counts_for_the_regulator_whether_opened_by_page_or_api(
    client, world, fs
):
    # The outside test: the API counted the refused case, the employer's form did not.
    # Counting is now the refusal's own (DomainError.counted), recorded by the unit of work.
    from fairscreen.compliance.actions import refusal_counts

    csrf = _csrf(client, world, "hr", "/app/cases/new")
    r = client.post(
        "/app/cases/new/position",
        data={"csrf": csrf, "title": "Cashier", "purpose": "finance", "grade": "staff"},
        headers=_as(world, "hr"),
        follow_redirects=False,
    )
    position_id = r.headers["location"].split("position_id=")[1]
    form = {
        "csrf": csrf,
        "position_id": position_id,
        "candidate_name": "王芳",
        "candidate_email": "wang.fang@candidate.example",
        "categories": ["identity", "credit"],  # credit: finance managers only
    }
    assert client.post("/app/cases", data=form, headers=_as(world, "hr")).status_code == 422
    assert refusal_counts(fs.reader(), org_id=world.employer)["out_of_scope"] == 1
    body = {
        "position_id": position_id,
        "candidate": {"name": "王芳", "email": "wang.fang@candidate.example"},
        "categories": ["identity", "credit"],
    }
    r = client.post("/api/v1/cases", json=body, headers=world["hr"].headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "out_of_scope"
    assert refusal_counts(fs.reader(), org_id=world.employer)["out_of_scope"] == 2
