"""What the core needs from storage, declared here so the core never imports SQL."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self
from zoneinfo import ZoneInfo

from tickets.audience import CardAddress
from tickets.hotspots import Hotspot
from tickets.messages import Message
from tickets.model import Event, Ticket
from tickets.rota import Shift
from tickets.states import Status
from tickets.stats import Breakdown, DayCount, GroupBy, Overdue, Period
from tickets.ticket_export import ExportedTicket


@dataclass(frozen=True)
class TicketQuery:
    statuses: frozenset[Status] = frozenset()
    team_id: str | None = None
    assignee_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    after_id: int | None = None
    """Keyset cursor: return tickets older than this id (newest first); for `exported`,
    newer than it (oldest first)."""
    limit: int = 50


@dataclass(frozen=True)
class Page:
    items: Sequence[Ticket]
    next_after_id: int | None


@dataclass(frozen=True)
class ExportPage:
    items: Sequence[ExportedTicket]
    next_after_id: int | None


class TicketRepository(Protocol):
    async def get(self, number: str, *, for_update: bool = False) -> Ticket | None:
        """`for_update` locks the row until the transaction ends, where the database can."""
        ...

    async def by_token(self, token: str, *, for_update: bool = False) -> Ticket | None: ...

    async def by_submission(self, key: str) -> Ticket | None: ...

    async def add(self, ticket: Ticket, events: Sequence[Event]) -> Ticket:
        """Insert a new ticket with its first events; returns it with its id.

        Raises `ConcurrentUpdate` when a unique key (the submission key) was taken meanwhile.
        """
        ...

    async def update(self, before: Ticket, after: Ticket, event: Event) -> Ticket:
        """Write `after` only if the stored version is still `before.version`.

        Raises `ConcurrentUpdate` otherwise. Returns `after` with the next version.
        """
        ...

    async def append_event(self, ticket: Ticket, event: Event) -> None:
        """An event that changes nothing on the ticket (a comment, a reveal)."""
        ...

    async def first_delivery(self, source: str, event_id: str, at: datetime) -> bool:
        """Record a platform's event id; False when it was recorded before (a redelivery)."""
        ...

    async def lock_members(self, member_ids: Iterable[str]) -> None:
        """Hold each member's assignment lock until the transaction ends.

        Taken before counting a member's open jobs for a cap, so that two assignments to the
        same technician (two claims of different tickets, a claim and a dispatch) count one
        after the other instead of both seeing room for one more.
        """
        ...

    async def next_sequence(self, day: date) -> int:
        """The next number of the day's sequence, unique across concurrent transactions."""
        ...

    async def open_jobs(self, member_ids: Iterable[str]) -> dict[str, int]: ...

    async def last_assigned(self, member_ids: Iterable[str]) -> dict[str, datetime]: ...

    async def due_escalations(self, now: datetime, limit: int) -> list[str]:
        """Numbers of tickets whose next escalation step is due by `now`, oldest first."""
        ...

    async def due_auto_closes(self, now: datetime, limit: int) -> list[str]:
        """Numbers of completed tickets left unconfirmed past their `auto_close_at`, oldest
        first."""
        ...

    async def due_visits(self, now: datetime, limit: int) -> list[str]:
        """Numbers of closed tickets whose return visit is due by `now`, oldest first."""
        ...

    async def open_near(self, building: str | None, place: str, since: datetime) -> list[Ticket]:
        """Tickets not closed or cancelled, opened since `since`, in `building` (at `place`
        when it is in none): the few a new report may repeat."""
        ...

    async def hotspots(self, since: datetime, until: datetime, min_count: int) -> list[Hotspot]:
        """The hot spots of tickets opened from `since` to before `until`
        (tickets/hotspots.py), counted by the database, in no particular order."""
        ...

    async def events(self, ticket: Ticket) -> list[Event]: ...

    async def search(self, query: TicketQuery) -> Page: ...

    async def count(self, query: TicketQuery) -> int:
        """How many tickets `query` finds, over all its pages."""
        ...

    async def exported(self, query: TicketQuery) -> ExportPage:
        """A page of what an export reads of the tickets `query` finds, oldest first."""
        ...


@dataclass(frozen=True)
class ClickedCard:
    """The posted card a change was clicked on, by its platform message id.

    The click's answer carries the fresh card back to that card, so the change's update of
    its chat is held back for `hold` (the platform's wait for an answer): by then the edge
    has recorded what the answer showed, and the update is sent only if the chat still
    shows an older version (the answer was too slow, or never sent).
    """

    platform: str
    message_id: str
    hold: timedelta


class OutboxRepository(Protocol):
    async def enqueue(
        self,
        ticket: Ticket,
        addresses: Sequence[CardAddress],
        *,
        shown: bool = True,
        clicked: ClickedCard | None = None,
    ) -> None:
        """Queue the card for each address and, when it may be `shown` somewhere already
        (any ticket but a new one), for every chat showing it; the `clicked` card's chat
        is held back."""
        ...

    async def post(
        self,
        message: Message,
        addresses: Sequence[CardAddress],
        at: datetime,
        ticket: Ticket | None = None,
        once: str | None = None,
    ) -> list[CardAddress]:
        """Queue a message that is not a ticket's card, once to each address; under a key
        (`once`), only to the addresses that never had one under it. The queued ones."""
        ...

    async def unsent(self, once: str, addresses: Sequence[CardAddress]) -> list[CardAddress]:
        """The addresses that never had a message under the key `once`."""
        ...


class RotaRepository(Protocol):
    async def shifts(self, team_id: str, first: date, last: date) -> list[Shift]:
        """The team's dated shifts from `first` to `last`, both included."""
        ...

    async def replace(
        self, team_id: str, first: date, last: date, shifts: Iterable[Shift], at: datetime
    ) -> int:
        """Put `shifts` in place of the team's from `first` to `last`; returns how many
        were removed."""
        ...


class StatsRepository(Protocol):
    """The figures of tickets/stats.py, counted by the database; names are the caller's."""

    async def figures(self, period: Period, group_by: GroupBy | None) -> Breakdown:
        """The total, and one per group, busiest first, when `group_by` is given."""
        ...

    async def daily(self, period: Period, tz: ZoneInfo) -> list[DayCount]: ...

    async def overdue(self, now: datetime, limit: int) -> list[Overdue]:
        """Open jobs past their running due time at `now`, the latest first."""
        ...


class UnitOfWork(Protocol):
    """One database transaction: committed on a clean exit, rolled back on any error."""

    @property
    def tickets(self) -> TicketRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def rota(self) -> RotaRepository: ...

    @property
    def stats(self) -> StatsRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...
