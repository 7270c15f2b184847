"""The tables. Migrations in `storage/migrations` must match these (a test compares them)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class TicketRow(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_team_status", "team_id", "status"),
        Index("ix_ticket_assignee_status", "assignee_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    status: str = Field(max_length=16, index=True)
    category: str = Field(max_length=32)
    team_id: str = Field(max_length=64)
    urgency: str = Field(max_length=16)
    urgency_suggested: bool
    reporter_name: str = Field(max_length=64)
    reporter_phone: str = Field(max_length=32)
    location: str = Field(max_length=200)
    description: str = Field(sa_type=Text)
    channel: str = Field(max_length=16)
    created_by: str | None = Field(default=None, max_length=64)
    assignee_id: str | None = Field(default=None, max_length=64)
    appointment_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pause_reason: str | None = Field(default=None, sa_type=Text)
    cancel_reason: str | None = Field(default=None, sa_type=Text)
    rework_count: int = 0
    version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class TicketEventRow(SQLModel, table=True):
    """The audit trail: appended in the same transaction as the change it records."""

    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(
        sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=False, index=True)
    )
    action: str = Field(max_length=32)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: str | None = Field(default=None, max_length=64)
    actor_name: str = Field(max_length=64)
    source: str = Field(max_length=16)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class TicketSequenceRow(SQLModel, table=True):
    """One row per local day: the last ticket number handed out that day."""

    __tablename__ = "ticket_sequence"

    day: str = Field(primary_key=True, max_length=8)
    last: int
