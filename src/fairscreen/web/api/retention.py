"""Erasure requests, legal holds and deletion certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from fairscreen.retention import actions, lifecycle, queries
from fairscreen.web.api.common import Body, Moment, errors
from fairscreen.web.deps import AppDep, CandidateDep, StaffDep

router = APIRouter(tags=["retention"])


Days = Annotated[int, Field(ge=0, le=36500)]


class RetentionPolicyIn(Body):
    not_hired: Days | None = None
    hired_after_end: Days | None = None
    abandoned_without_consent: Days | None = None


class HoldIn(Body):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    ends_at: Moment | None = None


@router.post("/candidate/erasure", status_code=202, responses=errors(401, 403, 409))
def request_erasure(app: AppDep, actor: CandidateDep) -> dict[str, Any]:
    """Ask for your data to be erased; it is carried out before the date given."""
    request = actions.do_request_erasure(app.uow(), actor=actor)
    return {
        "id": request.id,
        "due_at": request.due_at.isoformat(),
        "provisional": request.provisional,
    }


@router.post(
    "/cases/{case_id}/legal-hold", status_code=201, responses=errors(401, 403, 404, 409, 422)
)
def place_hold(case_id: str, body: HoldIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Suspend destruction of a case (admin), with a screened reason and an end date.

    The end date is required, at most `FAIRSCREEN_LEGAL_HOLD_MAX_DAYS` away (422
    `validation_error`); a reason touching a forbidden topic is refused (422
    `forbidden_content`). The held data stays sealed from reading until destroyed.
    """
    ends: datetime | None = body.ends_at
    hold_id = actions.do_place_hold(
        app.uow(),
        actor=actor,
        case_id=case_id,
        reason=body.reason,
        ends_at=ends,
        max_days=app.settings.legal_hold_max_days,
    )
    return {"id": hold_id}


@router.post("/legal-holds/{hold_id}/release", responses=errors(401, 403, 404))
def release_hold(hold_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Release a legal hold."""
    actions.do_release_hold(app.uow(), actor=actor, hold_id=hold_id)
    return {"id": hold_id, "released": True}


@router.get("/cases/{case_id}/deletion-certificate", responses=errors(401, 403, 404))
def deletion_certificate(case_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """The certificate proving a case's data was destroyed (no personal data)."""
    return queries.deletion_certificate(app.reader(), actor=actor, case_id=case_id)


@router.put("/organizations/{org_id}/retention-policy", responses=errors(401, 403, 404))
def set_retention_policy(
    org_id: str, body: RetentionPolicyIn, app: AppDep, actor: StaffDep
) -> dict[str, Any]:
    """Shorten the pack's retention periods for your organisation (admin); absent: the pack's."""
    return lifecycle.do_set_retention_policy(
        app.uow(), actor=actor, org_id=org_id, days=body.model_dump()
    )


@router.get("/organizations/{org_id}/retention-policy", responses=errors(401, 403, 404))
def get_retention_policy(org_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """The retention periods in force for your organisation's cases."""
    return lifecycle.get_retention_policy(app.reader(), actor=actor, org_id=org_id)
