"""The one entry point for changing tickets: every edge and every job calls this service.

Each call is one transaction: load the ticket (locking its row on PostgreSQL; SQLite's writers
are already serialised), decide (pure), write it with a conditional update on its version, and
append the audit event. The row lock makes racing writers queue, so the loser of a claim race
reads the winner's commit and hears who won. The conditional update guards what the lock does
not cover (a writer that loaded without it); when it fires, the whole call is re-run.
"""

import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tickets.actions import Command, Verb
from tickets.errors import ConcurrentUpdate, InvalidInput, NotFound
from tickets.machine import Context, assign_event, decide
from tickets.model import Actor, Event, Ticket, TicketDraft
from tickets.numbering import format_number, local_day
from tickets.people import Directory, DispatchMode
from tickets.ports import ClickedCard, DeliveryPlanner, Page, TicketQuery, UnitOfWorkFactory
from tickets.routing import (
    DEFAULT_EMERGENCY_WORDS,
    DEFAULT_URGENT_WORDS,
    pick_round_robin,
    suggest_urgency,
    team_for,
)
from tickets.states import Source, Status

MAX_ATTEMPTS = 3
"""Runs of one call when its conditional update keeps losing; each run sees the newer commit."""

SYSTEM = "系统"
DELIVERY_FAILED = "delivery_failed"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TicketHistory:
    ticket: Ticket
    events: list[Event]


class TicketService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: Directory,
        tz: ZoneInfo,
        planner: DeliveryPlanner,
        *,
        emergency_words: Sequence[str] = DEFAULT_EMERGENCY_WORDS,
        urgent_words: Sequence[str] = DEFAULT_URGENT_WORDS,
        clock: Callable[[], datetime] = utc_now,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        """`on_commit` runs after each committed change: the delivery worker's wake-up."""
        self._uow = uow
        self._planner = planner
        self.directory = directory
        self.tz = tz
        self._emergency_words = emergency_words
        self._urgent_words = urgent_words
        self._clock = clock
        self._on_commit = on_commit

    async def open(
        self, draft: TicketDraft, actor: Actor, *, submission_key: str | None = None
    ) -> Ticket:
        """Register a report: route it, number it, assign it when the team round-robins.

        A repeated `submission_key` (a double-clicked form, a retried request) returns the
        ticket the first submission made instead of a second one.
        """
        if actor.member_id is not None and actor.member_id not in self.directory.members:
            raise InvalidInput(f"没有这位成员：{actor.member_id}", field="actor")
        team_for(self.directory, draft.category)
        ticket = await _retrying(lambda: self._open_once(draft, actor, submission_key))
        self._on_commit()
        return ticket

    async def _open_once(
        self, draft: TicketDraft, actor: Actor, submission_key: str | None
    ) -> Ticket:
        team = team_for(self.directory, draft.category)
        now = self._clock()
        urgency = draft.urgency or suggest_urgency(
            draft.description, self._emergency_words, self._urgent_words
        )
        async with self._uow() as uow:
            if submission_key is not None:
                earlier = await uow.tickets.by_submission(submission_key)
                if earlier is not None:
                    return earlier
            sequence = await uow.tickets.next_sequence(local_day(now, self.tz))
            ticket = Ticket(
                number=format_number(local_day(now, self.tz), sequence),
                status=Status.NEW,
                category=draft.category,
                team_id=team.id,
                urgency=urgency,
                urgency_suggested=draft.urgency is None,
                reporter=draft.reporter,
                location=draft.location,
                description=draft.description,
                channel=draft.channel,
                appointment_at=draft.appointment_at,
                photos=draft.photos,
                public_token=secrets.token_urlsafe(16),
                submission_key=submission_key,
                created_at=now,
                updated_at=now,
                created_by=actor.member_id,
            )
            events = [
                Event(
                    action="create",
                    at=now,
                    actor_id=actor.member_id,
                    actor_name=actor.name,
                    source=actor.source,
                    from_status=None,
                    to_status=Status.NEW,
                    details={"channel": draft.channel.value, "urgency": urgency.value},
                )
            ]
            if team.dispatch is DispatchMode.ROUND_ROBIN:
                technicians = self.directory.technicians(team.id)
                ids = [m.id for m in technicians]
                chosen = pick_round_robin(
                    technicians,
                    await uow.tickets.open_jobs(ids),
                    await uow.tickets.last_assigned(ids),
                    team.max_open_per_technician,
                )
                if chosen is not None:
                    system = Actor(member_id=None, name=SYSTEM, source=actor.source)
                    auto = assign_event(ticket, chosen, system, now)
                    ticket = auto.ticket
                    events.append(auto.event)
            saved = await uow.tickets.add(ticket, events)
            await uow.outbox.enqueue(saved, self._planner.addresses(None, saved), shown=False)
            return saved

    async def act(
        self,
        number: str,
        command: Command,
        source: Source,
        *,
        event_id: str | None = None,
        clicked: ClickedCard | None = None,
    ) -> Ticket:
        """Apply one action. A platform's redelivered `event_id` takes effect once; the
        redelivery gets the ticket as it is now. A click names the `clicked` card, to which
        its answer brings the fresh card: the outbox holds that chat's update back."""
        ticket = await _retrying(lambda: self._act_once(number, command, source, event_id, clicked))
        self._on_commit()
        return ticket

    async def _act_once(
        self,
        number: str,
        command: Command,
        source: Source,
        event_id: str | None,
        clicked: ClickedCard | None,
    ) -> Ticket:
        async with self._uow() as uow:
            first = event_id is None or await uow.tickets.first_delivery(source.value, event_id)
            ticket = await uow.tickets.get(number, for_update=True)
            if ticket is None:
                raise NotFound(f"没有这张工单：{number}")
            if not first:
                return ticket
            counted = _counted_members(command)
            ctx = Context(
                directory=self.directory,
                now=self._clock(),
                source=source,
                open_jobs=await uow.tickets.open_jobs(counted) if counted else {},
            )
            transition = decide(ticket, command, ctx)
            if transition.ticket == ticket:
                await uow.tickets.append_event(ticket, transition.event)
                return ticket
            after = await uow.tickets.update(ticket, transition.ticket, transition.event)
            await uow.outbox.enqueue(after, self._planner.addresses(ticket, after), clicked=clicked)
            return after

    async def record_failed_delivery(
        self, number: str, platform: str, chat_id: str, error: str
    ) -> None:
        """Put a card that could not be delivered on the timeline, where staff will see it."""
        async with self._uow() as uow:
            ticket = await uow.tickets.get(number)
            if ticket is None:
                return
            event = Event(
                action=DELIVERY_FAILED,
                at=self._clock(),
                actor_id=None,
                actor_name=SYSTEM,
                source=Source.JOB,
                from_status=ticket.status,
                to_status=ticket.status,
                details={"platform": platform, "chat": chat_id, "error": error},
            )
            await uow.tickets.append_event(ticket, event)

    async def history(self, number: str) -> TicketHistory:
        async with self._uow(readonly=True) as uow:
            ticket = await uow.tickets.get(number)
            if ticket is None:
                raise NotFound(f"没有这张工单：{number}")
            return TicketHistory(ticket=ticket, events=await uow.tickets.events(ticket))

    async def public_history(self, token: str) -> TicketHistory:
        """The resident's view, reached only through the unguessable status-page token."""
        async with self._uow(readonly=True) as uow:
            ticket = await uow.tickets.by_token(token) if token else None
            if ticket is None:
                raise NotFound("没有找到这张报修单，请检查链接是否完整")
            return TicketHistory(ticket=ticket, events=await uow.tickets.events(ticket))

    async def search(self, query: TicketQuery) -> Page:
        async with self._uow(readonly=True) as uow:
            return await uow.tickets.search(query)


async def _retrying(run: Callable[[], Awaitable[Ticket]]) -> Ticket:
    for _ in range(MAX_ATTEMPTS - 1):
        try:
            return await run()
        except ConcurrentUpdate:
            continue
    return await run()


def _counted_members(command: Command) -> Iterable[str]:
    """Members whose open jobs the cap rules of this verb look at."""
    if command.verb is Verb.CLAIM:
        return [command.actor_id]
    if command.verb in (Verb.DISPATCH, Verb.TRANSFER) and command.to:
        return [command.to]
    return []
