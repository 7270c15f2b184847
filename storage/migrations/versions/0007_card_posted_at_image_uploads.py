"""card posts say when their message was posted; photos' upload keys are kept

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Feishu edits a card for 14 days only, so a card post needs the time its message was posted.
A card post's row was written when its message was first posted, and its message id has not
changed since, so an existing row's `created_at` is that time. The keys Feishu gave uploaded
photos were kept per process until now: the new table starts empty, and each photo is
uploaded once more, the next time a card shows it.
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
    op.create_table(
        "image_upload",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("photo", sa.String(length=64), nullable=False),
        sa.Column("image_key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("platform", "photo"),
    )


def downgrade() -> None:
    op.drop_table("image_upload")
    with op.batch_alter_table("card_post", schema=None) as batch_op:
        batch_op.drop_column("posted_at")
