"""The ledger's event types: one registry, stable strings, dotted past tense."""

from __future__ import annotations

import re

from fairscreen.ledger.event_types import EventType

# Every type ever written to a ledger that someone may have verified. A member may be
# added; none of these may ever disappear or change its string.
PUBLISHED = {
    "apikey.created",
    "apikey.revoked",
    "assessment.recorded",
    "breach.candidates_notified",
    "breach.recorded",
    "breach.regulator_notified",
    "candidate_account.added",
    "case.archived",
    "case.destroyed",
    "case.invited",
    "case.opened",
    "complaint.answered",
    "complaint.escalated",
    "complaint.opened",
    "complaint.reminded",
    "complaint.satisfaction_recorded",
    "consent.refused",
    "consent.signed",
    "consent.withdrawn",
    "decision.recorded",
    "demographics.volunteered",
    "dispute.escalated",
    "dispute.opened",
    "dispute.reminded",
    "dispute.resolved",
    "dispute.review_started",
    "dispute.satisfaction_recorded",
    "erasure.requested",
    "evidence.uploaded",
    "finding.inconclusive",
    "finding.recorded",
    "finding.unverified",
    "finding.verified",
    "identifiers.provided",
    "impact_assessment.created",
    "keys.rotated",
    "legal_hold.placed",
    "legal_hold.released",
    "org.created",
    "position.created",
    "report.released",
    "report.revised",
    "retention_policy.updated",
    "review.answered",
    "review.escalated",
    "review.opened",
    "review.reminded",
    "review.satisfaction_recorded",
    "source.recorded",
    "user.created",
    "user.role_changed",
    "user.signed_in",
    "webhook.created",
    "webhook.deleted",
    "webhook.disabled",
    "webhook.enabled",
    "webhook.updated",
}
NOT_PAST_TENSE = {"finding.inconclusive"}  # a state, named as the verifier names it
IRREGULAR = {
    "consent.withdrawn",
    "org.mail_domains_set",
    "user.signed_in",
}  # past tense not ending in -ed


def test_no_published_event_type_is_ever_renamed_or_removed() -> None:
    assert PUBLISHED <= {member.value for member in EventType}


def test_event_types_are_dotted_past_tense() -> None:
    for member in EventType:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", member.value), member
        if member.value not in NOT_PAST_TENSE | IRREGULAR:
            assert member.value.endswith("ed"), member


def test_event_types_are_strings_so_event_bodies_stay_as_they_were() -> None:
    assert EventType.CONSENT_SIGNED == "consent.signed"
    assert f"{EventType.CASE_DESTROYED}" == "case.destroyed"
