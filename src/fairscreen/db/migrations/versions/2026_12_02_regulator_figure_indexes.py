"""regulator figure indexes (findings carry their case's orgs); PostgreSQL ledger append

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 16:30:00

The columns are filled from each finding's case, then made required (the employer's) and
indexed. A case never changes its organisations, so the copy cannot drift. The ledger's
index on the organisation alone becomes one on (organisation, type, time).

On PostgreSQL, the function `fairscreen_ledger_append` (ledger/events.py uses it): a
ledger append in one round trip, whatever other processes appended meanwhile.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


APPEND_PG = r"""
-- fairscreen_ledger_append: one ledger append on PostgreSQL, in one round trip.
--
-- It does what ledger/events.py's general path does from Python, inside the database:
-- take the next index on the sequencer row (the row lock serialises appenders and a
-- rollback leaves no gap), store the leaf and every subtree it completes, store the
-- event. The node hashes are RFC 9162's, as ledger/merkle.py computes them:
-- SHA-256(0x01 || left || right). PL/pgSQL statements of a VOLATILE function each take a
-- fresh snapshot under READ COMMITTED, so the siblings read after the UPDATE waited for
-- another appender's lock are that appender's committed nodes. The tests check the trees
-- it builds against merkle.py's, root by root.
CREATE OR REPLACE FUNCTION fairscreen_ledger_append(
    p_type text,
    p_case_id text,
    p_org_id text,
    p_actor text,
    p_at timestamptz,
    p_body text,
    p_leaf bytea
) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    n bigint;
    i bigint;
    lvl integer := 0;
    digest bytea := p_leaf;
    sibling bytea;
BEGIN
    IF length(p_leaf) <> 32 THEN
        RAISE EXCEPTION 'a ledger leaf hash is 32 bytes';  -- no format: no percent sign
    END IF;
    UPDATE ledger_head SET size = size + 1, root = NULL WHERE id = 1 RETURNING size - 1 INTO n;
    IF n IS NULL THEN
        RETURN NULL;  -- no sequencer row yet: the caller creates it
    END IF;
    INSERT INTO ledger_node (level, idx, hash) VALUES (0, n, p_leaf);
    i := n;
    -- Each trailing 1 bit of n is a complete left sibling waiting on the right edge.
    WHILE i & 1 = 1 LOOP
        SELECT hash INTO STRICT sibling FROM ledger_node WHERE level = lvl AND idx = i - 1;
        digest := sha256('\x01'::bytea || sibling || digest);
        i := i >> 1;
        lvl := lvl + 1;
        INSERT INTO ledger_node (level, idx, hash) VALUES (lvl, i, digest);
    END LOOP;
    INSERT INTO ledger_event (idx, type, case_id, org_id, actor, at, body, leaf_hash)
    VALUES (n, p_type, p_case_id, p_org_id, p_actor, p_at, p_body, p_leaf);
    RETURN n;
END
$$;
"""


def upgrade() -> None:
    with op.batch_alter_table("verification_finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("employer_org_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("agency_org_id", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE verification_finding SET "
        "employer_org_id = (SELECT c.employer_org_id FROM cases_case c "
        "WHERE c.id = verification_finding.case_id), "
        "agency_org_id = (SELECT c.agency_org_id FROM cases_case c "
        "WHERE c.id = verification_finding.case_id)"
    )
    with op.batch_alter_table("verification_finding", schema=None) as batch_op:
        batch_op.alter_column("employer_org_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(
            "ix_compliance_finding_employer_recorded",
            ["employer_org_id", "recorded_at", "status", "case_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_compliance_finding_agency_recorded",
            ["agency_org_id", "recorded_at", "status", "case_id"],
            unique=False,
        )

    with op.batch_alter_table("ledger_event", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_event_org_id")
        batch_op.create_index("ix_ledger_event_org_type_at", ["org_id", "type", "at"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(APPEND_PG)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS fairscreen_ledger_append")
    with op.batch_alter_table("ledger_event", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_event_org_type_at")
        batch_op.create_index("ix_ledger_event_org_id", ["org_id"], unique=False)
    with op.batch_alter_table("verification_finding", schema=None) as batch_op:
        batch_op.drop_index("ix_compliance_finding_agency_recorded")
        batch_op.drop_index("ix_compliance_finding_employer_recorded")
        batch_op.drop_column("agency_org_id")
        batch_op.drop_column("employer_org_id")
