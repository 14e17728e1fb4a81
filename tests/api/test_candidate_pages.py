"""The candidate's HTML pages: forms that work without JavaScript, post-redirect-get."""

from __future__ import annotations

import re

import pytest

from factories.consent import record_subject, sign
from factories.world import open_case
from fairscreen.cases.models import Case
from fairscreen.rating.actions import do_release_report
from fairscreen.retention.models import ErasureRequest
from fairscreen.verification.actions import do_add_source, do_record_finding

HTML = {"accept": "text/html"}
SENSITIVE = ("identity", "education", "criminal_record")


def _status(fs, case_id: str) -> str:
    with fs.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return case.status


def _open(client, token: str, lang: str = "zh-Hans") -> str:
    """Follow the invitation link; return the CSRF token of the page it leads to."""
    page = client.get(f"/c/{token}?lang={lang}", headers=HTML)
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _consent(csrf: str, **overrides):
    form = {
        "csrf": csrf,
        "full_name": "张伟",
        "agree": "yes",
        "categories": ["identity", "education", "criminal_record"],
        "separate": ["criminal_record"],
    }
    form.update(overrides)
    return form


@pytest.fixture
def driver_case(world):
    return open_case(world, purpose="driver", categories=SENSITIVE)


def test_the_invitation_link_moves_the_token_into_an_httponly_cookie(client, driver_case):
    _, token = driver_case
    response = client.get(f"/c/{token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/candidate"
    cookie = response.headers["set-cookie"]
    assert "fs_candidate=" in cookie and "HttpOnly" in cookie
    assert token not in client.get("/candidate", headers=HTML).text


def test_the_consent_page_explains_each_category_and_asks_separately_for_sensitive_ones(
    client, driver_case
):
    _, token = driver_case
    client.get(f"/c/{token}?lang=en", headers=HTML)
    page = client.get("/candidate", headers=HTML)
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert "to verify the degrees the candidate declared" in text  # why
    assert "issuing institution" in text  # how
    assert 'id="sep-criminal_record"' in text
    assert 'id="sep-identity"' not in text
    assert "Employer Co" in text and "张伟" in text  # the document in full


def test_a_mistyped_name_is_shown_next_to_the_name_field_and_nothing_is_signed(
    fs, client, driver_case
):
    case_id, token = driver_case
    csrf = _open(client, token, "en")
    response = client.post(
        "/candidate/consent", data=_consent(csrf, full_name="李四"), headers=HTML
    )
    assert response.status_code == 422
    assert re.search(r'id="full_name-error"[^>]*>[^<]*does not match', response.text)
    assert 'value="李四"' in response.text  # what was typed is kept
    assert _status(fs, case_id) == "awaiting_consent"


def test_a_sensitive_category_without_separate_consent_is_flagged_on_that_category(
    fs, client, driver_case
):
    case_id, token = driver_case
    csrf = _open(client, token)
    response = client.post("/candidate/consent", data=_consent(csrf, separate=[]), headers=HTML)
    assert response.status_code == 422
    assert 'id="sep-criminal_record-error"' in response.text
    assert "单独同意" in response.text
    assert _status(fs, case_id) == "awaiting_consent"


def test_a_form_posted_without_the_csrf_token_is_refused(fs, client, driver_case):
    case_id, token = driver_case
    _open(client, token)
    response = client.post("/candidate/consent", data=_consent("forged"))
    assert response.status_code == 403
    assert _status(fs, case_id) == "awaiting_consent"


def test_signing_redirects_to_the_status_page_with_the_checks_and_their_counts(
    fs, client, driver_case
):
    case_id, token = driver_case
    csrf = _open(client, token, "en")
    response = client.post("/candidate/consent", data=_consent(csrf), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/candidate"
    assert _status(fs, case_id) == "in_progress"
    page = client.get("/candidate", headers=HTML).text
    assert "Your background check is under way" in page
    assert "Employer Co asked for this check; Agency Co carries it out." in page
    assert page.count("nothing recorded yet") == 3
    assert 'action="/candidate/withdraw"' in page


def test_declining_closes_the_check(fs, client, driver_case):
    case_id, token = driver_case
    csrf = _open(client, token, "en")
    page = client.post("/candidate/refuse", data={"csrf": csrf}, headers=HTML)
    assert page.status_code == 200
    assert "You declined the check" in page.text
    assert _status(fs, case_id) == "refused"


def test_withdrawing_asks_for_confirmation_first(fs, client, world):
    case_id, token = open_case(world)
    sign(world, token, "张伟", ["identity", "education"])
    csrf = _open(client, token, "en")
    ask = client.post("/candidate/withdraw", data={"csrf": csrf}, headers=HTML)
    assert "Withdraw consent?" in ask.text
    assert _status(fs, case_id) == "in_progress"
    done = client.post("/candidate/withdraw", data={"csrf": csrf, "confirmed": "yes"})
    assert "You withdrew your consent" in done.text
    assert _status(fs, case_id) == "withdrawn"


def test_the_released_report_is_shown_and_erasure_shows_its_due_date(fs, client, world):
    case_id, token = open_case(world)
    sign(world, token, "张伟", ["identity", "education"])
    inv = world["investigator"].actor
    finding = do_record_finding(
        fs.uow(), actor=inv, case_id=case_id, category="identity", claim="ID card matches"
    )
    do_add_source(
        fs.uow(),
        actor=inv,
        finding_id=finding.id,
        kind="official_registry",
        origin="R",
        supports=True,
        subject=record_subject(),
    )
    do_release_report(fs.uow(), actor=inv, case_id=case_id)
    csrf = _open(client, token, "en")
    page = client.get("/candidate", headers=HTML).text
    assert "Your report" in page and "ID card matches" in page
    assert 'id="disputes-and-complaints"' in page
    after = client.post("/candidate/erasure", data={"csrf": csrf}, headers=HTML).text
    assert re.search(r"carried out by \d{1,2} \w+ 2026 at the latest", after)
    with fs.reader() as uow:
        assert uow.session.query(ErasureRequest).filter_by(case_id=case_id).count() == 1


def test_the_consent_receipt_is_a_page_and_a_json_download(client, world):
    _, token = open_case(world)
    sign(world, token, "张伟", ["identity", "education"])
    _open(client, token, "en")
    page = client.get("/candidate/receipt", headers=HTML)
    assert page.status_code == 200 and "Consent receipt" in page.text
    download = client.get("/candidate/receipt.json")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.json()["decision"] == "signed"


def test_the_candidate_pages_need_the_invitation(client):
    assert client.get("/candidate").status_code == 401
    assert client.get("/candidate/receipt.json").status_code == 401


def test_the_status_page_counts_findings_by_status_without_showing_them(client, world):
    case_id, token = open_case(world)
    sign(world, token, "张伟", ["identity", "education"])
    do_record_finding(
        world.app.uow(),
        actor=world["investigator"].actor,
        case_id=case_id,
        category="education",
        claim="Degree certificate not yet confirmed",
    )
    _open(client, token, "en")
    page = client.get("/candidate", headers=HTML).text
    assert "unverified: 1" in page
    assert "Degree certificate" not in page  # no claims before the report
    assert page.count("nothing recorded yet") == 1
