"""Case commands: open a case, move it through its lifecycle, authenticate candidates."""

from __future__ import annotations

import hmac
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fairscreen.cases.models import CandidateToken, Case
from fairscreen.cases.policy import next_status
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.addresses import at_domains, own_domains, parse_address
from fairscreen.identity.models import Org, User
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
    address = parse_address(email)
    if address is None:
        raise ValidationFailed(
            "Give one valid e-mail address for the candidate, without a name or a list "
            "(name@example.com).",
            field="candidate.email",
        )
    return address


NOT_CANDIDATES_OWN = (
    "This address cannot receive the candidate's invitation: it is a staff address or at "
    "the employer's own mail domain, so someone other than the candidate could sign. Give "
    "the candidate's own address."
)


def check_candidate_address(session: Session, org: Org, address: str) -> None:
    """Refuse a candidate address that is a staff user's or at the organisation's domains.

    One message for both, whoever the staff user works for: the refusal tells nothing of
    which organisation an address belongs to.
    """
    staff = session.scalar(select(User.id).where(User.email == address.lower()).limit(1))
    domains = own_domains(
        org.mail_domains or (), session.scalars(select(User.email).where(User.org_id == org.id))
    )
    if staff is not None or at_domains(address, domains):
        raise ValidationFailed(NOT_CANDIDATES_OWN, field="candidate.email")


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
        employer = session.get(Org, position.org_id)
        assert employer is not None
        check_candidate_address(session, employer, email)
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
        message = invitation_message(email, name, employer.name, link, case_id)
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


def shorten_candidate_tokens(tx: Tx, case_id: str) -> None:
    """Cut the case's links to their life after signing (consent was just signed)."""
    until = tx.clock.now() + timedelta(days=tx.links.candidate_token_days_after_signing)
    tx.session.execute(
        update(CandidateToken)
        .where(
            CandidateToken.case_id == case_id,
            CandidateToken.revoked_at.is_(None),
            CandidateToken.expires_at > until,
        )
        .values(expires_at=until)
    )


# A fresh link is mailed at most this often per case, whoever asks.
RENEWAL_INTERVAL = timedelta(minutes=10)
RENEWABLE = frozenset({"awaiting_consent", "in_progress", "report_released", "decided"})


def do_renew_candidate_link(uow: UnitOfWork, *, email: str) -> None:
    """Mail a fresh link to the candidate of each open case at this address.

    The answer is the same whether or not a case matched (no existence oracle); the link
    goes only to the case's own address, so asking gives nobody else a link.
    """
    address = parse_address(email)
    if address is None:
        return
    with uow as tx:
        index = tx.vault.lookup_hash("email", address.lower())
        cases = tx.session.scalars(
            select(Case).where(
                Case.candidate_email_index == index, Case.status.in_(sorted(RENEWABLE))
            )
        ).all()
        now = tx.clock.now()
        messages = []
        for case in cases:
            last = tx.session.scalar(
                select(CandidateToken.created_at)
                .where(CandidateToken.case_id == case.id)
                .order_by(CandidateToken.created_at.desc())
                .limit(1)
            )
            if last is not None and now - last < RENEWAL_INTERVAL:
                continue
            if case.candidate_email is None:
                continue
            token = _issue_token(tx, case)
            if case.status != "awaiting_consent":
                shorten_candidate_tokens(tx, case.id)
            to = tx.vault.open(case.id, "case.candidate_email", case.candidate_email)
            messages.append(renewal_message(to, f"{tx.links.base_url}/c/{token}", case.id))
            append_event(
                tx.session,
                type=EventType.CANDIDATE_LINK_RENEWED,
                actor="candidate:renewal",
                at=now,
                case_id=case.id,
                org_id=case.employer_org_id,
                data={},
            )
        if messages:
            queue_mail(tx, messages)
        tx.commit()


def renewal_message(to: str, link: str, case_id: str) -> Message:
    """Compose the fresh-link message in Chinese and English."""
    body = (
        f"您好：\n\n您申请了背景调查的新链接。请打开以下链接查看您的调查：\n{link}\n"
        "如果这不是您本人的申请，可以忽略本邮件。\n\n"
        f"Hello,\n\nYou asked for a fresh link to your background check. Open it here:\n{link}\n"
        "If you did not ask for it, you can ignore this message.\n"
    )
    return Message(
        to=to,
        subject="背景调查新链接 / A fresh link to your background check",
        body=body,
        link=link,
        case_id=case_id,
    )


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
            raise Unauthenticated(
                "This link has expired; ask for a fresh one by e-mail at /c/renew."
            )
        return Actor(kind="candidate", id=token_id, case_id=row.case_id)
