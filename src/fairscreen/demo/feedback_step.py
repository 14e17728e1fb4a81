"""The demo's feedback cases: waiting period, decided, disputes (one overdue), a complaint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fairscreen.bootstrap import App
from fairscreen.cases.actions import authenticate_candidate, do_open_case
from fairscreen.consent.actions import do_sign_consent
from fairscreen.demo.people import identifiers, subject
from fairscreen.feedback.actions import do_record_decision
from fairscreen.feedback.complaints import do_answer_complaint, do_file_complaint
from fairscreen.feedback.desk import do_file_dispute
from fairscreen.identity.policy import Actor
from fairscreen.rating.actions import do_release_report
from fairscreen.scope.actions import do_create_position
from fairscreen.verification.actions import do_add_source, do_record_finding

CANDIDATES = (
    ("王磊", "wang.lei@candidate.example", True),  # adverse report, in the waiting period
    ("Zhao Min", "zhao.min@candidate.example", False),  # hired; answered complaint
    ("黃志明", "huang.zhiming@candidate.example", True),  # open dispute
    ("Sun Li", "sun.li@candidate.example", True),  # overdue dispute
)


def _staff(world: dict[str, Any], email: str, org_key: str, role: str) -> Actor:
    org_kind = "agency" if org_key == "agency" else "employer"
    return Actor(
        kind="staff",
        id=world["users"][email],
        org_id=world[org_key],
        role=role,
        org_kind=org_kind,
    )


def _released(
    app: App,
    hr: Actor,
    inv: Actor,
    position_id: str,
    name: str,
    email: str,
    adverse: bool,
    agency: str,
    serial: int,
) -> tuple[str, str, Actor]:
    case_id, token = do_open_case(
        app.uow(),
        actor=hr,
        position_id=position_id,
        candidate_name=name,
        candidate_email=email,
        categories=["identity", "education"],
        agency_id=agency,
    )
    cand = authenticate_candidate(app.reader(), token)
    do_sign_consent(
        app.uow(),
        actor=cand,
        full_name=name,
        agree=True,
        categories=["identity", "education"],
        separate_consent=[],
        identifiers=identifiers(serial),
    )
    finding_id = do_record_finding(
        app.uow(),
        actor=inv,
        case_id=case_id,
        category="education",
        claim="申报的硕士学位未获授予" if adverse else "本科学历属实",
        adverse=adverse,
        severity="material",
    ).id
    do_add_source(
        app.uow(),
        actor=inv,
        finding_id=finding_id,
        kind="official_registry",
        origin="学信网 CHSI",
        supports=True,
        subject=subject(name, serial),
    )
    do_release_report(app.uow(), actor=inv, case_id=case_id)
    return case_id, finding_id, cand


def feedback_step(app: App, world: dict[str, Any]) -> None:
    """Bring four demo cases through release, decision, disputes and a complaint."""
    hr = _staff(world, "hr@demo.example", "employer", "employer")
    inv = _staff(world, "investigator@agency.example", "agency", "investigator")
    position = do_create_position(
        app.uow(), actor=hr, title="数据分析师 Data analyst", purpose="general", grade="staff"
    )
    made = [
        _released(app, hr, inv, position.id, name, email, adverse, world["agency"], serial)
        for serial, (name, email, adverse) in enumerate(CANDIDATES, start=1000)
    ]
    (waiting, _, _), (hired, _, hired_cand), (disputed, f3, c3), (_, f4, c4) = made
    do_record_decision(
        app.uow(), actor=hr, case_id=hired, outcome="hire", reasons=["checks_completed"]
    )
    complaint = do_file_complaint(
        app.uow(),
        actor=hired_cand,
        category="investigation_conduct",
        statement="调查员来电时间太晚。The investigator called very late.",
    )
    do_answer_complaint(
        app.uow(),
        actor=hr,
        complaint_id=complaint["id"],
        answer="已提醒调查机构仅在工作时间联系。We asked the agency to call in office hours.",
    )
    do_file_dispute(app.uow(), actor=c3, finding_id=f3, statement="我已取得该学位，证书编号可查。")
    # Filed thirty days ago: past its 15 working days, so it shows as overdue.
    do_file_dispute(
        app.uow(),
        actor=c4,
        finding_id=f4,
        statement="The degree was conferred in 2019.",
        now=app.clock.now() - timedelta(days=30),
    )
    world["feedback"] = {"waiting": waiting, "decided": hired, "disputed": disputed}
