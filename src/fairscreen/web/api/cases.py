"""Positions and cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from fairscreen.cases import actions as case_actions
from fairscreen.cases import queries as case_queries
from fairscreen.cases.policy import STATUSES
from fairscreen.scope import actions as scope_actions
from fairscreen.web.api.common import MAX_INT, Body, errors
from fairscreen.web.deps import AppDep, StaffDep

router = APIRouter()

Text200 = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[str, Field(min_length=1, max_length=64)]


class PositionIn(Body):
    title: Text200
    purpose: Code
    grade: Code


class CandidateIn(Body):
    name: Text200
    email: Annotated[str, Field(min_length=3, max_length=254)]


class CaseIn(Body):
    position_id: Code
    agency_id: Code | None = None
    candidate: CandidateIn
    categories: Annotated[list[Code], Field(min_length=1, max_length=50)]


def _position(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "purpose": p.purpose,
        "grade": p.grade,
        "pack_version": p.pack_version,
        "allowed_categories": list(p.allowed_categories),
    }


@router.post("/positions", status_code=201, responses=errors(401, 403), tags=["scope"])
def create_position(body: PositionIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Create a position; the answer lists the categories its purpose and grade allow."""
    position = scope_actions.do_create_position(
        app.uow(), actor=actor, title=body.title, purpose=body.purpose, grade=body.grade
    )
    return _position(position)


@router.get("/positions", responses=errors(401, 403), tags=["scope"])
def list_positions(app: AppDep, actor: StaffDep) -> list[dict[str, Any]]:
    """The organisation's positions."""
    return [_position(p) for p in scope_actions.list_positions(app.reader(), actor=actor)]


@router.get("/positions/{position_id}", responses=errors(401, 403, 404), tags=["scope"])
def get_position(position_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """One position."""
    return _position(scope_actions.get_position(app.reader(), actor=actor, position_id=position_id))


@router.post("/cases", status_code=201, responses=errors(401, 403, 404), tags=["cases"])
def open_case(body: CaseIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Open a case and invite the candidate to consent."""
    case_id, _token = case_actions.do_open_case(
        app.uow(),
        actor=actor,
        position_id=body.position_id,
        candidate_name=body.candidate.name,
        candidate_email=body.candidate.email,
        categories=body.categories,
        agency_id=body.agency_id,
    )
    return {"id": case_id, "status": "awaiting_consent"}


@router.get("/cases", responses=errors(401, 403), tags=["cases"])
def list_cases(
    app: AppDep,
    actor: StaffDep,
    status: Annotated[str | None, Query(description=f"one of {', '.join(STATUSES)}")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict[str, Any]:
    """The cases the caller may see, newest first."""
    page = case_queries.list_cases(
        app.reader(), actor=actor, status=status, limit=limit, offset=offset
    )
    return {
        "items": page.items,
        "total": page.total,
        "total_capped": page.total_capped,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get(
    "/cases/{case_id}",
    response_model=dict[str, Any],
    responses=errors(401, 403, 404),
    tags=["cases"],
)
async def get_case(case_id: str, app: AppDep, actor: StaffDep) -> Response:
    """One case file, with personal data only for those who may see it."""
    # A current cached file needs one statement, read on the event loop; building one
    # runs on a worker thread like every other database call. The JSON goes out as the
    # domain serialised it: nothing to convert again.
    data = await case_queries.cached_case_file(
        app.reader(), app.fast_reads, actor=actor, case_id=case_id
    )
    if data is None:
        data = await run_in_threadpool(
            case_queries.case_file, app.reader(), actor=actor, case_id=case_id
        )
    return Response(data, media_type="application/json")
