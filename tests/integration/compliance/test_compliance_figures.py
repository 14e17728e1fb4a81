"""The regulator's figures: aggregate counts per family, periods, breaches, and timelines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from factories.compliance import build_scene
from factories.world import make_world, staff
from fairscreen.compliance.ledger_view import case_timeline
from fairscreen.compliance.policy import parse_period
from fairscreen.compliance.queries import org_compliance, regulated_orgs
from fairscreen.identity.actions import do_create_org
from fairscreen.identity.policy import SYSTEM
from fairscreen.ledger.canonical import canonical_event_bytes
from fairscreen.ledger.merkle import leaf_hash
from fairscreen.ledger.verify import verify_inclusion
from fairscreen.retention.models import LegalHold
from fairscreen.shared.errors import Forbidden, NotFound, ValidationFailed


def _figures(world, org_id=None, start=None, end=None):
    period = parse_period(start, end, world.app.clock.now())
    return org_compliance(
        world.app.reader(),
        actor=world["inspector"].actor,
        org_id=org_id or world.employer,
        period=period,
    )


def test_figures_count_each_family_of_the_employer(fs) -> None:
    world = make_world(fs)
    build_scene(world)
    figures = _figures(world)
    assert figures["cases"]["by_state"] == {
        "awaiting_consent": 1,
        "destroyed": 1,
        "in_progress": 2,
        "refused": 1,
        "report_released": 1,
    }
    assert figures["cases"]["total"] == 6
    assert figures["consent"] == {
        "cases_with_findings_without_consent": 1,
        "signed": 4,
        "refused": 1,
        "withdrawn": 0,
        "consents_signed_from_staff_devices": 0,
    }
    assert figures["findings"] == {"verified": 1, "unverified": 1, "inconclusive": 1}
    assert figures["reports"]["total"] == 1
    assert sum(figures["reports"]["by_rating"].values()) == 1
    (rules,) = figures["reports"]["by_rules_version"].values()
    assert sum(rules.values()) == 1
    assert figures["refusals"]["out_of_scope"] == 2
    assert figures["refusals"]["forbidden_category"] == 1
    assert figures["retention"] == {"destructions_overdue": 1, "legal_holds_in_force": 1}
    assert figures["erasure"]["requests"] == 2
    assert figures["erasure"]["done_on_time"] == 1
    assert figures["erasure"]["done_late"] == 1
    assert figures["erasure"]["on_time_rate"] == 0.5
    assert figures["decisions"] == {
        "available": True,
        "adverse_before_waiting_or_during_dispute": 0,
    }
    disputes = figures["feedback"]["disputes"]
    assert figures["feedback"]["available"] and disputes["count"] == 1
    assert disputes["outcomes"] == {"upheld": 1} and disputes["on_time_rate"] == 1


def test_the_agency_sees_the_cases_it_checks(fs) -> None:
    world = make_world(fs)
    build_scene(world)
    figures = _figures(world, world.agency)
    assert figures["cases"]["total"] == 6
    # The same counts as the employer's, found through the cases (the agency's own index
    # for findings, the cases it checks for the consent events, which carry the employer).
    assert figures["findings"] == {"verified": 1, "unverified": 1, "inconclusive": 1}
    assert figures["consent"] == {
        "cases_with_findings_without_consent": 1,
        "signed": 4,
        "refused": 1,
        "withdrawn": 0,
        "consents_signed_from_staff_devices": 0,
    }


def test_another_organisations_cases_count_nowhere_in_the_figures(fs) -> None:
    elsewhere = make_world(fs)  # another employer and agency, with a scene of their own
    build_scene(elsewhere)
    world = make_world(fs)
    build_scene(world)
    for org_id in (world.employer, world.agency):
        figures = _figures(world, org_id)
        assert figures["cases"]["total"] == 6
        assert figures["erasure"]["requests"] == 2
        assert figures["retention"]["legal_holds_in_force"] == 1
        assert figures["consent"]["cases_with_findings_without_consent"] == 1
        assert figures["findings"] == {"verified": 1, "unverified": 1, "inconclusive": 1}
        assert (figures["consent"]["signed"], figures["consent"]["refused"]) == (4, 1)


def test_a_period_outside_the_cases_counts_nothing(fs) -> None:
    world = make_world(fs)
    build_scene(world)
    figures = _figures(world, start="2020-01-01", end="2020-12-31")
    assert figures["period"] == {"from": "2020-01-01", "to": "2020-12-31"}
    assert figures["cases"]["total"] == 0
    assert figures["findings"] == {"verified": 0, "unverified": 0, "inconclusive": 0}
    assert figures["consent"] == {
        "cases_with_findings_without_consent": 0,
        "signed": 0,
        "refused": 0,
        "withdrawn": 0,
        "consents_signed_from_staff_devices": 0,
    }
    assert figures["erasure"]["requests"] == 0
    assert figures["reports"]["total"] == 0
    # Overdue destructions and holds are about now, whatever the period.
    assert figures["retention"] == {"destructions_overdue": 1, "legal_holds_in_force": 1}


def test_a_destruction_less_than_a_day_late_is_not_yet_overdue(fs, clock) -> None:
    world = make_world(fs)
    build_scene(world)
    clock.advance(days=-1.5)  # the collecting case was due two days before the scene's now
    assert _figures(world)["retention"]["destructions_overdue"] == 0


def test_a_released_hold_no_longer_protects_an_overdue_case(fs, clock) -> None:
    world = make_world(fs)
    build_scene(world)
    with fs.uow() as uow:
        uow.session.execute(update(LegalHold).values(released_at=clock.now()))
        uow.commit()
    clock.advance(hours=1)
    assert _figures(world)["retention"] == {"destructions_overdue": 2, "legal_holds_in_force": 0}


def test_the_figures_carry_no_personal_data(fs) -> None:
    world = make_world(fs)
    scene = build_scene(world)
    text = json.dumps(_figures(world), ensure_ascii=False)
    text += json.dumps(
        regulated_orgs(world.app.reader(), actor=world["inspector"].actor, period=_period(world)),
        ensure_ascii=False,
    )
    for value in scene.personal:
        assert value not in text


def _period(world):
    return parse_period(None, None, world.app.clock.now())


def test_the_regulator_lists_only_the_organisations_under_it(fs) -> None:
    world = make_world(fs)
    build_scene(world)
    do_create_org(fs.uow(), actor=SYSTEM, name="Elsewhere Ltd", kind="employer")
    listing = regulated_orgs(
        world.app.reader(), actor=world["inspector"].actor, period=_period(world)
    )
    by_id = {o["id"]: o for o in listing["items"]}
    assert set(by_id) == {world.employer, world.agency}
    assert by_id[world.employer]["cases"] == 6
    assert by_id[world.employer]["cases_with_findings_without_consent"] == 1
    assert by_id[world.employer]["destructions_overdue"] == 1


def test_another_regulator_and_other_staff_are_refused(fs) -> None:
    world = make_world(fs)
    other = do_create_org(fs.uow(), actor=SYSTEM, name="Other region", kind="regulator")
    stranger = staff(fs, other, "regulator")
    period = _period(world)
    with pytest.raises(NotFound):
        org_compliance(fs.reader(), actor=stranger.actor, org_id=world.employer, period=period)
    with pytest.raises(NotFound):
        org_compliance(
            fs.reader(), actor=world["inspector"].actor, org_id="org_missing", period=period
        )
    with pytest.raises(Forbidden):
        org_compliance(fs.reader(), actor=world["hr"].actor, org_id=world.employer, period=period)
    own = org_compliance(
        fs.reader(),
        actor=world["admin"].actor,
        org_id=world.employer,
        period=period,
        as_regulator=False,
    )
    assert own["org_id"] == world.employer
    with pytest.raises(NotFound):
        org_compliance(
            fs.reader(),
            actor=world["agency_admin"].actor,
            org_id=world.employer,
            period=period,
            as_regulator=False,
        )


def test_periods_are_checked() -> None:
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    default = parse_period(None, None, now)
    assert default.until - default.since == timedelta(days=365)
    with pytest.raises(ValidationFailed):
        parse_period("2026-13-01", None, now)
    with pytest.raises(ValidationFailed):
        parse_period("2026-05-02", "2026-05-01", now)


def test_every_timeline_event_is_proven_in_the_latest_checkpoint(fs) -> None:
    world = make_world(fs)
    scene = build_scene(world)
    timeline = case_timeline(fs, actor=world["inspector"].actor, case_id=scene.rated)
    checkpoint = timeline["checkpoint"]
    root = bytes.fromhex(checkpoint["root_hash"])
    types = [e["type"] for e in timeline["events"]]
    assert types[0] == "case.opened" and "report.released" in types
    for event in timeline["events"]:
        assert event["event"]["case_id"] == scene.rated
        # The event shown is the one the leaf commits to.
        assert leaf_hash(canonical_event_bytes(event["event"])).hex() == event["leaf_hash"]
        assert verify_inclusion(
            bytes.fromhex(event["leaf_hash"]),
            event["index"],
            checkpoint["size"],
            [bytes.fromhex(h) for h in event["inclusion_proof"]],
            root,
        )
    text = json.dumps(timeline, ensure_ascii=False)
    for value in scene.personal:
        assert value not in text


def test_a_timeline_proof_fails_against_a_tampered_leaf(fs) -> None:
    world = make_world(fs)
    scene = build_scene(world)
    timeline = case_timeline(fs, actor=world["inspector"].actor, case_id=scene.rated)
    event = timeline["events"][0]
    tampered = bytes(32)
    assert not verify_inclusion(
        tampered,
        event["index"],
        timeline["checkpoint"]["size"],
        [bytes.fromhex(h) for h in event["inclusion_proof"]],
        bytes.fromhex(timeline["checkpoint"]["root_hash"]),
    )


def test_the_timeline_is_only_for_the_cases_regulator(fs) -> None:
    world = make_world(fs)
    scene = build_scene(world)
    other = do_create_org(fs.uow(), actor=SYSTEM, name="Other region", kind="regulator")
    with pytest.raises(NotFound):
        case_timeline(fs, actor=staff(fs, other, "regulator").actor, case_id=scene.rated)
    with pytest.raises(Forbidden):
        case_timeline(fs, actor=world["hr"].actor, case_id=scene.rated)
