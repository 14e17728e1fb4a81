"""the language a queued message was written in (mail/render.py)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 20:00:00

Mail is rendered from templates in the recipient's language (the candidate's: the
language of the consent page they signed; else zh-Hans); `mail_queued.lang` records
which, so a message can be traced to the words it carried. Rows queued before hold NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_queued", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lang", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mail_queued", schema=None) as batch_op:
        batch_op.drop_column("lang")
