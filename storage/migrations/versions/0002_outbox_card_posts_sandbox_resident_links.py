"""outbox, card posts, sandbox, resident links

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import secrets

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_event",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id"),
    )
    op.create_table(
        "sandbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("sandbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sandbox_message_chat_id"), ["chat_id"], unique=False)

    op.create_table(
        "card_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.String(length=128), nullable=True),
        sa.Column("delivered_version", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "platform", "chat_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("available_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("delivered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_available_at"), ["available_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_ticket_id"), ["ticket_id"], unique=False)

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photos", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("public_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
    # Tickets registered before resident status pages existed get their private link now.
    connection = op.get_bind()
    ticket = sa.table("ticket", sa.column("id", sa.Integer), sa.column("public_token", sa.String))
    for (ticket_id,) in connection.execute(sa.select(ticket.c.id)).all():
        connection.execute(
            ticket.update()
            .where(ticket.c.id == ticket_id)
            .values(public_token=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.alter_column("photos", server_default=None)
        batch_op.alter_column("public_token", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint("uq_ticket_public_token", ["public_token"])
        batch_op.create_unique_constraint("uq_ticket_submission_key", ["submission_key"])


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ticket_submission_key", type_="unique")
        batch_op.drop_constraint("uq_ticket_public_token", type_="unique")
        batch_op.drop_column("submission_key")
        batch_op.drop_column("public_token")
        batch_op.drop_column("photos")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_available_at"))

    op.drop_table("outbox")
    op.drop_table("card_post")
    with op.batch_alter_table("sandbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_message_chat_id"))

    op.drop_table("sandbox_message")
    op.drop_table("inbound_event")
