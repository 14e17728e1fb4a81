"""The regulator's view: organisations under its authority, their figures, case timelines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from fairscreen.compliance import ledger_view, queries
from fairscreen.compliance.policy import parse_period
from fairscreen.web.api.common import errors
from fairscreen.web.deps import ActorDep, AppDep

router = APIRouter(tags=["regulator"])

FromQuery = Annotated[str | None, Query(alias="from", description="YYYY-MM-DD, included")]
ToQuery = Annotated[str | None, Query(alias="to", description="YYYY-MM-DD, included")]


@router.get("/regulator/organizations", responses=errors(401, 403))
def organizations(
    app: AppDep, actor: ActorDep, start: FromQuery = None, end: ToQuery = None
) -> dict[str, Any]:
    """The organisations under your authority, with headline figures (default: last 365 days)."""
    period = parse_period(start, end, app.clock.now())
    return queries.regulated_orgs(app.reader(), actor=actor, period=period)


@router.get("/regulator/organizations/{org_id}/compliance", responses=errors(401, 403, 404))
def regulator_compliance(
    org_id: str, app: AppDep, actor: ActorDep, start: FromQuery = None, end: ToQuery = None
) -> dict[str, Any]:
    """An organisation's compliance figures for the period; no personal data."""
    period = parse_period(start, end, app.clock.now())
    return queries.org_compliance(app.reader(), actor=actor, org_id=org_id, period=period)


@router.get("/organizations/{org_id}/compliance", responses=errors(401, 403, 404))
def own_compliance(
    org_id: str, app: AppDep, actor: ActorDep, start: FromQuery = None, end: ToQuery = None
) -> dict[str, Any]:
    """Your organisation's own compliance figures (its admin), or its regulator's view."""
    period = parse_period(start, end, app.clock.now())
    return queries.org_compliance(
        app.reader(), actor=actor, org_id=org_id, period=period, as_regulator=False
    )


@router.get("/regulator/cases/{case_id}/timeline", responses=errors(401, 403, 404))
def timeline(case_id: str, app: AppDep, actor: ActorDep) -> dict[str, Any]:
    """A case's ledger events by pseudonymous id, each with its inclusion proof."""
    return ledger_view.case_timeline(app, actor=actor, case_id=case_id)
