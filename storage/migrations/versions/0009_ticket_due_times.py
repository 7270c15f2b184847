"""tickets carry their due times (accept, arrive, complete), indexed for the SLA watcher

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Open tickets from before keep none until their next change sets one.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DUE = ("accept_due", "arrive_due", "complete_due")


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name in DUE:
            batch_op.add_column(sa.Column(name, UTCDateTime(timezone=True), nullable=True))
            batch_op.create_index(f"ix_ticket_{name}", [name], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name in DUE:
            batch_op.drop_index(f"ix_ticket_{name}")
            batch_op.drop_column(name)
