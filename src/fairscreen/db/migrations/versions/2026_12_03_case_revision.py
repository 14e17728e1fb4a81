"""the case file's revision (cases/revision.py)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 12:30:00

`cases_case.revision`, moved on by triggers whenever a row of a case's file is inserted or
updated, so that a cached case file is known to be current with one small read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The case-linked tables at this revision (cases/revision.py: every table with a case_id
# but the ledger's and the mail queue's). A snapshot: later tables bring their own.
TABLES = (
    "audit_demographics",
    "cases_candidate_token",
    "compliance_refusal",
    "consent_record",
    "evidence_file",
    "feedback_assessment",
    "feedback_decision",
    "feedback_item",
    "feedback_notice",
    "matching_identifiers",
    "rating_report",
    "retention_erasure",
    "retention_hold",
    "retention_tombstone",
    "statements_account",
    "vault_case_key",
    "verification_finding",
    "verification_source",
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION fairscreen_case_revised() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases_case SET revision = revision + 1 WHERE id = NEW.case_id;
    RETURN NULL;
END
$$;
"""


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: batch mode would copy the table on SQLite
    # (a million cases), and the copy is refused while other tables refer to it.
    op.add_column(
        "cases_case",
        sa.Column("revision", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_revises_case AFTER INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION fairscreen_case_revised()"
            )
        return
    for table in TABLES:
        for operation in ("insert", "update"):
            op.execute(
                f"CREATE TRIGGER {table}_revises_case_{operation} "
                f"AFTER {operation.upper()} ON {table} BEGIN "
                "UPDATE cases_case SET revision = revision + 1 WHERE id = NEW.case_id; END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_revises_case ON {table}")
        else:
            for operation in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_revises_case_{operation}")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS fairscreen_case_revised()")
    with op.batch_alter_table("cases_case", schema=None) as batch_op:
        batch_op.drop_column("revision")
