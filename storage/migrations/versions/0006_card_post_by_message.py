"""card posts found by their platform message id: where a click's card was posted

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("card_post", schema=None) as batch_op:
        batch_op.create_index("ix_card_post_message", ["platform", "message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("card_post", schema=None) as batch_op:
        batch_op.drop_index("ix_card_post_message")
