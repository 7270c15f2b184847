"""tickets carry their escalation chain and where they are on it, the pause's kind, hurry-ups

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Open tickets from before get the empty chain: they keep their due times but escalate to no
one; tickets opened from now on copy the configured chain.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("escalation_chain", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("escalation_step", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("escalate_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_ticket_escalate_at", ["escalate_at"], unique=False)
        batch_op.add_column(sa.Column("handled_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("pause_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("clock_stopped_at", UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("hurry_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("hurried_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name in ("hurried_at", "hurry_count", "clock_stopped_at", "pause_kind"):
            batch_op.drop_column(name)
        batch_op.drop_column("handled_by")
        batch_op.drop_index("ix_ticket_escalate_at")
        for name in ("escalate_at", "escalation_step", "escalation_chain"):
            batch_op.drop_column(name)
