"""A decision racing a dispute filing: never a reject recorded while a dispute is open."""

from __future__ import annotations

import threading

from sqlalchemy import select

from factories.world import make_world
from fairscreen.feedback.actions import do_record_decision
from fairscreen.feedback.desk import do_file_dispute
from fairscreen.feedback.models import FeedbackDecision, FeedbackItem
from fairscreen.feedback.queries import decisions_before_waiting_or_during_dispute
from fairscreen.shared.errors import Conflict, DisputeOpen
from integration.feedback.helpers import released_case

ROUNDS = 4


def _race(fs, world, case_id, finding_id, cand) -> dict[str, object]:
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def decide() -> None:
        barrier.wait()
        try:
            results["decision"] = do_record_decision(
                fs.uow(),
                actor=world["hr"].actor,
                case_id=case_id,
                outcome="reject",
                reasons=["credential_mismatch"],
            )
        except (DisputeOpen, Conflict) as exc:
            results["decision"] = exc

    def dispute() -> None:
        barrier.wait()
        try:
            results["dispute"] = do_file_dispute(
                fs.uow(), actor=cand, statement="That is not my record", finding_id=finding_id
            )
        except Conflict as exc:
            results["dispute"] = exc

    threads = [threading.Thread(target=decide), threading.Thread(target=dispute)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_decision_and_a_dispute_at_the_same_moment_are_put_in_one_order(fs, clock):
    world = make_world(fs)
    cases = [released_case(world) for _ in range(ROUNDS)]
    clock.advance(days=8)  # past every waiting period: only the dispute can stop the reject
    outcomes = []
    for case_id, finding_id, _, cand in cases:
        results = _race(fs, world, case_id, finding_id, cand)
        assert isinstance(results["dispute"], dict), results  # a dispute is always accepted
        with fs.reader() as uow:
            decision = uow.session.scalar(
                select(FeedbackDecision).where(FeedbackDecision.case_id == case_id)
            )
            dispute = uow.session.get(FeedbackItem, results["dispute"]["id"])
        if isinstance(results["decision"], dict):
            # The reject went first: the dispute came after it, against the decided case.
            assert decision is not None and decision.open_disputes == 0
            assert dispute.opened_at >= decision.decided_at
            outcomes.append("decided first")
        else:
            assert isinstance(results["decision"], (DisputeOpen, Conflict))
            assert decision is None
            outcomes.append("disputed first")
    with fs.reader() as uow:
        assert decisions_before_waiting_or_during_dispute(uow.session, world.employer) == 0
    assert len(outcomes) == ROUNDS
