"""The candidate's dispute, complaint and satisfaction forms on the report page (no JS)."""

from __future__ import annotations

import re

import pytest

from factories.consent import consented_case, record_subject
from fairscreen.feedback.desk import do_resolve_dispute
from fairscreen.feedback.models import FeedbackItem
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding
from fairscreen.web.l10n import catalog
from fairscreen.web.pages import candidate as candidate_pages

HTML = {"accept": "text/html"}


def _released(world) -> tuple[str, str, str]:
    """A case with a report released on one adverse verified finding: (case, finding, token)."""
    case_id, token = consented_case(world, categories=("identity", "education"))
    inv = world["investigator"].actor
    finding_id = do_record_finding(
        world.app.uow(),
        actor=inv,
        case_id=case_id,
        category="education",
        claim="Declared degree was not conferred",
        adverse=True,
    ).id
    do_add_source(
        world.app.uow(),
        actor=inv,
        finding_id=finding_id,
        kind="official_registry",
        origin="CHSI registry",
        supports=True,
        subject=record_subject(),
    )
    do_release_report(world.app.uow(), actor=inv, case_id=case_id)
    return case_id, finding_id, token


def _open(client, token: str, lang: str = "en") -> str:
    page = client.get(f"/c/{token}?lang={lang}", headers=HTML)
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _items(fs, case_id: str, kind: str) -> list[FeedbackItem]:
    with fs.reader() as uow:
        return list(uow.session.query(FeedbackItem).filter_by(case_id=case_id, kind=kind))


@pytest.fixture
def released(world):
    return _released(world)


def test_the_report_page_offers_each_fact_to_dispute_and_a_complaint_form(client, released):
    _, finding_id, token = released
    _open(client, token)
    page = client.get("/candidate", headers=HTML).text
    section = page[page.index('id="disputes-and-complaints"') :]
    assert 'action="/candidate/disputes"' in section and 'action="/candidate/complaints"' in section
    assert f'<option value="{finding_id}"' in section
    assert '<option value="">The report as a whole</option>' in section
    assert section.count('name="csrf"') >= 2
    for field in ("finding_id", "what", "evidence", "category", "statement"):
        assert f'<label for="{field}">' in section


def test_a_dispute_shows_its_owner_due_date_and_state_after_post_redirect_get(
    fs, client, released, world
):
    case_id, finding_id, token = released
    csrf = _open(client, token)
    form = {
        "csrf": csrf,
        "finding_id": finding_id,
        "what": "I graduated in 2015.",
        "evidence": "Certificate 10001-2015",
    }
    response = client.post("/candidate/disputes", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/candidate?done=dispute_filed#disputes-and-complaints"
    [item] = _items(fs, case_id, "dispute")
    assert item.finding_id == finding_id and item.status == "open"
    page = client.get(response.headers["location"], headers=HTML).text
    card = page[page.index(f'id="item-{item.id}"') :]
    assert "Your dispute was received." in page
    assert "Dispute about: Education" in card
    assert "Received" in card
    owner = next(s for s in world.staff.values() if s.actor.id == item.owner_id)
    assert owner.actor.org_id == world.agency  # the investigators doing the check answer it
    assert re.search(r'class="owner">investigator\d+@t\.example<', card)
    assert re.search(r'class="due">\d{1,2} \w+ 20\d\d', card)
    assert "Certificate 10001-2015" in card  # the evidence is kept with the statement
    assert "While a dispute is open, the employer cannot make a decision." in page


def test_a_dispute_without_saying_what_is_wrong_is_refused_next_to_that_field(fs, client, released):
    case_id, finding_id, token = released
    csrf = _open(client, token)
    form = {"csrf": csrf, "finding_id": finding_id, "what": "  ", "evidence": "a scan"}
    response = client.post("/candidate/disputes", data=form, headers=HTML)
    assert response.status_code == 422
    error = re.search(r'id="dispute-what-error"[^>]*>([^<]*)<code[^>]*>([^<]*)<', response.text)
    assert error and "Say what is wrong." in error.group(1)
    assert error.group(2) == "validation_error"
    assert 'aria-describedby="dispute-what-error"' in response.text
    assert ">a scan</textarea>" in response.text  # what was typed is kept
    assert _items(fs, case_id, "dispute") == []


def test_a_dispute_of_a_fact_not_in_the_report_names_the_fact_field_in_chinese(
    fs, client, released
):
    case_id, _, token = released
    csrf = _open(client, token, "zh-Hans")
    form = {"csrf": csrf, "finding_id": "fnd_other", "what": "错了"}
    response = client.post("/candidate/disputes", data=form, headers=HTML)
    assert response.status_code == 404
    error = re.search(
        r'id="dispute-finding_id-error"[^>]*>([^<]*)<code[^>]*>not_found<', response.text
    )
    assert error and re.search(r"[\u4e00-\u9fff]", error.group(1))
    assert _items(fs, case_id, "dispute") == []


def test_a_complaint_is_accepted_and_owned_by_the_employers_staff(fs, client, released, world):
    case_id, _, token = released
    csrf = _open(client, token)
    form = {"csrf": csrf, "category": "investigation_conduct", "statement": "They called my aunt."}
    response = client.post("/candidate/complaints", data=form, follow_redirects=False)
    assert response.status_code == 303
    [item] = _items(fs, case_id, "complaint")
    assert item.category == "investigation_conduct"
    page = client.get("/candidate", headers=HTML).text
    card = page[page.index(f'id="item-{item.id}"') :]
    assert "Complaint: How the investigation was carried out" in card
    owner = next(s for s in world.staff.values() if s.actor.id == item.owner_id)
    assert owner.actor.org_id == world.employer
    assert "To be settled by" in card


def test_a_complaint_with_an_unknown_topic_is_refused_next_to_the_topic(fs, client, released):
    case_id, _, token = released
    csrf = _open(client, token)
    form = {"csrf": csrf, "category": "lifestyle", "statement": "x"}
    response = client.post("/candidate/complaints", data=form, headers=HTML)
    assert response.status_code == 422
    assert 'id="complaint-category-error"' in response.text
    assert "Choose what your complaint is about." in response.text
    assert _items(fs, case_id, "complaint") == []


def test_a_resolved_dispute_shows_the_revised_report_and_asks_for_satisfaction_once(
    fs, client, released, world
):
    case_id, finding_id, token = released
    csrf = _open(client, token)
    client.post(
        "/candidate/disputes",
        data={"csrf": csrf, "finding_id": finding_id, "what": "I graduated."},
    )
    [item] = _items(fs, case_id, "dispute")
    page = client.get("/candidate", headers=HTML).text
    assert f'action="/candidate/disputes/{item.id}/satisfaction"' not in page  # not closed yet
    do_resolve_dispute(
        fs.uow(),
        actor=world["investigator"].actor,
        dispute_id=item.id,
        outcome="corrected",
        note="The registry confirms the degree.",
        claim="Degree conferred in 2015",
    )
    page = client.get("/candidate", headers=HTML).text
    assert "(version 2)" in page
    assert "Your report was revised: this is now version 2." in page
    assert "Outcome:</strong> Corrected" in page
    assert "The registry confirms the degree." in page
    action = f"/candidate/disputes/{item.id}/satisfaction"
    assert f'action="{action}"' in page

    missing = client.post(action, data={"csrf": csrf, "comment": "ok"}, headers=HTML)
    assert missing.status_code == 422
    assert f'id="rate-{item.id}-score-error"' in missing.text
    assert "Choose a rating from 1 to 5." in missing.text

    done = client.post(action, data={"csrf": csrf, "score": "4"}, follow_redirects=False)
    assert done.status_code == 303
    with fs.reader() as uow:
        assert uow.session.get(FeedbackItem, item.id).satisfaction_score == 4
    page = client.get("/candidate", headers=HTML).text
    assert "You rated how this was handled: 4 of 5." in page
    assert f'action="{action}"' not in page

    again = client.post(action, data={"csrf": csrf, "score": "1"}, headers=HTML)
    assert again.status_code == 409
    assert re.search(r'id="rate-[^"]+-form-error"[^>]*>[^<]*<code[^>]*>invalid_state<', again.text)
    with fs.reader() as uow:
        assert uow.session.get(FeedbackItem, item.id).satisfaction_score == 4


def test_feedback_forms_posted_without_the_csrf_token_are_refused(fs, client, released):
    case_id, finding_id, token = released
    _open(client, token)
    for path, form in (
        ("/candidate/disputes", {"finding_id": finding_id, "what": "wrong"}),
        ("/candidate/complaints", {"category": "other", "statement": "bad"}),
    ):
        assert client.post(path, data={**form, "csrf": "forged"}).status_code == 403
    assert _items(fs, case_id, "dispute") == [] and _items(fs, case_id, "complaint") == []


def test_a_dispute_before_any_report_goes_back_to_the_status_page(fs, client, world):
    case_id, token = consented_case(world, categories=("identity", "education"))
    csrf = _open(client, token)
    response = client.post(
        "/candidate/disputes", data={"csrf": csrf, "what": "wrong"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/candidate"
    assert _items(fs, case_id, "dispute") == []


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_every_text_the_feedback_handlers_show_is_translated(lang):
    texts = [
        *candidate_pages.FEEDBACK_FIELD_MESSAGES.values(),
        *candidate_pages.FEEDBACK_NOTICES.values(),
        *candidate_pages.COMPLAINT_CATEGORY_NAMES.values(),
        *candidate_pages.OUTCOME_NAMES.values(),
        *candidate_pages.ITEM_STATES.values(),
        candidate_pages.EVIDENCE_LABEL,
    ]
    assert [t for t in texts if t not in catalog(lang)] == []
