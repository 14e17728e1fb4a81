"""Webhook commands: manage endpoints, enqueue events, deliver from the outbox.

Delivery never holds a transaction across the network (as the mail queue): due rows are
claimed with a lease in a short transaction (db/lease.py), sent outside any transaction
with a wall-clock deadline to the address that was checked (outbound.py), and each
outcome is recorded in a transaction of its own. Whatever goes wrong with one delivery
(an unparsable URL, a refused address, a tarpit, an exception of any kind) is one failed
attempt of that delivery and delays no other.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpcore
from sqlalchemy import delete, select

from fairscreen.db.lease import claim_due
from fairscreen.db.uow import Links, Tx, UnitOfWork
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event, iso
from fairscreen.shared.errors import NotFound, ValidationFailed
from fairscreen.shared.ids import new_id
from fairscreen.vault.secrets import drop_secret, read_secret, store_secret
from fairscreen.webhooks.models import Delivery, Endpoint
from fairscreen.webhooks.outbound import (
    DEADLINE_SECONDS,
    MAX_ANSWER_BYTES,
    exchange,
    vet,
    vet_registration,
)
from fairscreen.webhooks.policy import (
    EVENT_TYPES,
    SECRET_PREFIX,
    PrivateAllowance,
    UnsafeTarget,
    headers,
    new_secret,
    next_attempt,
    secret_key,
)

log = logging.getLogger("fairscreen.webhooks")

SECRET_PURPOSE = "webhooks.signing"
# A claimed delivery is another worker's again after this: far above the deadline of one
# send plus its record, so a live worker's claim never runs out under it.
LEASE = timedelta(minutes=2)
# Endpoints served at once. One endpoint's deliveries go one after another on one
# worker, and none is started once the run's budget (one deadline) is spent: a tarpit
# holds one worker for one deadline, and what it had claimed besides waits for the next run.
WORKERS = 8


def _allowance(links: Links) -> PrivateAllowance:
    return PrivateAllowance.parse(links.webhook_allow_private)


def _checked_url(links: Links, url: str) -> str:
    try:
        vet_registration(url, _allowance(links))
    except UnsafeTarget as exc:
        raise ValidationFailed(str(exc), field="url") from None
    return url.strip()


def _checked_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown or not events:
        raise ValidationFailed(
            f"Subscribe to one or more of: {', '.join(EVENT_TYPES)}.", field="events"
        )
    return sorted(set(events))


def do_create_endpoint(
    uow: UnitOfWork, *, actor: Actor, url: str, events: list[str]
) -> tuple[str, str]:
    """Register an endpoint for the actor's organisation; return (id, secret shown once)."""
    require_staff(actor, "admin")
    checked = _checked_url(uow.collaborators.links, url)
    subscribed = _checked_events(events)
    with uow as tx:
        now = tx.clock.now()
        endpoint = Endpoint(
            id=new_id("whk"),
            org_id=actor.org_id or "",
            url=checked,
            events=subscribed,
            secret=None,
            created_at=now,
        )
        tx.session.add(endpoint)
        tx.session.flush()
        secret = new_secret()
        store_secret(
            tx.session,
            tx.keys,
            owner_id=endpoint.id,
            purpose=SECRET_PURPOSE,
            value=secret_key(secret),
            now=now,
        )
        append_event(
            tx.session,
            type=EventType.WEBHOOK_CREATED,
            actor=actor.ref,
            at=now,
            org_id=endpoint.org_id,
            data={"endpoint_id": endpoint.id, "events": list(subscribed)},
        )
        tx.commit()
        return endpoint.id, secret


def _own_endpoint(tx: Tx, actor: Actor, endpoint_id: str) -> Endpoint:
    endpoint = tx.session.get(Endpoint, endpoint_id)
    if endpoint is None or endpoint.org_id != actor.org_id:
        raise NotFound()
    return endpoint


def do_update_endpoint(
    uow: UnitOfWork,
    *,
    actor: Actor,
    endpoint_id: str,
    url: str | None = None,
    events: list[str] | None = None,
) -> None:
    """Change an endpoint's URL and/or events (the secret stays)."""
    require_staff(actor, "admin")
    checked = _checked_url(uow.collaborators.links, url) if url is not None else None
    subscribed = _checked_events(events) if events is not None else None
    with uow as tx:
        endpoint = _own_endpoint(tx, actor, endpoint_id)
        if checked is not None:
            endpoint.url = checked
        if subscribed is not None:
            endpoint.events = subscribed
        endpoint.updated_at = tx.clock.now()
        append_event(
            tx.session,
            type=EventType.WEBHOOK_UPDATED,
            actor=actor.ref,
            at=endpoint.updated_at,
            org_id=endpoint.org_id,
            data={"endpoint_id": endpoint.id, "events": list(endpoint.events)},
        )
        tx.commit()


def do_set_endpoint_enabled(
    uow: UnitOfWork, *, actor: Actor, endpoint_id: str, enabled: bool
) -> None:
    """Disable an endpoint (its deliveries wait) or enable it again (they resume)."""
    require_staff(actor, "admin")
    with uow as tx:
        endpoint = _own_endpoint(tx, actor, endpoint_id)
        now = tx.clock.now()
        if enabled == (endpoint.disabled_at is None):
            return  # already so: nothing to record
        endpoint.disabled_at = None if enabled else now
        append_event(
            tx.session,
            type=EventType.WEBHOOK_ENABLED if enabled else EventType.WEBHOOK_DISABLED,
            actor=actor.ref,
            at=now,
            org_id=endpoint.org_id,
            data={"endpoint_id": endpoint.id},
        )
        tx.commit()


def do_delete_endpoint(uow: UnitOfWork, *, actor: Actor, endpoint_id: str) -> None:
    """Delete an endpoint with its secret and its outbox (nothing more is sent to it)."""
    require_staff(actor, "admin")
    with uow as tx:
        endpoint = _own_endpoint(tx, actor, endpoint_id)
        tx.session.execute(delete(Delivery).where(Delivery.endpoint_id == endpoint.id))
        drop_secret(tx.session, owner_id=endpoint.id, purpose=SECRET_PURPOSE)
        tx.session.delete(endpoint)
        append_event(
            tx.session,
            type=EventType.WEBHOOK_DELETED,
            actor=actor.ref,
            at=tx.clock.now(),
            org_id=endpoint.org_id,
            data={"endpoint_id": endpoint.id},
        )
        tx.commit()


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


@dataclass(frozen=True)
class _Claimed:
    """One delivery this worker holds the lease of, ready to send (or already failed)."""

    id: str
    endpoint_id: str
    attempts: int  # at the claim: the record is fenced on it
    url: str
    body: bytes
    headers: dict[str, str]
    error: str | None = None  # set when it could not even be prepared


def _seal_legacy_secrets(tx: Tx) -> None:
    """Seal the plaintext secrets of endpoints registered before secrets were sealed."""
    for endpoint in tx.session.scalars(select(Endpoint).where(Endpoint.secret.is_not(None))):
        assert endpoint.secret is not None
        store_secret(
            tx.session,
            tx.keys,
            owner_id=endpoint.id,
            purpose=SECRET_PURPOSE,
            value=secret_key(endpoint.secret),
            now=tx.clock.now(),
        )
        endpoint.secret = None


def _prepare(tx: Tx, delivery: Delivery, endpoint: Endpoint, stamp: int) -> _Claimed:
    body = delivery.body.encode()
    try:
        key = read_secret(tx.session, tx.keys, owner_id=endpoint.id, purpose=SECRET_PURPOSE)
        secret = SECRET_PREFIX + base64.b64encode(key).decode()
        signed = headers(secret, delivery.id, stamp, body)
    except Exception as exc:  # noqa: BLE001 - one unsignable delivery fails alone
        error = _reason(exc)
        return _Claimed(delivery.id, endpoint.id, delivery.attempts, endpoint.url, body, {}, error)
    return _Claimed(delivery.id, endpoint.id, delivery.attempts, endpoint.url, body, signed)


def _claim(new_uow: Callable[[], UnitOfWork], limit: int) -> list[_Claimed]:
    """Lease due deliveries of enabled endpoints in a short transaction."""
    with new_uow() as tx:
        _seal_legacy_secrets(tx)
        now = tx.clock.now()
        enabled = select(Endpoint.id).where(Endpoint.disabled_at.is_(None))
        rows = claim_due(
            tx.session,
            Delivery,
            now=now,
            lease=LEASE,
            limit=limit,
            where=[Delivery.endpoint_id.in_(enabled)],
        )
        claimed: list[_Claimed] = []
        for delivery in rows:
            endpoint = tx.session.get(Endpoint, delivery.endpoint_id)
            assert endpoint is not None
            claimed.append(_prepare(tx, delivery, endpoint, int(now.timestamp())))
        tx.commit()
    return claimed


def _reason(exc: BaseException) -> str:
    """Our words for why an attempt failed: never the target's own answer."""
    if isinstance(exc, UnsafeTarget):
        return "address refused"
    if isinstance(exc, httpcore.TimeoutException):
        return "timed out"
    if isinstance(exc, httpcore.ConnectError):
        return "could not connect"
    return f"error: {type(exc).__name__}"


def _send(
    claimed: _Claimed, allow: PrivateAllowance, deadline: float, max_bytes: int
) -> str | None:
    """Send one delivery; return None when the target answered 2xx, else why not."""
    if claimed.error is not None:
        return claimed.error
    try:
        answer = exchange(
            vet(claimed.url, allow),
            "POST",
            body=claimed.body,
            headers=claimed.headers,
            deadline_seconds=deadline,
            max_bytes=max_bytes,
        )
    except Exception as exc:  # noqa: BLE001 - any failure is one failed attempt of this one
        return _reason(exc)
    return None if 200 <= answer.status < 300 else "no 2xx answer"


def _record(new_uow: Callable[[], UnitOfWork], claimed: _Claimed, error: str | None) -> str:
    """Record one attempt in its own transaction; return delivered|retrying|failed|lost."""
    with new_uow() as tx:
        now = tx.clock.now()
        delivery = tx.session.get(Delivery, claimed.id)
        if (
            delivery is None  # its endpoint was deleted meanwhile
            or delivery.status != "pending"
            or delivery.attempts != claimed.attempts  # recorded by another worker
        ):
            return "lost"
        delivery.attempts += 1
        delivery.last_error = error
        outcome = "delivered" if error is None else "failed"
        entry = {"at": iso(now), "outcome": outcome} | ({"reason": error} if error else {})
        delivery.log = [*delivery.log, entry]
        if error is None:
            delivery.status, delivery.delivered_at = "delivered", now
            delivery.next_attempt_at = None
            result = "delivered"
        else:
            delivery.next_attempt_at = next_attempt(delivery.attempts, delivery.created_at)
            if delivery.next_attempt_at is None:
                delivery.status = "failed"
                result = "failed"
            else:
                result = "retrying"
        tx.commit()
    return result


def _release(new_uow: Callable[[], UnitOfWork], unsent: list[_Claimed]) -> None:
    """Give back claimed deliveries that were not attempted: due again at once."""
    with new_uow() as tx:
        now = tx.clock.now()
        for one in unsent:
            delivery = tx.session.get(Delivery, one.id)
            if delivery is not None and delivery.attempts == one.attempts:
                delivery.next_attempt_at = now
        tx.commit()


def do_deliver_due(
    new_uow: Callable[[], UnitOfWork],
    *,
    limit: int = 100,
    workers: int = WORKERS,
    deadline: float = DEADLINE_SECONDS,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> DeliveryReport:
    """Attempt the due deliveries, each on its own, within about one deadline.

    Several processes may run this at once: a claimed delivery is leased to one of them.
    """
    claimed = _claim(new_uow, limit)
    if not claimed:
        return DeliveryReport(0, 0, 0)
    with new_uow() as tx:
        allow = _allowance(tx.links)
    by_endpoint: dict[str, list[_Claimed]] = {}
    for one in claimed:
        by_endpoint.setdefault(one.endpoint_id, []).append(one)
    stop_at = time.monotonic() + deadline

    def attempt(one: _Claimed) -> str:
        error = _send(one, allow, deadline, max_bytes)
        try:
            return _record(new_uow, one, error)
        except Exception:  # noqa: BLE001 - the lease runs out and the job tries it again
            log.exception("recording webhook delivery %s failed", one.id)
            return "lost"

    def serve(queue: list[_Claimed]) -> list[str]:
        done: list[str] = []
        for n, one in enumerate(queue):
            if n and time.monotonic() >= stop_at:
                _release(new_uow, queue[n:])
                break
            done.append(attempt(one))
        return done

    results: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=min(workers, len(by_endpoint))) as pool:
        for done in pool.map(serve, by_endpoint.values()):
            results.update(done)
    return DeliveryReport(results["delivered"], results["retrying"], results["failed"])


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


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """An attempt as the tenant sees it: when, and delivered or failed (never the answer)."""
    if "outcome" in entry:
        return {k: entry[k] for k in ("at", "outcome", "reason") if k in entry}
    status = entry.get("status")  # written before answers were hidden: a status code
    delivered = isinstance(status, int) and 200 <= status < 300
    return {"at": entry.get("at"), "outcome": "delivered" if delivered else "failed"}


def deliveries(uow: UnitOfWork, *, actor: Actor, endpoint_id: str) -> list[dict[str, Any]]:
    """Return the delivery log of an endpoint: states and attempt counts."""
    require_staff(actor, "admin")
    with uow as tx:
        _own_endpoint(tx, actor, endpoint_id)
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
                "log": [_shown(entry) for entry in d.log],
            }
            for d in rows
        ]
