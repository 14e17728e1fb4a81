"""Scale: an organisation with a million cases, in SQLite and in PostgreSQL.

Usage: python bench/bench_million.py [--cases 1000000] [--backend both|sqlite|postgresql]
                                     [--requests 200] [--json OUT]

The cases are made in bulk with the domain's own parts: each gets its data key and its
sealed name and e-mail from the vault, its e-mail lookup hash, its consent record, a
finding for those past consent, and its `case.opened` / `consent.signed` events through
the ledger's bulk append (so the regulator's counts, which come from the ledger, see them).
Opening dates spread over the past year; states spread over the life of a check. Reports,
decisions, disputes, erasure requests and holds are not made: their figure families run
over empty tables here, and the figures' time is that of cases, consent and findings.
On PostgreSQL the load ends with VACUUM ANALYZE, as autovacuum would have done by then.

Then one real `fairscreen serve` answers, one request at a time: the case list (first
page), the list filtered by state, a search by e-mail, opening a random case, and the
regulator's compliance figures for the organisation over the year. Targets: p99 < 50 ms
for list, filter and open; figures < 2 s; the server's peak memory < 300 MiB.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.progress import Progress
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from factories.world import make_world, position  # noqa: E402
from fairscreen.bootstrap import App  # noqa: E402
from fairscreen.cases.models import Case  # noqa: E402
from fairscreen.consent.models import ConsentRecord  # noqa: E402
from fairscreen.ledger.events import NewEvent, append_events  # noqa: E402
from fairscreen.provision import initialise  # noqa: E402
from fairscreen.settings import Settings  # noqa: E402
from fairscreen.shared.clock import FrozenClock  # noqa: E402
from fairscreen.shared.ids import new_id  # noqa: E402
from fairscreen.verification.models import Finding  # noqa: E402
from support.pg import PostgresCluster  # noqa: E402
from support.server import ServerProcess  # noqa: E402

BATCH = 5_000
# The life of a check, in the shares a year of work leaves behind.
STATES = [
    ("awaiting_consent", 0.08),
    ("in_progress", 0.12),
    ("report_released", 0.20),
    ("decided", 0.45),
    ("archived", 0.15),
]
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def pick_state(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for state, share in STATES:
        total += share
        if roll < total:
            return state
    return STATES[-1][0]


def generate(app: App, cases: int, seed: int = 7) -> dict[str, Any]:
    """Make `cases` cases of one employer in bulk; return what the measurements need."""
    world = make_world(app)
    hr = world["hr"]
    pos = position(app, hr, "general", "staff")
    rng = random.Random(seed)
    sample_ids: list[str] = []
    sample_emails: list[str] = []
    started = time.perf_counter()
    with Progress() as progress:
        task = progress.add_task(f"{cases:,} cases", total=cases)
        made = 0
        while made < cases:
            n = min(BATCH, cases - made)
            with app.uow() as uow:
                session = uow.session
                events: list[NewEvent] = []
                rows: dict[Any, list[dict[str, Any]]] = {Case: [], ConsentRecord: [], Finding: []}
                vault = uow.vault
                for i in range(n):
                    k = made + i
                    at = NOW - timedelta(seconds=rng.randrange(365 * 86400))
                    case_id = new_id("case")
                    email = f"candidate{k}@bulk.example"
                    vault.create_key(case_id, at)
                    state = pick_state(rng)
                    rows[Case].append(
                        {
                            "id": case_id,
                            "employer_org_id": world.employer,
                            "agency_org_id": world.agency,
                            "position_id": pos.id,
                            "status": state,
                            "pack": "cn",
                            "pack_version": "bulk",
                            "taxonomy_version": "bulk",
                            "categories": ["identity", "education"],
                            "candidate_name": vault.seal(case_id, "case.candidate_name", "王芳"),
                            "candidate_email": vault.seal(case_id, "case.candidate_email", email),
                            "candidate_email_index": vault.lookup_hash("email", email),
                            "created_by": hr.actor.id,
                            "created_at": at,
                            "updated_at": at,
                            "version": 1,
                        }
                    )
                    events.append(
                        NewEvent(
                            "case.opened",
                            hr.actor.ref,
                            at,
                            case_id,
                            world.employer,
                            {"status": "draft"},
                        )
                    )
                    if state != "awaiting_consent":
                        signed = at + timedelta(hours=2)
                        rows[ConsentRecord].append(
                            {
                                "id": new_id("con"),
                                "case_id": case_id,
                                "decision": "signed",
                                "document_version": "bulk",
                                "document_sha256": "0" * 64,
                                "document_lang": "zh-Hans",
                                "granted_categories": ["identity", "education"],
                                "declined_categories": [],
                                "separate_consent": [],
                                "scope_sha256": "0" * 64,
                                "at": signed,
                            }
                        )
                        rows[Finding].append(
                            {
                                "id": new_id("fnd"),
                                "case_id": case_id,
                                "employer_org_id": world.employer,
                                "agency_org_id": world.agency,
                                "category": "education",
                                "claim": vault.seal(case_id, "finding.claim", "Degree, 2015"),
                                "severity": "minor",
                                "status": "verified",
                                "reason_code": "authoritative_source",
                                "rules_version": "bulk",
                                "recorded_by": world["investigator"].actor.id,
                                "recorded_at": signed + timedelta(days=1),
                                "updated_at": signed + timedelta(days=1),
                            }
                        )
                        events.append(
                            NewEvent(
                                "consent.signed",
                                "candidate",
                                signed,
                                case_id,
                                world.employer,
                                {},
                            )
                        )
                    if rng.random() < 200 / cases:
                        sample_ids.append(case_id)
                        sample_emails.append(email)
                session.flush()  # the data keys first, then the rows that use them
                for model, batch in rows.items():
                    # Core inserts of the models' tables: one statement per table and batch.
                    session.execute(insert(model), batch)
                append_events(session, events)
                uow.commit()
            made += n
            progress.update(task, completed=made)
    return {
        "world": world,
        "seconds": time.perf_counter() - started,
        "ids": sample_ids or [case_id],
        "emails": sample_emails or [email],
    }


def timed(http: httpx.Client, url: str, headers: dict[str, str], times: int) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        r = http.get(url, headers=headers)
        out.append((time.perf_counter() - started) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{url}: {r.status_code} {r.text[:200]}")
    return out


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(
    backend: str, cases: int, requests: int, cluster: PostgresCluster | None
) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix=f"fs-million-{backend}-"))
    data_dir = folder / "var"
    if cluster is not None:
        url = cluster.create_database(f"fs_million_{cases}")
    else:
        url = f"sqlite:///{data_dir / 'fairscreen.db'}"
    app = App(
        Settings(data_dir=data_dir, database_url=url, _env_file=None),  # type: ignore[call-arg]
        clock=FrozenClock(NOW),
    )
    initialise(app)
    made = generate(app, cases)
    world = made["world"]
    if cluster is not None:
        # What autovacuum does to a table loaded over months, done at once for one loaded in
        # minutes: planner statistics, and the visibility map that index-only scans need.
        started = time.perf_counter()
        with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        made["vacuum"] = time.perf_counter() - started
    app.engine.dispose()
    figures: list[dict[str, Any]] = []

    def fig(name: str, value: float, unit: str, target: str = "", met: bool | None = None) -> None:
        figures.append(
            {
                "name": f"{backend} {name}",
                "value": round(value, 2),
                "unit": unit,
                "target": target,
                "met": met,
            }
        )

    fig(f"generate {cases:,} cases", made["seconds"], "s")
    if "vacuum" in made:
        fig("VACUUM ANALYZE after the load", made["vacuum"], "s")
    rng = random.Random(11)
    with ServerProcess(data_dir, database_url=url, env={"FAIRSCREEN_SCHEDULER": "false"}) as server:
        hr = world["hr"].headers
        inspector = world["inspector"].headers
        with httpx.Client(base_url=server.url, timeout=120) as http:
            timed(http, "/api/v1/cases?limit=50", hr, 3)  # warm the caches
            runs = {
                "health (no database work)": timed(http, "/api/v1/health", {}, requests),
                "list": timed(http, "/api/v1/cases?limit=50", hr, requests),
                "filter": timed(
                    http, "/api/v1/cases?limit=50&status=report_released", hr, requests
                ),
                "open": [
                    timed(http, f"/api/v1/cases/{rng.choice(made['ids'])}", hr, 1)[0]
                    for _ in range(requests)
                ],
            }
            for name, values in runs.items():
                fig(f"{name} p50", statistics.median(values), "ms")
                if name.startswith("health"):
                    fig(f"{name} p99", p99(values), "ms")
                else:
                    fig(f"{name} p99", p99(values), "ms", "< 50 ms", p99(values) < 50)
            since = (NOW - timedelta(days=364)).date().isoformat()
            figures_url = (
                f"/api/v1/regulator/organizations/{world.employer}/compliance"
                f"?from={since}&to={NOW.date().isoformat()}"
            )
            compliance = timed(http, figures_url, inspector, 3)
            fig(
                "regulator figures (worst of 3)",
                max(compliance) / 1000,
                "s",
                "< 2 s",
                max(compliance) < 2000,
            )
        rss = peak_rss_mib(server.process.pid) if server.process else 0.0
        fig("server peak memory", rss, "MiB", "< 300 MiB", rss < 300)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json")
    args = parser.parse_args()
    figures: list[dict[str, Any]] = []
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        cluster = PostgresCluster() if backend == "postgresql" else None
        try:
            if cluster is not None:
                cluster.start()
            figures += measure(backend, args.cases, args.requests, cluster)
        finally:
            if cluster is not None:
                cluster.stop()
    width = max(len(f["name"]) for f in figures)
    for f in figures:
        met = "" if f["met"] is None else ("yes" if f["met"] else "NO")
        print(f"{f['name'].ljust(width)}  {f['value']:>12,} {f['unit']:<4} {f['target']:<10} {met}")
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures}, indent=2, ensure_ascii=False))
    return 0 if all(f["met"] is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
