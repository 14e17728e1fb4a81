"""Breach response and impact assessments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from fairscreen.cases.models import Case
from fairscreen.consent.language import candidate_lang
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.identity.queries import load_org_as_admin_or_regulator
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import EventValue, append_event, iso
from fairscreen.mail.queue import queue_mail
from fairscreen.mail.render import compose, render
from fairscreen.privacy.models import Breach, ImpactAssessment
from fairscreen.privacy.records import processing_record
from fairscreen.scope.actions import check_field_text
from fairscreen.shared.catalogues import LANGS
from fairscreen.shared.errors import Forbidden, NotFound, ValidationFailed
from fairscreen.shared.ids import new_id

REGULATOR_HOURS = 72
KEEP_YEARS = 3

# The notice to each affected candidate is mail/templates/breach_notice.txt.
NOTICE = "breach_notice"


def do_record_breach(
    uow: UnitOfWork,
    *,
    actor: Actor,
    description: str,
    discovered_at: datetime,
    case_ids: list[str],
) -> Breach:
    """Record a suspected breach; the regulator is due notice 72 hours after discovery."""
    require_staff(actor, "admin")
    description = description.strip()
    if not description or len(description) > 5000:
        raise ValidationFailed(
            "Describe what happened (1 to 5000 characters).", field="description"
        )
    with uow as tx:
        if actor.org_id:
            tx.concerning(actor.org_id)
        # The description is mailed to every affected candidate and kept for years.
        check_field_text(description, "description", "breach description")
        now = tx.clock.now()
        if discovered_at > now:
            raise ValidationFailed(
                "The breach cannot be discovered in the future.", field="discovered_at"
            )
        found = set(
            tx.session.scalars(
                select(Case.id).where(
                    Case.id.in_(case_ids),
                    (Case.employer_org_id == actor.org_id) | (Case.agency_org_id == actor.org_id),
                )
            )
        )
        unknown = [c for c in case_ids if c not in found]
        if unknown:
            raise NotFound(f"Unknown cases: {', '.join(unknown[:5])}.")
        breach = Breach(
            id=new_id("brc"),
            org_id=actor.org_id or "",
            description=description,
            discovered_at=discovered_at,
            recorded_at=now,
            regulator_due_at=discovered_at + timedelta(hours=REGULATOR_HOURS),
            case_ids=sorted(found),
            recorded_by=actor.id,
        )
        tx.session.add(breach)
        affected: list[EventValue] = list(breach.case_ids)
        append_event(
            tx.session,
            type=EventType.BREACH_RECORDED,
            actor=actor.ref,
            at=now,
            org_id=breach.org_id,
            data={
                "breach_id": breach.id,
                "discovered_at": iso(discovered_at),
                "regulator_due_at": iso(breach.regulator_due_at),
                "affected_cases": affected,
            },
        )
        tx.commit()
        return breach


def _load(tx: Tx, actor: Actor, breach_id: str) -> Breach:
    breach = tx.session.get(Breach, breach_id)
    if breach is None:
        raise NotFound()
    load_org_as_admin_or_regulator(tx.session, actor, breach.org_id)
    return breach


def breach_view(uow: UnitOfWork, *, actor: Actor, breach_id: str) -> dict[str, Any]:
    """Return a breach with its affected cases and the drafted notices."""
    require_staff(actor, "admin", "regulator")
    with uow as tx:
        breach = _load(tx, actor, breach_id)
        statuses = dict(
            tx.session.execute(
                select(Case.id, Case.status).where(Case.id.in_(breach.case_ids))
            ).all()
        )
        when = breach.discovered_at.strftime("%Y-%m-%d %H:%M UTC")
        return {
            "id": breach.id,
            "discovered_at": breach.discovered_at.isoformat(),
            "regulator_due_at": breach.regulator_due_at.isoformat(),
            "regulator_overdue": breach.regulator_notified_at is None
            and tx.clock.now() > breach.regulator_due_at,
            "regulator_notified_at": breach.regulator_notified_at.isoformat()
            if breach.regulator_notified_at
            else None,
            "candidates_notified_at": breach.candidates_notified_at.isoformat()
            if breach.candidates_notified_at
            else None,
            "affected": [{"case_id": c, "status": statuses.get(c)} for c in breach.case_ids],
            "notices": {
                lang: render(NOTICE, lang, {"when": when, "what": breach.description})[1].strip()
                for lang in LANGS
            },
        }


def do_notify(uow: UnitOfWork, *, actor: Actor, breach_id: str, whom: str) -> None:
    """Record that the regulator was notified, or send the candidates their notices."""
    require_staff(actor, "admin")
    if whom not in ("regulator", "candidates"):
        raise ValidationFailed("Notify the regulator or the candidates.", field="whom")
    with uow as tx:
        breach = _load(tx, actor, breach_id)
        now = tx.clock.now()
        if whom == "regulator":
            breach.regulator_notified_at = breach.regulator_notified_at or now
        else:
            when = breach.discovered_at.strftime("%Y-%m-%d %H:%M UTC")
            messages = []
            vault = tx.vault
            for case in tx.session.scalars(
                select(Case).where(Case.id.in_(breach.case_ids), Case.candidate_email.is_not(None))
            ):
                assert case.candidate_email is not None
                to = vault.open(case.id, "case.candidate_email", case.candidate_email)
                lang = candidate_lang(tx.session, case.id)
                messages.append(
                    compose(
                        NOTICE, lang, to=to, case_id=case.id, when=when, what=breach.description
                    )
                )
            queue_mail(tx, messages)
            breach.candidates_notified_at = breach.candidates_notified_at or now
        append_event(
            tx.session,
            type=EventType(f"breach.{whom}_notified"),
            actor=actor.ref,
            at=now,
            org_id=breach.org_id,
            data={"breach_id": breach.id},
        )
        tx.commit()


def do_create_assessment(uow: UnitOfWork, *, actor: Actor, org_id: str) -> dict[str, Any]:
    """Store a new version of the impact assessment, pre-filled from the processing record."""
    record = processing_record(uow.reader(), actor=actor, org_id=org_id)
    with uow as tx:
        org = load_org_as_admin_or_regulator(tx.session, actor, org_id)
        if actor.role != "admin":
            # The regulator may read the organisation's assessments, not write them.
            raise Forbidden("Only the organisation's admin writes its impact assessment.")
        version = (
            int(
                tx.session.scalar(
                    select(func.max(ImpactAssessment.version)).where(
                        ImpactAssessment.org_id == org.id
                    )
                )
                or 0
            )
            + 1
        )
        now = tx.clock.now()
        content = {
            "processing": record,
            "necessity": "Only the categories each position's purpose and grade allow, only "
            "with the candidate's consent (scope frozen at consent).",
            "risks": [
                "wrong person's record attached",
                "unverified hearsay reported",
                "data kept too long",
                "discrimination through the rating",
            ],
            "mitigations": [
                "two-identifier identity matching",
                "multi-source verification",
                "crypto-shredding on expiry",
                "published rating rules and bias audit",
            ],
            "conclusion": "",
        }
        row = ImpactAssessment(
            id=new_id("pia"),
            org_id=org.id,
            version=version,
            created_at=now,
            created_by=actor.id,
            keep_until=now.replace(year=now.year + KEEP_YEARS),
            content=content,
        )
        tx.session.add(row)
        append_event(
            tx.session,
            type=EventType.IMPACT_ASSESSMENT_CREATED,
            actor=actor.ref,
            at=now,
            org_id=org.id,
            data={"assessment_id": row.id, "version": version},
        )
        tx.commit()
        return {
            "id": row.id,
            "version": version,
            "keep_until": row.keep_until.isoformat(),
            "content": content,
        }
