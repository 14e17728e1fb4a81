"""the durable mail queue (mail/queue.py)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00

Messages become rows written in the transaction that decides them, sealed under their
case's key, and sent after the commit or by the `mail.send` job.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fairscreen.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_queued",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("sealed", fairscreen.db.types.SealedBytes(), nullable=True),
        sa.Column("plain", sa.Text(), nullable=True),
        sa.Column("created_at", fairscreen.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("next_attempt_at", fairscreen.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=100), nullable=True),
        sa.Column("sent_at", fairscreen.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_queued")),
    )
    with op.batch_alter_table("mail_queued", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_queued_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_mail_queued_due", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_queued", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_queued_due")
        batch_op.drop_index(batch_op.f("ix_mail_queued_case_id"))
    op.drop_table("mail_queued")
