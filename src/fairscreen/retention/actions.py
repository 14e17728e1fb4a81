"""Legal holds and erasure requests; destruction and purge live in `purge`.

A legal hold suspends destruction of a case until it ends or is released; an erasure
request makes a case due at once, and the next purge run carries it out. The purge
names (`do_purge_due`, `destroy_cases`, ...) are importable from here too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from fairscreen.cases.actions import case_ref, load_case
from fairscreen.cases.models import Case
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor, access_case, require_staff
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event, iso
from fairscreen.mail.backends import Message
from fairscreen.retention.models import ErasureRequest, LegalHold
from fairscreen.retention.policy import LEGAL_HOLD_MAX_DAYS, check_hold_end
from fairscreen.retention.purge import (
    CHUNK,
    PurgeReport,
    count_due,
    destroy_cases,
    do_destroy_now,
    do_purge_due,
)
from fairscreen.scope.guard import ensure_clean_text
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import InvalidState, NotFound, ValidationFailed
from fairscreen.shared.ids import new_id
from fairscreen.shared.workdays import load_calendar

__all__ = ["CHUNK", "PurgeReport", "count_due", "destroy_cases", "do_destroy_now",
           "do_place_hold", "do_purge_due", "do_release_hold", "do_request_erasure"]  # fmt: skip


def do_place_hold(
    uow: UnitOfWork,
    *,
    actor: Actor,
    case_id: str,
    reason: str,
    ends_at: datetime | None,
    max_days: int = LEGAL_HOLD_MAX_DAYS,
) -> str:
    """Place a legal hold: destruction of the case is suspended until it ends.

    The hold ends within `max_days`; its reason is screened like every text kept; the
    regulator (a ledger event, and mail to its inspectors) and the candidate are told.
    The held data stays sealed from every ordinary read (`cases.visibility`): a hold
    keeps it from destruction, it does not make it readable again.
    """
    require_staff(actor, "admin")
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise ValidationFailed(
            "Give the reason for the hold (1 to 2000 characters).", field="reason"
        )
    ensure_clean_text(reason)
    with uow as tx:
        case = load_case(tx.session, actor, case_id)
        if case.status == "destroyed":
            raise InvalidState("This case has already been destroyed.")
        now = tx.clock.now()
        ends_at = check_hold_end(ends_at, now, max_days)
        hold_id = new_id("hold")
        vault = tx.vault
        sealed = vault.seal(case.id, "retention_hold.reason", reason)
        tx.session.add(
            LegalHold(
                id=hold_id,
                case_id=case.id,
                org_id=actor.org_id or "",
                reason=sealed,
                placed_by=actor.id,
                placed_at=now,
                ends_at=ends_at,
            )
        )
        append_event(
            tx.session,
            type=EventType.LEGAL_HOLD_PLACED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={"hold_id": hold_id, "ends_at": iso(ends_at)},
        )
        tell_of_hold(tx, case, hold_id=hold_id, reason=reason, ends_at=ends_at)
        tx.commit()
        return hold_id


def tell_of_hold(tx: Tx, case: Case, *, hold_id: str, reason: str, ends_at: datetime) -> None:
    """Tell the regulator's inspectors and the candidate that a hold keeps the case's data."""
    # Imported late: feedback builds on retention's policy.
    from fairscreen.feedback.notices import candidate_address, send_after_commit, staff_addresses

    until = ends_at.date().isoformat()
    employer = tx.session.get(Org, case.employer_org_id)
    messages: list[Message] = []
    if employer is not None and employer.regulator_id is not None:
        # To the regulator: ids and dates, nothing of the person nor the reason's text.
        body = (
            f"{employer.name} placed legal hold {hold_id} on case {case.id} until {until}: "
            f"its data is kept from destruction, sealed from reading, until then.\n"
        )
        subject = f"法律保全 / Legal hold placed ({case.id})"
        messages += [
            Message(to=address, subject=subject, body=body)
            for address in staff_addresses(tx, employer.regulator_id, ("regulator",))
        ]
    to = candidate_address(tx, case)
    if to is not None:
        body = (
            f"您的背景调查资料因法律原因被保全至 {until}，期间不会被删除，也不会被任何人查阅。"
            f"原因：{reason}\n\n"
            f"Your background check data is held for a legal reason until {until}: it is not "
            f"destroyed before then, and nobody reads it meanwhile. Reason: {reason}\n"
        )
        subject = "您的资料被法律保全 / Your data is under a legal hold"
        messages.append(Message(to=to, subject=subject, body=body, case_id=case.id))
    send_after_commit(tx, messages)


def do_release_hold(uow: UnitOfWork, *, actor: Actor, hold_id: str) -> None:
    """Release a legal hold."""
    require_staff(actor, "admin")
    with uow as tx:
        hold = tx.session.get(LegalHold, hold_id)
        case = tx.session.get(Case, hold.case_id) if hold else None
        access_case(actor, case_ref(case) if case else None)
        assert hold is not None and case is not None
        if hold.org_id != actor.org_id:
            # A hold keeps data a court or an inquiry needs: only who placed it may lift it,
            # and to another organisation it is another's object (404, as the contract says).
            raise NotFound("There is no such legal hold.")
        if hold.released_at is None:
            hold.released_at = tx.clock.now()
            append_event(
                tx.session,
                type=EventType.LEGAL_HOLD_RELEASED,
                actor=actor.ref,
                at=hold.released_at,
                case_id=case.id,
                org_id=case.employer_org_id,
                data={"hold_id": hold_id},
            )
        tx.commit()


def do_request_erasure(uow: UnitOfWork, *, actor: Actor) -> ErasureRequest:
    """Accept the candidate's erasure request; purge carries it out before it is due."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise ValidationFailed("Only the candidate can ask for erasure.")
    with uow as tx:
        case = load_case(tx.session, actor, actor.case_id, for_update=True)
        if case.status == "destroyed":
            raise InvalidState("This case has already been destroyed.")
        existing = tx.session.scalar(
            select(ErasureRequest).where(
                ErasureRequest.case_id == case.id, ErasureRequest.done_at.is_(None)
            )
        )
        if existing is not None:
            return existing
        now = tx.clock.now()
        pack = load_pack(case.pack)
        days = int(pack.settings.get("erasure_due_business_days", 15))
        deadline = load_calendar(str(pack.settings.get("calendar", "cn"))).add_working_days(
            now, days
        )
        assert isinstance(deadline.at, datetime)
        request = ErasureRequest(
            id=new_id("era"),
            case_id=case.id,
            org_id=case.employer_org_id,
            requested_at=now,
            due_at=deadline.at,
            provisional=deadline.provisional,
        )
        tx.session.add(request)
        case.collection_stopped_at = case.collection_stopped_at or now
        case.destroy_due_at = now  # the next purge run carries it out, well before due
        append_event(
            tx.session,
            type=EventType.ERASURE_REQUESTED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={
                "erasure_id": request.id,
                "due_at": iso(deadline.at),
                "provisional": deadline.provisional,
            },
        )
        tx.commit()
        return request
