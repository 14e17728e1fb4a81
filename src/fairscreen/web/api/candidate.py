"""The candidate's own routes, authenticated by the token from the invitation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from fairscreen.consent import queries as consent_queries
from fairscreen.web.api.common import errors
from fairscreen.web.deps import AppDep, CandidateDep

router = APIRouter(prefix="/candidate", tags=["candidate"])


@router.get("/case", responses=errors(401, 403))
def candidate_case(
    app: AppDep,
    actor: CandidateDep,
    lang: Annotated[str, Query(pattern="^(zh-Hans|zh-Hant|en)$")] = "zh-Hans",
) -> dict[str, Any]:
    """The candidate's case and the consent document to sign."""
    return consent_queries.candidate_case(app.reader(), actor=actor, lang=lang)
