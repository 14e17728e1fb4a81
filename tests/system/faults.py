"""What the fault tests share: fast preparation through the actions, and the invariants
every crash must leave intact (ledger, cases, data keys)."""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from factories.world import World, position, staff
from fairscreen.bootstrap import App
from fairscreen.cases.actions import do_open_case
from fairscreen.cases.models import Case
from fairscreen.db.registry import metadata
from fairscreen.db.types import SealedBytes
from fairscreen.identity.actions import do_create_org
from fairscreen.identity.policy import SYSTEM
from fairscreen.ledger.checkpoints import checkpoint_job, origin_for, public_verifier_key
from fairscreen.ledger.export import write_export
from fairscreen.ledger.models import LedgerEvent, LedgerHead
from fairscreen.ledger.verify import verify_export
from fairscreen.mail.backends import Message
from fairscreen.retention.models import Tombstone
from fairscreen.retention.policy import SURVIVING_TABLES
from fairscreen.shared.clock import FrozenClock
from fairscreen.vault.keys import LocalKeyProvider
from fairscreen.vault.models import VaultCaseKey
from fairscreen.vault.service import CaseVault
from support.cli import run
from support.passwords import CHEAP_PASSWORDS

BASE_URL = "http://served.test"  # the deployment's, so every checkpoint has one origin
_serial = itertools.count()


class _NoMail:
    """Preparation sends no invitations (the outbox would only cost time)."""

    def send(self, message: Message) -> None:
        pass


def preparer(deployment, at: datetime | None = None) -> App:
    """An in-process app over the deployment's database with its own clock and no mail."""
    clock = FrozenClock(at) if at else FrozenClock(datetime.now(UTC))
    return App(
        deployment.app.settings,
        clock=clock,
        engine=deployment.app.engine,
        mailer=_NoMail(),
        passwords=CHEAP_PASSWORDS,
    )


@contextmanager
def sqlite_held_open(deployment) -> Iterator[None]:
    """Keep one connection open while preparing: closing the last one checkpoints the WAL."""
    url = make_url(deployment.database_url)
    if url.get_backend_name() != "sqlite":
        yield
        return
    import sqlite3

    conn = sqlite3.connect(str(url.database))
    try:
        yield
    finally:
        conn.close()


def small_world(app: App) -> World:
    """An employer with one HR user and an agency (one password hash, not five)."""
    regulator = do_create_org(app.uow(), actor=SYSTEM, name="Inspectorate", kind="regulator")
    employer = do_create_org(
        app.uow(), actor=SYSTEM, name="Employer Co", kind="employer", regulator_id=regulator
    )
    agency = do_create_org(
        app.uow(), actor=SYSTEM, name="Agency Co", kind="agency", regulator_id=regulator
    )
    world = World(app, regulator, employer, agency)
    world.staff["hr"] = staff(app, employer, "employer")
    return world


def open_cases(app: App, world, n: int) -> list[str]:
    """Open `n` cases through the action (each invites its candidate); return their ids."""
    pos = position(app, world["hr"])
    ids = []
    for _ in range(n):
        i = next(_serial)
        case_id, _ = do_open_case(
            app.uow(),
            actor=world["hr"].actor,
            position_id=pos.id,
            candidate_name=f"候选人{i}",
            candidate_email=f"candidate{i}@crash.example",
            categories=["identity", "education"],
            agency_id=world.agency,
        )
        ids.append(case_id)
    return ids


def scalar(deployment, query) -> int:
    """Read one number without taking SQLite's write lock (a plain BEGIN, not IMMEDIATE)."""
    with deployment.app.engine.execution_options(fs_readonly=True).connect() as conn:
        return int(conn.execute(query).scalar_one())


# -- the invariants --------------------------------------------------------------------


@dataclass
class State:
    live: set[str]
    destroyed: set[str]
    ledger_size: int
    kek_ids: Counter[str]


def _verify_ledger(deployment, base_url: str, *, via_cli: bool) -> int:
    """Export the ledger and verify the file offline; return its size.

    Through the `fairscreen ledger export/verify` commands, or (to spare two interpreter
    starts in the checks between the steps) through the same functions in-process.
    """
    export = deployment.data_dir.parent / f"ledger-{time.monotonic_ns()}.jsonl"
    if via_cli:
        exported = run(
            deployment.data_dir,
            "ledger",
            "export",
            str(export),
            "--json",
            db_url=deployment.database_url,
            base_url=base_url,
        )
        assert exported.returncode == 0, exported.stderr
        summary = json.loads(exported.stdout)
        verified = run(
            deployment.data_dir,
            "ledger",
            "verify",
            str(export),
            "--key",
            summary["verifier_key"],
            "--json",
            db_url=deployment.database_url,
        )
        assert verified.returncode == 0, verified.stderr
        assert json.loads(verified.stdout)["events"] == summary["events"]
        return int(summary["events"])
    settings = deployment.app.settings.model_copy(update={"base_url": base_url})
    app = App(settings, engine=deployment.app.engine)
    final = checkpoint_job(app)
    origin = origin_for(base_url)
    vkey = public_verifier_key(origin, app.keys.ledger_signing_key())
    with app.reader() as uow, export.open("wb") as out:
        written = write_export(uow.session, out, origin=origin, verifier_key=vkey, final=final)
    result = verify_export(export, verifier_key=vkey)
    assert result.ok, f"ledger fails at {result.first_bad_index}: {result.message}"
    assert result.events == written.events == final.size
    return result.events


def _case_tables() -> list:
    return [t for t in metadata().sorted_tables if "case_id" in t.c and t.name != "cases_case"]


def check_invariants(deployment, *, base_url: str = BASE_URL, via_cli: bool = False) -> State:
    """Assert the ledger, every case and every data key are in a consistent state."""
    exported = _verify_ledger(deployment, base_url, via_cli=via_cli)
    keys = LocalKeyProvider(deployment.app.settings.key_file)  # as on disk now
    app = deployment.app
    with app.reader() as uow:
        session = uow.session
        indices = list(session.scalars(select(LedgerEvent.idx).order_by(LedgerEvent.idx)))
        head = session.scalar(select(LedgerHead.size))
        assert indices == list(range(len(indices))), "ledger indices have a gap or a duplicate"
        assert head == len(indices) == exported

        cases = {c.id: c for c in session.scalars(select(Case))}
        key_rows = {k.case_id: k for k in session.scalars(select(VaultCaseKey))}
        tombstones = {t.case_id: t for t in session.scalars(select(Tombstone))}
        destructions = Counter(
            session.scalars(select(LedgerEvent.case_id).where(LedgerEvent.type == "case.destroyed"))
        )
        opened = set(
            session.scalars(select(LedgerEvent.case_id).where(LedgerEvent.type == "case.opened"))
        )
        # No data key without its case, and no case (or its event) without the other.
        assert set(key_rows) == set(cases), "a data key without its case, or the reverse"
        assert opened == set(cases), "a case.opened event without its case, or the reverse"

        vault = CaseVault(session, keys)
        live = {i for i, c in cases.items() if c.status != "destroyed"}
        destroyed = set(cases) - live
        for case_id in live:
            key = key_rows[case_id]
            assert key.wrapped is not None and key.destroyed_at is None, case_id
            assert key.kek_id in keys.kek_ids(), f"{case_id}: its KEK {key.kek_id} is gone"
            case = cases[case_id]
            assert case.candidate_name is not None and case.candidate_email is not None
            assert vault.open(case_id, "case.candidate_name", case.candidate_name)
            assert "@" in vault.open(case_id, "case.candidate_email", case.candidate_email)
            assert case_id not in tombstones and case_id not in destructions
        for case_id in destroyed:
            key = key_rows[case_id]
            assert key.wrapped is None and key.destroyed_at is not None, case_id
            case = cases[case_id]
            assert case.candidate_name is None and case.candidate_email is None
            assert case.candidate_email_index is None
            assert destructions[case_id] == 1, f"{case_id}: {destructions[case_id]} destructions"
            assert case_id in tombstones
            tomb_event = session.get(LedgerEvent, tombstones[case_id].ledger_index)
            assert tomb_event is not None and tomb_event.case_id == case_id
            assert tomb_event.type == "case.destroyed"
        if destroyed:
            ids = sorted(destroyed)
            for table in _case_tables():
                if table.name in SURVIVING_TABLES:
                    sealed = [c for c in table.c if isinstance(c.type, SealedBytes)]
                    for column in sealed:
                        left = session.execute(
                            select(func.count())
                            .select_from(table)
                            .where(table.c.case_id.in_(ids), column.is_not(None))
                        ).scalar_one()
                        assert left == 0, f"{table.name}.{column.name} of a destroyed case"
                else:
                    left = session.execute(
                        select(func.count()).select_from(table).where(table.c.case_id.in_(ids))
                    ).scalar_one()
                    assert left == 0, f"{table.name} keeps rows of a destroyed case"
        kek_ids = Counter(k.kek_id for k in key_rows.values() if k.wrapped is not None)
    return State(live, destroyed, len(indices), kek_ids)


# -- (a) purge ---------------------------------------------------------------------------
