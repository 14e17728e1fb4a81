"""Deletion certificates and the retention periods in force for an organisation."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fairscreen.cases.actions import load_case
from fairscreen.db.uow import UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.retention.models import LegalHold, OrgRetentionPolicy, Tombstone
from fairscreen.retention.policy import RetentionPolicy
from fairscreen.scope.policy import Pack, load_pack
from fairscreen.shared.clock import as_utc
from fairscreen.shared.errors import NotFound


def deletion_certificate(uow: UnitOfWork, *, actor: Actor, case_id: str) -> dict[str, Any]:
    """Return the deletion certificate of a destroyed case."""
    with uow as tx:
        load_case(tx.session, actor, case_id)
        tomb = tx.session.get(Tombstone, case_id)
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


def pack_days(pack: Pack | str) -> dict[str, int]:
    """Return the retention periods a jurisdiction pack sets."""
    loaded = load_pack(pack) if isinstance(pack, str) else pack
    return {k: int(v) for k, v in loaded.settings.get("retention_days", {}).items()}


def org_overrides(session: Session, org_id: str) -> dict[str, int]:
    """Return the periods an organisation has shortened (empty if none)."""
    row = session.get(OrgRetentionPolicy, org_id)
    return row.overrides() if row else {}


def effective_policy(session: Session, org_id: str, pack: Pack | str) -> RetentionPolicy:
    """Return the periods in force for an organisation's cases under a pack."""
    days = pack_days(pack)
    # Only shortening is ever stored, but a pack that later shortened its own period below
    # an organisation's still wins: the shorter of the two applies.
    shorter = {k: min(v, days.get(k, v)) for k, v in org_overrides(session, org_id).items()}
    return RetentionPolicy.from_pack(days, shorter)


def describe_policy(session: Session, org: Org) -> dict[str, Any]:
    """Return the effective policy of an organisation with what it overrides."""
    policy = effective_policy(session, org.id, org.pack)
    return {
        "org_id": org.id,
        "pack": org.pack,
        "not_hired": policy.not_hired,
        "hired_after_end": policy.hired_after_end,
        "abandoned_without_consent": policy.abandoned_without_consent,
        "pack_days": asdict(RetentionPolicy.from_pack(pack_days(org.pack))),
        "overrides": org_overrides(session, org.id),
    }


def org_holds(uow: UnitOfWork, *, actor: Actor) -> list[dict[str, Any]]:
    """Return the legal holds the admin's organisation placed, holds in force first."""
    require_staff(actor, "admin")
    with uow as tx:
        now = as_utc(tx.clock.now())
        rows = list(
            tx.session.scalars(
                select(LegalHold)
                .where(LegalHold.org_id == actor.org_id)
                .order_by(LegalHold.placed_at.desc(), LegalHold.id)
            )
        )
        views = []
        vault = tx.vault
        for hold in rows:
            ended = hold.ends_at is not None and as_utc(hold.ends_at) <= now
            # The reason is sealed under the case key: gone once the case is destroyed.
            readable = hold.reason is not None and vault.is_readable(hold.case_id)
            views.append(
                {
                    "id": hold.id,
                    "case_id": hold.case_id,
                    "reason": (
                        vault.open(hold.case_id, "retention_hold.reason", hold.reason)
                        if readable and hold.reason is not None
                        else None
                    ),
                    "placed_by": hold.placed_by,
                    "placed_at": as_utc(hold.placed_at).isoformat(),
                    "ends_at": as_utc(hold.ends_at).isoformat() if hold.ends_at else None,
                    "released_at": (
                        as_utc(hold.released_at).isoformat() if hold.released_at else None
                    ),
                    "in_force": hold.released_at is None and not ended,
                }
            )
        views.sort(key=lambda v: not v["in_force"])
        return views
