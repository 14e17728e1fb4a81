"""What a viewer may see of a case: the one visibility rule, facts in and a decision out.

Every reader of a case's content asks here (the case file and its sections, the
report, evidence downloads, the desk, the employer's pages), so a channel cannot show
what another one hides:

- the organisation doing the check (the agency; the employer's own investigators when
  there is no agency) keeps its working file: every finding, claim, source and note;
- the employer's HR (roles employer and admin of the employer, and the employer's
  investigators when an agency does the check) sees no finding at all before a report
  is released, and after it only the released version's findings that are verified;
  never an unused, unverified or inconclusive claim, nor a note or a piece of evidence
  of a finding the report does not rest on;
- the candidate reads their own file;
- the regulator sees no case file (figures and ledger events only);
- nobody reads a case's personal data once its destruction is due: withdrawn or
  refused consent, an erasure request, a retention period run out. A legal hold keeps
  the data from destruction, not readable. Only the system (the purge itself) opens it.

Pure: no database, no web. Callers gather `CaseFacts` and ask `case_sight`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from fairscreen.cases.policy import REPORTED
from fairscreen.identity.policy import Actor, CaseRef, can_see_case

# Case states whose personal data nobody reads: the candidate said no, or it is gone.
SEALED_STATES = frozenset({"refused", "withdrawn", "destroyed"})
# Case states in which a released report is there to be read.
REPORT_STATES = REPORTED  # cases/policy.py: the one home of the reported states
# The only finding status a report may show its reader.
SHOWN_STATUS = "verified"


@dataclass(frozen=True)
class CaseFacts:
    """What the rule needs to know about a case."""

    ref: CaseRef
    status: str
    destroy_due_at: datetime | None = None
    # The finding ids the latest released report rests on; None when none is released.
    report_finding_ids: Collection[str] | None = None


@dataclass(frozen=True)
class Sight:
    """What one viewer may see of one case."""

    case: bool  # the case at all (else it is 'not found')
    personal_data: bool  # sealed fields: the candidate's name, claims, notes, statements
    working_file: bool  # every finding, used or not, with its sources and evidence
    report: bool  # the released report (its rating, explanation and used findings)
    report_finding_ids: frozenset[str] = frozenset()

    def shows_finding(self, finding_id: str, status: str) -> bool:
        """Tell whether a finding (its entry, sources, notes, evidence) is shown at all."""
        if self.working_file:
            return True
        return self.report and finding_id in self.report_finding_ids and status == SHOWN_STATUS

    def opens_finding(self, finding_id: str, status: str) -> bool:
        """Tell whether a finding's sealed content (claim, origins, notes, files) is opened."""
        return self.personal_data and self.shows_finding(finding_id, status)


NOTHING = Sight(case=False, personal_data=False, working_file=False, report=False)


def destruction_due(facts: CaseFacts, now: datetime) -> bool:
    """Tell whether the case's data is to be destroyed (so read by nobody) at `now`."""
    if facts.status in SEALED_STATES:
        return True
    return facts.destroy_due_at is not None and facts.destroy_due_at <= now


def does_the_check(actor: Actor, case: CaseRef) -> bool:
    """Tell whether the actor belongs to the organisation doing the check and works on it."""
    if actor.kind != "staff":
        return False
    if case.agency_org_id is not None:
        return actor.org_id == case.agency_org_id and actor.role in ("admin", "investigator")
    return actor.org_id == case.employer_org_id and actor.role == "investigator"


def case_sight(actor: Actor, facts: CaseFacts, now: datetime) -> Sight:
    """Decide what the actor may see of the case at `now`."""
    if not can_see_case(actor, facts.ref):
        return NOTHING
    released = facts.report_finding_ids is not None and facts.status in REPORT_STATES
    used = frozenset(facts.report_finding_ids or ()) if released else frozenset()
    if actor.kind == "system":
        return Sight(True, True, True, released, used)
    readable = not destruction_due(facts, now)
    if actor.kind == "candidate" or does_the_check(actor, facts.ref):
        return Sight(True, readable, True, released, used)
    # The employer's HR: the released report, nothing of the working file.
    return Sight(True, readable, False, released, used)


def next_change(facts: CaseFacts, now: datetime) -> datetime | None:
    """Return when the case's sight changes by the clock alone (its destruction falls due)."""
    if destruction_due(facts, now) or facts.destroy_due_at is None:
        return None
    return facts.destroy_due_at
