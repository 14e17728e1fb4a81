"""Every ledger event type, in one registry: stable, never reused, dotted past tense.

A type names what happened to what (`consent.signed`, `finding.verified`). The string is
part of every event body a regulator has verified, so a member is never renamed and a
retired one stays here, marked, so its string is never given to another meaning.
`append_event` takes only members; figures count by member.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class EventType(StrEnum):
    """A ledger event type."""

    # Organisations, staff and their keys
    ORG_CREATED = "org.created"
    ORG_MAIL_DOMAINS_SET = "org.mail_domains_set"
    USER_CREATED = "user.created"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_SIGNED_IN = "user.signed_in"
    APIKEY_CREATED = "apikey.created"
    APIKEY_REVOKED = "apikey.revoked"
    KEYS_ROTATED = "keys.rotated"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_UPDATED = "webhook.updated"
    WEBHOOK_ENABLED = "webhook.enabled"
    WEBHOOK_DISABLED = "webhook.disabled"
    WEBHOOK_DELETED = "webhook.deleted"
    # Scope: positions and their rules
    POSITION_CREATED = "position.created"
    RETENTION_POLICY_UPDATED = "retention_policy.updated"
    # The case's lifecycle (cases/policy.py's transitions)
    CASE_OPENED = "case.opened"
    CASE_INVITED = "case.invited"
    CANDIDATE_LINK_RENEWED = "candidate.link_renewed"
    CONSENT_SIGNED = "consent.signed"
    CONSENT_REFUSED = "consent.refused"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    CONSENT_STAFF_DEVICE_MATCHED = "consent.staff_device_matched"
    REPORT_RELEASED = "report.released"
    REPORT_REVISED = "report.revised"
    DECISION_RECORDED = "decision.recorded"
    CASE_ARCHIVED = "case.archived"
    CASE_DESTROYED = "case.destroyed"
    # Collection and verification
    IDENTIFIERS_PROVIDED = "identifiers.provided"
    FINDING_RECORDED = "finding.recorded"
    FINDING_VERIFIED = "finding.verified"
    FINDING_INCONCLUSIVE = "finding.inconclusive"
    FINDING_UNVERIFIED = "finding.unverified"
    SOURCE_RECORDED = "source.recorded"
    EVIDENCE_UPLOADED = "evidence.uploaded"
    CANDIDATE_ACCOUNT_ADDED = "candidate_account.added"
    ASSESSMENT_RECORDED = "assessment.recorded"
    # Feedback: disputes, complaints, reviews
    DISPUTE_OPENED = "dispute.opened"
    DISPUTE_REVIEW_STARTED = "dispute.review_started"
    DISPUTE_RESOLVED = "dispute.resolved"
    DISPUTE_REMINDED = "dispute.reminded"
    DISPUTE_ESCALATED = "dispute.escalated"
    DISPUTE_SATISFACTION_RECORDED = "dispute.satisfaction_recorded"
    COMPLAINT_OPENED = "complaint.opened"
    COMPLAINT_ANSWERED = "complaint.answered"
    COMPLAINT_REMINDED = "complaint.reminded"
    COMPLAINT_ESCALATED = "complaint.escalated"
    COMPLAINT_SATISFACTION_RECORDED = "complaint.satisfaction_recorded"
    REVIEW_OPENED = "review.opened"
    REVIEW_ANSWERED = "review.answered"
    REVIEW_REMINDED = "review.reminded"
    REVIEW_ESCALATED = "review.escalated"
    REVIEW_SATISFACTION_RECORDED = "review.satisfaction_recorded"
    # Privacy and retention
    ERASURE_REQUESTED = "erasure.requested"
    LEGAL_HOLD_PLACED = "legal_hold.placed"
    LEGAL_HOLD_RELEASED = "legal_hold.released"
    BREACH_RECORDED = "breach.recorded"
    BREACH_REGULATOR_NOTIFIED = "breach.regulator_notified"
    BREACH_CANDIDATES_NOTIFIED = "breach.candidates_notified"
    IMPACT_ASSESSMENT_CREATED = "impact_assessment.created"
    DEMOGRAPHICS_VOLUNTEERED = "demographics.volunteered"
