"""Every label a page shows for a domain code: one home, keyed by the code.

A page never shows a raw code (`answered`, `awaiting_consent`, `agency`): it looks the code
up here and translates the label (`_(CASE_STATUS[code])`). The English label is the
gettext message id, marked with `N_` so that `make messages` extracts it; the
translations are in the catalogues (fairscreen/web/locales). Where the candidate is told
a thing in other words than staff, the candidate's table is the `..._FOR_CANDIDATE` one.
"""

from __future__ import annotations

from fairscreen.shared.catalogues import N_

# A case's state (cases/policy.py), as staff and inspectors read it.
CASE_STATUS: dict[str, str] = {
    "draft": N_("Draft"),
    "awaiting_consent": N_("Awaiting consent"),
    "in_progress": N_("Check under way"),
    "report_released": N_("Report released"),
    "decided": N_("Decided"),
    "archived": N_("Archived"),
    "refused": N_("Consent refused"),
    "withdrawn": N_("Consent withdrawn"),
    "destroyed": N_("Destroyed"),
}


# A position's grade (the pack's grades), in a case file.
POSITION_GRADE: dict[str, str] = {
    "staff": N_("Staff member"),
    "manager": N_("Manager"),
    "executive": N_("Executive"),
}


# A position's grade, as the admin's position form offers it.
POSITION_GRADE_SHORT: dict[str, str] = {
    "staff": N_("Staff"),
    "manager": N_("Manager"),
    "executive": N_("Executive"),
}


# A position's purpose (the pack's purposes).
POSITION_PURPOSE: dict[str, str] = {
    "general": N_("General"),
    "finance": N_("Finance"),
    "security_sensitive": N_("Security-sensitive"),
    "childcare_education": N_("Childcare and education"),
    "healthcare": N_("Healthcare"),
    "driver": N_("Professional driver"),
    "executive": N_("Executive"),
}


# A staff user's role (identity/policy.py).
USER_ROLE: dict[str, str] = {
    "admin": N_("Administrator"),
    "employer": N_("HR (requester)"),
    "investigator": N_("Investigator"),
    "regulator": N_("Inspector"),
}


# A retention period of the organisation's policy (retention/policy.py).
RETENTION_PERIOD: dict[str, str] = {
    "not_hired": N_("Not hired: days after the decision"),
    "hired_after_end": N_("Hired: days after the employment ends"),
    "abandoned_without_consent": N_("No consent given: days after the invitation"),
}


# The outcome of a decision, a dispute or a complaint, as staff read it.
OUTCOME: dict[str, str] = {
    "hire": N_("Hire"),
    "reject": N_("Do not hire"),
    "corrected": N_("Corrected"),
    "removed": N_("Removed"),
    "upheld": N_("Upheld"),
    "answered": N_("Answered"),
}


# A dispute's outcome, as the candidate reads it.
DISPUTE_OUTCOME_FOR_CANDIDATE: dict[str, str] = {
    "corrected": N_("Corrected"),
    "removed": N_("Removed from the report"),
    "upheld": N_("Upheld: the fact stays as it was"),
}


# A human re-review's outcome, as staff read it.
REVIEW_OUTCOME: dict[str, str] = {
    "upheld": N_("Upheld: the decision stands"),
    "reversed": N_("Reversed: the candidate is hired instead"),
}


# A human re-review's outcome, as the candidate reads it.
REVIEW_OUTCOME_FOR_CANDIDATE: dict[str, str] = {
    "upheld": N_("Upheld: the decision stands"),
    "reversed": N_("Reversed: the decision is now to hire you"),
}


# A dispute's, complaint's or re-review's state, as staff read it.
FEEDBACK_STATE: dict[str, str] = {
    "open": N_("Not yet started"),
    "in_review": N_("In review"),
    "resolved": N_("Closed"),
}


# The same states, as the candidate reads them.
FEEDBACK_STATE_FOR_CANDIDATE: dict[str, str] = {
    "open": N_("Received"),
    "in_review": N_("Being reviewed"),
    "resolved": N_("Closed"),
}


# What a complaint is about, as staff read it.
COMPLAINT_CATEGORY: dict[str, str] = {
    "consent": N_("About consent"),
    "scope": N_("About what was checked"),
    "investigation_conduct": N_("About how the check was done"),
    "data_handling": N_("About how data was handled"),
    "decision": N_("About the decision"),
    "other": N_("Something else"),
}


# What a complaint is about, as the candidate chooses it.
COMPLAINT_CATEGORY_FOR_CANDIDATE: dict[str, str] = {
    "consent": N_("How my consent was asked for or used"),
    "scope": N_("Something was checked that should not have been"),
    "investigation_conduct": N_("How the investigation was carried out"),
    "data_handling": N_("How my personal data was handled"),
    "decision": N_("The employer's decision"),
    "other": N_("Something else"),
}


# A finding's severity (verification rules).
SEVERITY: dict[str, str] = {
    "minor": N_("Minor"),
    "material": N_("Material"),
    "falsified": N_("Falsified"),
    "conviction": N_("Conviction"),
}


# The candidate's role in a litigation record.
SUBJECT_ROLE: dict[str, str] = {
    "defendant": N_("Defendant"),
    "plaintiff": N_("Plaintiff"),
    "claimant": N_("Claimant"),
    "third_party": N_("Third party"),
}


# The kind of the candidate's own account of a finding (statements).
ACCOUNT_KIND: dict[str, str] = {
    "explanation": N_("An explanation"),
    "correction": N_("A correction"),
    "rehabilitation": N_("Evidence of rehabilitation"),
}


# The regulator view's labels, by compliance figure key.
REGULATOR_FIGURE: dict[str, str] = {
    "title": N_("Regulator view"),
    "orgs": N_("Organisations under you"),
    "org": N_("Organisation"),
    "kind": N_("Kind"),
    "period": N_("Period"),
    "show": N_("Show"),
    "cases": N_("Number of cases"),
    "cases_by_state": N_("Cases by state"),
    "ratings": N_("Reports by rating"),
    "rules_version": N_("Rules version"),
    "consent_gaps": N_("Cases with findings but no valid consent (must be 0)"),
    "consents": N_("Consent"),
    "signed": N_("Signed"),
    "refused": N_("Refused"),
    "withdrawn": N_("Withdrawn"),
    "staff_devices": N_(
        "Signed from a staff device of the employer (the employer may have signed)"
    ),
    "refusals": N_("Refused collection attempts"),
    "findings": N_("Findings"),
    "erasure": N_("Erasure requests"),
    "retention": N_("Retention and destruction"),
    "destructions_overdue": N_("Destructions overdue (must be 0)"),
    "legal_holds_in_force": N_("Legal holds in force"),
    "decisions": N_("Decisions"),
    "feedback": N_("Disputes and complaints"),
    "unavailable": N_("Not available yet"),
    "disputes": N_("Disputes"),
    "complaints": N_("Complaints"),
    "adverse_before_waiting_or_during_dispute": N_(
        "Adverse decisions before the waiting period ended or during a dispute (must be 0)"
    ),
    "requests": N_("Requests"),
    "done_on_time": N_("Done on time"),
    "done_late": N_("Done late"),
    "pending": N_("Pending"),
    "overdue": N_("Overdue"),
    "on_time_rate": N_("On-time rate"),
    "verified": N_("Verified"),
    "unverified": N_("Unverified"),
    "inconclusive": N_("Inconclusive"),
    "count": N_("Count"),
    "closed": N_("Closed"),
    "open": N_("Open"),
    "median_days_to_close": N_("Median days to close"),
    "outcomes": N_("Outcomes"),
    "satisfaction_average": N_("Average satisfaction"),
    "satisfaction_count": N_("Ratings given"),
    "ledger": N_("Ledger"),
    "tree_size": N_("Events in the ledger now"),
    "checkpoint_size": N_("Events in the latest signed checkpoint"),
    "unsigned": N_("Events not yet in a signed checkpoint"),
    "signed_at": N_("Signed at"),
    "root_hash": N_("Root hash"),
    "no_checkpoint": N_("No checkpoint has been signed yet."),
    "verify_offline": N_(
        "Verify it yourself: the checkpoint and the public key are published at "
        "/api/v1/ledger/checkpoint and /api/v1/ledger/public-key, and `fairscreen ledger verify` "
        "checks an export offline."
    ),
    "timeline": N_("Case timeline"),
    "case_id": N_("Case id"),
    "index": N_("Index"),
    "event": N_("Event"),
    "time": N_("Time"),
    "leaf_hash": N_("Leaf hash"),
    "inclusion_proof": N_("Inclusion proof"),
    "proof_ok": N_("checks against the checkpoint"),
    "proof_bad": N_("does NOT check against the checkpoint"),
    "no_events": N_("No event of this case is in a signed checkpoint yet."),
    "figure": N_("Figure"),
    "value": N_("Value"),
}

# An organisation's kind (identity/policy.py ORG_KINDS).
ORG_KIND: dict[str, str] = {
    "employer": N_("Employer"),
    "agency": N_("Screening agency"),
    "regulator": N_("Regulator"),
}

# A ledger event type (ledger/event_types.py), as a person reads it beside its code.
EVENT_TYPE: dict[str, str] = {
    "org.created": N_("Organisation created"),
    "org.mail_domains_set": N_("Organisation mail domains set"),
    "user.created": N_("User created"),
    "user.role_changed": N_("User's role changed"),
    "user.signed_in": N_("User signed in"),
    "apikey.created": N_("API key created"),
    "apikey.revoked": N_("API key revoked"),
    "keys.rotated": N_("Encryption keys rotated"),
    "webhook.created": N_("Webhook endpoint created"),
    "webhook.updated": N_("Webhook endpoint changed"),
    "webhook.enabled": N_("Webhook endpoint enabled"),
    "webhook.disabled": N_("Webhook endpoint disabled"),
    "webhook.deleted": N_("Webhook endpoint deleted"),
    "position.created": N_("Position created"),
    "retention_policy.updated": N_("Retention periods changed"),
    "case.opened": N_("Case opened"),
    "case.invited": N_("Candidate invited"),
    "candidate.link_renewed": N_("Candidate link renewed"),
    "consent.signed": N_("Consent signed"),
    "consent.refused": N_("Consent refused"),
    "consent.withdrawn": N_("Consent withdrawn"),
    "consent.staff_device_matched": N_("Consent signed from a staff device"),
    "report.released": N_("Report released"),
    "report.revised": N_("Report revised"),
    "decision.recorded": N_("Decision recorded"),
    "case.archived": N_("Case archived"),
    "case.destroyed": N_("Case destroyed"),
    "identifiers.provided": N_("Identifiers provided by the candidate"),
    "finding.recorded": N_("Finding recorded"),
    "finding.verified": N_("Finding verified"),
    "finding.inconclusive": N_("Finding inconclusive"),
    "finding.unverified": N_("Finding not verified"),
    "source.recorded": N_("Source recorded"),
    "evidence.uploaded": N_("Evidence uploaded"),
    "candidate_account.added": N_("Candidate's account added"),
    "assessment.recorded": N_("Individualized assessment recorded"),
    "dispute.opened": N_("Dispute opened"),
    "dispute.review_started": N_("Dispute review started"),
    "dispute.resolved": N_("Dispute resolved"),
    "dispute.reminded": N_("Dispute owner reminded"),
    "dispute.escalated": N_("Dispute escalated"),
    "dispute.satisfaction_recorded": N_("Satisfaction with a dispute recorded"),
    "complaint.opened": N_("Complaint opened"),
    "complaint.answered": N_("Complaint answered"),
    "complaint.reminded": N_("Complaint owner reminded"),
    "complaint.escalated": N_("Complaint escalated"),
    "complaint.satisfaction_recorded": N_("Satisfaction with a complaint recorded"),
    "review.opened": N_("Human re-review requested"),
    "review.answered": N_("Human re-review answered"),
    "review.reminded": N_("Re-review owner reminded"),
    "review.escalated": N_("Re-review escalated"),
    "review.satisfaction_recorded": N_("Satisfaction with a re-review recorded"),
    "erasure.requested": N_("Erasure requested"),
    "legal_hold.placed": N_("Legal hold placed"),
    "legal_hold.released": N_("Legal hold lifted"),
    "breach.recorded": N_("Personal information incident recorded"),
    "breach.regulator_notified": N_("Regulator notified of an incident"),
    "breach.candidates_notified": N_("Candidates notified of an incident"),
    "impact_assessment.created": N_("Impact assessment recorded"),
    "demographics.volunteered": N_("Demographic data volunteered"),
}

# A finding's status under the verification rules (verification/policy.py).
FINDING_STATUS: dict[str, str] = {
    "verified": N_("verified"),
    "unverified": N_("unverified"),
    "inconclusive": N_("inconclusive"),
}

# The candidate's consent decision and the receipt's status (consent/receipt.py).
CONSENT_DECISION: dict[str, str] = {
    "signed": N_("signed"),
    "refused": N_("refused"),
    "withdrawn": N_("withdrawn"),
    "active": N_("active"),
}

# A webhook delivery's state and each attempt's outcome (webhooks/models.py).
DELIVERY_STATE: dict[str, str] = {
    "pending": N_("pending"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
}
