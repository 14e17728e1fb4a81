"""The ledger: signed checkpoints, the verifier key and proofs for anyone; events for staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from fairscreen.bootstrap import App
from fairscreen.identity.policy import access_ledger_feed, is_regulator
from fairscreen.identity.queries import orgs_under
from fairscreen.ledger import checkpoints, queries
from fairscreen.ledger.events import iso
from fairscreen.web.api.common import MAX_INT, errors
from fairscreen.web.deps import AppDep, StaffDep

router = APIRouter(prefix="/ledger", tags=["ledger"])


def _origin(app: App) -> str:
    return checkpoints.origin_for(app.settings.base_url)


@router.get("/checkpoint", responses=errors())
def checkpoint(app: AppDep) -> dict[str, Any]:
    """The latest signed tree head (signed now if the current size has none yet)."""
    row = checkpoints.latest_or_sign(app)
    return {
        "size": row.size,
        "root_hash": row.root_hash.hex(),
        "timestamp": iso(row.created_at),
        "note": row.note,
    }


@router.get("/public-key", responses=errors())
def public_key(app: AppDep) -> dict[str, str]:
    """The signed-note verifier key that opens the checkpoints."""
    return {
        "verifier_key": checkpoints.public_verifier_key(_origin(app), app.keys.ledger_signing_key())
    }


@router.get("/proof/inclusion", responses=errors())
def inclusion_proof(
    app: AppDep, index: Annotated[int, Query()], size: Annotated[int, Query()]
) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of event `index` in the tree of `size` events."""
    with app.reader() as tx:
        return queries.inclusion(tx.session, index, size)


@router.get("/proof/consistency", responses=errors())
def consistency_proof(
    app: AppDep, first: Annotated[int, Query()], second: Annotated[int, Query()]
) -> dict[str, Any]:
    """The RFC 9162 consistency proof from the tree of `first` to that of `second` events."""
    with app.reader() as tx:
        return queries.consistency(tx.session, first, second)


@router.get("/events", responses=errors(401, 403))
def events(
    app: AppDep,
    actor: StaffDep,
    start: Annotated[int, Query(alias="from", le=MAX_INT)] = 0,
    limit: Annotated[int, Query()] = 100,
) -> dict[str, Any]:
    """Your organisation's events in ledger order with their leaf hashes; a regulator's
    include those of the organisations under it (ids, codes and hashes only)."""
    under = orgs_under(app.reader(), actor.org_id) if is_regulator(actor) and actor.org_id else []
    feed = access_ledger_feed(actor, under)
    with app.reader() as tx:
        return queries.events_page(
            tx.session, start, limit, org_ids=feed.org_ids, hidden_types=feed.hidden_types
        )
