"""tickets record the resident's payment: how much, when, how and who recorded it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

Tickets finished before this read as unpaid (未收费), or free when they cost nothing.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paid_fen", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("paid_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paid_method", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("paid_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name in ("paid_by", "paid_method", "paid_at", "paid_fen"):
            batch_op.drop_column(name)
