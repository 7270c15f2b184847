"""dated shifts from the office's rota sheet

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

The weekly rota and the on-call pair are configuration; what `baoxiu rota import` reads from
the office's sheet (holiday rotas, swapped shifts) is kept here, by team and day.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rota_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("begin", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("duty", sa.String(length=16), nullable=False),
        sa.Column("imported_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rota_shift_team_day", "rota_shift", ["team_id", "day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rota_shift_team_day", table_name="rota_shift")
    op.drop_table("rota_shift")
