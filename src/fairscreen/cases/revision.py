"""The case file's revision: a counter the database moves on whenever a row of the file changes.

The case-file cache (`cases/cache.py`) keeps a case file only while the case row's
`(version, revision)` is what it was when the file was built:

- `version` moves with every update of the case row itself (the ORM's optimistic lock,
  and the purge's bulk update of a chunk of cases);
- `revision` is moved by triggers on every table whose rows carry a `case_id`, on insert
  and on update, except the tables in `NOT_IN_CASE_FILE`.

Triggers rather than application hooks: a bulk Core statement, a command run in another
process or a migration's backfill moves the revision as surely as an ORM flush, and a
table added later is covered by default (it has a `case_id`, so it gets a trigger unless
someone says here that the case file never shows it).

Rows of a case file are deleted only when the case is destroyed (`retention/purge.py`),
which moves `version` in the same transaction; so there are no DELETE triggers, and a
purge's millions of deletions cost nothing more.

Keep in mind for migrations: on SQLite, Alembic's batch mode rebuilds a table by copying
it, which drops its triggers. A migration that batch-alters a case-linked table must
create its trigger again (`test_migrations` compares the migrated triggers with these).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import MetaData

# Case-linked tables whose rows the case file never shows: the ledger (written by every
# action, read by regulators) and the mail queue (its rows change as the job sends).
NOT_IN_CASE_FILE = frozenset({"ledger_event", "mail_queued"})

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION fairscreen_case_revised() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases_case SET revision = revision + 1 WHERE id = NEW.case_id;
    RETURN NULL;
END
$$;
"""


def case_linked_tables(metadata: MetaData) -> list[str]:
    """Return the tables whose changes move their case's revision, by name."""
    return sorted(
        t.name
        for t in metadata.tables.values()
        if "case_id" in t.c and t.name not in NOT_IN_CASE_FILE
    )


def trigger_name(table: str, operation: str = "") -> str:
    """Return the name of a table's revision trigger (SQLite has one per operation)."""
    return f"{table}_revises_case{'_' + operation if operation else ''}"


def trigger_ddl(dialect: str, tables: Iterable[str]) -> list[str]:
    """Return the statements that create the revision triggers (idempotent)."""
    statements: list[str] = []
    if dialect == "postgresql":
        statements.append(PG_FUNCTION)
        for table in tables:
            name = trigger_name(table)
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION fairscreen_case_revised()"
            )
        return statements
    for table in tables:
        for operation in ("insert", "update"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, operation)} "
                f"AFTER {operation.upper()} ON {table} BEGIN "
                "UPDATE cases_case SET revision = revision + 1 WHERE id = NEW.case_id; END"
            )
    return statements
