"""Destruction and purge: the one deletion path, and the scheduled run that takes it.

There is one deletion path (`destroy_cases`) for scheduled purge, erasure requests,
withdrawal and refusal alike: in one transaction per chunk, each case's data key is
destroyed first (crypto-shredding: every copy of its ciphertext, backups included, is
unreadable from then on), then its rows are deleted, a tombstone is kept and a deletion
certificate event is appended. A crash at any point leaves each case whole or destroyed;
its evidence objects and outbox messages go after the commit, and what a crash leaves of
them the next purge run removes (retention/leftovers.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.attributes import set_committed_value

from fairscreen.cases.actions import load_case
from fairscreen.cases.models import CandidateToken, Case
from fairscreen.cases.policy import next_status
from fairscreen.db.registry import metadata
from fairscreen.db.types import SealedBytes
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.evidence.actions import storage_keys_of
from fairscreen.identity.policy import SYSTEM, Actor
from fairscreen.ledger.events import NewEvent, append_events
from fairscreen.ledger.models import LedgerEvent
from fairscreen.retention.leftovers import delete_evidence, forget_outbox, sweep_leftovers
from fairscreen.retention.models import ErasureRequest, LegalHold, OrgRetentionPolicy, Tombstone
from fairscreen.retention.policy import SURVIVING_TABLES, RetentionPolicy, hold_in_force
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import InvalidState
from fairscreen.shared.errors import LegalHold as LegalHoldError
from fairscreen.shared.ids import new_id
from fairscreen.vault.models import VaultCaseKey

__all__ = ["CHUNK", "PurgeReport", "count_due", "destroy_cases", "do_destroy_now", "do_purge_due"]

log = logging.getLogger("fairscreen.retention")
CHUNK = 1000  # cases per transaction: bigger chunks cut the fixed cost per statement


_Column = (
    ColumnElement[str]
    | ColumnElement[str | None]
    | InstrumentedAttribute[str]
    | InstrumentedAttribute[str | None]
)


def _among(session: Session, column: _Column, ids: Sequence[str]) -> ColumnElement[bool]:
    """Return `column IN ids` with the ids bound as one value, not one parameter each.

    A chunk's thousand ids in some twenty statements made SQLAlchemy render and bind
    20,000 parameters per chunk, a good part of the purge's time; as one value, each
    statement is compiled once and cached.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=postgresql.ARRAY(String)))
    values: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(list(ids)), type_=String))
    )
    return column.in_(values.scalar_subquery())


@dataclass
class PurgeReport:
    destroyed: int = 0
    skipped_held: int = 0
    by_reason: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain data."""
        return {
            "destroyed": self.destroyed,
            "skipped_held": self.skipped_held,
            "by_reason": dict(self.by_reason),
        }


def _case_tables() -> tuple[list[Table], list[Table]]:
    """Return (tables to empty, surviving tables with sealed columns), children first."""
    to_delete: list[Table] = []
    to_blank: list[Table] = []
    for table in reversed(metadata().sorted_tables):
        if "case_id" not in table.c or table.name == "cases_case":
            continue
        if table.name in SURVIVING_TABLES:
            if any(isinstance(c.type, SealedBytes) for c in table.c):
                to_blank.append(table)
        else:
            to_delete.append(table)
    return to_delete, to_blank


def _reason(case: Case, erasure: set[str]) -> str:
    if case.id in erasure:
        return "erasure_request"
    if case.status == "refused":
        return "consent_refused"
    if case.status == "withdrawn":
        return "consent_withdrawn"
    if case.status == "awaiting_consent" and case.destroy_due_at is None:
        return "abandoned"
    return "retention_expired"


def _held(session: Session, case_ids: Sequence[str], now: datetime) -> set[str]:
    rows = session.execute(
        select(LegalHold.case_id, LegalHold.ends_at, LegalHold.released_at).where(
            LegalHold.case_id.in_(case_ids)
        )
    )
    return {r.case_id for r in rows if hold_in_force(r.ends_at, r.released_at, now)}


def destroy_cases(
    tx: Tx,
    cases: Sequence[Case],
    *,
    actor: Actor,
    now: datetime,
    reasons: dict[str, str],
) -> dict[str, str]:
    """Destroy cases inside the caller's transaction; return their certificate ids.

    Each case's tombstone (`Tombstone`, keyed by case id) is inserted in the same
    transaction.
    """
    session = tx.session
    ids = [c.id for c in cases]
    if not ids:
        return {}
    # 1. Crypto-shred: the wrapped data keys go first.
    session.execute(
        update(VaultCaseKey)
        .where(_among(session, VaultCaseKey.case_id, ids))
        .values(wrapped=None, destroyed_at=now)
    )
    # The evidence objects outlive their rows only until commit; note them before the rows go.
    evidence_keys = storage_keys_of(session, ids)
    # 2. Count, then delete, every row that belongs to the cases.
    to_delete, to_blank = _case_tables()
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for table in to_delete:
        for case_id, n in session.execute(
            select(table.c.case_id, func.count())
            .where(_among(session, table.c.case_id, ids))
            .group_by(table.c.case_id)
        ):
            counts[case_id][table.name] = int(n)
        session.execute(delete(table).where(_among(session, table.c.case_id, ids)))
    for table in to_blank:
        sealed = {c.name: None for c in table.c if isinstance(c.type, SealedBytes)}
        session.execute(update(table).where(_among(session, table.c.case_id, ids)).values(**sealed))
    # 3. The event chain each certificate attests to.
    chains: dict[str, hashlib._Hash] = defaultdict(hashlib.sha256)
    for case_id, leaf in session.execute(
        select(LedgerEvent.case_id, LedgerEvent.leaf_hash)
        .where(_among(session, LedgerEvent.case_id, ids))
        .order_by(LedgerEvent.case_id, LedgerEvent.idx)
    ):
        chains[str(case_id)].update(bytes(leaf))
    # The tokens' rows are gone with step 2; revoke in one statement all the same.
    session.execute(
        update(CandidateToken)
        .where(_among(session, CandidateToken.case_id, ids), CandidateToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    # 4. The lifecycle move, checked per case by the state machine like `transition`, but
    # with the chunk's events appended together and the case rows flushed as one batch:
    # a statement per case made a 100,000-case purge take minutes.
    at = tx.clock.now()
    certificates: dict[str, str] = {}
    events: list[NewEvent] = []
    with session.no_autoflush:
        for case in cases:
            status, event_type = next_status(case.status, "destroy")
            certificates[case.id] = new_id("cert")
            events.append(
                NewEvent(
                    type=event_type,
                    actor=actor.ref,
                    at=at,
                    case_id=case.id,
                    org_id=case.employer_org_id,
                    data={
                        "status": status,
                        "reason": reasons[case.id],
                        "certificate_id": certificates[case.id],
                        "event_chain_sha256": chains[case.id].hexdigest(),
                        "rows_deleted": sum(counts[case.id].values()),
                        "key_destroyed": True,
                    },
                )
            )
        indices = {
            e.case_id: a.index for e, a in zip(events, append_events(session, events), strict=True)
        }
        _mark_destroyed(session, cases, at)
        tombstones: list[dict[str, object]] = []
        # Imported late: webhooks is a sibling domain module; ids and status only.
        from fairscreen.webhooks.actions import enqueue
        from fairscreen.webhooks.models import Endpoint

        # One query for the chunk: only organisations with a live endpoint get an enqueue.
        listening = set(
            session.scalars(
                select(Endpoint.org_id).where(
                    Endpoint.org_id.in_({c.employer_org_id for c in cases}),
                    Endpoint.disabled_at.is_(None),
                )
            )
        )
        for case in cases:
            certificate_id = certificates[case.id]
            if case.employer_org_id in listening:
                enqueue(
                    tx,
                    org_id=case.employer_org_id,
                    event_type="case.destroyed",
                    data={
                        "case_id": case.id,
                        "status": case.status,
                        "certificate_id": certificate_id,
                    },
                )
            # Rows, not ORM objects: building 1,000 objects per chunk cost more than
            # inserting them.
            tombstones.append(
                {
                    "case_id": case.id,
                    "certificate_id": certificate_id,
                    "reason": reasons[case.id],
                    "destroyed_at": now,
                    "due_at": case.destroy_due_at,
                    "counts": dict(counts[case.id]),
                    "event_chain_sha256": chains[case.id].hexdigest(),
                    "ledger_index": indices[case.id],
                }
            )
        session.execute(insert(Tombstone), tombstones)
    session.execute(
        update(ErasureRequest)
        .where(_among(session, ErasureRequest.case_id, ids), ErasureRequest.done_at.is_(None))
        .values(done_at=now)
    )
    destroyed = set(ids)
    # After the commit (a rollback must keep a live case's files); a crash before they
    # run leaves the files to the next purge run's sweep (retention/leftovers.py).
    tx.after_commit(lambda: forget_outbox(tx, destroyed))
    if evidence_keys:
        tx.after_commit(lambda: delete_evidence(tx, evidence_keys))
    return certificates


_BLANKED = ("candidate_name", "candidate_email", "candidate_email_index")


def _mark_destroyed(session: Session, cases: Sequence[Case], at: datetime) -> None:
    # One UPDATE for the chunk; the version still moves on, so a concurrent editor holding
    # an older copy of a case fails instead of writing over its destruction.
    session.execute(
        update(Case)
        .where(_among(session, Case.id, [c.id for c in cases]))
        .values(
            status="destroyed",
            updated_at=at,
            version=Case.version + 1,
            **dict.fromkeys(_BLANKED),
        )
        .execution_options(synchronize_session=False)
    )
    for case in cases:  # the loaded objects say what the rows now hold
        state = {"status": "destroyed", "updated_at": at, "version": case.version + 1}
        for name, value in {**state, **dict.fromkeys(_BLANKED)}.items():
            set_committed_value(case, name, value)


def _due_query(session: Session, now: datetime) -> object:
    conditions = [Case.destroy_due_at <= now]
    # Organisations that shortened the period abandon their unconsented cases sooner.
    shortened = list(
        session.execute(
            select(OrgRetentionPolicy.org_id, OrgRetentionPolicy.abandoned_without_consent).where(
                OrgRetentionPolicy.abandoned_without_consent.is_not(None)
            )
        )
    )
    for code in ("cn",):
        days = RetentionPolicy.from_pack(load_pack(code).settings.get("retention_days", {}))
        cutoff = now - timedelta(days=days.abandoned_without_consent)
        abandoned = and_(Case.pack == code, Case.status == "awaiting_consent")
        conditions.append(and_(abandoned, Case.created_at <= cutoff))
        for org_id, org_days in shortened:
            if org_days is None:
                continue
            org_cutoff = now - timedelta(days=min(org_days, days.abandoned_without_consent))
            conditions.append(
                and_(abandoned, Case.employer_org_id == org_id, Case.created_at <= org_cutoff)
            )
    hold = exists().where(
        LegalHold.case_id == Case.id,
        LegalHold.released_at.is_(None),
        or_(LegalHold.ends_at.is_(None), LegalHold.ends_at > now),
    )
    return and_(Case.status != "destroyed", or_(*conditions), ~hold)


def do_purge_due(
    app_uow: Callable[[], UnitOfWork],
    *,
    now: datetime,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> PurgeReport:
    """Destroy every case that is due, a chunk per transaction; safe to run concurrently."""
    sweep_leftovers(app_uow)  # first finish what a crash after an earlier commit left
    report = PurgeReport()
    with app_uow() as tx:
        report.skipped_held = _count_held_due(tx.session, now)
        if report.skipped_held:
            log.info("purge skipped %d due case(s) under legal hold", report.skipped_held)
    while True:
        with app_uow() as tx:
            query = (
                select(Case)
                .where(_due_query(tx.session, now))  # type: ignore[arg-type]
                .order_by(Case.destroy_due_at, Case.id)
                .limit(chunk)
            )
            if tx.session.get_bind().dialect.name == "postgresql":
                # Two purges at once take different cases instead of waiting on each other.
                query = query.with_for_update(skip_locked=True)
            cases = list(tx.session.scalars(query))
            if not cases:
                return report
            erasure = set(
                tx.session.scalars(
                    select(ErasureRequest.case_id).where(
                        _among(tx.session, ErasureRequest.case_id, [c.id for c in cases]),
                        ErasureRequest.done_at.is_(None),
                    )
                )
            )
            reasons = {c.id: _reason(c, erasure) for c in cases}
            destroy_cases(tx, cases, actor=SYSTEM, now=now, reasons=reasons)
            tx.commit()
        report.destroyed += len(cases)
        for reason in reasons.values():
            report.by_reason[reason] += 1
        if progress:
            progress(len(cases))


def _count_held_due(session: Session, now: datetime) -> int:
    held = exists().where(
        LegalHold.case_id == Case.id,
        LegalHold.released_at.is_(None),
        or_(LegalHold.ends_at.is_(None), LegalHold.ends_at > now),
    )
    return int(
        session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.status != "destroyed", Case.destroy_due_at <= now, held)
        )
        or 0
    )


def count_due(uow: UnitOfWork, now: datetime) -> int:
    """Return how many cases are due for destruction now (for progress bars)."""
    with uow as tx:
        return int(
            tx.session.scalar(
                select(func.count()).select_from(Case).where(_due_query(tx.session, now))  # type: ignore[arg-type]
            )
            or 0
        )


def do_destroy_now(uow: UnitOfWork, *, actor: Actor, case_id: str, reason: str) -> Tombstone:
    """Destroy one case at once (refusing while a legal hold is in force)."""
    with uow as tx:
        case = load_case(tx.session, actor, case_id, for_update=True)
        if case.status == "destroyed":
            raise InvalidState("This case has already been destroyed.")
        now = tx.clock.now()
        if _held(tx.session, [case.id], now):
            raise LegalHoldError()
        destroy_cases(tx, [case], actor=actor, now=now, reasons={case.id: reason})
        tomb = tx.session.get(Tombstone, case.id)
        assert tomb is not None
        tx.commit()
        return tomb
