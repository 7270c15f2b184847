"""tickets keep the technician's result and who confirmed and closed them: the card shows them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Tickets finished before this keep their timeline; their cards show these lines from the next
completion, confirmation or closing on.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completion_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("closed_by")
        batch_op.drop_column("confirmed_by")
        batch_op.drop_column("completion_note")
