"""The candidate's consent: sign, refuse, withdraw, and the consent receipt."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field

from fairscreen.consent import actions as consent_actions
from fairscreen.consent.receipt import consent_receipt
from fairscreen.shared.languages import DEFAULT_LANGUAGE, Language
from fairscreen.web.api.common import Body, errors
from fairscreen.web.api.matching import IdentifiersIn
from fairscreen.web.deps import AppDep, CandidateDep

router = APIRouter(prefix="/candidate", tags=["candidate"])

Code = Annotated[str, Field(min_length=1, max_length=64)]


class ConsentIn(Body):
    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    agree: bool
    categories: Annotated[list[Code], Field(max_length=50)]
    separate_consent: Annotated[list[Code], Field(max_length=50)] = []
    lang: Language | None = None
    # The candidate's own identifiers, used only to match records (as /candidate/identifiers).
    identifiers: IdentifiersIn | None = None


class RefuseIn(Body):
    lang: Language | None = None


def _evidence(request: Request) -> consent_actions.Evidence:
    return consent_actions.Evidence(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent", "")[:500] or None,
    )


@router.post("/consent", responses=errors(401, 403, 409))
def sign_consent(
    body: ConsentIn, request: Request, app: AppDep, actor: CandidateDep
) -> dict[str, Any]:
    """Sign the authorisation: type your full name, grant some or all categories."""
    return consent_actions.do_sign_consent(
        app.uow(),
        actor=actor,
        full_name=body.full_name,
        agree=body.agree,
        categories=body.categories,
        separate_consent=body.separate_consent,
        lang=body.lang,
        evidence=_evidence(request),
        identifiers=body.identifiers.model_dump(exclude_none=True) if body.identifiers else None,
    )


@router.post("/consent/refuse", responses=errors(401, 403, 409))
def refuse_consent(
    request: Request, app: AppDep, actor: CandidateDep, body: RefuseIn | None = None
) -> dict[str, Any]:
    """Refuse the authorisation: nothing is checked and the data is destroyed."""
    return consent_actions.do_refuse_consent(
        app.uow(), actor=actor, lang=body.lang if body else None, evidence=_evidence(request)
    )


@router.post("/consent/withdraw", responses=errors(401, 403, 409))
def withdraw_consent(app: AppDep, actor: CandidateDep) -> dict[str, Any]:
    """Withdraw the authorisation: the check stops and its data is destroyed."""
    return consent_actions.do_withdraw_consent(app.uow(), actor=actor)


@router.get("/consent/receipt", responses=errors(401, 403, 404))
def receipt(
    app: AppDep,
    actor: CandidateDep,
    lang: Language = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """Your consent receipt (the fields of ISO/IEC TS 27560)."""
    return consent_receipt(app.reader(), actor=actor, lang=lang)
