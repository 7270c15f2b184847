"""The tables. Migrations in `storage/migrations` must match these (a test compares them)."""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class TicketRow(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_team_status", "team_id", "status"),
        Index("ix_ticket_assignee_status", "assignee_id", "status"),
        Index("ix_ticket_building_created", "building", "created_at"),
        Index("ix_ticket_status_created_at", "status", "created_at"),
        UniqueConstraint("public_token", name="uq_ticket_public_token"),
        UniqueConstraint("submission_key", name="uq_ticket_submission_key"),
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
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    pause_reason: str | None = Field(default=None, sa_type=Text)
    cancel_reason: str | None = Field(default=None, sa_type=Text)
    completion_note: str | None = Field(default=None, sa_type=Text)
    confirmed_by: str | None = Field(default=None, max_length=64)
    closed_by: str | None = Field(default=None, max_length=64)
    accept_due: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    arrive_due: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    complete_due: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    escalation_chain: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    escalation_step: int = 0
    escalate_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    handled_by: str | None = Field(default=None, max_length=64)
    pause_kind: str | None = Field(default=None, max_length=16)
    clock_stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hurry_count: int = 0
    hurried_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    findings: str | None = Field(default=None, sa_type=Text)
    fee_lines: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    fees_total_fen: int = 0
    materials: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    photos_after: list[str] = Field(default_factory=list, sa_type=JSON)
    rating_overall: int | None = None
    rating_speed: int | None = None
    rating_attitude: int | None = None
    rating_comment: str | None = Field(default=None, sa_type=Text)
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    signature: str | None = Field(default=None, max_length=64)
    review: str | None = Field(default=None, max_length=16)
    review_reason: str | None = Field(default=None, sa_type=Text)
    quoted_fen: int | None = None
    quote_pending_fen: int | None = None
    paid_fen: int | None = None
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_method: str | None = Field(default=None, max_length=16)
    paid_by: str | None = Field(default=None, max_length=64)
    rework_count: int = 0
    auto_close_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    visit_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    visit_attempt: int = 0
    visit_outcome: str | None = Field(default=None, max_length=16)
    parent_number: str | None = Field(default=None, max_length=24)
    place: str = Field(default="", max_length=200, index=True)
    building: str | None = Field(default=None, max_length=200)
    possible_duplicate_of: str | None = Field(default=None, max_length=24)
    merged_into: str | None = Field(default=None, max_length=24)
    photos: list[str] = Field(default_factory=list, sa_type=JSON)
    public_token: str = Field(max_length=32)
    submission_key: str | None = Field(default=None, max_length=64)
    version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class TicketEventRow(SQLModel, table=True):
    """The audit trail: appended in the same transaction as the change it records. The
    statistics find a period's escalations, reworks, payments and cancellations by kind and
    time (`ix_ticket_event_kind_at`)."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_kind_at", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(
        sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=False, index=True)
    )
    kind: str = Field(max_length=32)
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


class ApiUsageRow(SQLModel, table=True):
    """Calls made to a platform's API in one month: DingTalk's standard edition allows
    5,000 a month per organisation, and `baoxiu doctor` shows how many are gone."""

    __tablename__ = "api_usage"

    platform: str = Field(primary_key=True, max_length=16)
    month: str = Field(primary_key=True, max_length=7)
    calls: int


class InboundEventRow(SQLModel, table=True):
    """Platform event ids already acted on: a redelivered click takes effect once."""

    __tablename__ = "inbound_event"

    source: str = Field(primary_key=True, max_length=16)
    event_id: str = Field(primary_key=True, max_length=128)
    at: datetime = Field(sa_type=UTCDateTime)


class OutboxRow(SQLModel, table=True):
    """A message for one chat, written in the transaction that decided to send it.

    `kind` says what it carries (`tickets.messages.MessageKind`) and `payload` the message
    itself; a ticket card has no payload, because the delivery worker renders the ticket as it
    is when it sends, so several rows for the same card collapse into one send. A report is
    tied to no ticket.
    """

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=True, index=True)
    )
    kind: str = Field(default="ticket_card", max_length=16)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=128)
    audience: str = Field(max_length=16)
    member_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    available_at: datetime = Field(sa_type=UTCDateTime, index=True)
    attempts: int = 0
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=64)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)


class CardPostRow(SQLModel, table=True):
    """A ticket's card as posted in one chat: its platform message id, for later updates,
    and when that message was posted, since a platform may stop letting us edit it (Feishu
    after 14 days)."""

    __tablename__ = "card_post"
    __table_args__ = (
        UniqueConstraint("ticket_id", "platform", "chat_id"),
        Index("ix_card_post_message", "platform", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=False))
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=128)
    audience: str = Field(max_length=16)
    member_id: str | None = Field(default=None, max_length=64)
    message_id: str | None = Field(default=None, max_length=128)
    posted_at: datetime = Field(sa_type=UTCDateTime)
    delivered_version: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ImageUploadRow(SQLModel, table=True):
    """A photo as uploaded to a platform, by the key the platform gave it (Feishu shows only
    images uploaded to it): one upload serves every card and every replica."""

    __tablename__ = "image_upload"

    platform: str = Field(primary_key=True, max_length=16)
    photo: str = Field(primary_key=True, max_length=64)
    image_key: str = Field(max_length=128)


class SandboxMessageRow(SQLModel, table=True):
    """A message in the built-in local chat: the card HTML as the sandbox 'platform' got it."""

    __tablename__ = "sandbox_message"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=128, index=True)
    idempotency_key: str = Field(max_length=128, unique=True)
    html: str = Field(sa_type=Text)
    revision: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class RotaShiftRow(SQLModel, table=True):
    """A dated shift from the office's rota sheet (`baoxiu rota import`); the weekly rota
    and the on-call pair live in the config."""

    __tablename__ = "rota_shift"
    __table_args__ = (Index("ix_rota_shift_team_day", "team_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=64)
    day: date
    member_id: str = Field(max_length=64)
    begin: time
    end: time
    duty: str = Field(max_length=16)
    imported_at: datetime = Field(sa_type=UTCDateTime)


class SentOnceRow(SQLModel, table=True):
    """A message that goes to each chat once under its key (the weekly summary of
    2026-W48): claimed in the transaction that queues it, so several replicas, a restart or
    a catch-up after a missed run queue it once."""

    __tablename__ = "sent_once"

    key: str = Field(primary_key=True, max_length=64)
    platform: str = Field(primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, max_length=128)
    at: datetime = Field(sa_type=UTCDateTime)
