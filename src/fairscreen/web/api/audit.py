"""The bias audit and the candidate's voluntary demographic answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from fairscreen.audit import actions
from fairscreen.web.api.common import Body, Day, errors
from fairscreen.web.deps import AppDep, CandidateDep, StaffDep

router = APIRouter(tags=["audit"])


class DemographicsIn(Body):
    consent: bool
    sex: Literal["female", "male", "other"] | None = None
    age_band: Literal["under_25", "25_34", "35_44", "45_54", "55_plus"] | None = None
    ethnicity: Annotated[str, Field(max_length=40)] | None = None


@router.post("/candidate/demographics", status_code=201, responses=errors(401, 403))
def volunteer_demographics(
    body: DemographicsIn, app: AppDep, actor: CandidateDep
) -> dict[str, Any]:
    """Optional: answers used only by the bias audit, never shown to staff."""
    actions.do_record_demographics(
        app.uow(), actor=actor, consent=body.consent, answers=body.model_dump(exclude={"consent"})
    )
    return {"recorded": True}


@router.get("/audit/bias", responses=errors(401, 403, 404, 422))
def bias_audit(
    app: AppDep,
    actor: StaffDep,
    org: Annotated[str, Query(min_length=1)],
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """The publishable bias-audit summary (no personal data), by calendar quarter.

    `from`/`to` name one whole calendar quarter that has ended (both omitted: the latest);
    any other window is refused with 422 `validation_error`. Groups under
    `FAIRSCREEN_AUDIT_MIN_CELL` people are suppressed, with complementary cells.
    """
    return actions.bias_audit(
        app.reader(),
        actor=actor,
        org_id=org,
        start=start,
        end=end,
        min_cell=app.settings.audit_min_cell,
    )
