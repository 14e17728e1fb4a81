"""signing evidence: staff-device flag, organisation mail domains, API key expiry

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:00:00

A consent records how its signer was reached and whether the signing client matched a
recent staff session of the employer (sessions keep keyed hashes of their client, never
the address). Organisations name their own mail domains, where no candidate address may
be. API keys get an expiry: 365 days from the upgrade for the keys already made.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import fairscreen.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: batch mode would copy the tables on SQLite, and
    # the copy is refused while other tables refer to them (as in 0004).
    op.add_column(
        "identity_org",
        sa.Column("mail_domains", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    op.add_column("identity_session", sa.Column("client_ip_hash", sa.String(64), nullable=True))
    op.add_column("identity_session", sa.Column("client_hash", sa.String(64), nullable=True))
    op.create_index(
        op.f("ix_identity_session_client_ip_hash"),
        "identity_session",
        ["client_ip_hash"],
        unique=False,
    )
    op.add_column(
        "identity_api_key",
        sa.Column("expires_at", fairscreen.db.types.UTCDateTime(timezone=True), nullable=True),
    )
    # Keys made before keys expired get the default life from now (identity.actions).
    keys = sa.table(
        "identity_api_key",
        sa.column("expires_at", fairscreen.db.types.UTCDateTime(timezone=True)),
        sa.column("revoked_at", fairscreen.db.types.UTCDateTime(timezone=True)),
    )
    op.execute(
        keys.update()
        .where(keys.c.expires_at.is_(None), keys.c.revoked_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=365))
    )
    op.add_column(
        "consent_record",
        sa.Column("reached_by", fairscreen.db.types.SealedBytes(), nullable=True),
    )
    op.add_column("consent_record", sa.Column("staff_device_match", sa.String(24), nullable=True))


def downgrade() -> None:
    op.drop_column("consent_record", "staff_device_match")
    op.drop_column("consent_record", "reached_by")
    op.drop_column("identity_api_key", "expires_at")
    op.drop_index(op.f("ix_identity_session_client_ip_hash"), table_name="identity_session")
    op.drop_column("identity_session", "client_hash")
    op.drop_column("identity_session", "client_ip_hash")
    op.drop_column("identity_org", "mail_domains")
