"""tickets keep the technician's findings, fee lines, materials and after-photos, and the
resident's rating and signature

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

Tickets finished before this have none of them; their timelines keep what was said then.
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

RATINGS = ("rating_overall", "rating_speed", "rating_attitude")
LISTS = ("fee_lines", "materials", "photos_after")


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("findings", sa.Text(), nullable=True))
        for name in LISTS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("fees_total_fen", sa.Integer(), nullable=False, server_default="0")
        )
        for name in RATINGS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rating_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("rated_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for name in ("signature", "rated_at", "rating_comment", *RATINGS, "fees_total_fen"):
            batch_op.drop_column(name)
        for name in (*LISTS, "findings"):
            batch_op.drop_column(name)
