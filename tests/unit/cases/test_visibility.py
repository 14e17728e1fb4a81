"""The visibility rule alone: who sees what of a case, from facts to a decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairscreen.cases.visibility import CaseFacts, case_sight, next_change
from fairscreen.identity.policy import SYSTEM, Actor, CaseRef

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WITH_AGENCY = CaseRef("case_1", "org_emp", "org_agency")
IN_HOUSE = CaseRef("case_2", "org_emp", None)


def staff(org: str, role: str) -> Actor:
    kind = {"org_emp": "employer", "org_agency": "agency", "org_reg": "regulator"}[org]
    return Actor("staff", f"{org}-{role}", org_id=org, role=role, org_kind=kind)


HR = staff("org_emp", "employer")
EMP_ADMIN = staff("org_emp", "admin")
EMP_INVESTIGATOR = staff("org_emp", "investigator")
AGENCY_INVESTIGATOR = staff("org_agency", "investigator")
AGENCY_ADMIN = staff("org_agency", "admin")
REGULATOR = staff("org_reg", "regulator")


def facts(ref=WITH_AGENCY, status="in_progress", due=None, used=None) -> CaseFacts:
    return CaseFacts(ref, status, due, used)


@pytest.mark.parametrize("actor", [HR, EMP_ADMIN, EMP_INVESTIGATOR])
def test_the_employer_side_sees_no_finding_before_release(actor) -> None:
    sight = case_sight(actor, facts(), NOW)
    assert sight.case and sight.personal_data and not sight.working_file and not sight.report
    assert not sight.shows_finding("f1", "verified")


@pytest.mark.parametrize("actor", [HR, EMP_ADMIN])
def test_after_release_the_employer_sees_the_used_verified_findings_only(actor) -> None:
    sight = case_sight(actor, facts(status="report_released", used=["f1", "f2"]), NOW)
    assert sight.opens_finding("f1", "verified")
    assert not sight.shows_finding("f2", "unverified")  # used once, no longer verified
    assert not sight.shows_finding("f3", "verified")  # recorded after the release


@pytest.mark.parametrize("actor", [AGENCY_INVESTIGATOR, AGENCY_ADMIN])
def test_the_agency_doing_the_check_keeps_the_working_file(actor) -> None:
    sight = case_sight(actor, facts(), NOW)
    assert sight.working_file and sight.opens_finding("f9", "unverified")


def test_in_house_investigators_keep_the_working_file_hr_does_not() -> None:
    assert case_sight(EMP_INVESTIGATOR, facts(IN_HOUSE), NOW).working_file
    assert not case_sight(HR, facts(IN_HOUSE), NOW).working_file
    assert not case_sight(EMP_ADMIN, facts(IN_HOUSE), NOW).working_file


def test_the_regulator_sees_nothing_of_a_case() -> None:
    sight = case_sight(REGULATOR, facts(status="decided", used=["f1"]), NOW)
    assert not sight.case and not sight.personal_data and not sight.shows_finding("f1", "verified")


@pytest.mark.parametrize("status", ["withdrawn", "refused", "destroyed"])
@pytest.mark.parametrize(
    "actor", [HR, AGENCY_INVESTIGATOR, Actor("candidate", "t", case_id="case_1")]
)
def test_nobody_but_the_system_reads_a_withdrawn_or_refused_case(status, actor) -> None:
    sight = case_sight(actor, facts(status=status, used=["f1"]), NOW)
    assert not sight.personal_data and not sight.opens_finding("f1", "verified")
    assert case_sight(SYSTEM, facts(status=status), NOW).personal_data


def test_a_case_due_for_destruction_is_sealed_from_then_on_hold_or_not() -> None:
    later = NOW + timedelta(days=3)
    due = facts(status="decided", due=later, used=["f1"])
    assert case_sight(HR, due, NOW).opens_finding("f1", "verified")
    assert next_change(due, NOW) == later
    assert not case_sight(HR, due, later).personal_data
    assert not case_sight(AGENCY_INVESTIGATOR, due, later).personal_data
    assert next_change(due, later) is None
