"""The candidate's own account of a finding."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from fairscreen.statements import actions
from fairscreen.web.api.common import Body, errors
from fairscreen.web.deps import AppDep, CandidateDep

router = APIRouter(tags=["candidate"])


class AccountIn(Body):
    statement: Annotated[str, Field(min_length=1, max_length=5000)]


@router.post(
    "/candidate/findings/{finding_id}/account", status_code=201, responses=errors(401, 403, 404)
)
def add_account(
    finding_id: str, body: AccountIn, app: AppDep, actor: CandidateDep
) -> dict[str, Any]:
    """Add your own account (context, correction, rehabilitation) to a finding."""
    account_id = actions.do_add_account(
        app.uow(), actor=actor, finding_id=finding_id, statement=body.statement
    )
    return {"id": account_id, "finding_id": finding_id}
