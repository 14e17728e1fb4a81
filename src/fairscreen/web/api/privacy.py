"""Records of processing, impact assessments, breach response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from fairscreen.privacy import actions, records
from fairscreen.web.api.common import Body, Moment, errors
from fairscreen.web.deps import AppDep, StaffDep

router = APIRouter(tags=["privacy"])


class BreachIn(Body):
    description: Annotated[str, Field(min_length=1, max_length=5000)]
    discovered_at: Moment
    case_ids: Annotated[list[str], Field(max_length=100_000)]


@router.get("/organizations/{org_id}/processing-record", responses=errors(401, 403, 404))
def processing_record(org_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """The record of processing activities, generated from the live configuration."""
    return records.processing_record(app.reader(), actor=actor, org_id=org_id)


@router.post(
    "/organizations/{org_id}/impact-assessments", status_code=201, responses=errors(401, 403, 404)
)
def create_assessment(org_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Store a new impact assessment version, pre-filled from the processing record."""
    return actions.do_create_assessment(app.uow(), actor=actor, org_id=org_id)


@router.post("/breaches", status_code=201, responses=errors(401, 403, 404))
def record_breach(body: BreachIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Record a suspected breach; the regulator is due notice within 72 hours."""
    breach = actions.do_record_breach(
        app.uow(),
        actor=actor,
        description=body.description,
        discovered_at=body.discovered_at,
        case_ids=body.case_ids,
    )
    return {
        "id": breach.id,
        "affected": len(breach.case_ids),
        "regulator_due_at": breach.regulator_due_at.isoformat(),
    }


@router.get("/breaches/{breach_id}", responses=errors(401, 403, 404))
def get_breach(breach_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """A breach, its affected cases, and the notices drafted in three languages."""
    return actions.breach_view(app.reader(), actor=actor, breach_id=breach_id)


@router.post("/breaches/{breach_id}/notify-regulator", responses=errors(401, 403, 404))
def notify_regulator(breach_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Record that the regulator has been notified."""
    actions.do_notify(app.uow(), actor=actor, breach_id=breach_id, whom="regulator")
    return {"id": breach_id, "regulator_notified": True}


@router.post("/breaches/{breach_id}/notify-candidates", responses=errors(401, 403, 404))
def notify_candidates(breach_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Send each affected candidate the notice."""
    actions.do_notify(app.uow(), actor=actor, breach_id=breach_id, whom="candidates")
    return {"id": breach_id, "candidates_notified": True}
