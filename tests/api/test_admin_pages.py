"""The organisation admin's pages: users and roles, API keys, positions, retention, legal
holds and webhooks, through HTTP as a browser without JavaScript uses them."""

from __future__ import annotations

import re

import pytest

from factories.world import open_case
from fairscreen.identity import queries as identity_queries
from fairscreen.identity.models import User
from fairscreen.identity.roles import do_change_role, leaves_no_admin
from fairscreen.retention.models import LegalHold
from fairscreen.shared.errors import InvalidState, NotFound
from fairscreen.web.l10n import catalog
from fairscreen.web.pages import admin as admin_pages
from fairscreen.webhooks.actions import do_deliver_due, enqueue
from fairscreen.webhooks.models import Delivery
from support.receiver import receiver

HTML = {"accept": "text/html"}


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', text).group(1)


def _sign_in(client, fs, staff) -> str:
    """Sign in as a factory user (password "<role>-password"); return the CSRF token."""
    with fs.reader() as uow:
        user = uow.session.get(User, staff.actor.id)
        email = user.email
    csrf = _csrf(client.get("/login?lang=en", headers=HTML).text)
    response = client.post(
        "/login",
        data={"email": email, "password": f"{staff.actor.role}-password", "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return csrf


@pytest.fixture
def admin(client, fs, world) -> str:
    return _sign_in(client, fs, world["admin"])


def _user(fs, email: str) -> User | None:
    with fs.reader() as uow:
        return uow.session.query(User).filter_by(email=email).one_or_none()


def test_the_admin_pages_need_an_admin_sign_in(client, fs, world):
    for path in ("/admin", "/admin/users", "/admin/api-keys", "/admin/webhooks"):
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
    _sign_in(client, fs, world["hr"])
    refused = client.get("/admin/users", headers=HTML)
    assert refused.status_code == 403
    assert 'action="/admin/users"' not in refused.text


def test_an_admin_adds_a_user_and_a_taken_email_is_shown_next_to_its_field(
    client, fs, world, admin
):
    page = client.get("/admin/users", headers=HTML).text
    assert "Employer Co" in page
    options = re.search(r'<select id="role" name="role">(.*?)</select>', page, re.S).group(1)
    assert "Investigator" in options and "Inspector" not in options  # an employer's roles
    form = {"csrf": admin, "email": "Li.Na@t.example", "name": "Li Na", "role": "employer"}
    response = client.post("/admin/users", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert _user(fs, "li.na@t.example").role == "employer"
    page = client.get(response.headers["location"], headers=HTML).text
    assert "The user was added." in page and "li.na@t.example" in page

    taken = client.post(
        "/admin/users", data={**form, "role": "investigator"}, headers=HTML
    )  # same e-mail, another role
    assert taken.status_code == 422
    error = re.search(r'id="email-error"[^>]*>([^<]*)<code[^>]*>([^<]*)<', taken.text)
    assert error and "cannot be used" in error.group(1)
    assert error.group(2) == "validation_error"
    assert 'value="Li.Na@t.example"' in taken.text
    assert _user(fs, "li.na@t.example").role == "employer"


def test_an_admin_changes_a_role_but_never_removes_the_last_admin(client, fs, world, admin):
    hr = world["hr"].actor
    response = client.post(
        f"/admin/users/{hr.id}/role",
        data={"csrf": admin, "role": "investigator"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _user_role(fs, hr.id) == "investigator"

    me = world["admin"].actor
    refused = client.post(
        f"/admin/users/{me.id}/role", data={"csrf": admin, "role": "employer"}, headers=HTML
    )
    assert refused.status_code == 409
    error = re.search(
        rf'id="role-{me.id}-error"[^>]*>([^<]*)<code[^>]*>invalid_state<', refused.text
    )
    assert error and "at least one admin" in error.group(1)
    assert _user_role(fs, me.id) == "admin"

    wrong = client.post(
        f"/admin/users/{hr.id}/role", data={"csrf": admin, "role": "regulator"}, headers=HTML
    )
    assert wrong.status_code == 422
    assert f'id="role-{hr.id}-error"' in wrong.text
    assert _user_role(fs, hr.id) == "investigator"


def _user_role(fs, user_id: str) -> str:
    with fs.reader() as uow:
        return uow.session.get(User, user_id).role


def test_a_role_change_reaches_only_the_admins_own_organisation(fs, world):
    other = world["investigator"].actor  # the agency's
    with pytest.raises(NotFound):
        do_change_role(fs.uow(), actor=world["admin"].actor, user_id=other.id, role="admin")
    with pytest.raises(InvalidState):
        do_change_role(
            fs.uow(),
            actor=world["agency_admin"].actor,
            user_id=world["agency_admin"].actor.id,
            role="investigator",
        )
    assert leaves_no_admin("admin", "employer", 2) is False
    assert leaves_no_admin("employer", "admin", 0) is False


def test_an_api_key_is_shown_once_then_only_by_its_prefix_and_revoking_stops_it(
    client, fs, world, admin
):
    hr = world["hr"].actor
    created = client.post("/admin/api-keys", data={"csrf": admin, "user_id": hr.id}, headers=HTML)
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    key = re.search(r'id="new-key-value"[^>]*>(fsk_[^<]+)<', created.text).group(1)
    prefix, _, secret = key.partition(".")
    assert secret
    bearer = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/positions", headers=bearer).status_code == 200

    listing = client.get("/admin/api-keys", headers=HTML).text
    assert prefix in listing and secret not in listing
    assert 'id="new-key"' not in listing
    for row in identity_queries.org_api_keys(fs.reader(), actor=world["admin"].actor):
        assert "." not in row["prefix"]

    key_id = prefix.removeprefix("fsk_")
    revoked = client.post(
        f"/admin/api-keys/{key_id}/revoke", data={"csrf": admin}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/positions", headers=bearer).status_code == 401
    assert "revoked on" in client.get("/admin/api-keys", headers=HTML).text


def test_a_key_for_a_user_of_another_organisation_is_refused_next_to_the_user(client, world, admin):
    other = world["investigator"].actor
    response = client.post(
        "/admin/api-keys", data={"csrf": admin, "user_id": other.id}, headers=HTML
    )
    assert response.status_code == 403
    assert (
        'id="user_id-error"' in response.text and "fsk_" not in response.text.split("<table", 1)[0]
    )


def test_a_new_position_shows_the_categories_its_purpose_and_grade_allow(client, world, admin):
    form = {"csrf": admin, "title": "Bus driver", "purpose": "driver", "grade": "staff"}
    response = client.post("/admin/positions", data=form, follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"] + "&lang=en", headers=HTML).text
    start = page.index('class="position created"')
    created = page[start : page.index('id="create-heading"')]
    assert "Bus driver" in created and "The position was created." in created
    codes = re.findall(r'data-code="([^"]+)"', created)
    assert "criminal_record" in codes and "driving_record" in codes
    assert "credit" not in codes and "litigation" not in codes


def test_a_position_without_a_title_is_refused_next_to_the_title(client, world, admin):
    form = {"csrf": admin, "title": " ", "purpose": "general", "grade": "staff"}
    response = client.post("/admin/positions", data=form, headers=HTML)
    assert response.status_code == 422
    assert re.search(r'id="title-error"[^>]*>Give a title', response.text)
    assert 'aria-describedby="title-error"' in response.text


def test_retention_periods_may_be_shortened_but_not_lengthened(client, fs, world, admin):
    page = client.get("/admin/retention", headers=HTML).text
    law = int(
        re.search(r'id="period-not_hired"><td>[^<]*</td><td class="days">(\d+)<', page).group(1)
    )
    response = client.post(
        "/admin/retention", data={"csrf": admin, "not_hired": "90"}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get("/admin/retention", headers=HTML).text
    assert re.search(r'id="period-not_hired"><td>[^<]*</td><td class="days">90<', page)

    longer = client.post(
        "/admin/retention", data={"csrf": admin, "not_hired": str(law + 1)}, headers=HTML
    )
    assert longer.status_code == 422
    assert re.search(r'id="not_hired-error"[^>]*>[^<]*<code[^>]*>validation_error<', longer.text)
    words = client.post(
        "/admin/retention", data={"csrf": admin, "hired_after_end": "ten"}, headers=HTML
    )
    assert words.status_code == 422 and 'id="hired_after_end-error"' in words.text
    page = client.get("/admin/retention", headers=HTML).text
    assert re.search(r'id="period-not_hired"><td>[^<]*</td><td class="days">90<', page)


def test_a_legal_hold_is_placed_listed_with_its_reason_and_lifted(client, fs, world, admin):
    case_id, _ = open_case(world)
    form = {
        "csrf": admin,
        "case_id": case_id,
        "reason": "Labour arbitration 2026-17 pending",
        "ends_on": "2027-06-30",
    }
    response = client.post("/admin/legal-holds", data=form, follow_redirects=False)
    assert response.status_code == 303
    with fs.reader() as uow:
        [hold] = uow.session.query(LegalHold).filter_by(case_id=case_id).all()
    page = client.get("/admin/legal-holds", headers=HTML).text
    item = page[page.index(f'id="hold-{hold.id}"') :]
    assert 'class="hold in-force"' in page
    assert "Labour arbitration 2026-17 pending" in item and "30 June 2027" in item

    lifted = client.post(
        f"/admin/legal-holds/{hold.id}/release", data={"csrf": admin}, follow_redirects=False
    )
    assert lifted.status_code == 303
    with fs.reader() as uow:
        assert uow.session.get(LegalHold, hold.id).released_at is not None
    assert "lifted on" in client.get("/admin/legal-holds", headers=HTML).text


def test_a_hold_on_an_unknown_case_or_ending_in_the_past_is_refused_by_field(
    client, fs, world, admin
):
    case_id, _ = open_case(world)
    unknown = client.post(
        "/admin/legal-holds",
        data={"csrf": admin, "case_id": "case_nope", "reason": "court"},
        headers=HTML,
    )
    assert unknown.status_code == 404
    assert re.search(r'id="case_id-error"[^>]*>[^<]*<code[^>]*>not_found<', unknown.text)
    past = client.post(
        "/admin/legal-holds",
        data={"csrf": admin, "case_id": case_id, "reason": "court", "ends_on": "2001-01-01"},
        headers=HTML,
    )
    assert past.status_code == 422
    assert re.search(
        r'id="ends_at-error"[^>]*>Give the day the hold ends: in the future', past.text
    )
    with fs.reader() as uow:
        assert uow.session.query(LegalHold).count() == 0


def test_a_webhook_secret_is_shown_once_and_its_deliveries_can_be_sent_again(
    client, fs, world, admin
):
    fs.settings.webhook_allow_private = "127.0.0.1"  # the test's receiver listens there
    with receiver(statuses=[500]) as rx:
        form = {"csrf": admin, "url": rx["url"], "events": ["report.released", "dispute.opened"]}
        created = client.post("/admin/webhooks", data=form, headers=HTML)
        assert created.status_code == 201
        secret = re.search(r"(whsec_[A-Za-z0-9+/=]+)", created.text).group(1)
        listing = client.get("/admin/webhooks", headers=HTML).text
        assert rx["url"] in listing and secret not in listing
        endpoint_id = re.search(r'href="/admin/webhooks/(whk_[^"]+)"', listing).group(1)

        with fs.uow() as uow:
            enqueue(
                uow, org_id=world.employer, event_type="report.released", data={"case_id": "c1"}
            )
            uow.commit()
        do_deliver_due(fs.uow)
    log = client.get(f"/admin/webhooks/{endpoint_id}", headers=HTML).text
    [delivery_id] = re.findall(r'id="delivery-([^"]+)"', log)
    # The tenant sees that it failed, never what the target answered.
    assert "failed" in log and "500" not in log

    with fs.reader() as uow:
        uow.session.get(Delivery, delivery_id)  # exists
    again = client.post(
        f"/admin/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
        data={"csrf": admin},
        follow_redirects=False,
    )
    assert again.status_code == 303
    with fs.reader() as uow:
        assert uow.session.get(Delivery, delivery_id).status == "pending"
    assert (
        "The delivery was queued again." in client.get(again.headers["location"], headers=HTML).text
    )


def test_a_webhook_without_events_is_refused_next_to_the_events(client, world, admin):
    response = client.post(
        "/admin/webhooks", data={"csrf": admin, "url": "https://ats.example/h"}, headers=HTML
    )
    assert response.status_code == 422
    assert 'id="events-error"' in response.text and "whsec_" not in response.text


def test_another_organisations_webhook_log_is_not_found(client, fs, world, admin):
    assert client.get("/admin/webhooks/whk_nope", headers=HTML).status_code == 404


def test_admin_forms_posted_without_the_csrf_token_are_refused(client, fs, world, admin):
    form = {"csrf": "forged", "email": "x@t.example", "role": "employer"}
    assert client.post("/admin/users", data=form).status_code == 403
    assert _user(fs, "x@t.example") is None


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_every_text_the_admin_handlers_show_is_translated(lang):
    texts = [
        *admin_pages.FIELD_MESSAGES.values(),
        *admin_pages.PURPOSES.values(),
        *admin_pages.GRADES.values(),
        *admin_pages.ROLE_NAMES.values(),
        *admin_pages.PERIODS.values(),
        *admin_pages.NOTICES.values(),
        "pending",
        "delivered",
        "failed",
    ]
    assert [t for t in texts if t not in catalog(lang)] == []


def test_an_admin_edits_disables_enables_and_deletes_an_endpoint_after_confirming(
    client, fs, world, admin
):
    form = {"csrf": admin, "url": "https://ats.example/h", "events": ["report.released"]}
    assert client.post("/admin/webhooks", data=form, headers=HTML).status_code == 201
    listing = client.get("/admin/webhooks", headers=HTML).text
    endpoint_id = re.search(r'href="/admin/webhooks/(whk_[^"]+)"', listing).group(1)
    page = f"/admin/webhooks/{endpoint_id}"

    refused = client.post(
        page, data={"csrf": admin, "url": "http://0177.0.0.1/", "events": ["case.destroyed"]}
    )
    assert refused.status_code == 422 and "dotted decimal" in refused.text
    saved = client.post(
        page,
        data={"csrf": admin, "url": "https://ats.example/v2", "events": ["case.destroyed"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = client.get(page, headers=HTML).text
    assert "https://ats.example/v2" in shown and "The endpoint was saved." not in listing

    off = client.post(f"{page}/disable", data={"csrf": admin}, follow_redirects=False)
    assert off.status_code == 303 and 'id="endpoint-disabled"' in client.get(page).text
    on = client.post(f"{page}/enable", data={"csrf": admin}, follow_redirects=False)
    assert on.status_code == 303 and 'id="endpoint-disabled"' not in client.get(page).text

    confirm = client.get(f"{page}/delete", headers=HTML)
    assert confirm.status_code == 200 and 'id="delete-webhook-confirm"' in confirm.text
    unconfirmed = client.post(f"{page}/delete", data={"csrf": admin}, follow_redirects=False)
    assert unconfirmed.status_code == 303
    assert client.get(page, headers=HTML).status_code == 200  # still there
    assert client.post(f"{page}/delete", data={"confirmed": "yes"}).status_code == 403  # no csrf
    deleted = client.post(
        f"{page}/delete", data={"csrf": admin, "confirmed": "yes"}, follow_redirects=False
    )
    assert deleted.status_code == 303
    assert client.get(page, headers=HTML).status_code == 404
