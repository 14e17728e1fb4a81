"""Webhooks: Standard Webhooks signatures, a persistent outbox, retries with backoff."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from factories.world import make_world
from fairscreen.shared.errors import Forbidden, ValidationFailed
from fairscreen.webhooks.actions import do_create_endpoint, do_deliver_due, enqueue
from support.receiver import receiver


def test_delivery_verifies_with_the_standardwebhooks_library(fs, clock, loopback_allowed) -> None:
    clock.set(datetime.now(UTC))  # the library refuses timestamps far from its own clock
    world = make_world(fs)
    with receiver() as rx:
        _, secret = do_create_endpoint(
            fs.uow(), actor=world["admin"].actor, url=rx["url"], events=["report.released"]
        )
        assert secret.startswith("whsec_")
        with fs.uow() as uow:
            assert (
                enqueue(
                    uow,
                    org_id=world.employer,
                    event_type="report.released",
                    data={"case_id": "case_x", "version": 1},
                )
                == 1
            )
            assert (
                enqueue(
                    uow,
                    org_id=world.employer,
                    event_type="case.withdrawn",
                    data={"case_id": "case_x"},
                )
                == 0
            )  # not subscribed
            uow.commit()
        report = do_deliver_due(fs.uow)
        assert report.delivered == 1
        [request] = rx["requests"]
    payload = Webhook(secret).verify(request["body"], request["headers"])
    assert payload["type"] == "report.released"
    assert payload["data"] == {"case_id": "case_x", "version": 1}


def test_failed_delivery_is_retried_with_the_same_id_after_backoff(
    fs, clock, loopback_allowed
) -> None:
    world = make_world(fs)
    with receiver(statuses=[500, 503]) as rx:
        do_create_endpoint(
            fs.uow(), actor=world["admin"].actor, url=rx["url"], events=["decision.recorded"]
        )
        with fs.uow() as uow:
            enqueue(
                uow, org_id=world.employer, event_type="decision.recorded", data={"case_id": "c"}
            )
            uow.commit()
        assert do_deliver_due(fs.uow).retrying == 1
        assert do_deliver_due(fs.uow).retrying == 0  # not due yet: backoff
        clock.advance(seconds=6)
        assert do_deliver_due(fs.uow).retrying == 1
        clock.advance(seconds=400)
        assert do_deliver_due(fs.uow).delivered == 1
        ids = {r["headers"]["webhook-id"] for r in rx["requests"]}
    assert len(rx["requests"]) == 3 and len(ids) == 1


def test_only_admins_register_endpoints_and_urls_are_checked(fs) -> None:
    world = make_world(fs)
    with pytest.raises(Forbidden):
        do_create_endpoint(
            fs.uow(), actor=world["hr"].actor, url="http://127.0.0.1/x", events=["report.released"]
        )
    with pytest.raises(ValidationFailed):
        do_create_endpoint(
            fs.uow(), actor=world["admin"].actor, url="ftp://x", events=["report.released"]
        )
    with pytest.raises(ValidationFailed):
        do_create_endpoint(
            fs.uow(), actor=world["admin"].actor, url="https://ats.example/x", events=["everything"]
        )


def test_webhook_api_shows_the_secret_once_and_the_delivery_log(
    client, world, loopback_allowed
) -> None:
    r = client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": ["case.destroyed"]},
        headers=world["admin"].headers,
    )
    assert r.status_code == 201 and r.json()["secret"].startswith("whsec_")
    log = client.get(
        f"/api/v1/webhooks/{r.json()['id']}/deliveries", headers=world["admin"].headers
    )
    assert log.status_code == 200 and log.json() == []
    other = client.get(
        f"/api/v1/webhooks/{r.json()['id']}/deliveries", headers=world["agency_admin"].headers
    )
    assert other.status_code == 404
    assert json.loads(r.text)["id"]
