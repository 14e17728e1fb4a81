"""The candidate's own account and the human re-review, as HTML pages (no JavaScript).

The candidate adds an account to a fact before any decision; the employer reads it on the
case page and in the assessment form; after a reject the candidate asks for a re-review,
which the desk shows with the others and which only someone other than the decider answers.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from factories.consent import fresh_token
from fairscreen.feedback.models import FeedbackDecision, FeedbackItem
from fairscreen.statements.models import CandidateAccount
from fairscreen.web.l10n import catalog
from fairscreen.web.pages import candidate as candidate_pages
from fairscreen.web.pages import investigator as investigator_pages
from integration.feedback.helpers import released_case

HTML = {"accept": "text/html"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _open(client, token: str, lang: str = "en") -> str:
    page = client.get(f"/c/{token}?lang={lang}", headers=HTML)
    assert page.status_code == 200
    return CSRF.search(page.text).group(1)


def _as(world, who: str) -> dict[str, str]:
    return {**world[who].headers, **HTML}


def _accounts(fs, case_id: str) -> list[str]:
    with fs.reader() as uow:
        return list(
            uow.session.scalars(
                select(CandidateAccount.finding_id).where(CandidateAccount.case_id == case_id)
            )
        )


def _reviews(fs, case_id: str) -> list[FeedbackItem]:
    with fs.reader() as uow:
        return list(
            uow.session.scalars(
                select(FeedbackItem).where(
                    FeedbackItem.case_id == case_id, FeedbackItem.kind == "review"
                )
            )
        )


def _reject(client, world, case_id: str, who: str = "hr") -> None:
    r = client.post(
        f"/api/v1/cases/{case_id}/decision",
        json={"outcome": "reject", "reasons": ["credential_mismatch"]},
        headers=world[who].headers,
    )
    assert r.status_code == 200, r.text


def test_the_candidate_adds_an_account_that_the_employer_reads_with_the_fact(fs, client, world):
    case_id, finding_id, token, _ = released_case(world)
    csrf = _open(client, token)
    page = client.get("/candidate", headers=HTML).text
    fact = page[page.index(f'id="finding-{finding_id}"') :]
    assert f'action="/candidate/findings/{finding_id}/account"' in fact
    for field in ("kind", "statement"):
        assert f'<label for="account-{finding_id}-{field}">' in fact

    r = client.post(
        f"/candidate/findings/{finding_id}/account",
        data={"csrf": csrf, "kind": "correction", "statement": "I finished the degree in 2016."},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/candidate?done=account_added#finding-{finding_id}"
    assert _accounts(fs, case_id) == [finding_id]
    page = client.get(r.headers["location"], headers=HTML).text
    assert "Your account was added." in page
    given = page[page.index(f'id="account-{finding_id}-given"') :]
    assert "A correction: I finished the degree in 2016." in given

    case = client.get(f"/app/cases/{case_id}?lang=en", headers=_as(world, "hr")).text
    findings = case[case.index('id="report"') : case.index('id="decision"')]
    assert "The candidate&#39;s account: A correction: I finished the degree in 2016." in findings
    assessment = case[case.index('id="assessment-accounts"') :]
    assert "I finished the degree in 2016." in assessment


def test_an_empty_account_or_one_about_someone_elses_private_life_is_refused_by_the_field(
    fs, client, world
):
    case_id, finding_id, token, _ = released_case(world)
    csrf = _open(client, token, "zh-Hans")
    action = f"/candidate/findings/{finding_id}/account"
    empty = client.post(action, data={"csrf": csrf, "kind": "explanation", "statement": " "})
    assert empty.status_code == 422
    error = re.search(
        rf'id="account-{finding_id}-statement-error"[^>]*>([^<]*)<code[^>]*>validation_error<',
        empty.text,
    )
    assert error and "请填写您的说明" in error.group(1)
    assert f'aria-describedby="account-{finding_id}-statement-error"' in empty.text

    text = "我的同事离过婚，所以他作证不可信"
    refused = client.post(action, data={"csrf": csrf, "kind": "explanation", "statement": text})
    assert refused.status_code == 422
    error = re.search(
        rf'id="account-{finding_id}-statement-error"[^>]*>([^<]*)<code[^>]*>forbidden_content<',
        refused.text,
    )
    assert error and "他人" in error.group(1)
    assert f">{text}</textarea>" in refused.text  # what was typed is kept
    assert _accounts(fs, case_id) == []

    # The candidate's own past is not silenced: their account about themself is kept.
    ok = client.post(
        action,
        data={
            "csrf": csrf,
            "kind": "rehabilitation",
            "statement": "我于 2019 年刑满释放后一直在职",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303 and _accounts(fs, case_id) == [finding_id]


def test_an_account_posted_from_a_page_opened_before_the_decision_is_refused_with_a_message(
    fs, client, world, clock
):
    case_id, finding_id, token, _ = released_case(world)
    csrf = _open(client, token, "zh-Hans")
    page = client.get("/candidate", headers=HTML).text
    assert f'action="/candidate/findings/{finding_id}/account"' in page  # offered, then...
    clock.advance(days=8)
    _reject(client, world, case_id)  # ...the employer decides before it is sent
    _open(client, fresh_token(world), "zh-Hans")  # a signed case's link lives 7 days

    r = client.post(
        f"/candidate/findings/{finding_id}/account",
        data={"csrf": csrf, "kind": "correction", "statement": "I finished the degree in 2016."},
        headers=HTML,
    )
    assert r.status_code == 409
    # The page still shows the report and the decision, and says why, in its language.
    assert 'data-outcome="reject"' in r.text
    error = re.search(
        rf'id="account-{finding_id}-form-error"[^>]*>([^<]*)<code[^>]*>invalid_state<', r.text
    )
    assert error and "雇主已作出决定" in error.group(1)
    assert f'action="/candidate/findings/{finding_id}/account"' not in r.text
    assert _accounts(fs, case_id) == []


def test_an_account_without_the_forms_token_is_refused(fs, client, world):
    case_id, finding_id, token, _ = released_case(world)
    _open(client, token)
    r = client.post(
        f"/candidate/findings/{finding_id}/account",
        data={"csrf": "forged", "statement": "mine"},
        headers=HTML,
    )
    assert r.status_code == 403
    assert _accounts(fs, case_id) == []


def test_a_rejected_candidate_asks_for_a_re_review_that_another_person_answers(
    fs, client, world, clock
):
    case_id, _, token, _ = released_case(world)
    csrf = _open(client, token)
    page = client.get("/candidate", headers=HTML).text
    assert 'id="review-form"' not in page and 'id="decision"' not in page  # nothing decided

    clock.advance(days=8)
    _reject(client, world, case_id)
    csrf = _open(client, fresh_token(world))  # a signed case's link lives 7 days
    page = client.get("/candidate", headers=HTML).text
    assert 'data-outcome="reject"' in page
    assert "Declared credential does not match the record" in page  # the reason, in words
    assert 'action="/candidate/reviews"' in page
    assert "/account" not in page  # accounts are given before the decision

    empty = client.post("/candidate/reviews", data={"csrf": csrf, "statement": ""}, headers=HTML)
    assert empty.status_code == 422
    assert 'id="review-statement-error"' in empty.text
    assert "Say why the decision should be looked at again." in empty.text
    assert _reviews(fs, case_id) == []

    r = client.post(
        "/candidate/reviews",
        data={"csrf": csrf, "statement": "The registry lists another person of my name."},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/candidate?done=review_requested#re-review"
    [review] = _reviews(fs, case_id)
    assert review.owner_id != world["hr"].actor.id
    page = client.get(r.headers["location"], headers=HTML).text
    section = page[page.index('id="re-review"') :]
    assert "Your request for a human re-review was received." in section
    card = section[section.index(f'id="item-{review.id}"') :]
    assert "Request for a human re-review" in card
    assert re.search(r'class="owner">admin\d+@t\.example<', card)
    assert re.search(r'class="due">\d{1,2} \w+ 20\d\d', card)
    assert 'action="/candidate/reviews"' not in page  # one request per decision

    # The desk lists it with the others; the investigator's desk has no such queue.
    desk = client.get("/app/desk?lang=en", headers=_as(world, "admin")).text
    assert 'id="reviews"' in desk and f'id="row-{review.id}"' in desk
    assert 'id="reviews"' not in client.get("/app/desk", headers=_as(world, "investigator")).text

    # The person who decided sees it but is refused, with the domain's words, by the form.
    item = client.get(f"/app/desk/reviews/{review.id}?lang=en", headers=_as(world, "hr"))
    assert item.status_code == 200
    assert "The registry lists another person of my name." in item.text
    staff_csrf = CSRF.search(item.text).group(1)
    action = f"/app/desk/reviews/{review.id}/answer"
    answer = {"csrf": staff_csrf, "outcome": "upheld", "answer": "I looked again."}
    refused = client.post(action, data=answer, headers=_as(world, "hr"))
    assert refused.status_code == 403
    form = refused.text[refused.text.index('id="review-answer-form"') :]
    assert (
        "A re-review is made by someone other than the person who decided."
        in form.split("</form>")[0]
    )

    missing = client.post(
        f"{action}?lang=zh-Hant", data={**answer, "outcome": ""}, headers=_as(world, "admin")
    )
    assert missing.status_code == 422
    assert re.search(r'id="outcome-error"[^>]*>請選擇維持還是撤銷原決定。<', missing.text)
    assert ">I looked again.</textarea>" in missing.text

    done = client.post(
        action,
        data={**answer, "outcome": "reversed", "answer": "The record was another person's."},
        headers=_as(world, "admin"),
        follow_redirects=False,
    )
    assert done.status_code == 303
    with fs.reader() as uow:
        decision = uow.session.scalar(
            select(FeedbackDecision).where(FeedbackDecision.case_id == case_id)
        )
        assert decision is not None and decision.outcome == "hire"

    page = client.get("/candidate?lang=en", headers=HTML).text  # the desk chose Chinese
    section = page[page.index('id="re-review"') :]
    assert 'data-outcome="reversed"' in section
    assert "Reversed: the decision is now to hire you" in section
    assert "The record was another person&#39;s." in section
    assert 'id="decision-reversed"' in page
    rate = f"/candidate/reviews/{review.id}/satisfaction"
    assert f'action="{rate}"' in section
    r = client.post(rate, data={"csrf": csrf, "score": "5"}, follow_redirects=False)
    assert r.headers["location"] == "/candidate?done=review_rated#re-review"
    assert "Thank you for your answer." in client.get(r.headers["location"], headers=HTML).text
    [review] = _reviews(fs, case_id)
    assert review.satisfaction_score == 5


def test_a_candidate_without_a_decision_against_them_is_told_so_by_the_form(
    fs, client, world, clock
):
    case_id, _, token, _ = released_case(world, adverse=False)
    csrf = _open(client, token, "zh-Hant")
    r = client.post("/candidate/reviews", data={"csrf": csrf, "statement": "請複核"}, headers=HTML)
    assert r.status_code == 409
    # The domain's own words, in the page language, next to the form.
    assert re.search(r'id="review-form-error"[^>]*>人工複核針對對您不利的決定', r.text)
    assert _reviews(fs, case_id) == []


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_every_new_text_of_these_pages_is_translated(lang):
    texts = [
        *candidate_pages.ACCOUNT_KINDS.values(),
        *candidate_pages.REVIEW_OUTCOME_NAMES.values(),
        *candidate_pages.REVIEW_NOTICES.values(),
        *candidate_pages.REVIEW_FIELD_MESSAGES.values(),
        *candidate_pages.REVIEW_DOMAIN_MESSAGES,
        candidate_pages.ACCOUNT_TOPIC,
        *investigator_pages.REVIEW_OUTCOME_LABELS.values(),
        *investigator_pages.REVIEW_FIELD_MESSAGES.values(),
        *investigator_pages.REVIEW_DOMAIN_MESSAGES,
    ]
    assert [t for t in texts if t not in catalog(lang)] == []
    assert catalog("zh-Hans")[texts[0]] != catalog("en").get(texts[0])
