"""A small world for the regulator's figures: cases in different states, one of each breach."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from factories.consent import candidate, consented_case, record_subject
from factories.world import World, open_case
from fairscreen.cases.models import Case
from fairscreen.compliance.actions import record_refusal
from fairscreen.consent.actions import do_refuse_consent
from fairscreen.feedback.desk import do_file_dispute, do_resolve_dispute
from fairscreen.rating.actions import do_release_report
from fairscreen.retention.actions import do_place_hold, do_purge_due, do_request_erasure
from fairscreen.retention.models import ErasureRequest
from fairscreen.shared.ids import new_id
from fairscreen.verification.actions import do_add_source, do_record_finding
from fairscreen.verification.models import Finding

CLAIMS = ("Graduated from Peking University 2015", "Worked at Example Ltd since 2016")
STATEMENTS = ("I graduated in 2016, not 2015", "The registry confirms the year given")


@dataclass
class Scene:
    """The ids the tests look at, and every piece of personal data that must not leak."""

    rated: str = ""
    collecting: str = ""
    gap: str = ""
    held: str = ""
    erased: str = ""
    personal: list[str] = field(default_factory=list)


def _finding(world: World, case_id: str, claim: str, *, verify: bool, name: str = "") -> str:
    inv = world["investigator"].actor
    fid = do_record_finding(
        world.app.uow(), actor=inv, case_id=case_id, category="education", claim=claim
    ).id
    if verify:
        do_add_source(
            world.app.uow(),
            actor=inv,
            finding_id=fid,
            kind="official_registry",
            origin="Ministry of Education registry",
            supports=True,
            subject=record_subject(name),
        )
    return fid


def _set(world: World, case_id: str, **values: object) -> None:
    with world.app.uow() as uow:
        case = uow.session.get(Case, case_id)
        for name, value in values.items():
            setattr(case, name, value)
        uow.commit()


def build_scene(world: World) -> Scene:
    """Build: a rated case, a collecting case, a refusal, a consent gap, holds, erasure."""
    app, now = world.app, world.app.clock.now()
    scene = Scene()
    people = [
        ("王芳", "wang.fang@candidate.example"),
        ("李娜", "li.na@candidate.example"),
        ("刘洋", "liu.yang@candidate.example"),
        ("陈静", "chen.jing@candidate.example"),
        ("赵磊", "zhao.lei@candidate.example"),
        ("孙丽", "sun.li@candidate.example"),
    ]
    for name, email in people:
        scene.personal += [name, email]
    scene.personal += [*CLAIMS, *STATEMENTS]

    # Erased on request, on time (first: the purge must not reach the overdue cases below);
    # and an older request, carried out late.
    scene.erased, token = consented_case(world, name=people[5][0], email=people[5][1])
    do_request_erasure(app.uow(), actor=candidate(world, token))
    do_purge_due(app.uow, now=now)
    with app.uow() as uow:
        uow.session.add(
            ErasureRequest(
                id=new_id("era"),
                case_id=scene.erased,
                org_id=world.employer,
                requested_at=now - timedelta(days=40),
                due_at=now - timedelta(days=20),
                done_at=now - timedelta(days=10),
            )
        )
        uow.commit()

    # Rated: a verified finding and a released report.
    scene.rated, token = consented_case(world, name=people[0][0], email=people[0][1])
    _finding(world, scene.rated, CLAIMS[0], verify=True, name=people[0][0])
    do_release_report(app.uow(), actor=world["investigator"].actor, case_id=scene.rated)
    # ... disputed by the candidate, and upheld.
    dispute = do_file_dispute(app.uow(), actor=candidate(world, token), statement=STATEMENTS[0])
    do_resolve_dispute(
        app.uow(),
        actor=world["investigator"].actor,
        dispute_id=dispute["id"],
        outcome="upheld",
        note=STATEMENTS[1],
    )

    # Collecting: one unverified finding; its destruction is two days overdue.
    scene.collecting, _ = consented_case(world, name=people[1][0], email=people[1][1])
    _finding(world, scene.collecting, CLAIMS[1], verify=False)
    _set(world, scene.collecting, destroy_due_at=now - timedelta(days=2))

    # Refused consent.
    _, token = open_case(world, name=people[2][0], email=people[2][1])
    do_refuse_consent(app.uow(), actor=candidate(world, token))

    # A breach the actions never allow, written behind their back: a finding, no consent.
    scene.gap, _ = open_case(world, name=people[3][0], email=people[3][1])
    with app.uow() as uow:
        uow.session.add(
            Finding(
                id=new_id("fnd"),
                case_id=scene.gap,
                employer_org_id=world.employer,
                agency_org_id=world.agency,
                category="education",
                claim=None,
                severity="minor",
                status="inconclusive",
                reason_code="test",
                rules_version="test",
                recorded_by="test",
                recorded_at=now,
                updated_at=now,
            )
        )
        uow.commit()

    # Held: overdue too, but a legal hold in force suspends destruction.
    scene.held, _ = consented_case(world, name=people[4][0], email=people[4][1])
    do_place_hold(
        app.uow(),
        actor=world["admin"].actor,
        case_id=scene.held,
        reason="court",
        ends_at=now + timedelta(days=90),
    )
    _set(world, scene.held, destroy_due_at=now - timedelta(days=3))

    record_refusal(app.uow(), org_id=world.employer, case_id=scene.collecting, code="out_of_scope")
    record_refusal(app.uow(), org_id=world.employer, case_id=scene.collecting, code="out_of_scope")
    record_refusal(app.uow(), org_id=world.employer, case_id=None, code="forbidden_category")
    return scene
