"""The regulator's view of the ledger: a case's events with their proofs, the ledger's state.

No personal data: events carry ids, types and times, and the proofs are hashes.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from fairscreen.cases.models import Case
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor, CaseRef, is_regulator
from fairscreen.ledger import checkpoints
from fairscreen.ledger import queries as ledger_queries
from fairscreen.ledger.checkpoints import LedgerHost
from fairscreen.ledger.events import events_of_case, iso
from fairscreen.shared.errors import Forbidden, NotFound


def _case_as_regulator(session: Session, actor: Actor, case_id: str) -> CaseRef:
    """Allow a regulator over the case's employer or agency; anyone else gets nothing."""
    if not is_regulator(actor):
        raise Forbidden("This is for the regulator's inspectors.")
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound()
    for org_id in (case.employer_org_id, case.agency_org_id):
        org = session.get(Org, org_id) if org_id else None
        if org is not None and org.regulator_id == actor.org_id:
            return CaseRef(case.id, case.employer_org_id, case.agency_org_id)
    raise NotFound()


def case_timeline(app: LedgerHost, *, actor: Actor, case_id: str) -> dict[str, Any]:
    """Return a case's events, each with its inclusion proof against the latest checkpoint."""
    with app.reader() as tx:
        _case_as_regulator(tx.session, actor, case_id)
    checkpoint = checkpoints.latest_or_sign(app)
    size = int(checkpoint.size)
    with app.reader() as tx:
        events = []
        for event in events_of_case(tx.session, case_id):
            if event.idx >= size:
                continue  # appended after the checkpoint; the next one will include it
            proof = ledger_queries.inclusion(tx.session, int(event.idx), size)
            events.append(
                {
                    "index": int(event.idx),
                    "type": event.type,
                    "at": iso(event.at),
                    "event": json.loads(event.body),
                    "leaf_hash": proof["leaf_hash"],
                    "inclusion_proof": proof["path"],
                }
            )
    return {
        "case_id": case_id,
        "checkpoint": {
            "size": size,
            "root_hash": bytes(checkpoint.root_hash).hex(),
            "note": checkpoint.note,
        },
        "events": events,
    }


def ledger_status(app: LedgerHost, *, actor: Actor) -> dict[str, Any]:
    """Return the ledger's size and its latest signed checkpoint, for an inspector."""
    if not is_regulator(actor):
        raise Forbidden("This is for the regulator's inspectors.")
    with app.reader() as tx:
        size = checkpoints.current_size(tx.session)
        latest = checkpoints.latest(tx.session)
    return {
        "tree_size": size,
        "checkpoint": None
        if latest is None
        else {
            "size": int(latest.size),
            "root_hash": bytes(latest.root_hash).hex(),
            "created_at": iso(latest.created_at),
        },
        "unsigned": size - (int(latest.size) if latest is not None else 0),
    }
