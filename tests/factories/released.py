"""A case with a working file: a verified finding and a reference's hearsay, each with a scan.

`working_case` stops before the report; `released_case` releases it. The report rests on
the verified finding only; the hearsay stays unverified (a reference alone never
verifies) and is listed as not used.
"""

from __future__ import annotations

from dataclasses import dataclass

from factories.consent import candidate, consented_case, record_subject
from factories.world import World
from fairscreen.evidence.actions import do_upload_evidence
from fairscreen.identity.policy import Actor
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding

CATEGORIES = ("identity", "education", "employment_history")
VERIFIED_CLAIM = "Master of Engineering, Tsinghua University, 2018"
VERIFIED_ORIGIN = "CHSI registry"
VERIFIED_NOTE = "Registry entry 2018-1234 read on the phone with the clerk."
HEARSAY_CLAIM = "A former colleague says the candidate was let go for poor attendance"
HEARSAY_ORIGIN = "Li Ming, former team lead"
HEARSAY_NOTE = "Said off the record; could not be confirmed with HR."
VERIFIED_SCAN = b"%PDF-1.7\n% diploma scan\n%%EOF\n"
HEARSAY_SCAN = b"%PDF-1.7\n% interview notes with the reference\n%%EOF\n"
# Every text of the working file: none may reach the employer before release.
WORKING_TEXTS = (
    VERIFIED_CLAIM,
    VERIFIED_ORIGIN,
    VERIFIED_NOTE,
    HEARSAY_CLAIM,
    HEARSAY_ORIGIN,
    HEARSAY_NOTE,
)


@dataclass
class WorkingCase:
    case_id: str
    token: str
    verified: str  # finding id: verified by a registry, used by the report
    hearsay: str  # finding id: one reference's word, unverified, not used
    verified_scan: str  # evidence id
    hearsay_scan: str  # evidence id

    def candidate(self, world: World) -> Actor:
        return candidate(world, self.token)


def working_case(world: World, *, name: str = "张伟", email: str | None = None) -> WorkingCase:
    """A consented case with both findings and their scans, no report released yet."""
    case_id, token = consented_case(
        world,
        categories=CATEGORIES,
        name=name,
        email=email or "zhang.wei@candidate.example",
    )
    inv = world["investigator"].actor
    app = world.app
    verified = do_record_finding(
        app.uow(), actor=inv, case_id=case_id, category="education", claim=VERIFIED_CLAIM
    ).id
    do_add_source(
        app.uow(),
        actor=inv,
        finding_id=verified,
        kind="official_registry",
        origin=VERIFIED_ORIGIN,
        supports=True,
        note=VERIFIED_NOTE,
        subject=record_subject(name),
    )
    hearsay = do_record_finding(
        app.uow(),
        actor=inv,
        case_id=case_id,
        category="employment_history",
        claim=HEARSAY_CLAIM,
        adverse=True,
        severity="material",
    ).id
    do_add_source(
        app.uow(),
        actor=inv,
        finding_id=hearsay,
        kind="reference",
        origin=HEARSAY_ORIGIN,
        supports=True,
        note=HEARSAY_NOTE,
    )
    verified_scan = do_upload_evidence(
        app.uow(), actor=inv, finding_id=verified, data=VERIFIED_SCAN
    ).id
    hearsay_scan = do_upload_evidence(
        app.uow(), actor=inv, finding_id=hearsay, data=HEARSAY_SCAN
    ).id
    return WorkingCase(case_id, token, verified, hearsay, verified_scan, hearsay_scan)


def released_case(world: World, **kwargs: str) -> WorkingCase:
    """The working case with its report released (version 1, resting on `verified`)."""
    case = working_case(world, **kwargs)
    do_release_report(world.app.uow(), actor=world["investigator"].actor, case_id=case.case_id)
    return case
