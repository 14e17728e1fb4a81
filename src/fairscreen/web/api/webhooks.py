"""Webhook endpoints for the employer's applicant-tracking system."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import Field

from fairscreen.web.api.common import Body, errors
from fairscreen.web.deps import AppDep, StaffDep
from fairscreen.webhooks import actions
from fairscreen.webhooks.queries import org_endpoint

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

Url = Annotated[str, Field(min_length=8, max_length=2000)]
Events = Annotated[list[str], Field(min_length=1, max_length=20)]


class EndpointIn(Body):
    url: Url
    events: Events


class EndpointChange(Body):
    url: Url | None = None
    events: Events | None = None


@router.post("", status_code=201, responses=errors(401, 403, 422))
def create_endpoint(body: EndpointIn, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Register an endpoint; the signing secret is shown once."""
    endpoint_id, secret = actions.do_create_endpoint(
        app.uow(), actor=actor, url=body.url, events=body.events
    )
    return {"id": endpoint_id, "secret": secret}


@router.patch("/{endpoint_id}", responses=errors(401, 403, 404, 422))
def update_endpoint(
    endpoint_id: str, app: AppDep, actor: StaffDep, body: EndpointChange | None = None
) -> dict[str, Any]:
    """Change an endpoint's URL or events; its secret stays."""
    change = body or EndpointChange()
    actions.do_update_endpoint(
        app.uow(), actor=actor, endpoint_id=endpoint_id, url=change.url, events=change.events
    )
    return org_endpoint(app.reader(), actor=actor, endpoint_id=endpoint_id)


@router.post("/{endpoint_id}/disable", responses=errors(401, 403, 404))
def disable_endpoint(endpoint_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Stop sending to an endpoint; its deliveries wait until it is enabled again."""
    actions.do_set_endpoint_enabled(app.uow(), actor=actor, endpoint_id=endpoint_id, enabled=False)
    return org_endpoint(app.reader(), actor=actor, endpoint_id=endpoint_id)


@router.post("/{endpoint_id}/enable", responses=errors(401, 403, 404))
def enable_endpoint(endpoint_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Send to an endpoint again, its waiting deliveries first."""
    actions.do_set_endpoint_enabled(app.uow(), actor=actor, endpoint_id=endpoint_id, enabled=True)
    return org_endpoint(app.reader(), actor=actor, endpoint_id=endpoint_id)


@router.delete("/{endpoint_id}", status_code=204, responses=errors(401, 403, 404))
def delete_endpoint(endpoint_id: str, app: AppDep, actor: StaffDep) -> Response:
    """Delete an endpoint, its secret and its undelivered messages."""
    actions.do_delete_endpoint(app.uow(), actor=actor, endpoint_id=endpoint_id)
    return Response(status_code=204)


@router.get("/{endpoint_id}/deliveries", responses=errors(401, 403, 404))
def list_deliveries(endpoint_id: str, app: AppDep, actor: StaffDep) -> list[dict[str, Any]]:
    """The delivery log of an endpoint: states and attempt counts, never the target's answer."""
    return actions.deliveries(app.reader(), actor=actor, endpoint_id=endpoint_id)


@router.post("/deliveries/{delivery_id}/redeliver", responses=errors(401, 403, 404))
def redeliver(delivery_id: str, app: AppDep, actor: StaffDep) -> dict[str, Any]:
    """Send a delivery again (same webhook-id)."""
    actions.do_redeliver(app.uow(), actor=actor, delivery_id=delivery_id)
    return {"id": delivery_id, "status": "pending"}
