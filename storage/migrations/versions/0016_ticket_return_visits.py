"""tickets carry their return visit (回访): when it is due, how many calls, what it found, and
the ticket a recurred problem follows up

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01

Tickets closed before this get no visit: the policy applies to tickets closed from now on.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_due_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_ticket_visit_due_at", ["visit_due_at"], unique=False)
        batch_op.add_column(
            sa.Column("visit_attempt", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("visit_outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("parent_number", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("parent_number")
        batch_op.drop_column("visit_outcome")
        batch_op.drop_column("visit_attempt")
        batch_op.drop_index("ix_ticket_visit_due_at")
        batch_op.drop_column("visit_due_at")
