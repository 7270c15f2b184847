"""typed event kinds: ticket_event.action becomes kind; automatic assignment its own kind

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Round-robin assignments were stored as `dispatch` events marked `"auto": true`; they become
`auto_assigned`. A transfer's `"from"` becomes `"from_id"`, the field of its typed details.
Done in SQL, so that a large timeline migrates without loading a row into Python.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SQLITE = {
    "auto": (
        "UPDATE ticket_event SET kind = 'auto_assigned', details = json_remove(details, '$.auto')"
        " WHERE kind = 'dispatch' AND json_extract(details, '$.auto')"
    ),
    "from": (
        "UPDATE ticket_event SET details = json_set(json_remove(details, '$.from'),"
        " '$.from_id', json_extract(details, '$.from'))"
        " WHERE kind = 'transfer' AND json_type(details, '$.from') IS NOT NULL"
    ),
}
_POSTGRES = {
    "auto": (
        "UPDATE ticket_event SET kind = 'auto_assigned', details = (details::jsonb - 'auto')::json"
        " WHERE kind = 'dispatch' AND (details::jsonb -> 'auto') = 'true'::jsonb"
    ),
    "from": (
        "UPDATE ticket_event SET details = ((details::jsonb - 'from')"
        " || jsonb_build_object('from_id', details::jsonb -> 'from'))::json"
        " WHERE kind = 'transfer' AND details::jsonb ? 'from'"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.alter_column("action", new_column_name="kind", existing_type=sa.String(length=32))
    statements = _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements.values():
        op.execute(statement)


def downgrade() -> None:
    op.execute("UPDATE ticket_event SET kind = 'dispatch' WHERE kind = 'auto_assigned'")
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.alter_column("kind", new_column_name="action", existing_type=sa.String(length=32))
