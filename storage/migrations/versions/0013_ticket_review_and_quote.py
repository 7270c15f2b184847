"""tickets keep a review of whether they are in the service catalogue, and the price the
resident agreed to

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("quoted_fen", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quote_pending_fen", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name in ("quote_pending_fen", "quoted_fen", "review_reason", "review"):
            batch_op.drop_column(name)
