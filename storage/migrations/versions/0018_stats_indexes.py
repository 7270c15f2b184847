"""indexes for the statistics: tickets by when they were accepted, completed, closed and
rated, unfinished tickets by when they were created, and events by kind and time

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01

Each figure of a period reads the rows that period put there, through one of these.
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_TICKET = ("accepted_at", "completed_at", "closed_at", "rated_at")


def upgrade() -> None:
    for column in _TICKET:
        op.create_index(f"ix_ticket_{column}", "ticket", [column], unique=False)
    op.create_index("ix_ticket_status_created_at", "ticket", ["status", "created_at"], unique=False)
    op.create_index("ix_ticket_event_kind_at", "ticket_event", ["kind", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ticket_event_kind_at", table_name="ticket_event")
    op.drop_index("ix_ticket_status_created_at", table_name="ticket")
    for column in reversed(_TICKET):
        op.drop_index(f"ix_ticket_{column}", table_name="ticket")
