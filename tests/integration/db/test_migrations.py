"""The Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from fairscreen.db.engine import make_engine
from fairscreen.db.migrate import upgrade
from fairscreen.db.registry import metadata


def _fresh_url(backend, tmp_path, request) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"mig_{abs(hash(str(tmp_path))) % 10**8}")


def test_migrations_match_models_and_are_idempotent(backend, tmp_path, request) -> None:
    engine = make_engine(_fresh_url(backend, tmp_path, request))
    upgrade(engine)
    upgrade(engine)  # init is idempotent
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata())
        assert diff == [], f"models and migrations differ; add a migration: {diff}"
        assert conn.execute(text("SELECT size FROM ledger_head")).scalar_one() == 0
    engine.dispose()


def test_findings_recorded_before_0002_get_their_case_organisations(
    backend, tmp_path, request
) -> None:
    # A database made by the first release, with a finding in it, then upgraded.
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import insert, select

    from fairscreen.cases.models import Case
    from fairscreen.db.migrate import alembic_config
    from fairscreen.identity.models import Org
    from fairscreen.scope.models import Position
    from fairscreen.verification.models import Finding

    engine = make_engine(_fresh_url(backend, tmp_path, request))
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    with engine.begin() as conn:
        for org_id, kind in (("org_emp", "employer"), ("org_agy", "agency")):
            conn.execute(
                insert(Org).values(id=org_id, name=org_id, kind=kind, pack="cn", created_at=at)
            )
        conn.execute(
            insert(Position).values(
                id="pos_1",
                org_id="org_emp",
                title="Clerk",
                purpose="general",
                grade="staff",
                pack="cn",
                pack_version="1",
                allowed_categories=["education"],
                created_at=at,
            )
        )
        for case_id, agency in (("case_a", "org_agy"), ("case_b", None)):
            conn.execute(
                insert(Case).values(
                    id=case_id,
                    employer_org_id="org_emp",
                    agency_org_id=agency,
                    position_id="pos_1",
                    status="in_progress",
                    pack="cn",
                    pack_version="1",
                    taxonomy_version="1",
                    categories=["education"],
                    candidate_email_index="x",
                    created_by="usr",
                    created_at=at,
                    updated_at=at,
                    version=1,
                )
            )
            conn.execute(
                text(
                    "INSERT INTO verification_finding (id, case_id, category, adverse, severity,"
                    " job_related, status, reason_code, rules_version, recorded_by, recorded_at,"
                    " updated_at) VALUES (:id, :case_id, 'education', false, 'minor', true,"
                    " 'verified', 'r', 'v', 'usr', :at, :at)"
                ),
                {"id": f"fnd_{case_id}", "case_id": case_id, "at": at.replace(tzinfo=None)},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Finding.id, Finding.employer_org_id, Finding.agency_org_id).order_by(Finding.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("fnd_case_a", "org_emp", "org_agy"),
        ("fnd_case_b", "org_emp", None),
    ]
    engine.dispose()


def test_the_migrated_ledger_function_is_the_one_the_models_create(tmp_path, request) -> None:
    import os

    from fairscreen.ledger.models import APPEND_PG_SQL

    if os.environ.get("FAIRSCREEN_SKIP_POSTGRES") == "1":
        pytest.skip("PostgreSQL is skipped in this run")
    cluster = request.getfixturevalue("pg_cluster")
    migrated = make_engine(cluster.create_database("fn_migrated"))
    created = make_engine(cluster.create_database("fn_created"))
    upgrade(migrated)
    metadata().create_all(created)
    query = text("SELECT prosrc FROM pg_proc WHERE proname = 'fairscreen_ledger_append'")
    sources = []
    for engine in (migrated, created):
        with engine.connect() as conn:
            sources.append(conn.execute(query).scalar_one())
        engine.dispose()
    assert sources[0] == sources[1]
    assert sources[0].strip() in APPEND_PG_SQL


def test_the_migrated_revision_triggers_are_the_ones_the_models_create(
    backend, tmp_path, request
) -> None:
    # cases/revision.py: a table that lost its trigger would let the case-file cache serve
    # an old file; a migration that rebuilds a table on SQLite drops its triggers.
    from fairscreen.cases.revision import case_linked_tables

    if backend == "sqlite":
        urls = [f"sqlite:///{tmp_path / 'migrated.db'}", f"sqlite:///{tmp_path / 'created.db'}"]
        query = text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
    else:
        cluster = request.getfixturevalue("pg_cluster")
        urls = [cluster.create_database("trg_migrated"), cluster.create_database("trg_created")]
        query = text(
            "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
            " AND tgname LIKE '%revises_case%'"
        )
    migrated, created = (make_engine(url) for url in urls)
    upgrade(migrated)
    metadata().create_all(created)
    found = []
    for engine in (migrated, created):
        with engine.connect() as conn:
            found.append(sorted(tuple(r) for r in conn.execute(query)))
        engine.dispose()
    assert found[0] == found[1]
    tables = {table for _, table in found[0]}
    assert tables == set(case_linked_tables(metadata()))
    assert "verification_finding" in tables and "ledger_event" not in tables
