"""A world for the security tests: a case worked to its feedback stage, one object of each kind.

The case's organisations (an employer and an agency under a regulator) and another employer
and agency under another regulator, a staff caller of each role in each, the candidate of
the case and of another case; the case has consent, a verified finding with evidence, a
released report, a rejection and its re-review, a dispute, a complaint, a legal hold, a
breach and a webhook with a delivery; and a refused case destroyed, for its certificate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from factories.consent import candidate, consented_case, fresh_token, record_subject
from factories.world import Staff, World, open_case
from fairscreen.bootstrap import App
from fairscreen.cases.models import Case
from fairscreen.consent.actions import do_refuse_consent
from fairscreen.evidence.actions import do_upload_evidence
from fairscreen.feedback.actions import do_record_decision
from fairscreen.feedback.complaints import do_file_complaint
from fairscreen.feedback.desk import do_file_dispute
from fairscreen.feedback.reviews import do_request_review
from fairscreen.identity.actions import (
    authenticate_api_key,
    do_create_api_key,
    do_create_org,
    do_create_user,
)
from fairscreen.identity.policy import SYSTEM
from fairscreen.privacy.actions import do_record_breach
from fairscreen.rating.actions import do_release_report
from fairscreen.retention.actions import do_place_hold, do_purge_due
from fairscreen.verification.actions import do_add_source, do_record_finding
from fairscreen.webhooks.actions import do_create_endpoint
from fairscreen.webhooks.models import Delivery


@dataclass
class Scene:
    """The world the matrix runs in: callers, and an id of every kind of object."""

    world: World
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


_serial = iter(range(10**9))


def member(app: App, org_id: str, role: str) -> Staff:
    """A user with an API key and no password (hashing one costs a second here)."""
    user_id = do_create_user(
        app.uow(),
        actor=SYSTEM,
        org_id=org_id,
        email=f"{role}{next(_serial)}@matrix.example",
        role=role,
    )
    key = do_create_api_key(app.uow(), actor=SYSTEM, user_id=user_id)
    return Staff(authenticate_api_key(app.reader(), key), key)


def _orgs(app: App, prefix: str) -> tuple[str, str, str]:
    """A regulator, and an employer and an agency under it: (regulator, employer, agency)."""
    regulator = do_create_org(app.uow(), actor=SYSTEM, name=f"{prefix} Office", kind="regulator")
    employer, agency = (
        do_create_org(
            app.uow(), actor=SYSTEM, name=f"{prefix} {kind}", kind=kind, regulator_id=regulator
        )
        for kind in ("employer", "agency")
    )
    return regulator, employer, agency


def _world(app: App) -> tuple[World, dict[str, Staff]]:
    """The case's organisations (the factories' World) and every staff caller by column."""
    regulator, employer, agency = _orgs(app, "Case's")
    world = World(app, regulator, employer, agency)
    oreg, oemp, oagy = _orgs(app, "Other")
    callers: dict[str, Staff] = {}
    for column, org, role, key in (
        ("emp_hr", employer, "employer", "hr"),
        ("emp_admin", employer, "admin", "admin"),
        ("agy_inv", agency, "investigator", "investigator"),
        ("agy_admin", agency, "admin", "agency_admin"),
        ("reg", regulator, "regulator", "inspector"),
        ("oemp_hr", oemp, "employer", None),
        ("oemp_admin", oemp, "admin", None),
        ("oagy_inv", oagy, "investigator", None),
        ("oagy_admin", oagy, "admin", None),
        ("oreg", oreg, "regulator", None),
    ):
        callers[column] = member(app, org, role)
        if key is not None:
            world.staff[key] = callers[column]
    return world, callers


def _released(world: World, name: str, email: str) -> tuple[str, str, str]:
    """A consented case with one verified adverse finding and a released report."""
    app, inv = world.app, world["investigator"].actor
    case_id, token = consented_case(world, name=name, email=email)
    finding_id = do_record_finding(
        app.uow(),
        actor=inv,
        case_id=case_id,
        category="education",
        claim="Declared degree was not conferred",
        adverse=True,
        severity="material",
    ).id
    do_add_source(
        app.uow(),
        actor=inv,
        finding_id=finding_id,
        kind="official_registry",
        origin="CHSI registry",
        supports=True,
        subject=record_subject(name),
    )
    do_release_report(app.uow(), actor=inv, case_id=case_id)
    return case_id, finding_id, token


def build_scene(app: App) -> Scene:
    """Build the world: a case worked to its feedback stage, and one of every object."""
    world, callers = _world(app)
    scene = Scene(world)
    scene.headers.update({column: who.headers for column, who in callers.items()})
    admin = world["admin"].actor
    endpoint_id, _ = do_create_endpoint(
        app.uow(),
        actor=admin,
        url="https://ats.example/hooks",
        events=["report.released", "dispute.opened"],
    )
    case_id, finding_id, token = _released(world, "张伟", "zhang.wei@candidate.example")
    other_case, _, other_token = _released(world, "李娜", "li.na@candidate.example")
    scene.headers["cand"] = {"Authorization": f"Bearer {token}"}
    scene.headers["ocand"] = {"Authorization": f"Bearer {other_token}"}
    scene.headers["anon"] = {}
    cand = candidate(world, token)
    evidence = do_upload_evidence(
        app.uow(), actor=world["investigator"].actor, finding_id=finding_id, data=PNG
    )
    # Rejected after the waiting period by an HR colleague (a re-review goes to someone
    # other than the decider, and the matrix is about roles, not about that rule).
    app.clock.advance(days=8)
    # A signed case's link lives 7 days: the candidates ask for fresh ones (/c/renew).
    scene.headers["cand"] = {"Authorization": f"Bearer {fresh_token(world)}"}
    other = fresh_token(world, "li.na@candidate.example")
    scene.headers["ocand"] = {"Authorization": f"Bearer {other}"}
    decider = member(app, world.employer, "employer").actor
    do_record_decision(
        app.uow(), actor=decider, case_id=case_id, outcome="reject", reasons=["credential_mismatch"]
    )
    review = do_request_review(app.uow(), actor=cand, statement="Please look again")
    dispute = do_file_dispute(
        app.uow(), actor=cand, statement="The degree was conferred", finding_id=finding_id
    )
    complaint = do_file_complaint(
        app.uow(), actor=cand, category="other", statement="Nobody called me back"
    )
    ends_at = app.clock.now() + timedelta(days=90)
    hold_id = do_place_hold(
        app.uow(), actor=admin, case_id=case_id, reason="court", ends_at=ends_at
    )
    breach = do_record_breach(
        app.uow(),
        actor=admin,
        description="A laptop was lost",
        discovered_at=app.clock.now() - timedelta(hours=2),
        case_ids=[case_id],
    )
    # A case refused and destroyed, for its deletion certificate.
    destroyed, refused_token = open_case(world, name="刘洋", email="liu.yang@candidate.example")
    do_refuse_consent(app.uow(), actor=candidate(world, refused_token))
    do_purge_due(app.uow, now=app.clock.now())
    with app.reader() as uow:
        position_id = uow.session.get(Case, case_id).position_id
        delivery_id = uow.session.scalars(
            select(Delivery.id).where(Delivery.endpoint_id == endpoint_id)
        ).first()
    assert delivery_id is not None
    scene.ids.update(
        case_id=case_id,
        other_case=other_case,
        destroyed_case=destroyed,
        finding_id=finding_id,
        position_id=position_id,
        evidence_id=evidence.id,
        dispute_id=dispute["id"],
        complaint_id=complaint["id"],
        review_id=review["id"],
        hold_id=hold_id,
        breach_id=breach.id,
        endpoint_id=endpoint_id,
        delivery_id=delivery_id,
        org_id=world.employer,
        agency_id=world.agency,
    )
    return scene


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
