"""tickets carry when a completed job nobody confirmed is closed by baoxiu

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

Jobs completed before this have no such time and are left for staff to close, as before.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auto_close_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_ticket_auto_close_at", ["auto_close_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_auto_close_at")
        batch_op.drop_column("auto_close_at")
