"""Step 3 and the report: findings, sources, report versions, the candidate's report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from fairscreen.rating import actions as rating_actions
from fairscreen.rating import queries as rating_queries
from fairscreen.verification import actions as verification_actions
from fairscreen.verification.policy import Severity
from fairscreen.web.api.common import Body, Day, errors
from fairscreen.web.deps import AppDep, CandidateDep, StaffDep

router = APIRouter()

Code = Annotated[str, Field(min_length=1, max_length=64)]


class FindingIn(Body):
    category: Code
    claim: Annotated[str, Field(min_length=1, max_length=4000)]
    adverse: bool = False
    subject_role: Code | None = None
    severity: Severity | None = None
    job_related: bool = True
    fact_date: Day | None = None


class SubjectIn(Body):
    """The identifiers of the person a record is about, as the record gives them."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    id_number: Annotated[str, Field(max_length=40)] | None = None
    date_of_birth: Annotated[str, Field(max_length=20)] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    # A court record only: the court's case number (案号) of a document that names the
    # candidate as the party; it stands in for the ID number courts often redact.
    case_number: Annotated[str, Field(max_length=80)] | None = None
    document_names_candidate: bool | None = None


class SourceIn(Body):
    kind: Code
    origin: Annotated[str, Field(min_length=1, max_length=500)]
    supports: bool
    note: Annotated[str, Field(max_length=4000)] | None = None
    subject: SubjectIn | None = None


@router.post(
    "/cases/{case_id}/findings",
    status_code=201,
    responses=errors(401, 403, 404, 409),
    tags=["verification"],
)
def record_finding(case_id: str, body: FindingIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Record a finding; it stays unverified until its sources verify it."""
    state = verification_actions.do_record_finding(
        app.uow(),
        actor=actor,
        case_id=case_id,
        category=body.category,
        claim=body.claim,
        adverse=body.adverse,
        subject_role=body.subject_role,
        severity=body.severity,
        job_related=body.job_related,
        fact_date=body.fact_date,
    )
    return {"id": state.id, "status": state.status}


@router.post(
    "/findings/{finding_id}/sources",
    status_code=201,
    responses=errors(401, 403, 404, 409),
    tags=["verification"],
)
def add_source(finding_id: str, body: SourceIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Add a source to a finding; the answer gives the finding's recomputed status."""
    state = verification_actions.do_add_source(
        app.uow(),
        actor=actor,
        finding_id=finding_id,
        kind=body.kind,
        origin=body.origin,
        supports=body.supports,
        note=body.note or None,
        subject=body.subject.model_dump(exclude_none=True) if body.subject else None,
    )
    return {"finding": {"id": state.id, "status": state.status}}


@router.post(
    "/cases/{case_id}/report",
    status_code=201,
    responses=errors(401, 403, 404, 409),
    tags=["rating"],
)
def release_report(case_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Rate the verified findings under the published rules and release a new report version."""
    return rating_actions.do_release_report(app.uow(), actor=actor, case_id=case_id)


@router.get("/cases/{case_id}/reports", responses=errors(401, 403, 404), tags=["rating"])
def list_reports(case_id: str, app: AppDep, actor: StaffDep) -> list[dict[str, Any]]:
    """Every released version of the case's report, oldest first, with what each changed."""
    return rating_queries.list_reports(app.reader(), actor=actor, case_id=case_id)


@router.get("/candidate/report", responses=errors(401, 403, 409), tags=["candidate"])
def candidate_report(app: AppDep, actor: CandidateDep) -> dict[str, Any]:
    """The released report, the same as the employer sees, with a summary of your rights."""
    return rating_queries.candidate_report(app.reader(), actor=actor)
