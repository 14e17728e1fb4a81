"""Report versions in the database, and the rating's blindness to who the candidate is."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from factories.consent import consented_case, record_subject
from factories.world import make_world
from fairscreen.ledger.models import LedgerEvent
from fairscreen.rating.actions import do_release_report
from fairscreen.rating.models import RatingReport
from fairscreen.verification.actions import do_add_source, do_record_finding

names = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo")), min_size=1, max_size=20
)
locals_ = st.from_regex(r"[a-z]{1,12}", fullmatch=True)
facts = st.lists(
    st.tuples(
        st.sampled_from(["education", "identity"]),
        st.booleans(),  # adverse
        st.sampled_from(["minor", "material", "falsified"]),
        st.booleans(),  # job related
        st.booleans(),  # verified by an authoritative source
    ),
    max_size=3,
)


def _rated_case(world, name: str, email: str, findings) -> dict:
    case_id, _ = consented_case(world, name=name, email=email)
    inv = world["investigator"].actor
    for category, adverse, severity, job_related, verify in findings:
        fid = do_record_finding(
            world.app.uow(),
            actor=inv,
            case_id=case_id,
            category=category,
            claim="fact",
            adverse=adverse,
            severity=severity,
            job_related=job_related,
        ).id
        if verify:
            do_add_source(
                world.app.uow(),
                actor=inv,
                finding_id=fid,
                kind="official_registry",
                origin="R",
                supports=True,
                subject=record_subject(name),
            )
    return do_release_report(world.app.uow(), actor=inv, case_id=case_id)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name_a=names, name_b=names, local_a=locals_, local_b=locals_, findings=facts)
def test_the_candidates_name_and_email_never_change_the_rating(
    fs, name_a, name_b, local_a, local_b, findings
):
    world = make_world(fs)
    a = _rated_case(world, name_a, f"{local_a}@a.example", findings)
    b = _rated_case(world, name_b, f"{local_b}@b.example", findings)
    assert a["rating"] == b["rating"]

    def shape(report):
        # Finding ids differ between the two cases; their positions do not.
        order = {f["id"]: i for i, f in enumerate(report["findings"])}
        return [
            (e["rule_id"], e["level"], sorted(order[i] for i in e["finding_ids"]), e["text"])
            for e in report["explanation"]
        ]

    assert shape(a) == shape(b)


def test_each_release_is_a_new_version_with_its_event(fs):
    world = make_world(fs)
    case_id, _ = consented_case(world)
    inv = world["investigator"].actor
    do_release_report(fs.uow(), actor=inv, case_id=case_id)
    fid = do_record_finding(
        fs.uow(), actor=inv, case_id=case_id, category="education", claim="学位", adverse=True
    ).id
    do_add_source(
        fs.uow(), actor=inv, finding_id=fid, kind="issuing_institution", origin="U", supports=True
    )
    second = do_release_report(fs.uow(), actor=inv, case_id=case_id)
    assert second["changes"]["previous_version"] == 1
    assert second["changes"]["rating_from"] == "green"
    with fs.reader() as uow:
        versions = uow.session.scalars(
            select(RatingReport.version).where(RatingReport.case_id == case_id)
        ).all()
        events = uow.session.scalars(
            select(LedgerEvent).where(LedgerEvent.type == "report.released")
        ).all()
    assert sorted(versions) == [1, 2]
    data = [json.loads(e.body)["data"] for e in events]
    assert [d["version"] for d in data] == [1, 2]
    assert data[1]["rating"] == second["rating"]
    assert data[1]["rules_sha256"] == second["rules_sha256"]
