"""The case lifecycle reaches the employer's systems as webhooks carrying ids only."""

from __future__ import annotations

import json

from sqlalchemy import select

from factories.consent import candidate, consented_case
from factories.world import make_world
from fairscreen.consent.actions import do_withdraw_consent
from fairscreen.identity.policy import SYSTEM
from fairscreen.retention.actions import do_destroy_now
from fairscreen.webhooks.actions import do_create_endpoint
from fairscreen.webhooks.models import Delivery


def test_consent_withdrawal_and_destruction_are_sent_without_personal_data(fs, clock):
    world = make_world(fs)
    do_create_endpoint(
        fs.uow(),
        actor=world["admin"].actor,
        url="https://ats.example/h",
        events=["case.consented", "case.withdrawn", "case.destroyed"],
    )
    case_id, token = consented_case(world)
    do_withdraw_consent(fs.uow(), actor=candidate(world, token))
    do_destroy_now(fs.uow(), actor=SYSTEM, case_id=case_id, reason="consent_withdrawn")
    with fs.reader() as uow:
        rows = uow.session.scalars(select(Delivery).order_by(Delivery.created_at)).all()
        bodies = [json.loads(r.body) for r in rows]
    assert sorted(b["type"] for b in bodies) == [
        "case.consented",
        "case.destroyed",
        "case.withdrawn",
    ]
    assert all(b["data"]["case_id"] == case_id for b in bodies)
    assert not any("zhang" in r.body or "张伟" in r.body for r in rows)
