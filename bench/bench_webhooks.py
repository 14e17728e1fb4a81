"""Webhooks under load: a tarpit and a failing endpoint cost other tenants nothing.

Usage: python bench/bench_webhooks.py [--clients 50] [--duration 20] [--replicas 2]
                                      [--think 1] [--backend postgresql|sqlite] [--json OUT]

The set-up of bench_load (its helpers are reused): a throwaway PostgreSQL, an SMTP sink,
`--replicas` real `fairscreen serve` processes with their schedulers, and `--clients`
clients running whole case journeys through them in turn. The journeys' employer has a
healthy endpoint (report.released). Two other tenants have endpoints too: one a bounded
tarpit (it accepts, then drips a byte every 0.2 s and never finishes an answer; the
sender cuts it at its deadline), the other answers 500 to everything; a feeder queues
events for both while the journeys run.

The journeys run twice on the same servers: first with the two bad endpoints disabled,
then with them enabled and fed. Figures:

- the write p99 (every POST of the journeys, pooled) of both runs and their ratio
  (target <= 1.2: the bad endpoints slow no one else's writes);
- no duplicate delivery: every webhook-id reached the healthy receiver once, and no
  endpoint got a delivery more often than its recorded attempts;
- every due delivery attempted: after a drain of one deadline and two job intervals, no
  delivery queued before it is still untried.

The machine's two cores are shared with the servers, PostgreSQL and the clients (and on a
shared machine with other work): compare the two runs with each other, not with another
day's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import bench_load  # first: it puts tests/ on the path for the imports below
from aiosmtpd.controller import Controller
from bench_load import Inbox, pct, run_journeys
from sqlalchemy import func, select

from factories.world import make_world, position, staff
from fairscreen.bootstrap import App
from fairscreen.identity.actions import do_create_org
from fairscreen.identity.policy import SYSTEM
from fairscreen.provision import initialise
from fairscreen.settings import Settings
from fairscreen.webhooks.actions import (
    do_create_endpoint,
    do_set_endpoint_enabled,
    enqueue,
)
from fairscreen.webhooks.models import Delivery
from fairscreen.webhooks.outbound import DEADLINE_SECONDS
from support.pg import PostgresCluster
from support.receiver import receiver, tarpit
from support.server import ServerProcess

JOB_INTERVAL = 5.0  # jobs/registry.py: webhooks.deliver


def write_p99(rec: bench_load.Recorder) -> float:
    """The p99 in ms of every write request of a run, pooled."""
    writes = [v for route, vs in rec.latency.items() if route.split()[0] != "GET" for v in vs]
    return pct(writes, 0.99)


def feed(app: App, orgs: list[str], stop: threading.Event, every: float) -> None:
    """Queue one event for each org every `every` seconds until stopped."""
    while not stop.wait(every):
        with app.uow() as uow:
            for org in orgs:
                enqueue(uow, org_id=org, event_type="case.destroyed", data={"case_id": "x"})
            uow.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--json")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fs-webhooks-"))
    cluster = PostgresCluster() if args.backend == "postgresql" else None
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=bench_load.free_port())
    smtp.start()
    servers: list[ServerProcess] = []
    figures: list[dict[str, Any]] = []

    def fig(name: str, value: Any, unit: str, target: str = "", met: bool | None = None) -> None:
        figures.append({"name": name, "value": value, "unit": unit, "target": target, "met": met})

    try:
        if cluster is not None:
            cluster.start()
            url = cluster.create_database("fs_webhooks")
        else:
            url = f"sqlite:///{folder / 'var' / 'fairscreen.db'}"
        data_dir = folder / "var"
        env = {
            "FAIRSCREEN_MAIL": f"smtp://127.0.0.1:{smtp.port}",
            "FAIRSCREEN_WEBHOOK_ALLOW_PRIVATE": "127.0.0.1",  # the receivers are on loopback
        }
        if os.environ.get("PYTHONPATH"):  # a checkout's sources over the installed ones
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        app = App(
            Settings(  # type: ignore[call-arg]
                data_dir=data_dir,
                database_url=url,
                webhook_allow_private="127.0.0.1",
                _env_file=None,
            )
        )
        initialise(app)
        world = make_world(app)
        slow_org, failing_org = (
            do_create_org(
                app.uow(), actor=SYSTEM, name=name, kind="employer", regulator_id=world.regulator
            )
            for name in ("Tarpit Co", "Failing Co")
        )
        with (
            receiver() as good,
            receiver(statuses=[500] * 100_000) as failing,
            tarpit(drip_seconds=0.2) as slow,
        ):
            do_create_endpoint(
                app.uow(), actor=world["admin"].actor, url=good["url"], events=["report.released"]
            )
            bad = [
                do_create_endpoint(
                    app.uow(),
                    actor=staff(app, org, "admin").actor,
                    url=target["url"],
                    events=["case.destroyed"],
                )[0]
                for org, target in ((slow_org, slow), (failing_org, failing))
            ]
            bad_admins = [staff(app, org, "admin").actor for org in (slow_org, failing_org)]

            def set_bad(enabled: bool) -> None:
                for admin, endpoint_id in zip(bad_admins, bad, strict=True):
                    do_set_endpoint_enabled(
                        app.uow(), actor=admin, endpoint_id=endpoint_id, enabled=enabled
                    )

            pos = position(app, world["hr"], "general", "staff")
            for _ in range(args.replicas):
                server = ServerProcess(data_dir, database_url=url, env=env)
                server.start()
                servers.append(server)
            kw = {
                "bases": [s.url for s in servers],
                "inbox": inbox,
                "staff": {k: world[k].headers for k in ("hr", "investigator")},
                "position_id": pos.id,
                "agency_id": world.agency,
            }
            loop = asyncio.new_event_loop()
            loop.run_until_complete(run_journeys(2, 3, 0.0, **kw))  # warm-up

            set_bad(False)
            base_rec, base_journeys, _ = loop.run_until_complete(
                run_journeys(args.clients, args.duration, args.think, **kw)
            )
            set_bad(True)
            stop = threading.Event()
            with app.uow() as uow:  # a backlog for each bad endpoint, then a trickle
                for _ in range(3):
                    for org in (slow_org, failing_org):
                        enqueue(uow, org_id=org, event_type="case.destroyed", data={})
                uow.commit()
            feeder = threading.Thread(
                target=feed, args=(app, [slow_org, failing_org], stop, 10.0), daemon=True
            )
            feeder.start()
            bad_rec, bad_journeys, _ = loop.run_until_complete(
                run_journeys(args.clients, args.duration, args.think, **kw)
            )
            stop.set()
            feeder.join()
            loop.close()
            queued_by = app.clock.now()
            time.sleep(DEADLINE_SECONDS + 2 * JOB_INTERVAL)  # the drain
            with app.reader() as uow:
                untried = uow.session.scalar(
                    select(func.count())
                    .select_from(Delivery)
                    .where(
                        Delivery.attempts == 0,
                        Delivery.created_at <= queued_by - timedelta(seconds=1),
                    )
                )
                attempts = dict(uow.session.execute(select(Delivery.id, Delivery.attempts)).all())
                total = uow.session.scalar(select(func.count()).select_from(Delivery))
            good_ids = Counter(r["headers"].get("webhook-id") for r in good["requests"])
            failing_ids = Counter(r["headers"].get("webhook-id") for r in failing["requests"])
            tarpit_connections = slow["connections"]

        base_p99, bad_p99 = write_p99(base_rec), write_p99(bad_rec)
        ratio = bad_p99 / base_p99 if base_p99 else 0.0
        fig("clients", args.clients, "clients")
        fig("replicas", args.replicas, "processes")
        fig("think_time_mean", args.think, "s")
        fig("journeys_without_bad_endpoints", base_journeys, "journeys")
        fig("journeys_with_bad_endpoints", bad_journeys, "journeys")
        errors = len(base_rec.errors) + len(bad_rec.errors)
        fig("errors", errors, "errors", "== 0", errors == 0)
        fig("write_p99_without_bad_endpoints", round(base_p99, 1), "ms")
        fig("write_p99_with_bad_endpoints", round(bad_p99, 1), "ms")
        fig("write_p99_ratio", round(ratio, 3), "ratio", "<= 1.2", ratio <= 1.2)
        twice = sum(n - 1 for n in good_ids.values() if n > 1)
        over = sum(1 for i, n in failing_ids.items() if n > attempts.get(i, 0))
        fig("deliveries", total, "deliveries")
        fig("healthy_delivered", len(good_ids), "deliveries")
        fig("healthy_delivered_twice", twice, "deliveries", "== 0", twice == 0)
        fig("failing_sent_beyond_attempts", over, "deliveries", "== 0", over == 0)
        fig("tarpit_connections", tarpit_connections, "connections")
        fig("due_not_attempted", untried, "deliveries", "== 0", untried == 0)
        app.engine.dispose()
    finally:
        for server in servers:
            server.stop()
        smtp.stop()
        if cluster is not None:
            cluster.stop()

    width = max(len(f["name"]) for f in figures)
    for f in figures:
        mark = "" if f["met"] is None else ("  ok" if f["met"] else "  MISSED")
        print(f"{f['name']:<{width}}  {f['value']} {f['unit']} {f['target']}{mark}")  # noqa: T201
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures}, indent=2))
    return 0 if all(f["met"] is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
