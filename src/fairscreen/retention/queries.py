"""Deletion certificates."""

from __future__ import annotations

from typing import Any

from fairscreen.cases.actions import load_case
from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.policy import Actor
from fairscreen.retention.models import Tombstone
from fairscreen.shared.errors import NotFound


def deletion_certificate(uow: UnitOfWork, *, actor: Actor, case_id: str) -> dict[str, Any]:
    """Return the deletion certificate of a destroyed case."""
    with uow:
        load_case(uow.session, actor, case_id)
        tomb = uow.session.get(Tombstone, case_id)
        if tomb is None:
            raise NotFound("This case has not been destroyed.")
        return {
            "certificate_id": tomb.certificate_id,
            "case_id": tomb.case_id,
            "reason": tomb.reason,
            "destroyed_at": tomb.destroyed_at.isoformat(),
            "due_at": tomb.due_at.isoformat() if tomb.due_at else None,
            "rows_deleted": tomb.counts,
            "data_key_destroyed": True,
            "event_chain_sha256": tomb.event_chain_sha256,
            "ledger_index": tomb.ledger_index,
        }
