"""outbox rows say what they carry: a ticket card, a note, a reminder or a report

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Existing rows are ticket cards, which is the default.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="ticket_card")
        )
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("payload", server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind != 'ticket_card'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("payload")
        batch_op.drop_column("kind")
