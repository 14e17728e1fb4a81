"""Case commands: open a case, move it through its lifecycle, authenticate candidates."""

from __future__ import annotations

import hmac
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from fairscreen.cases.models import CandidateToken, Case
from fairscreen.cases.policy import next_status
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor, CaseRef, access_case, require_staff
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import EventValue, append_event
from fairscreen.mail.backends import Message
from fairscreen.mail.queue import queue_mail
from fairscreen.mail.render import compose
from fairscreen.scope.models import Position
from fairscreen.scope.policy import load_pack
from fairscreen.shared.catalogues import DEFAULT_LANG
from fairscreen.shared.errors import NotFound, Unauthenticated, ValidationFailed
from fairscreen.shared.ids import new_id, new_secret, secret_hash

CANDIDATE_TOKEN_PREFIX = "fsc_"


def case_ref(case: Case) -> CaseRef:
    """Return what access checks need of a case."""
    return CaseRef(case.id, case.employer_org_id, case.agency_org_id)


def load_case(session: Session, actor: Actor, case_id: str, *, for_update: bool = False) -> Case:
    """Load a case the actor may see, or raise `not_found`."""
    case = session.get(Case, case_id, with_for_update=for_update or None)
    access_case(actor, case_ref(case) if case else None)
    assert case is not None
    return case


def transition(
    tx: Tx,
    case: Case,
    command: str,
    *,
    actor: Actor,
    data: Mapping[str, EventValue] | None = None,
) -> None:
    """Apply a lifecycle command to a case and append its event."""
    status, event_type = next_status(case.status, command)
    now = tx.clock.now()
    case.status = status
    case.updated_at = now
    append_event(
        tx.session,
        type=event_type,
        actor=actor.ref,
        at=now,
        case_id=case.id,
        org_id=case.employer_org_id,
        data={"status": status, **(data or {})},
    )


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            "Give the candidate's name (1 to 200 characters).", field="candidate.name"
        )
    return name


def _clean_email(email: str) -> str:
    email = unicodedata.normalize("NFKC", email).strip()
    local, _, domain = email.rpartition("@")
    if not local or "." not in domain or len(email) > 254 or " " in email:
        raise ValidationFailed(
            "Give a valid e-mail address for the candidate.", field="candidate.email"
        )
    return f"{local}@{domain.lower()}"


def do_open_case(
    uow: UnitOfWork,
    *,
    actor: Actor,
    position_id: str,
    candidate_name: str,
    candidate_email: str,
    categories: Sequence[str],
    agency_id: str | None = None,
) -> tuple[str, str]:
    """Open a case and invite the candidate; return (case id, candidate token)."""
    require_staff(actor, "employer", "admin")
    name = _clean_name(candidate_name)
    email = _clean_email(candidate_email)
    with uow as tx:
        session = tx.session
        position = session.get(Position, position_id)
        if position is None or position.org_id != actor.org_id:
            raise NotFound("There is no such position.")
        tx.concerning(position.org_id)  # an out-of-scope request counts for the employer
        if agency_id is not None:
            agency = session.get(Org, agency_id)
            if agency is None or agency.kind != "agency":
                raise NotFound("There is no such screening agency.")
        pack = load_pack(position.pack)
        wanted = pack.check_requested(categories, position.allowed_categories)
        now = tx.clock.now()
        case_id = new_id("case")
        vault = tx.vault
        vault.create_key(case_id, now)
        case = Case(
            id=case_id,
            employer_org_id=position.org_id,
            agency_org_id=agency_id,
            position_id=position.id,
            status="draft",
            pack=pack.code,
            pack_version=pack.version,
            taxonomy_version=pack.taxonomy.version,
            categories=list(wanted),
            candidate_name=vault.seal(case_id, "case.candidate_name", name),
            candidate_email=vault.seal(case_id, "case.candidate_email", email),
            candidate_email_index=vault.lookup_hash("email", email.lower()),
            created_by=actor.id,
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        append_event(
            session,
            type=EventType.CASE_OPENED,
            actor=actor.ref,
            at=now,
            case_id=case_id,
            org_id=case.employer_org_id,
            data={
                "status": "draft",
                "position_id": position.id,
                "agency_id": agency_id,
                "pack_version": pack.version,
                "categories": list(wanted),
            },
        )
        token = _issue_token(tx, case)
        transition(tx, case, "invite", actor=actor)
        link = f"{tx.links.base_url}/c/{token}"
        employer = session.get(Org, case.employer_org_id)
        message = invitation_message(email, name, employer.name if employer else "", link, case_id)
        queue_mail(tx, [message])
        tx.commit()
        return case_id, token


def invitation_message(to: str, name: str, employer: str, link: str, case_id: str) -> Message:
    """Compose the invitation (mail/templates/invitation.txt); the candidate's language is
    not known before they open it, so it is written in the default one."""
    return compose(
        "invitation", DEFAULT_LANG, to=to, case_id=case_id, link=link, name=name, employer=employer
    )


def _issue_token(tx: Tx, case: Case) -> str:
    token_id = new_id("ctk")
    secret = new_secret(32)
    days = tx.links.candidate_token_days
    created = tx.clock.now()
    tx.session.add(
        CandidateToken(
            id=token_id,
            case_id=case.id,
            secret_hash=secret_hash(secret),
            created_at=created,
            expires_at=created + timedelta(days=days),
        )
    )
    return f"{CANDIDATE_TOKEN_PREFIX}{token_id}.{secret}"


def revoke_candidate_tokens(session: Session, case_id: str, now: datetime) -> None:
    """Revoke every token of a case (when it ends)."""
    session.execute(
        update(CandidateToken)
        .where(CandidateToken.case_id == case_id, CandidateToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def authenticate_candidate(uow: UnitOfWork, presented: str) -> Actor:
    """Return the candidate actor for a token, or refuse."""
    if not presented.startswith(CANDIDATE_TOKEN_PREFIX) or "." not in presented:
        raise Unauthenticated()
    token_id, _, secret = presented[len(CANDIDATE_TOKEN_PREFIX) :].partition(".")
    with uow as tx:
        row = tx.session.get(CandidateToken, token_id)
        if row is None or not hmac.compare_digest(row.secret_hash, secret_hash(secret)):
            raise Unauthenticated("This link is not valid.")
        if row.revoked_at is not None:
            raise Unauthenticated("This link has been revoked because the check has ended.")
        if row.expires_at <= tx.clock.now():
            raise Unauthenticated("This link has expired; ask the employer for a new one.")
        return Actor(kind="candidate", id=token_id, case_id=row.case_id)
