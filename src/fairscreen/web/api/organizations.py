"""An organisation's own settings for its admin: its mail domains."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from fairscreen.identity import queries
from fairscreen.identity.actions import MAX_MAIL_DOMAINS, do_set_mail_domains
from fairscreen.web.api.common import Body, errors
from fairscreen.web.deps import AppDep, StaffDep

router = APIRouter(tags=["organizations"])

Domain = Annotated[str, Field(min_length=1, max_length=254)]


class MailDomainsIn(Body):
    mail_domains: Annotated[list[Domain], Field(max_length=MAX_MAIL_DOMAINS)]


@router.get("/organizations/{org_id}/mail-domains", responses=errors(401, 403, 404))
def get_mail_domains(org_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Your organisation's own mail domains: declared, and those its staff's addresses use.

    No candidate address may be at one of them (nor be a staff user's address).
    """
    return queries.org_mail_domains(app.reader(), actor=actor, org_id=org_id)


@router.put("/organizations/{org_id}/mail-domains", responses=errors(401, 403, 404, 422))
def set_mail_domains(
    org_id: str, body: MailDomainsIn, app: AppDep, actor: StaffDep
) -> dict[str, Any]:
    """Declare your organisation's own mail domains (admin); public providers are refused."""
    do_set_mail_domains(app.uow(), actor=actor, org_id=org_id, mail_domains=body.mail_domains)
    return queries.org_mail_domains(app.reader(), actor=actor, org_id=org_id)
