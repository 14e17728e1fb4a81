"""Read-only views of an organisation's webhook endpoints (never their secrets)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.shared.clock import as_utc
from fairscreen.shared.errors import NotFound
from fairscreen.webhooks.models import Delivery, Endpoint


def org_endpoints(uow: UnitOfWork, *, actor: Actor) -> list[dict[str, Any]]:
    """Return the admin's organisation's endpoints with their deliveries counted by status."""
    require_staff(actor, "admin")
    with uow as tx:
        endpoints = list(
            tx.session.scalars(
                select(Endpoint)
                .where(Endpoint.org_id == actor.org_id)
                .order_by(Endpoint.created_at, Endpoint.id)
            )
        )
        counts: dict[str, dict[str, int]] = {e.id: {} for e in endpoints}
        if endpoints:
            rows = tx.session.execute(
                select(Delivery.endpoint_id, Delivery.status, func.count())
                .where(Delivery.endpoint_id.in_(list(counts)))
                .group_by(Delivery.endpoint_id, Delivery.status)
            )
            for endpoint_id, status, n in rows:
                counts[str(endpoint_id)][str(status)] = int(n)
        return [_shown(e, counts[e.id]) for e in endpoints]


def org_endpoint(uow: UnitOfWork, *, actor: Actor, endpoint_id: str) -> dict[str, Any]:
    """Return one of the admin's organisation's endpoints; NotFound if it is not theirs."""
    found = [e for e in org_endpoints(uow, actor=actor) if e["id"] == endpoint_id]
    if not found:
        raise NotFound()
    return found[0]


def _shown(e: Endpoint, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": e.id,
        "url": e.url,
        "events": list(e.events),
        "created_at": as_utc(e.created_at).isoformat(),
        "disabled": e.disabled_at is not None,
        "deliveries": counts,
    }
