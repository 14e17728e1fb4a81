"""What the people involved are told: the release notice, the adverse decision notice, the desk.

Messages are composed inside the transaction (sealed addresses are opened there) and
sent after commit; webhooks are queued in the same transaction and carry ids only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from fairscreen.cases.models import Case
from fairscreen.db.uow import Tx
from fairscreen.feedback.models import FeedbackNotice
from fairscreen.feedback.policy import ADVERSE_LEVELS, load_reasons, waiting_days
from fairscreen.identity.models import User
from fairscreen.mail.backends import Message
from fairscreen.mail.queue import queue_mail
from fairscreen.rating.models import RatingReport
from fairscreen.scope.policy import load_pack
from fairscreen.shared.ids import new_id
from fairscreen.shared.languages import RULE_DATA_LANGUAGES
from fairscreen.shared.workdays import load_calendar
from fairscreen.webhooks.actions import enqueue


def calendar_for(case: Case) -> Any:
    """Return the working-day calendar of the case's jurisdiction pack."""
    return load_calendar(str(load_pack(case.pack).settings.get("calendar", "cn")))


def staff_addresses(tx: Tx, org_id: str, roles: Iterable[str]) -> list[str]:
    """Return the work addresses of an organisation's active users holding one of `roles`."""
    rows = tx.session.scalars(
        select(User.email)
        .where(User.org_id == org_id, User.role.in_(list(roles)), User.active.is_(True))
        .order_by(User.id)
    )
    return list(rows)


def user_address(tx: Tx, user_id: str) -> str | None:
    """Return one staff user's work address."""
    user = tx.session.get(User, user_id)
    return user.email if user is not None and user.active else None


def candidate_address(tx: Tx, case: Case) -> str | None:
    """Open the candidate's address (inside the transaction) to write to them."""
    if case.candidate_email is None:
        return None
    vault = tx.vault
    if not vault.is_readable(case.id):
        return None
    return vault.open(case.id, "case.candidate_email", case.candidate_email)


def send_after_commit(tx: Tx, messages: Sequence[Message]) -> None:
    """Queue messages in the transaction; they go out once it has committed."""
    queue_mail(tx, messages)


def _to_all(addresses: Iterable[str], subject: str, body: str, case_id: str) -> list[Message]:
    return [Message(to=a, subject=subject, body=body, case_id=case_id) for a in addresses]


def on_report_released(tx: Tx, *, case: Case, report: RatingReport) -> FeedbackNotice:
    """Record the notice a release gives, then tell the candidate and the employer together."""
    now = report.released_at
    pack = load_pack(case.pack)
    deadline = calendar_for(case).add_working_days(now, waiting_days(pack.settings))
    notice = FeedbackNotice(
        id=new_id("ntc"),
        case_id=case.id,
        report_id=report.id,
        report_version=report.version,
        rating=report.rating,
        released_at=now,
        waiting_ends_at=deadline.at,
        provisional=deadline.provisional,
    )
    tx.session.add(notice)
    adverse = report.rating in ADVERSE_LEVELS
    ends = deadline.at.isoformat()
    messages: list[Message] = []
    to = candidate_address(tx, case)
    if to is not None:
        pre = (
            "本报告含有不利信息，这是雇主作出不利决定前的事先通知。\n"
            "This report holds adverse information: this is the notice before any adverse "
            "decision (pre-adverse notice).\n\n"
            if adverse
            else ""
        )
        body = (
            f"{pre}您的背景调查报告（第 {report.version} 版）已发布，雇主同时收到。"
            f"请使用邀请邮件中的链接查阅报告；如有错误可提出异议或投诉。"
            f"{ends} 之前雇主不得作出不利决定。\n\n"
            f"Your background check report (version {report.version}) has been released to you "
            f"and to the employer at the same moment. Open it with the link in your invitation; "
            f"you may dispute any fact or complain. No adverse decision may be made before "
            f"{ends}.\n"
        )
        subject = (
            "背景调查报告与事先通知 / Report and pre-adverse notice"
            if adverse
            else "背景调查报告已发布 / Your report is released"
        )
        messages.append(Message(to=to, subject=subject, body=body, case_id=case.id))
    changes = dict(report.changes)
    body = (
        f"Case {case.id}: report version {report.version} released, rating {report.rating}.\n"
        f"The candidate received it at the same moment. An adverse decision is possible from "
        f"{ends} if no dispute is open.\n"
    )
    if report.version > 1:
        body += (
            f"Changes: rating {changes.get('rating_from')} -> {changes.get('rating_to')}; "
            f"findings removed {changes.get('removed', [])}, added {changes.get('added', [])}.\n"
        )
    subject = f"报告已发布 / Report released ({case.id}, v{report.version})"
    messages += _to_all(
        staff_addresses(tx, case.employer_org_id, ("employer", "admin")), subject, body, case.id
    )
    send_after_commit(tx, messages)
    data: dict[str, Any] = {
        "case_id": case.id,
        "report_id": report.id,
        "version": report.version,
        "rating": report.rating,
        "waiting_ends_at": ends,
    }
    if report.version == 1:
        enqueue(tx, org_id=case.employer_org_id, event_type="report.released", data=data)
    else:
        data["changes"] = changes
        enqueue(tx, org_id=case.employer_org_id, event_type="report.updated", data=data)
    return notice


def adverse_decision_message(
    to: str, case_id: str, reasons: Sequence[str], report_version: int | None
) -> Message:
    """Compose the adverse decision notice: reasons in three languages, the rights left."""
    listed = load_reasons().reasons
    lines = []
    for code in reasons:
        names = listed[code].names
        lines.append(" / ".join(names.get(lang, code) for lang in RULE_DATA_LANGUAGES))
    body = (
        "雇主已作出不录用决定。理由：\n- " + "\n- ".join(lines) + "\n"
        f"决定依据的报告版本：第 {report_version} 版。"
        "您仍可对报告提出异议，并可向雇主或监管机构投诉。\n\n"
        "The employer decided not to hire you. Reasons:\n- " + "\n- ".join(lines) + "\n"
        f"The decision rests on report version {report_version}. You may still dispute the "
        "report, and complain to the employer or to the regulator.\n"
    )
    return Message(
        to=to,
        subject="不利决定通知 / Adverse decision notice",
        body=body,
        case_id=case_id,
    )


def staff_message(to: str, subject: str, body: str, case_id: str | None = None) -> Message:
    """Compose a plain message to a staff user."""
    return Message(to=to, subject=subject, body=body, case_id=case_id)


def latest_notice(tx: Tx, case_id: str) -> FeedbackNotice | None:
    """Return the notice of the newest released report version."""
    return tx.session.scalar(
        select(FeedbackNotice)
        .where(FeedbackNotice.case_id == case_id)
        .order_by(FeedbackNotice.report_version.desc())
        .limit(1)
    )


def first_notice_at(tx: Tx, case_id: str) -> datetime | None:
    """Return when the first report reached the candidate."""
    return tx.session.scalar(
        select(FeedbackNotice.released_at)
        .where(FeedbackNotice.case_id == case_id)
        .order_by(FeedbackNotice.report_version)
        .limit(1)
    )
