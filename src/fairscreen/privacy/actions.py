"""Breach response and impact assessments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from fairscreen.cases.models import Case
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.models import Org
from fairscreen.identity.policy import Actor, require_staff
from fairscreen.ledger.events import EventValue, append_event, iso
from fairscreen.mail.backends import Message
from fairscreen.mail.queue import queue_mail
from fairscreen.privacy.models import Breach, ImpactAssessment
from fairscreen.privacy.records import access_org_records, processing_record
from fairscreen.scope.actions import check_field_text
from fairscreen.shared.errors import Forbidden, NotFound, ValidationFailed
from fairscreen.shared.ids import new_id

REGULATOR_HOURS = 72
KEEP_YEARS = 3

NOTICE = {
    "zh-Hans": "您好：我们发现了一起可能涉及您背景调查资料的个人信息安全事件（发现时间：{when}）。"
    "事件概况：{what}。我们已采取补救措施，并已/将在72小时内报告监管部门。"
    "如有疑问或投诉，请通过您的背景调查页面联系我们。",
    "zh-Hant": "您好：我們發現了一起可能涉及您背景調查資料的個人資訊安全事件（發現時間：{when}）。"
    "事件概況：{what}。我們已採取補救措施，並已／將在72小時內報告監管機關。"
    "如有疑問或投訴，請透過您的背景調查頁面聯絡我們。",
    "en": "We found a personal information security incident that may involve your background "
    "check data (discovered {when}). What happened: {what}. We have taken remedial "
    "measures and report it to the regulator within 72 hours. For questions or "
    "complaints, contact us through your background check page.",
}


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
            type="breach.recorded",
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
    if actor.role == "regulator":
        org = tx.session.get(Org, breach.org_id)
        if org is None or org.regulator_id != actor.org_id:
            raise NotFound()
    elif actor.role != "admin" or actor.org_id != breach.org_id:
        raise NotFound()
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
                lang: text.format(when=when, what=breach.description)
                for lang, text in NOTICE.items()
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
            body = "\n\n".join(
                t.format(when=when, what=breach.description) for t in NOTICE.values()
            )
            messages = []
            vault = tx.vault
            for case in tx.session.scalars(
                select(Case).where(Case.id.in_(breach.case_ids), Case.candidate_email.is_not(None))
            ):
                assert case.candidate_email is not None
                to = vault.open(case.id, "case.candidate_email", case.candidate_email)
                messages.append(
                    Message(
                        to=to,
                        subject="个人信息安全事件告知 / Notice of a personal information incident",
                        body=body,
                        case_id=case.id,
                    )
                )
            queue_mail(tx, messages)
            breach.candidates_notified_at = breach.candidates_notified_at or now
        append_event(
            tx.session,
            type=f"breach.{whom}_notified",
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
        org = access_org_records(actor, tx.session.get(Org, org_id))
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
            type="impact_assessment.created",
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
