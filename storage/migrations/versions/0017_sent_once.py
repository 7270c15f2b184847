"""messages sent to each chat once under a key

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

The weekly summary and the daily digest go to each chat once per period, however many
replicas run the job, and a run missed while nothing was running is caught up: the key of
what was queued for which chat is kept here, claimed in the transaction that queues it.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_once",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "platform", "chat_id"),
    )


def downgrade() -> None:
    op.drop_table("sent_once")
