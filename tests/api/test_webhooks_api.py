"""Webhooks over HTTP as an attacker uses them: SSRF, a stalled outbox, the target's answers."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from fairscreen.webhooks.actions import do_deliver_due, enqueue
from fairscreen.webhooks.models import Delivery, Endpoint
from support.receiver import receiver

EVENTS = ["case.destroyed"]
SSRF_URLS = [
    "http://127.0.0.1:9/x",
    "http://localhost/x",
    "http://[::1]/x",
    "http://0.0.0.0/x",
    "http://2130706433/x",
    "http://0x7f000001/x",
    "http://127.1/x",
    "http://0177.0.0.1/x",
    "http://[::ffff:127.0.0.1]/x",
    "http://user:pass@93.184.216.34/x",
    "http://10.0.0.1/x",
    "http://192.168.0.10/x",
    "http://172.16.0.1/x",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/x",
    "http://224.0.0.1/x",
    "http://[fe80::1]/x",
]


def _loopback_name() -> str:
    """A host name other than localhost that this machine resolves to loopback."""
    for line in Path("/etc/hosts").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if fields and (fields[0].startswith("127.") or fields[0] == "::1"):
            for name in fields[1:]:
                if "localhost" not in name:
                    return name
    name = socket.gethostname()
    assert socket.gethostbyname(name).startswith("127."), "no name resolves to loopback here"
    return name


@pytest.mark.parametrize("url", SSRF_URLS)
def test_a_url_that_is_not_a_public_address_is_refused_at_registration(client, world, url) -> None:
    r = client.post(
        "/api/v1/webhooks", json={"url": url, "events": EVENTS}, headers=world["admin"].headers
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error" and len(error["message"]) > 20


def test_a_name_that_resolves_to_loopback_is_refused(client, world) -> None:
    url = f"http://{_loopback_name()}:9/x"
    r = client.post(
        "/api/v1/webhooks", json={"url": url, "events": EVENTS}, headers=world["admin"].headers
    )
    assert r.status_code == 422 and "not a public address" in r.json()["error"]["message"]


def test_the_operator_may_allow_a_private_host_and_only_that_one(fs, client, world) -> None:
    fs.settings.webhook_allow_private = "127.0.0.1"
    ok = client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": EVENTS},
        headers=world["admin"].headers,
    )
    other = client.post(
        "/api/v1/webhooks",
        json={"url": "http://[::1]:9/x", "events": EVENTS},
        headers=world["admin"].headers,
    )
    assert ok.status_code == 201 and other.status_code == 422


def test_a_target_allowed_once_is_checked_again_at_every_delivery(fs, client, world) -> None:
    fs.settings.webhook_allow_private = "127.0.0.1"
    with receiver() as rx:
        r = client.post(
            "/api/v1/webhooks",
            json={"url": rx["url"], "events": EVENTS},
            headers=world["admin"].headers,
        )
        assert r.status_code == 201
        fs.settings.webhook_allow_private = ""  # the operator withdrew the exception
        with fs.uow() as uow:
            enqueue(uow, org_id=world.employer, event_type="case.destroyed", data={"case_id": "c"})
            uow.commit()
        do_deliver_due(fs.uow)
        assert rx["requests"] == []
    log = client.get(
        f"/api/v1/webhooks/{r.json()['id']}/deliveries", headers=world["admin"].headers
    )
    [delivery] = log.json()
    assert delivery["attempts"] == 1 and delivery["log"][0]["reason"] == "address refused"


def test_the_delivery_log_never_shows_what_the_target_answered(fs, client, world) -> None:
    fs.settings.webhook_allow_private = "127.0.0.1"
    with receiver(statuses=[418]) as rx:
        r = client.post(
            "/api/v1/webhooks",
            json={"url": rx["url"], "events": EVENTS},
            headers=world["admin"].headers,
        )
        with fs.uow() as uow:
            enqueue(uow, org_id=world.employer, event_type="case.destroyed", data={"case_id": "c"})
            uow.commit()
        do_deliver_due(fs.uow)
        assert len(rx["requests"]) == 1
    log = client.get(
        f"/api/v1/webhooks/{r.json()['id']}/deliveries", headers=world["admin"].headers
    )
    [delivery] = log.json()
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert delivery["log"][0]["outcome"] == "failed"
    assert "418" not in log.text and "last_status_code" not in delivery


def test_one_unparsable_url_fails_alone_and_the_others_are_delivered_once(
    fs, client, world
) -> None:
    fs.settings.webhook_allow_private = "127.0.0.1"
    with receiver() as rx:
        good = client.post(
            "/api/v1/webhooks",
            json={"url": rx["url"], "events": EVENTS},
            headers=world["admin"].headers,
        ).json()["id"]
        # Endpoints registered before URLs were checked, as they sit in a database today.
        with fs.uow() as uow:
            for n, url in enumerate(("http://0177.0.0.1/", "http://[::1")):
                uow.session.add(
                    Endpoint(
                        id=f"whk_old{n}",
                        org_id=world.agency,
                        url=url,
                        events=EVENTS,
                        secret="whsec_" + "A" * 44,
                        created_at=fs.clock.now(),
                    )
                )
            uow.commit()
        with fs.uow() as uow:
            for org in (world.agency, world.employer):
                enqueue(uow, org_id=org, event_type="case.destroyed", data={"case_id": "c"})
            uow.commit()
        do_deliver_due(fs.uow)
        do_deliver_due(fs.uow)  # the next run: nothing is sent twice
        assert len(rx["requests"]) == 1
    with fs.reader() as uow:
        rows = {d.endpoint_id: d for d in uow.session.query(Delivery)}
        legacy = uow.session.get(Endpoint, "whk_old0")
    assert rows[good].status == "delivered"
    for old in ("whk_old0", "whk_old1"):
        assert rows[old].status == "pending" and rows[old].attempts == 1
    assert legacy is not None and legacy.secret is None  # sealed by the delivery run


def test_admins_edit_disable_enable_and_delete_their_endpoints(fs, client, world) -> None:
    admin = world["admin"].headers
    fs.settings.webhook_allow_private = "127.0.0.1"
    with receiver() as rx:
        created = client.post(
            "/api/v1/webhooks",
            json={"url": "https://ats.example/h", "events": EVENTS},
            headers=admin,
        ).json()["id"]
        bad = client.patch(
            f"/api/v1/webhooks/{created}", json={"url": "http://0177.0.0.1/"}, headers=admin
        )
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
        edited = client.patch(
            f"/api/v1/webhooks/{created}",
            json={"url": rx["url"], "events": ["case.destroyed", "report.released"]},
            headers=admin,
        )
        assert edited.status_code == 200 and edited.json()["url"] == rx["url"]
        off = client.post(f"/api/v1/webhooks/{created}/disable", headers=admin)
        assert off.status_code == 200 and off.json()["disabled"] is True
        with fs.uow() as uow:
            assert enqueue(uow, org_id=world.employer, event_type="report.released", data={}) == 0
            uow.commit()
        on = client.post(f"/api/v1/webhooks/{created}/enable", headers=admin)
        assert on.status_code == 200 and on.json()["disabled"] is False
        with fs.uow() as uow:
            assert enqueue(uow, org_id=world.employer, event_type="report.released", data={}) == 1
            uow.commit()
        other = world["agency_admin"].headers
        assert client.delete(f"/api/v1/webhooks/{created}", headers=other).status_code == 404
        assert client.post(f"/api/v1/webhooks/{created}/disable", headers=other).status_code == 404
        assert client.delete(f"/api/v1/webhooks/{created}", headers=admin).status_code == 204
        do_deliver_due(fs.uow)
        assert rx["requests"] == []  # its waiting message went with it
    gone = client.get(f"/api/v1/webhooks/{created}/deliveries", headers=admin)
    assert gone.status_code == 404
