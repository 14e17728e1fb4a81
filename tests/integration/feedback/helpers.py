"""Cases brought to a released report, for the feedback tests."""

from __future__ import annotations

from factories.consent import candidate, consented_case, record_subject
from factories.world import World
from fairscreen.identity.policy import Actor
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding


def released_case(
    world: World,
    *,
    adverse: bool = True,
    category: str = "education",
    purpose: str = "general",
    severity: str = "material",
) -> tuple[str, str, str, Actor]:
    """A case whose report is released on one verified finding: (case, finding, token, cand)."""
    categories = ("identity", "education") if category == "education" else ("identity", category)
    case_id, token = consented_case(world, purpose=purpose, categories=categories)
    inv = world["investigator"].actor
    finding_id = do_record_finding(
        world.app.uow(),
        actor=inv,
        case_id=case_id,
        category=category,
        claim="Declared degree was not conferred" if adverse else "Degree confirmed",
        adverse=adverse,
        severity=severity,
    ).id
    do_add_source(
        world.app.uow(),
        actor=inv,
        finding_id=finding_id,
        kind="official_registry",
        origin="CHSI registry",
        supports=True,
        subject=record_subject(),
    )
    do_release_report(world.app.uow(), actor=inv, case_id=case_id)
    return case_id, finding_id, token, candidate(world, token)
