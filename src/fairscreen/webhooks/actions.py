"""Webhook commands: register endpoints, enqueue events, deliver from the outbox."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.ledger.events import append_event, iso
from fairscreen.shared.errors import NotFound, ValidationFailed
from fairscreen.shared.ids import new_id
from fairscreen.webhooks.models import Delivery, Endpoint
from fairscreen.webhooks.policy import EVENT_TYPES, headers, new_secret, next_attempt

Sender = Callable[[str, bytes, Mapping[str, str]], int]


@cache
def _client() -> httpx.Client:
    """The one client of this process, made on first use (httpx.Client is thread-safe).

    `httpx.post` builds a client, and with it a TLS context that loads the CA bundle, for
    every call: under load that was about a tenth of a replica's CPU (py-spy, bench_load).
    One client also keeps connections to an endpoint alive between deliveries.
    Two threads delivering the very first time may each build one; the spare is dropped.
    """
    return httpx.Client(timeout=10.0, follow_redirects=False)


def _http_send(url: str, body: bytes, hdrs: Mapping[str, str]) -> int:
    response = _client().post(url, content=body, headers=dict(hdrs))
    return response.status_code


def do_create_endpoint(
    uow: UnitOfWork, *, actor: Actor, url: str, events: list[str]
) -> tuple[str, str]:
    """Register an endpoint for the actor's organisation; return (id, secret shown once)."""
    require_staff(actor, "admin")
    try:
        parts = urlsplit(url)
        _ = parts.port  # read lazily: a port out of range or a broken IPv6 host raises here
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("Give an http(s) URL for the endpoint.", field="url")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown or not events:
        raise ValidationFailed(
            f"Subscribe to one or more of: {', '.join(EVENT_TYPES)}.", field="events"
        )
    with uow as tx:
        endpoint = Endpoint(
            id=new_id("whk"),
            org_id=actor.org_id or "",
            url=url,
            events=sorted(set(events)),
            secret=new_secret(),
            created_at=tx.clock.now(),
        )
        tx.session.add(endpoint)
        append_event(
            tx.session,
            type="webhook.created",
            actor=actor.ref,
            at=endpoint.created_at,
            org_id=endpoint.org_id,
            data={"endpoint_id": endpoint.id, "events": list(endpoint.events)},
        )
        tx.commit()
        return endpoint.id, endpoint.secret


def enqueue(tx: Tx, *, org_id: str, event_type: str, data: dict[str, Any]) -> int:
    """Queue an event for every subscribed endpoint of an org, in the caller's transaction."""
    now = tx.clock.now()
    endpoints = tx.session.scalars(
        select(Endpoint).where(Endpoint.org_id == org_id, Endpoint.disabled_at.is_(None))
    )
    n = 0
    for endpoint in endpoints:
        if event_type not in endpoint.events:
            continue
        msg_id = new_id("msg")
        body = json.dumps(
            {"type": event_type, "timestamp": iso(now), "data": data},
            separators=(",", ":"),
            sort_keys=True,
        )
        tx.session.add(
            Delivery(
                id=msg_id,
                endpoint_id=endpoint.id,
                event_type=event_type,
                body=body,
                created_at=now,
                next_attempt_at=now,
                log=[],
            )
        )
        n += 1
    return n


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    retrying: int
    failed: int


def do_deliver_due(
    new_uow: Callable[[], UnitOfWork], *, send: Sender = _http_send, limit: int = 100
) -> DeliveryReport:
    """Attempt every due delivery once; claim rows so several processes never double-send."""
    delivered = retrying = failed = 0
    with new_uow() as tx:
        now = tx.clock.now()
        query = (
            select(Delivery)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at)
            .limit(limit)
        )
        if tx.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        due = list(tx.session.scalars(query))
        for delivery in due:
            endpoint = tx.session.get(Endpoint, delivery.endpoint_id)
            assert endpoint is not None
            body = delivery.body.encode()
            stamp = int(now.timestamp())
            try:
                code: int | None = send(
                    endpoint.url, body, headers(endpoint.secret, delivery.id, stamp, body)
                )
                error = None
            except httpx.HTTPError as exc:
                code, error = None, type(exc).__name__
            delivery.attempts += 1
            delivery.last_status_code = code
            delivery.last_error = error
            delivery.log = [*delivery.log, {"at": iso(now), "status": code, "error": error}]
            if code is not None and 200 <= code < 300:
                delivery.status, delivery.delivered_at = "delivered", now
                delivery.next_attempt_at = None
                delivered += 1
            else:
                delivery.next_attempt_at = next_attempt(delivery.attempts, delivery.created_at)
                if delivery.next_attempt_at is None:
                    delivery.status = "failed"
                    failed += 1
                else:
                    retrying += 1
        tx.commit()
    return DeliveryReport(delivered, retrying, failed)


def do_redeliver(uow: UnitOfWork, *, actor: Actor, delivery_id: str) -> None:
    """Queue a delivery again at once (same webhook-id), on an admin's request."""
    require_staff(actor, "admin")
    with uow as tx:
        delivery = tx.session.get(Delivery, delivery_id)
        endpoint = tx.session.get(Endpoint, delivery.endpoint_id) if delivery else None
        if delivery is None or endpoint is None or endpoint.org_id != actor.org_id:
            raise NotFound()
        delivery.status = "pending"
        delivery.next_attempt_at = tx.clock.now()
        tx.commit()


def deliveries(uow: UnitOfWork, *, actor: Actor, endpoint_id: str) -> list[dict[str, Any]]:
    """Return the delivery log of an endpoint."""
    require_staff(actor, "admin")
    with uow as tx:
        endpoint = tx.session.get(Endpoint, endpoint_id)
        if endpoint is None or endpoint.org_id != actor.org_id:
            raise NotFound()
        rows = tx.session.scalars(
            select(Delivery)
            .where(Delivery.endpoint_id == endpoint_id)
            .order_by(Delivery.created_at.desc())
            .limit(200)
        )
        return [
            {
                "id": d.id,
                "type": d.event_type,
                "status": d.status,
                "attempts": d.attempts,
                "last_status_code": d.last_status_code,
                "log": d.log,
            }
            for d in rows
        ]
