"""The candidate's own identifiers, used only to match records to them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from fairscreen.matching import actions
from fairscreen.web.api.common import Body, errors
from fairscreen.web.deps import AppDep, CandidateDep

router = APIRouter(tags=["candidate"])


class IdentifiersIn(Body):
    id_number: Annotated[str, Field(min_length=4, max_length=40)] | None = None
    date_of_birth: Annotated[str, Field(min_length=8, max_length=20)] | None = None
    addresses: (
        Annotated[list[Annotated[str, Field(min_length=2, max_length=300)]], Field(max_length=10)]
        | None
    ) = None


@router.post("/candidate/identifiers", responses=errors(401, 403))
def set_identifiers(body: IdentifiersIn, app: AppDep, actor: CandidateDep) -> dict[str, Any]:
    """Give your own identifiers so that only records that are really yours attach."""
    actions.do_set_identifiers(app.uow(), actor=actor, raw=body.model_dump(exclude_none=True))
    return {"recorded": sorted(body.model_dump(exclude_none=True))}
