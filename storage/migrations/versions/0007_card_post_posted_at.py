"""card posts say when their message was posted: Feishu edits a card for 14 days only

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

A card post's row was written when its message was first posted, and its message id has not
changed since, so an existing row's `created_at` is when its message was posted.
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("card_post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("posted_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE card_post SET posted_at = created_at")
    with op.batch_alter_table("card_post", schema=None) as batch_op:
        batch_op.alter_column(
            "posted_at", existing_type=storage.types.UTCDateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("card_post", schema=None) as batch_op:
        batch_op.drop_column("posted_at")
