"""The organisation admin's pages: users and roles, API keys, positions, retention, legal
holds and webhooks.

Each handler parses the form, calls the same action or query as the API, and renders; a
refusal is shown next to the field it concerns, with its code. Secrets (API keys, webhook
signing secrets) are shown once, in the answer to the post that made them, never again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairscreen.bootstrap import App
from fairscreen.cases.queries import list_cases
from fairscreen.identity import queries as identity_queries
from fairscreen.identity.actions import (
    API_KEY_DAYS,
    do_create_api_key,
    do_create_user,
    do_revoke_api_key,
    do_set_mail_domains,
)
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.identity.roles import do_change_role
from fairscreen.retention.actions import do_place_hold, do_release_hold
from fairscreen.retention.lifecycle import do_set_retention_policy, get_retention_policy
from fairscreen.retention.policy import DEFAULT_DAYS
from fairscreen.retention.queries import org_holds
from fairscreen.scope.actions import do_create_position, list_positions
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import DomainError
from fairscreen.shared.languages import text_in
from fairscreen.web import labels
from fairscreen.web.deps import AppDep
from fairscreen.web.errors import status_for
from fairscreen.web.forms import refusal_message, require_csrf
from fairscreen.web.i18n import pick_lang
from fairscreen.web.l10n import DISPLAY_TZ, gettext
from fairscreen.web.pages.staff import back, staff_actor, to_login
from fairscreen.web.rendering import render as render_page
from fairscreen.webhooks import actions as webhook_actions
from fairscreen.webhooks.policy import EVENT_TYPES
from fairscreen.webhooks.queries import org_endpoint, org_endpoints

router = APIRouter(include_in_schema=False)

# The English text is the message id; translations in locales/*/LC_MESSAGES/admin.po.
FIELD_MESSAGES: dict[str, str] = {
    "email": "This e-mail address cannot be used for a new user; give the person's own address.",
    "mail_domains": "Give mail domains such as example.com, one per line; public mailbox "
    "providers cannot be an organisation's own.",
    "expires_in_days": "Give a whole number of days from 1 to 3650.",
    "role": "Choose a role this organisation may have.",
    "last_admin": "The organisation needs at least one admin.",
    "title": "Give a title of 1 to 200 characters.",
    "purpose": "Choose the purpose of the position.",
    "grade": "Choose the grade of the position.",
    "days": "Give a whole number of days, no more than the law's period.",
    "case_id": "There is no such case, or it is not yours.",
    "destroyed": "This case has already been destroyed.",
    "reason": "Give the reason for the hold (1 to 2000 characters).",
    "ends_at": "Give the day the hold ends: in the future, within the longest hold allowed.",
    "url": "Give an http(s) URL for the endpoint.",
    "events": "Choose at least one event.",
    "user_id": "Choose a user of your organisation.",
}
PURPOSES = labels.POSITION_PURPOSE
GRADES = labels.POSITION_GRADE_SHORT
ROLE_NAMES = labels.USER_ROLE
PERIODS = labels.RETENTION_PERIOD
NOTICES: dict[str, str] = {
    "user_added": "The user was added.",
    "role_changed": "The role was changed.",
    "key_revoked": "The key was revoked; it no longer works.",
    "domains_saved": "The mail domains were saved.",
    "policy_saved": "The retention periods were saved.",
    "hold_placed": "The legal hold was placed; the case will not be destroyed while it lasts.",
    "hold_released": "The legal hold was lifted.",
    "redelivered": "The delivery was queued again.",
    "webhook_saved": "The endpoint was saved.",
    "webhook_disabled": "The endpoint is disabled; its messages wait until it is enabled.",
    "webhook_enabled": "The endpoint is enabled; waiting messages are sent.",
    "webhook_deleted": "The endpoint was deleted; nothing more is sent to it.",
}


def _admin(request: Request, app: App) -> Actor | None:
    """Return the signed-in admin, None for no staff sign-in; refuse other roles."""
    actor = staff_actor(request, app)
    if actor is not None:
        require_staff(actor, "admin")
    return actor


def _done(path: str, notice: str) -> Response:
    return back(f"{path}?done={notice}")


def refusal(exc: DomainError, lang: str, field: str | None = None) -> dict[str, str]:
    """Return a refusal as a message a person understands, with its stable code."""
    if exc.code == "validation_error" and field in FIELD_MESSAGES:
        message = gettext(FIELD_MESSAGES[field], lang)
    else:
        message = refusal_message(exc.code, lang)
    return {"message": message, "code": exc.code}


def _field(exc: DomainError, known: tuple[str, ...], default: str = "form") -> str:
    field = exc.details.get("field")
    return field if isinstance(field, str) and field in known else default


def render(request: Request, template: str, actor: Actor, **context: Any) -> Response:
    """Render an admin page; secrets and staff lists are never kept in a shared cache."""
    lang = pick_lang(request)
    notice = NOTICES.get(request.query_params.get("done") or "")
    response = render_page(
        request,
        template,
        actor=actor,
        notice=gettext(notice, lang) if notice else None,
        role_names=ROLE_NAMES,
        errors=context.pop("errors", {}),
        posted=context.pop("posted", {}),
        **context,
    )
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request, app: AppDep) -> Response:
    """Open the admin pages at the users and roles."""
    if _admin(request, app) is None:
        return to_login(request)
    return RedirectResponse("/admin/users", status_code=303)


# ----- users and roles -----


def _users_page(
    request: Request, app: App, actor: Actor, status: int = 200, **ctx: Any
) -> Response:
    data = identity_queries.org_users(app.reader(), actor=actor)
    domains = identity_queries.org_mail_domains(
        app.reader(), actor=actor, org_id=actor.org_id or ""
    )
    return render(
        request, "admin/users.html", actor, status=status, data=data, domains=domains, **ctx
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, app: AppDep) -> Response:
    """List the organisation's users with their roles."""
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    return _users_page(request, app, actor)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    app: AppDep,
    email: Annotated[str, Form(max_length=254)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Add a user to the organisation with one role."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    try:
        do_create_user(
            app.uow(),
            actor=actor,
            org_id=actor.org_id or "",
            email=email,
            role=role,
            name=name.strip(),
            password=password or None,
        )
    except DomainError as exc:
        field = _field(exc, ("email", "role"))
        posted = {"email": email, "name": name, "role": role}
        errors = {field: refusal(exc, pick_lang(request), field)}
        return _users_page(
            request, app, actor, status=status_for(exc), errors=errors, posted=posted
        )
    return _done("/admin/users", "user_added")


@router.post("/admin/mail-domains", response_class=HTMLResponse)
def set_mail_domains(
    request: Request,
    app: AppDep,
    mail_domains: Annotated[str, Form(max_length=5000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Declare the organisation's own mail domains (no candidate address may be there)."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    domains = [d for d in mail_domains.replace(",", "\n").split() if d]
    try:
        do_set_mail_domains(app.uow(), actor=actor, org_id=actor.org_id or "", mail_domains=domains)
    except DomainError as exc:
        errors = {"mail_domains": refusal(exc, pick_lang(request), "mail_domains")}
        posted = {"mail_domains": mail_domains}
        return _users_page(request, app, actor, status=422, errors=errors, posted=posted)
    return _done("/admin/users", "domains_saved")


@router.post("/admin/users/{user_id}/role", response_class=HTMLResponse)
def change_role(
    user_id: str,
    request: Request,
    app: AppDep,
    role: Annotated[str, Form(max_length=32)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Give a user another role."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    try:
        do_change_role(app.uow(), actor=actor, user_id=user_id, role=role)
    except DomainError as exc:
        error = refusal(exc, pick_lang(request), "role")
        if exc.code == "invalid_state":  # the one state a role change can refuse
            error["message"] = gettext(FIELD_MESSAGES["last_admin"], pick_lang(request))
        errors = {f"role:{user_id}": error}
        return _users_page(request, app, actor, status=status_for(exc), errors=errors)
    return _done("/admin/users", "role_changed")


# ----- API keys -----


def _keys_page(request: Request, app: App, actor: Actor, status: int = 200, **ctx: Any) -> Response:
    keys = identity_queries.org_api_keys(app.reader(), actor=actor)
    users = identity_queries.org_users(app.reader(), actor=actor)["users"]
    return render(
        request,
        "admin/api_keys.html",
        actor,
        status=status,
        keys=keys,
        users=users,
        default_days=API_KEY_DAYS,
        **ctx,
    )


@router.get("/admin/api-keys", response_class=HTMLResponse)
def keys_page(request: Request, app: AppDep) -> Response:
    """List the organisation's API keys by prefix."""
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    return _keys_page(request, app, actor, new_key=None)


@router.post("/admin/api-keys", response_class=HTMLResponse)
def create_key(
    request: Request,
    app: AppDep,
    user_id: Annotated[str, Form(max_length=64)] = "",
    expires_in_days: Annotated[str, Form(max_length=8)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Create an API key and show it this once."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    raw_days = expires_in_days.strip() or str(API_KEY_DAYS)
    try:
        days = int(raw_days) if raw_days.isdigit() else 0
        key = do_create_api_key(app.uow(), actor=actor, user_id=user_id, expires_in_days=days)
    except DomainError as exc:
        field = _field(exc, ("user_id", "expires_in_days"), "user_id")
        errors = {field: refusal(exc, pick_lang(request), field)}
        return _keys_page(request, app, actor, status=status_for(exc), new_key=None, errors=errors)
    response = _keys_page(request, app, actor, status=201, new_key=key)
    # htmx: the address stays the list's, so reloading shows the list without the secret.
    response.headers["hx-replace-url"] = "/admin/api-keys"
    return response


@router.post("/admin/api-keys/{key_id}/revoke", response_class=HTMLResponse)
def revoke_key(
    key_id: str, request: Request, app: AppDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Revoke an API key at once."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    do_revoke_api_key(app.uow(), actor=actor, key_id=key_id)
    return _done("/admin/api-keys", "key_revoked")


# ----- positions -----


def _positions_page(
    request: Request, app: App, actor: Actor, status: int = 200, **ctx: Any
) -> Response:
    lang = pick_lang(request)
    pack = load_pack()
    names = {code: text_in(c.names, lang) for code, c in pack.taxonomy.categories.items()}
    positions = list_positions(app.reader(), actor=actor)
    return render(
        request,
        "admin/positions.html",
        actor,
        status=status,
        positions=positions,
        category_names=names,
        purposes={p: PURPOSES.get(p, p) for p in pack.purposes},
        grades={g: GRADES.get(g, g) for g in pack.grades},
        created=request.query_params.get("created"),
        **ctx,
    )


@router.get("/admin/positions", response_class=HTMLResponse)
def positions_page(request: Request, app: AppDep) -> Response:
    """List positions with the categories each may request."""
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    return _positions_page(request, app, actor)


@router.post("/admin/positions", response_class=HTMLResponse)
def create_position(
    request: Request,
    app: AppDep,
    title: Annotated[str, Form(max_length=200)] = "",
    purpose: Annotated[str, Form(max_length=64)] = "",
    grade: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Create a position; its purpose and grade fix what it may request."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    try:
        position = do_create_position(
            app.uow(), actor=actor, title=title, purpose=purpose, grade=grade
        )
    except DomainError as exc:
        field = _field(exc, ("title", "purpose", "grade"))
        errors = {field: refusal(exc, pick_lang(request), field)}
        posted = {"title": title, "purpose": purpose, "grade": grade}
        return _positions_page(
            request, app, actor, status=status_for(exc), errors=errors, posted=posted
        )
    return RedirectResponse(f"/admin/positions?created={position.id}", status_code=303)


# ----- retention -----


def _retention_page(
    request: Request, app: App, actor: Actor, status: int = 200, **ctx: Any
) -> Response:
    policy = get_retention_policy(app.reader(), actor=actor, org_id=actor.org_id or "")
    return render(
        request,
        "admin/retention.html",
        actor,
        status=status,
        policy=policy,
        periods=PERIODS,
        **ctx,
    )


@router.get("/admin/retention", response_class=HTMLResponse)
def retention_page(request: Request, app: AppDep) -> Response:
    """Show the retention periods in force and the form to shorten them."""
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    return _retention_page(request, app, actor)


def parse_days(form: Mapping[str, str]) -> tuple[dict[str, int | None], dict[str, str]]:
    """Read the periods posted (blank: the law's); return them and the fields not numbers."""
    days: dict[str, int | None] = {}
    bad: dict[str, str] = {}
    for key in DEFAULT_DAYS:
        raw = (form.get(key) or "").strip()
        if not raw:
            days[key] = None
        elif raw.isdigit() and len(raw) <= 5:
            days[key] = int(raw)
        else:
            bad[key] = raw
    return days, bad


@router.post("/admin/retention", response_class=HTMLResponse)
def save_retention(
    request: Request,
    app: AppDep,
    not_hired: Annotated[str, Form(max_length=16)] = "",
    hired_after_end: Annotated[str, Form(max_length=16)] = "",
    abandoned_without_consent: Annotated[str, Form(max_length=16)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Shorten the organisation's retention periods (blank keeps the law's period)."""
    require_csrf(request, csrf)
    values = {
        "not_hired": not_hired,
        "hired_after_end": hired_after_end,
        "abandoned_without_consent": abandoned_without_consent,
    }
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    lang = pick_lang(request)
    days, bad = parse_days(values)
    posted = {k: values.get(k, "") for k in DEFAULT_DAYS}
    errors = {
        k: {"message": gettext(FIELD_MESSAGES["days"], lang), "code": "validation_error"}
        for k in bad
    }
    if not errors:
        try:
            do_set_retention_policy(app.uow(), actor=actor, org_id=actor.org_id or "", days=days)
        except DomainError as exc:
            field = _field(exc, tuple(DEFAULT_DAYS))
            errors = {field: refusal(exc, lang, "days" if field != "form" else None)}
    if errors:
        return _retention_page(request, app, actor, status=422, errors=errors, posted=posted)
    return _done("/admin/retention", "policy_saved")


# ----- legal holds -----


def _holds_page(
    request: Request, app: App, actor: Actor, status: int = 200, **ctx: Any
) -> Response:
    holds = org_holds(app.reader(), actor=actor)
    cases = list_cases(app.reader(), actor=actor, limit=200).items
    return render(
        request, "admin/holds.html", actor, status=status, holds=holds, cases=cases, **ctx
    )


@router.get("/admin/legal-holds", response_class=HTMLResponse)
def holds_page(request: Request, app: AppDep) -> Response:
    """List legal holds and the form to place one."""
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    return _holds_page(request, app, actor)


def end_of_day(day: date) -> datetime:
    """Return the last second of a calendar day in the pages' time zone."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(DISPLAY_TZ))


@router.post("/admin/legal-holds", response_class=HTMLResponse)
def place_hold(
    request: Request,
    app: AppDep,
    case_id: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    ends_on: Annotated[str, Form(max_length=32)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Place a legal hold on a case: its destruction is suspended until the hold ends."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    lang = pick_lang(request)
    posted = {"case_id": case_id, "reason": reason, "ends_on": ends_on}
    try:
        ends_at = end_of_day(date.fromisoformat(ends_on)) if ends_on.strip() else None
    except ValueError:
        error = {"message": gettext(FIELD_MESSAGES["ends_at"], lang), "code": "validation_error"}
        errors = {"ends_at": error}
        return _holds_page(request, app, actor, status=422, errors=errors, posted=posted)
    try:
        do_place_hold(
            app.uow(),
            actor=actor,
            case_id=case_id.strip(),
            reason=reason,
            ends_at=ends_at,
            max_days=app.settings.legal_hold_max_days,
        )
    except DomainError as exc:
        if exc.code in ("not_found", "invalid_state"):
            key = "case_id" if exc.code == "not_found" else "destroyed"
            error = {"message": gettext(FIELD_MESSAGES[key], lang), "code": exc.code}
            errors = {"case_id": error}
        else:
            field = _field(exc, ("reason", "ends_at"))
            errors = {field: refusal(exc, lang, field)}
        return _holds_page(
            request, app, actor, status=status_for(exc), errors=errors, posted=posted
        )
    return _done("/admin/legal-holds", "hold_placed")


@router.post("/admin/legal-holds/{hold_id}/release", response_class=HTMLResponse)
def release_hold(
    hold_id: str, request: Request, app: AppDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Lift a legal hold."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    do_release_hold(app.uow(), actor=actor, hold_id=hold_id)
    return _done("/admin/legal-holds", "hold_released")


# ----- webhooks -----


def _webhooks_page(
    request: Request, app: App, actor: Actor, status: int = 200, **ctx: Any
) -> Response:
    endpoints = org_endpoints(app.reader(), actor=actor)
    return render(
        request,
        "admin/webhooks.html",
        actor,
        status=status,
        endpoints=endpoints,
        event_types=EVENT_TYPES,
        **ctx,
    )


@router.get("/admin/webhooks", response_class=HTMLResponse)
def webhooks_page(request: Request, app: AppDep) -> Response:
    """List webhook endpoints and the form to add one."""
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    return _webhooks_page(request, app, actor, new_secret=None)


@router.post("/admin/webhooks", response_class=HTMLResponse)
def create_webhook(
    request: Request,
    app: AppDep,
    url: Annotated[str, Form(max_length=2000)] = "",
    events: Annotated[list[str] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Register an endpoint and show its signing secret this once."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    chosen = [e for e in dict.fromkeys(events or []) if e]
    try:
        _endpoint_id, secret = webhook_actions.do_create_endpoint(
            app.uow(), actor=actor, url=url.strip(), events=chosen
        )
    except DomainError as exc:
        field = _field(exc, ("url", "events"))
        errors = {field: _url_refusal(exc, pick_lang(request), field)}
        posted = {"url": url, "events": chosen}
        return _webhooks_page(
            request,
            app,
            actor,
            status=status_for(exc),
            new_secret=None,
            errors=errors,
            posted=posted,
        )
    response = _webhooks_page(request, app, actor, status=201, new_secret=secret)
    response.headers["hx-replace-url"] = "/admin/webhooks"
    return response


def _url_refusal(exc: DomainError, lang: str, field: str) -> dict[str, str]:
    # An address refusal says why (not public, a user:pass@ part, ...): show its own words.
    if field == "url" and exc.code == "validation_error" and exc.message:
        return {"message": exc.message, "code": exc.code}
    return refusal(exc, lang, field)


def _endpoint_page(
    request: Request, app: App, actor: Actor, endpoint_id: str, status: int = 200, **ctx: Any
) -> Response:
    endpoint = org_endpoint(app.reader(), actor=actor, endpoint_id=endpoint_id)
    log = webhook_actions.deliveries(app.reader(), actor=actor, endpoint_id=endpoint_id)
    return render(
        request,
        "admin/webhook_log.html",
        actor,
        status=status,
        endpoint=endpoint,
        log=log,
        event_types=EVENT_TYPES,
        **ctx,
    )


@router.get("/admin/webhooks/{endpoint_id}", response_class=HTMLResponse)
def webhook_log(endpoint_id: str, request: Request, app: AppDep) -> Response:
    """Show an endpoint: its settings, the actions on it and its delivery log."""
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    return _endpoint_page(request, app, actor, endpoint_id)


@router.post("/admin/webhooks/{endpoint_id}", response_class=HTMLResponse)
def edit_webhook(
    endpoint_id: str,
    request: Request,
    app: AppDep,
    url: Annotated[str, Form(max_length=2000)] = "",
    events: Annotated[list[str] | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Change an endpoint's URL and events."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    chosen = [e for e in dict.fromkeys(events or []) if e]
    try:
        webhook_actions.do_update_endpoint(
            app.uow(), actor=actor, endpoint_id=endpoint_id, url=url.strip(), events=chosen
        )
    except DomainError as exc:
        if exc.code == "not_found":
            raise
        field = _field(exc, ("url", "events"))
        errors = {field: _url_refusal(exc, pick_lang(request), field)}
        posted = {"url": url, "events": chosen}
        return _endpoint_page(
            request, app, actor, endpoint_id, status=status_for(exc), errors=errors, posted=posted
        )
    return _done(f"/admin/webhooks/{endpoint_id}", "webhook_saved")


@router.post("/admin/webhooks/{endpoint_id}/disable")
def disable_webhook(
    endpoint_id: str, request: Request, app: AppDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Stop sending to an endpoint (its messages wait)."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    webhook_actions.do_set_endpoint_enabled(
        app.uow(), actor=actor, endpoint_id=endpoint_id, enabled=False
    )
    return _done(f"/admin/webhooks/{endpoint_id}", "webhook_disabled")


@router.post("/admin/webhooks/{endpoint_id}/enable")
def enable_webhook(
    endpoint_id: str, request: Request, app: AppDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Send to an endpoint again."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    webhook_actions.do_set_endpoint_enabled(
        app.uow(), actor=actor, endpoint_id=endpoint_id, enabled=True
    )
    return _done(f"/admin/webhooks/{endpoint_id}", "webhook_enabled")


@router.get("/admin/webhooks/{endpoint_id}/delete", response_class=HTMLResponse)
def confirm_delete_webhook(endpoint_id: str, request: Request, app: AppDep) -> Response:
    """Ask before deleting an endpoint."""
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    endpoint = org_endpoint(app.reader(), actor=actor, endpoint_id=endpoint_id)
    return render(request, "admin/webhook_delete.html", actor, endpoint=endpoint)


@router.post("/admin/webhooks/{endpoint_id}/delete")
def delete_webhook(
    endpoint_id: str,
    request: Request,
    app: AppDep,
    confirmed: Annotated[str, Form(max_length=8)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Delete an endpoint once the admin has confirmed it."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    if confirmed != "yes":
        return back(f"/admin/webhooks/{endpoint_id}/delete")
    webhook_actions.do_delete_endpoint(app.uow(), actor=actor, endpoint_id=endpoint_id)
    return _done("/admin/webhooks", "webhook_deleted")


@router.post("/admin/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver")
def redeliver(
    endpoint_id: str,
    delivery_id: str,
    request: Request,
    app: AppDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Queue a delivery again (same webhook-id)."""
    require_csrf(request, csrf)
    actor = _admin(request, app)
    if actor is None:
        return to_login(request)
    webhook_actions.do_redeliver(app.uow(), actor=actor, delivery_id=delivery_id)
    return _done(f"/admin/webhooks/{endpoint_id}", "redelivered")
