"""webhook secrets sealed in the vault; endpoints editable; target answers not kept

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 10:00:00

`vault_secret` holds system secrets wrapped by a KEK (vault/secrets.py); an endpoint's
plaintext `secret` becomes nullable and is sealed there by the next delivery run
(webhooks.actions._seal_legacy_secrets). `webhooks_endpoint.updated_at` records edits.
`webhooks_delivery.last_status_code` goes: tenants see delivered or failed, never the
target's answer (the issue's SSRF item); a downgrade brings the column back empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fairscreen.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_secret",
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("kek_id", sa.String(length=64), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", fairscreen.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "purpose", name=op.f("pk_vault_secret")),
    )
    with op.batch_alter_table("webhooks_endpoint", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=100), nullable=True)
        batch_op.add_column(
            sa.Column("updated_at", fairscreen.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("webhooks_delivery", schema=None) as batch_op:
        batch_op.drop_column("last_status_code")


def downgrade() -> None:
    with op.batch_alter_table("webhooks_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_status_code", sa.Integer(), nullable=True))
    with op.batch_alter_table("webhooks_endpoint", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        # Secrets sealed since the upgrade have no plaintext to put back: rotate them.
        batch_op.alter_column("secret", existing_type=sa.String(length=100), nullable=True)
    op.drop_table("vault_secret")
