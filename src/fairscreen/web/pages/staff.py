"""The staff home after sign-in (the cases list) and what the staff pages share.

The employer's pages are in `pages.employer`, the investigator's in `pages.investigator`.
Every page calls the same `actions`/`queries` functions as the API; a refusal comes back
as its contract code and is shown, translated, next to the form it concerns.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairscreen.bootstrap import App
from fairscreen.cases.policy import STATUSES
from fairscreen.cases.queries import find_cases
from fairscreen.feedback.policy import load_reasons
from fairscreen.identity.policy import Actor
from fairscreen.rating.policy import load_rules
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import DomainError
from fairscreen.shared.languages import text_in
from fairscreen.web import labels
from fairscreen.web.deps import AppDep, optional_actor
from fairscreen.web.errors import STATUS_BY_CODE
from fairscreen.web.i18n import pick_lang
from fairscreen.web.rendering import render as render_page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
STATUS_LABELS = labels.CASE_STATUS
GRADE_LABELS = labels.POSITION_GRADE
OUTCOME_LABELS = labels.OUTCOME
ITEM_STATUS_LABELS = labels.FEEDBACK_STATE
COMPLAINT_LABELS = labels.COMPLAINT_CATEGORY
SEVERITY_LABELS = labels.SEVERITY
ROLE_LABELS = labels.SUBJECT_ROLE
# Every label the staff pages show from a dict (the catalog test of this area reads it).
LABELS: tuple[dict[str, str], ...] = (
    STATUS_LABELS,
    GRADE_LABELS,
    OUTCOME_LABELS,
    ITEM_STATUS_LABELS,
    COMPLAINT_LABELS,
    SEVERITY_LABELS,
    ROLE_LABELS,
)


def staff_actor(request: Request, app: App) -> Actor | None:
    """Return the signed-in staff user, or None (the page then sends them to sign in)."""
    actor = optional_actor(request, app)
    if actor is None or actor.kind != "staff":
        return None
    return actor


def to_login(request: Request) -> Response:
    """Send an anonymous visitor to the sign-in page.

    An htmx request (a fragment such as the guard's answer) is told to move the whole
    page, else htmx would put the sign-in page inside the fragment's little box.
    """
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", status_code=303)


def back(url: str) -> Response:
    """Redirect after a successful post (post, redirect, get)."""
    return RedirectResponse(url, status_code=303)


def names(lang: str) -> dict[str, Any]:
    """Return the display names a staff page needs, in the page language."""
    taxonomy = load_pack().taxonomy
    levels = {lv["code"]: text_in(lv["names"], lang) for lv in load_rules().published()["levels"]}
    return {
        "category_names": {c: text_in(cat.names, lang) for c, cat in taxonomy.categories.items()},
        "level_names": levels,
        "reason_names": {r.code: text_in(r.names, lang) for r in load_reasons().reasons.values()},
        "status_labels": STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "item_status_labels": ITEM_STATUS_LABELS,
        "complaint_labels": COMPLAINT_LABELS,
        "severity_labels": SEVERITY_LABELS,
        "role_labels": ROLE_LABELS,
        "grade_labels": GRADE_LABELS,
    }


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """Render a staff page; case files hold personal data, so no shared cache keeps them."""
    lang = pick_lang(request)
    response = render_page(request, template, status=status, **names(lang), **context)
    response.headers["cache-control"] = "no-store"
    return response


def status_of(exc: DomainError) -> int:
    """Return the HTTP status a refused form is shown with (the API's for the same code)."""
    return STATUS_BY_CODE.get(exc.code, 400)


# Past this the offset would overflow the databases' integers (a 500, not a page).
MAX_PAGE = 100_000


def page_number(request: Request) -> int:
    """Return the 1-based page number asked for, at most MAX_PAGE (else the first page)."""
    raw = request.query_params.get("page", "1")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return MAX_PAGE if len(raw) > len(str(MAX_PAGE)) else min(MAX_PAGE, max(1, int(raw)))


@router.get("/app", response_class=HTMLResponse)
def staff_home(request: Request, app: AppDep) -> Response:
    """Show the cases the user may see, filtered by state and searched."""
    actor = staff_actor(request, app)
    if actor is None:
        return to_login(request)
    if actor.role == "regulator":
        return back("/regulator")
    if actor.role == "investigator":
        return back("/app/work")
    status = request.query_params.get("status") or None
    if status not in STATUSES:
        status = None
    q = (request.query_params.get("q") or "").strip()[:200]
    page = page_number(request)
    found = find_cases(
        app.reader(),
        actor=actor,
        status=status,
        q=q or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        "app.html",
        actor=actor,
        found=found,
        filter_status=status or "",
        q=q,
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        statuses=STATUSES,
    )
