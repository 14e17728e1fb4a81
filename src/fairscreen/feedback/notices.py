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
from fairscreen.consent.language import candidate_lang
from fairscreen.db.uow import Tx
from fairscreen.feedback.models import FeedbackNotice
from fairscreen.feedback.policy import ADVERSE_LEVELS, load_reasons, waiting_days
from fairscreen.identity.models import User
from fairscreen.mail.backends import Message
from fairscreen.mail.queue import queue_mail
from fairscreen.mail.render import compose
from fairscreen.rating.models import RatingReport
from fairscreen.scope.policy import load_pack
from fairscreen.shared.catalogues import DEFAULT_LANG, LANGS
from fairscreen.shared.ids import new_id
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


# Staff users hold no language yet: their mail is in the default one (with its English copy).
STAFF_LANG = DEFAULT_LANG


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
        lang = candidate_lang(tx.session, case.id)
        messages.append(
            compose(
                "report_released",
                lang,
                to=to,
                case_id=case.id,
                version=report.version,
                adverse=adverse,
                ends=ends,
            )
        )
    changes = dict(report.changes)
    for address in staff_addresses(tx, case.employer_org_id, ("employer", "admin")):
        messages.append(
            compose(
                "report_released_staff",
                STAFF_LANG,
                to=address,
                case_id=case.id,
                version=report.version,
                rating=report.rating,
                ends=ends,
                changes=changes,
            )
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
    to: str, case_id: str, reasons: Sequence[str], report_version: int | None, lang: str
) -> Message:
    """Compose the adverse decision notice: the reasons (named by the rule data), the rights."""
    listed = load_reasons().reasons
    names = [{k: listed[code].names.get(k, code) for k in LANGS} for code in reasons]
    return compose(
        "adverse_decision",
        lang,
        to=to,
        case_id=case_id,
        reasons=names,
        report_version=report_version,
    )


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
