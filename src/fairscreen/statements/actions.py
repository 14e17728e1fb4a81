"""Recording and reading the candidate's own accounts of findings.

The candidate's account is about themself, so the free-text guard does not silence it;
it only refuses third-party personal data (a statement about someone else's private life,
marriage, health and so on), which the candidate has no right to put in the record either.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from fairscreen.cases.actions import load_case
from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.identity.policy import Actor
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import append_event
from fairscreen.scope.guard import screen_text
from fairscreen.shared.errors import (
    Forbidden,
    ForbiddenContent,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from fairscreen.shared.ids import new_id
from fairscreen.statements.models import CandidateAccount
from fairscreen.verification.models import Finding

# Words that show a statement is about another person, not the candidate.
_THIRD_PARTY = re.compile(
    r"(他的|她的|他们|她们|我的同事|同事|前同事|上司|领导|经理|邻居|"
    r"\b(he|she|his|her|they|their|colleague|manager|boss|neighbou?r)\b)",
    re.IGNORECASE,
)
MAX_LEN = 5000
# An account goes with the report to the employer before the decision; once decided,
# the candidate's way to be heard is a re-review (feedback.reviews), not a late account.
DECIDED = frozenset({"decided", "archived"})
AFTER_DECISION = "The employer has already decided; an account is added before the decision."


def check_account(text: str) -> None:
    """Refuse only statements that put a third person's protected data in the record."""
    result = screen_text(text)
    if not result.ok and _THIRD_PARTY.search(text):
        raise ForbiddenContent(
            f"Your account mentions another person's {result.topic}; please leave out "
            f"other people's private details.",
            topic=result.topic,
        )


def do_add_account(uow: UnitOfWork, *, actor: Actor, finding_id: str, statement: str) -> str:
    """Record the candidate's account of one finding of their own case."""
    if actor.kind != "candidate" or actor.case_id is None:
        raise Forbidden()
    statement = statement.strip()
    if not statement or len(statement) > MAX_LEN:
        raise ValidationFailed(
            f"Write your account (1 to {MAX_LEN} characters).", field="statement"
        )
    check_account(statement)
    with uow as tx:
        finding = tx.session.get(Finding, finding_id)
        if finding is None or finding.case_id != actor.case_id:
            raise NotFound("There is no such finding in your case.")
        # Locked as the decision locks it: an account racing the decision is either in
        # before it or refused, never added to a case decided without it.
        case = load_case(tx.session, actor, finding.case_id, for_update=True)
        if case.status in DECIDED:
            raise InvalidState(AFTER_DECISION, status=case.status)
        now = tx.clock.now()
        account_id = new_id("acc")
        vault = tx.vault
        sealed = vault.seal(case.id, "statements_account.statement", statement)
        tx.session.add(
            CandidateAccount(
                id=account_id,
                case_id=case.id,
                finding_id=finding_id,
                statement=sealed,
                created_at=now,
            )
        )
        append_event(
            tx.session,
            type=EventType.CANDIDATE_ACCOUNT_ADDED,
            actor=actor.ref,
            at=now,
            case_id=case.id,
            org_id=case.employer_org_id,
            data={"account_id": account_id, "finding_id": finding_id},
        )
        tx.commit()
        return account_id


def accounts_by_finding(tx: Tx, case_ref_id: str, may_see: bool) -> dict[str, list[dict[str, str]]]:
    """Return the accounts of a case's findings (inside an entered unit of work)."""
    out: dict[str, list[dict[str, str]]] = {}
    rows = tx.session.scalars(
        select(CandidateAccount)
        .where(CandidateAccount.case_id == case_ref_id)
        .order_by(CandidateAccount.created_at)
    )
    vault = tx.vault
    for row in rows:
        text = (
            vault.open(row.case_id, "statements_account.statement", row.statement)
            if may_see and row.statement is not None
            else None
        )
        out.setdefault(row.finding_id, []).append(
            {"id": row.id, "statement": text or "", "at": row.created_at.isoformat()}
        )
    return out
