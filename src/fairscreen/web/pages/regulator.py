"""The regulator's pages: the organisations under its authority and their figures, no JS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairscreen.compliance import ledger_view, queries
from fairscreen.compliance.policy import parse_period
from fairscreen.ledger.verify import verify_inclusion
from fairscreen.rating.policy import load_rules
from fairscreen.web.deps import AppDep, optional_actor
from fairscreen.web.i18n import pick_lang
from fairscreen.web.l10n import translator
from fairscreen.web.pages.staff import STATUS_LABELS
from fairscreen.web.rendering import render

router = APIRouter(include_in_schema=False)

# The page's labels by figure key (the keys come from the compliance figures); the
# English text is the message id, translated from `locales/*/LC_MESSAGES/regulator.po`.
LABELS: dict[str, str] = {
    "title": "Regulator view",
    "orgs": "Organisations under you",
    "org": "Organisation",
    "kind": "Kind",
    "period": "Period",
    "show": "Show",
    "cases": "Number of cases",
    "cases_by_state": "Cases by state",
    "ratings": "Reports by rating",
    "rules_version": "Rules version",
    "consent_gaps": "Cases with findings but no valid consent (must be 0)",
    "consents": "Consent",
    "signed": "Signed",
    "refused": "Refused",
    "withdrawn": "Withdrawn",
    "staff_devices": "Signed from a staff device of the employer (the employer may have signed)",
    "refusals": "Refused collection attempts",
    "findings": "Findings",
    "erasure": "Erasure requests",
    "retention": "Retention and destruction",
    "destructions_overdue": "Destructions overdue (must be 0)",
    "legal_holds_in_force": "Legal holds in force",
    "decisions": "Decisions",
    "feedback": "Disputes and complaints",
    "unavailable": "Not available yet",
    "disputes": "Disputes",
    "complaints": "Complaints",
    "adverse_before_waiting_or_during_dispute": (
        "Adverse decisions before the waiting period ended or during a dispute (must be 0)"
    ),
    "requests": "Requests",
    "done_on_time": "Done on time",
    "done_late": "Done late",
    "pending": "Pending",
    "overdue": "Overdue",
    "on_time_rate": "On-time rate",
    "verified": "Verified",
    "unverified": "Unverified",
    "inconclusive": "Inconclusive",
    "count": "Count",
    "closed": "Closed",
    "open": "Open",
    "median_days_to_close": "Median days to close",
    "outcomes": "Outcomes",
    "satisfaction_average": "Average satisfaction",
    "satisfaction_count": "Ratings given",
    "ledger": "Ledger",
    "tree_size": "Events in the ledger now",
    "checkpoint_size": "Events in the latest signed checkpoint",
    "unsigned": "Events not yet in a signed checkpoint",
    "signed_at": "Signed at",
    "root_hash": "Root hash",
    "no_checkpoint": "No checkpoint has been signed yet.",
    "verify_offline": "Verify it yourself: the checkpoint and the public key are published at "
    "/api/v1/ledger/checkpoint and /api/v1/ledger/public-key, and `fairscreen ledger verify` "
    "checks an export offline.",
    "timeline": "Case timeline",
    "case_id": "Case id",
    "index": "Index",
    "event": "Event",
    "time": "Time",
    "leaf_hash": "Leaf hash",
    "inclusion_proof": "Inclusion proof",
    "proof_ok": "checks against the checkpoint",
    "proof_bad": "does NOT check against the checkpoint",
    "no_events": "No event of this case is in a signed checkpoint yet.",
    "figure": "Figure",
    "value": "Value",
}

BAR_HEIGHT = 22
LABEL_WIDTH = 150
CHART_WIDTH = 480


@dataclass(frozen=True)
class Bar:
    """One bar of a server-drawn SVG chart, positioned in the template."""

    label: str
    value: int
    y: int
    width: int


def bars(counts: Mapping[str, int]) -> list[Bar]:
    """Lay out a horizontal bar chart: one row per label, widths scaled to the largest value."""
    top = max(counts.values(), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 60
    return [
        Bar(label, int(n), i * BAR_HEIGHT, round(span * int(n) / top))
        for i, (label, n) in enumerate(counts.items())
    ]


def _text(request: Request) -> Callable[[str], str]:
    _ = translator(pick_lang(request))

    def label(key: str) -> str:
        return _(LABELS.get(key, key))

    return label


def _period_args(request: Request) -> tuple[str | None, str | None]:
    return request.query_params.get("from") or None, request.query_params.get("to") or None


@router.get("/regulator", response_class=HTMLResponse)
def regulator_home(request: Request, app: AppDep) -> Response:
    """List the organisations under the signed-in regulator."""
    actor = optional_actor(request, app)
    if actor is None or actor.kind != "staff":
        return RedirectResponse("/login", status_code=303)
    period = parse_period(*_period_args(request), app.clock.now())
    listing = queries.regulated_orgs(app.reader(), actor=actor, period=period)
    return render(
        request,
        "regulator.html",
        actor=actor,
        rt=_text(request),
        listing=listing,
        figures=None,
        ledger=ledger_view.ledger_status(app, actor=actor),
    )


@router.get("/regulator/cases", response_class=HTMLResponse)
def regulator_find_case(request: Request) -> Response:
    """Go from the case-id form to the case's timeline."""
    case_id = (request.query_params.get("case_id") or "").strip()
    return RedirectResponse(f"/regulator/cases/{quote(case_id)}" if case_id else "/regulator", 303)


@router.get("/regulator/cases/{case_id}", response_class=HTMLResponse)
def regulator_case(case_id: str, request: Request, app: AppDep) -> Response:
    """Show a case's events by pseudonymous id, each proof checked against the checkpoint."""
    actor = optional_actor(request, app)
    if actor is None or actor.kind != "staff":
        return RedirectResponse("/login", status_code=303)
    timeline = ledger_view.case_timeline(app, actor=actor, case_id=case_id)
    root = bytes.fromhex(timeline["checkpoint"]["root_hash"])
    size = int(timeline["checkpoint"]["size"])
    rows = [
        {
            **event,
            "proof_ok": verify_inclusion(
                bytes.fromhex(event["leaf_hash"]),
                event["index"],
                size,
                [bytes.fromhex(p) for p in event["inclusion_proof"]],
                root,
            ),
        }
        for event in timeline["events"]
    ]
    return render(
        request,
        "regulator_case.html",
        actor=actor,
        rt=_text(request),
        timeline=timeline,
        rows=rows,
    )


@router.get("/regulator/organizations/{org_id}", response_class=HTMLResponse)
def regulator_org(org_id: str, request: Request, app: AppDep) -> Response:
    """Show one organisation's figures with bar charts."""
    actor = optional_actor(request, app)
    if actor is None or actor.kind != "staff":
        return RedirectResponse("/login", status_code=303)
    period = parse_period(*_period_args(request), app.clock.now())
    figures = queries.org_compliance(app.reader(), actor=actor, org_id=org_id, period=period)
    # The bars are labelled in the page's language: states and the rating rules' own names.
    lang = pick_lang(request)
    _ = translator(lang)
    levels = {lv["code"]: lv["names"][lang] for lv in load_rules().published()["levels"]}
    by_state, by_rating = figures["cases"]["by_state"], figures["reports"]["by_rating"]
    return render(
        request,
        "regulator.html",
        actor=actor,
        rt=_text(request),
        listing=None,
        figures=figures,
        state_bars=bars({_(STATUS_LABELS.get(k, k)): n for k, n in by_state.items()}),
        rating_bars=bars({levels.get(k, k): n for k, n in by_rating.items()}),
        bar_height=BAR_HEIGHT,
        label_width=LABEL_WIDTH,
        chart_width=CHART_WIDTH,
    )
