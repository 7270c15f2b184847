"""tickets carry their place as one key (3栋2单元501 however it was typed) and its building,
the open report a new one may duplicate, and the ticket a duplicate was merged into

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01

Existing tickets get their place and building from their location, by the same function that
sets them on a new ticket (`tickets.places.place`); none is marked a duplicate after the fact.
"""

import sqlalchemy as sa
from alembic import op

from tickets.places import place

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("place", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("building", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("possible_duplicate_of", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("merged_into", sa.String(length=24), nullable=True))
        batch_op.create_index("ix_ticket_place", ["place"], unique=False)
        batch_op.create_index(
            "ix_ticket_building_created", ["building", "created_at"], unique=False
        )
    connection = op.get_bind()
    ticket = sa.table(
        "ticket",
        sa.column("id", sa.Integer),
        sa.column("location", sa.String),
        sa.column("place", sa.String),
        sa.column("building", sa.String),
    )
    rows = connection.execute(sa.select(ticket.c.id, ticket.c.location)).all()
    for ticket_id, location in rows:
        found = place(location)
        connection.execute(
            ticket.update()
            .where(ticket.c.id == ticket_id)
            .values(place=found.key, building=found.building)
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_building_created")
        batch_op.drop_index("ix_ticket_place")
        for name in ("merged_into", "possible_duplicate_of", "building", "place"):
            batch_op.drop_column(name)
