"""A slow or hostile endpoint costs its own deliveries an attempt, and nothing else."""

from __future__ import annotations

import ipaddress
import threading

from sqlalchemy import select, text
from standardwebhooks.webhooks import Webhook

from factories.world import make_world
from fairscreen.jobs.registry import JOBS
from fairscreen.jobs.scheduler import Scheduler
from fairscreen.vault.actions import begin_rotation, do_rewrap_all
from fairscreen.vault.models import VaultSecret
from fairscreen.webhooks.actions import do_create_endpoint, do_deliver_due, enqueue
from fairscreen.webhooks.models import Delivery, Endpoint
from fairscreen.webhooks.outbound import Vetted, exchange
from fairscreen.webhooks.policy import parse_target
from support.receiver import receiver, tarpit

EVENTS = ["case.destroyed"]


def _queue(fs, org_id: str) -> None:
    with fs.uow() as uow:
        enqueue(uow, org_id=org_id, event_type="case.destroyed", data={"case_id": "c"})
        uow.commit()


def test_no_transaction_is_open_while_the_target_answers(fs, loopback_allowed) -> None:
    world = make_world(fs)
    hold = threading.Event()
    with receiver(hold=hold) as rx:
        do_create_endpoint(fs.uow(), actor=world["admin"].actor, url=rx["url"], events=EVENTS)
        _queue(fs, world.employer)
        delivering = threading.Thread(target=do_deliver_due, args=(fs.uow,))
        delivering.start()
        assert rx["arrived"].wait(30)
        # The target has the request and has not answered: another tenant writes meanwhile
        # (on SQLite a write transaction held across the send made this wait, then fail).
        _queue(fs, world.agency)
        with fs.uow() as uow:
            uow.session.execute(text("UPDATE webhooks_delivery SET attempts = attempts"))
            uow.commit()
        hold.set()
        delivering.join(30)
    with fs.reader() as uow:
        [delivery] = uow.session.scalars(select(Delivery).where(Delivery.status == "delivered"))
    assert delivery.attempts == 1


def test_a_tarpit_is_cut_at_the_deadline_however_slowly_it_drips(fs, loopback_allowed) -> None:
    world = make_world(fs)
    with tarpit(drip_seconds=0.05) as pit:  # every read gets a byte long before a timeout
        do_create_endpoint(fs.uow(), actor=world["admin"].actor, url=pit["url"], events=EVENTS)
        _queue(fs, world.employer)
        report = do_deliver_due(fs.uow, deadline=0.5)
    assert report.retrying == 1
    with fs.reader() as uow:
        [delivery] = uow.session.scalars(select(Delivery))
    assert delivery.log[0] == {
        "at": delivery.log[0]["at"],
        "outcome": "failed",
        "reason": "timed out",
    }


def test_a_flood_of_an_answer_is_read_no_further_than_the_cap() -> None:
    with tarpit(body_bytes=50 * 1024 * 1024) as pit:
        target = parse_target(pit["url"])
        vetted = Vetted(pit["url"], target, ipaddress.ip_address("127.0.0.1"))
        answer = exchange(vetted, "POST", body=b"{}", max_bytes=1000)
    assert answer.status == 200 and len(answer.body) == 1000


def test_the_connection_goes_to_the_checked_address_with_the_names_host_header() -> None:
    with receiver() as rx:
        url = f"http://ats.example:{rx['port']}/hook"  # resolves nowhere: never looked up
        vetted = Vetted(url, parse_target(url), ipaddress.ip_address("127.0.0.1"))
        answer = exchange(vetted, "POST", body=b"{}")
        [request] = rx["requests"]
    assert answer.status == 200 and request["headers"]["Host"] == f"ats.example:{rx['port']}"


def test_a_slow_endpoint_holds_one_worker_for_one_deadline_and_the_others_are_delivered(
    fs, loopback_allowed
) -> None:
    world = make_world(fs)
    with tarpit(drip_seconds=0.05) as pit, receiver() as rx:
        do_create_endpoint(fs.uow(), actor=world["admin"].actor, url=pit["url"], events=EVENTS)
        do_create_endpoint(
            fs.uow(), actor=world["agency_admin"].actor, url=rx["url"], events=EVENTS
        )
        for _ in range(6):
            _queue(fs, world.employer)
        for _ in range(3):
            _queue(fs, world.agency)
        report = do_deliver_due(fs.uow, deadline=0.5)
        assert pit["connections"] == 1  # then the run's budget was spent
        assert len(rx["requests"]) == 3 and report.delivered == 3 and report.retrying == 1
    with fs.reader() as uow:
        waiting = list(uow.session.scalars(select(Delivery).where(Delivery.attempts == 0)))
    assert len(waiting) == 5  # given back untried, due at once for the next run
    assert all(d.next_attempt_at <= fs.clock.now() for d in waiting)


def test_webhook_delivery_runs_on_a_thread_of_its_own(fs) -> None:
    lanes = Scheduler(fs, JOBS).lanes()
    assert [j.name for j in lanes["webhooks"]] == ["webhooks.deliver"]
    assert "retention.purge" in [j.name for j in lanes["main"]]
    assert "mail.send" in [j.name for j in lanes["main"]]


def test_the_signing_secret_is_sealed_at_rest_and_survives_key_rotation(
    fs, clock, loopback_allowed
) -> None:
    from datetime import UTC, datetime

    clock.set(datetime.now(UTC))
    world = make_world(fs)
    with receiver() as rx:
        endpoint_id, secret = do_create_endpoint(
            fs.uow(), actor=world["admin"].actor, url=rx["url"], events=EVENTS
        )
        key = secret.removeprefix("whsec_")
        with fs.reader() as uow:
            assert uow.session.get(Endpoint, endpoint_id).secret is None
            row = uow.session.get(VaultSecret, (endpoint_id, "webhooks.signing"))
            dump = "\n".join(
                str(r) for r in uow.session.execute(text("SELECT * FROM webhooks_endpoint"))
            )
        assert key not in dump and secret.encode() not in row.wrapped
        begin_rotation(fs.uow, fs.keys)
        do_rewrap_all(fs.uow, fs.keys, actor_ref="system:test")
        _queue(fs, world.employer)
        do_deliver_due(fs.uow)
        [request] = rx["requests"]
    with fs.reader() as uow:
        assert uow.session.get(VaultSecret, (endpoint_id, "webhooks.signing")).kek_id == (
            fs.keys.current_kek_id()
        )
    assert Webhook(secret).verify(request["body"], request["headers"])["type"] == "case.destroyed"
