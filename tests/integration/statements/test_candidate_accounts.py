"""The candidate's own account of a finding goes to the employer before the decision."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from factories.world import make_world
from fairscreen.feedback.actions import do_record_decision
from fairscreen.ledger.models import LedgerEvent
from fairscreen.shared.errors import InvalidState
from fairscreen.statements.actions import do_add_account
from fairscreen.statements.models import CandidateAccount
from integration.feedback.helpers import released_case

DECISIONS = {
    "hire": ("checks_completed", 0),
    "reject": ("credential_mismatch", 8),  # after the waiting period
}


def _accounts(fs, case_id: str) -> int:
    with fs.reader() as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(CandidateAccount)
                .where(CandidateAccount.case_id == case_id)
            )
            or 0
        )


def _account_events(fs, case_id: str) -> int:
    with fs.reader() as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(LedgerEvent)
                .where(
                    LedgerEvent.case_id == case_id, LedgerEvent.type == "candidate_account.added"
                )
            )
            or 0
        )


@pytest.mark.parametrize("outcome", sorted(DECISIONS))
def test_an_account_is_refused_once_the_employer_has_decided(fs, clock, outcome):
    world = make_world(fs)
    case_id, finding_id, _, cand = released_case(world)
    do_add_account(fs.uow(), actor=cand, finding_id=finding_id, statement="I finished in 2016.")
    reason, wait_days = DECISIONS[outcome]
    clock.advance(days=wait_days)
    do_record_decision(
        fs.uow(), actor=world["hr"].actor, case_id=case_id, outcome=outcome, reasons=[reason]
    )

    with pytest.raises(InvalidState) as refused:
        do_add_account(fs.uow(), actor=cand, finding_id=finding_id, statement="One more thing.")
    assert refused.value.code == "invalid_state"
    assert refused.value.message == (
        "The employer has already decided; an account is added before the decision."
    )
    assert refused.value.details == {"status": "decided"}
    # Nothing of the refused account is kept: no row, no ledger event.
    assert _accounts(fs, case_id) == 1
    assert _account_events(fs, case_id) == 1
