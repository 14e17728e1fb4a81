"""What the candidate sees before signing: the case and its consent document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fairscreen.cases.actions import load_case
from fairscreen.cases.models import Case
from fairscreen.cases.queries import candidate_fields
from fairscreen.consent.document import ConsentDocument, render
from fairscreen.consent.models import ConsentRecord
from fairscreen.consent.policy import check_collection
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor
from fairscreen.scope.models import Position
from fairscreen.scope.policy import load_pack
from fairscreen.shared.errors import Forbidden


def consent_document_for(tx: Tx, actor: Actor, case: Case, lang: str) -> ConsentDocument:
    """Render the consent document of a case (inside an entered unit of work)."""
    session = tx.session
    employer = session.get(Org, case.employer_org_id)
    agency = session.get(Org, case.agency_org_id) if case.agency_org_id else None
    position = session.get(Position, case.position_id)
    assert employer is not None and position is not None
    fields = candidate_fields(tx, actor, case) or {"name": ""}
    return render(
        pack=load_pack(case.pack),
        lang=lang,
        employer=employer.name,
        agency=agency.name if agency else None,
        position=position.title,
        purpose=position.purpose,
        candidate=fields["name"],
        categories=case.categories,
    )


def candidate_case(uow: UnitOfWork, *, actor: Actor, lang: str = "zh-Hans") -> dict[str, Any]:
    """Return the candidate's own case and the consent document to sign."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden()
    with uow as tx:
        case = load_case(tx.session, actor, actor.case_id)
        pack = load_pack(case.pack)
        doc = consent_document_for(tx, actor, case, lang)
        employer = tx.session.get(Org, case.employer_org_id)
        return {
            "id": case.id,
            "status": case.status,
            "pack": case.pack,
            "employer": employer.name if employer else None,
            "consent_document": {
                "version": doc.version,
                "sha256": doc.sha256,
                "lang": doc.lang,
                "text": doc.text,
            },
            "categories": [
                {"code": c, "sensitive": pack.is_sensitive(c), "methods": list(pack.methods_for(c))}
                for c in case.categories
            ],
        }


def standing_consent(session: Session, case_id: str) -> ConsentRecord | None:
    """Return the case's signed, not withdrawn consent, if any."""
    return session.scalar(
        select(ConsentRecord)
        .where(
            ConsentRecord.case_id == case_id,
            ConsentRecord.decision == "signed",
            ConsentRecord.withdrawn_at.is_(None),
        )
        .order_by(ConsentRecord.at.desc())
        .limit(1)
    )


def granted_categories(session: Session, case_id: str) -> list[str] | None:
    """Return the categories the standing consent grants, or None without consent."""
    record = standing_consent(session, case_id)
    return list(record.granted_categories) if record else None


def check_collecting(session: Session, case: Case, category: str) -> None:
    """Refuse collecting `category` into `case` now (`policy.check_collection` on its rows)."""
    check_collection(
        status=case.status,
        stopped=case.collection_stopped_at is not None,
        granted=granted_categories(session, case.id),
        category=category,
        requested=case.categories,
    )


def latest_consent(session: Session, case_id: str) -> ConsentRecord | None:
    """Return the case's most recent consent decision (signed or refused), if any."""
    return session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.case_id == case_id)
        .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )


def consent_status(record: ConsentRecord | None) -> str | None:
    """Return signed, refused or withdrawn for a consent record (None without one)."""
    if record is None:
        return None
    if record.decision == "signed" and record.withdrawn_at is not None:
        return "withdrawn"
    return record.decision


def _sees_personal_data(tx: Tx, actor: Actor, case: Case) -> bool:
    from fairscreen.cases.queries import sight_of  # the one visibility rule; it imports this

    return sight_of(tx, actor, case, personal_only=True).personal_data


def consent_section(tx: Tx, actor: Actor, case: Case) -> dict[str, Any]:
    """Return the case file's consent part: what was granted and declined, and how it was
    signed (the masked address the link went to only for viewers of personal data)."""
    record = latest_consent(tx.session, case.id)
    if record is None:
        status = "withdrawn" if case.status == "withdrawn" else None
        return {"consent": {"status": status} if status else None}
    reached = None
    if record.reached_by is not None and _sees_personal_data(tx, actor, case):
        reached = tx.vault.open(case.id, "consent_record.reached_by", record.reached_by)
    return {
        "consent": {
            "status": consent_status(record),
            "at": record.at.isoformat(),
            "withdrawn_at": record.withdrawn_at.isoformat() if record.withdrawn_at else None,
            "granted": list(record.granted_categories),
            "declined": list(record.declined_categories),
            "separate_consent": list(record.separate_consent),
            "document_version": record.document_version,
            "document_sha256": record.document_sha256,
            "document_lang": record.document_lang,
            "scope_sha256": record.scope_sha256,
            "reached_by": f"invitation link sent to {reached}" if reached else None,
            "reached_address": reached,
            # The signing browser or network was the employer's own staff's (consent.actions).
            "signed_from_staff_device": record.staff_device_match is not None,
            "staff_device_match": record.staff_device_match,
        }
    }
