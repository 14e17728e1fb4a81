"""Webhook endpoints for the employer's applicant-tracking system."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from fairscreen.web.api.common import Body, errors
from fairscreen.web.deps import AppDep, StaffDep
from fairscreen.webhooks import actions

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class EndpointIn(Body):
    url: Annotated[str, Field(min_length=8, max_length=2000)]
    events: Annotated[list[str], Field(min_length=1, max_length=20)]


@router.post("", status_code=201, responses=errors(401, 403))
def create_endpoint(body: EndpointIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Register an endpoint; the signing secret is shown once."""
    endpoint_id, secret = actions.do_create_endpoint(
        app.uow(), actor=actor, url=body.url, events=body.events
    )
    return {"id": endpoint_id, "secret": secret}


@router.get("/{endpoint_id}/deliveries", responses=errors(401, 403, 404))
def list_deliveries(endpoint_id: str, app: AppDep, actor: StaffDep) -> list[dict[str, Any]]:
    """The delivery log of an endpoint."""
    return actions.deliveries(app.reader(), actor=actor, endpoint_id=endpoint_id)


@router.post("/deliveries/{delivery_id}/redeliver", responses=errors(401, 403, 404))
def redeliver(delivery_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Send a delivery again (same webhook-id)."""
    actions.do_redeliver(app.uow(), actor=actor, delivery_id=delivery_id)
    return {"id": delivery_id, "status": "pending"}
