"""The one entry point for changing tickets: every edge and every job calls this service.

Each call is one transaction: load the ticket (locking its row on PostgreSQL; SQLite's writers
are already serialised), decide (pure), write it with a conditional update on its version, and
append the audit event. The row lock makes racing writers queue, so the loser of a claim race
reads the winner's commit and hears who won. The conditional update guards what the lock does
not cover (a writer that loaded without it); when it fires, the whole call is re-run.

Whoever acts — a member, the resident through their private link, or baoxiu itself (a
round-robin assignment, a failed delivery, the jobs) — goes through `decide` and this same
path: there is no second way to change a ticket or to write its timeline.
"""

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from tickets.actions import Command, Verb
from tickets.audience import CardAddress
from tickets.clock import Clock
from tickets.deadlines import Policy, Step, restarted
from tickets.duplicates import DuplicateRule, duplicate_of
from tickets.errors import (
    ConcurrentUpdate,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NothingDue,
)
from tickets.escalation import audience_words, follow, overdue_text, reach, releases
from tickets.events import Escalated, EventKind, VisitDue, Visited
from tickets.fees import FeeSchedule
from tickets.hotspots import Hotspot, HotspotRule, ranked
from tickets.machine import Context, created, decide, merged_in
from tickets.messages import Escalation, Reminder, Sent, Visit
from tickets.model import SYSTEM, Actor, ActorKind, Event, Ticket, TicketDraft
from tickets.numbering import format_number, local_day
from tickets.people import Directory, DispatchMode
from tickets.places import place
from tickets.ports import (
    ClickedCard,
    ExportPage,
    Page,
    TicketQuery,
    TicketRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from tickets.rating import dissatisfaction
from tickets.recipients import ChatPlanner, Reach
from tickets.rota import Rotas
from tickets.routing import (
    DEFAULT_EMERGENCY_WORDS,
    DEFAULT_URGENT_WORDS,
    pick_round_robin,
    suggest_urgency,
    team_for,
)
from tickets.states import UNFINISHED, Channel, Source, Status
from tickets.stats import Breakdown, DayCount, GroupBy, Overdue, Period, group_name
from tickets.visits import VisitOutcome, VisitPolicy, follow_up_key
from tickets.worktime import weekdays

MAX_ATTEMPTS = 3
"""Runs of one call when its conditional update keeps losing; each run sees the newer commit."""

MAX_MERGES = 5
"""Merges a resident's page follows, one into the next: more is a loop nobody meant."""

T = TypeVar("T")


@dataclass(frozen=True)
class TicketHistory:
    ticket: Ticket
    events: list[Event]


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    created: bool
    """False when an earlier submission with the same key made the ticket."""


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    event: Event | None
    """What this call put on the timeline; None for a redelivered platform event."""
    follow_up: Ticket | None = None
    """The ticket a return visit that found the problem back opened."""


class TicketService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: Directory,
        tz: ZoneInfo,
        planner: ChatPlanner,
        clock: Clock,
        *,
        emergency_words: Sequence[str] = DEFAULT_EMERGENCY_WORDS,
        urgent_words: Sequence[str] = DEFAULT_URGENT_WORDS,
        on_commit: Callable[[], None] = lambda: None,
        policy: Policy | None = None,
        rotas: Rotas | None = None,
        fees: FeeSchedule | None = None,
        visits: VisitPolicy | None = None,
        duplicates: DuplicateRule | None = None,
        hotspots: HotspotRule | None = None,
    ) -> None:
        """`on_commit` runs after each committed change: the delivery worker's wake-up.
        `policy` is the SLA that sets tickets' due times; without one they carry none.
        `rotas` say who of each team is on duty; without them, everyone always is.
        `fees` is the schedule a completed job is charged by; without one, nothing is.
        `visits` says which closed jobs customer service calls back; without it, none.
        `duplicates` says when a new report may repeat an open one; without it, the default.
        `hotspots` is the window and count a hot spot is found by unless a caller says."""
        self._uow = uow
        self._planner = planner
        self.directory = directory
        self.tz = tz
        self.clock = clock
        self._emergency_words = emergency_words
        self._urgent_words = urgent_words
        self._on_commit = on_commit
        self.fees = fees or FeeSchedule({})
        self._visits = visits or VisitPolicy({})
        self._duplicates = duplicates or DuplicateRule()
        self.hotspot_rule = hotspots or HotspotRule()
        self._policy = policy
        self.rotas = rotas or Rotas({}, tz, weekdays())

    async def open(
        self,
        draft: TicketDraft,
        actor: Actor,
        source: Source,
        *,
        submission_key: str | None = None,
    ) -> Opened:
        """Register a report: route it, number it, assign it when the team round-robins.

        A repeated `submission_key` (a double-clicked form, a retried request, a redelivered
        chat message) returns the ticket the first submission made instead of a second one.
        """
        if actor.kind is ActorKind.MEMBER and actor.member_id not in self.directory.members:
            raise InvalidInput(f"没有这位成员：{actor.member_id}", field="actor")
        team_for(self.directory, draft.category)
        opened = await _retrying(lambda: self._open_once(draft, actor, source, submission_key))
        self._on_commit()
        return opened

    async def _open_once(
        self, draft: TicketDraft, actor: Actor, source: Source, submission_key: str | None
    ) -> Opened:
        team = team_for(self.directory, draft.category)
        now = self.clock.now()
        urgency = draft.urgency or suggest_urgency(
            draft.description, self._emergency_words, self._urgent_words
        )
        async with self._uow() as uow:
            if submission_key is not None:
                earlier = await uow.tickets.by_submission(submission_key)
                if earlier is not None:
                    return Opened(earlier, created=False)
            sequence = await uow.tickets.next_sequence(local_day(now, self.tz))
            where = place(draft.location)
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
                parent_number=draft.parent_number,
                place=where.key,
                building=where.building,
                public_token=secrets.token_urlsafe(16),
                submission_key=submission_key,
                created_at=now,
                updated_at=now,
                created_by=actor.member_id,
            )
            if self._policy is not None:  # a new report must be accepted in time
                due = restarted(self._policy, urgency, draft.category, Status.NEW, now)
                chain = self._policy.escalation
                ticket = replace(ticket, accept_due=due["accept_due"], escalation_chain=chain)
                ticket = follow(self._policy, None, ticket, restart=True)
            since = now - self._duplicates.window
            near = await uow.tickets.open_near(where.building, where.key, since)
            repeated = duplicate_of(ticket, near, self._duplicates)
            ticket = replace(ticket, possible_duplicate_of=repeated)
            events = [created(ticket, actor, self.directory, source)]
            shifts = await uow.rota.shifts(team.id, *self.rotas.days(now))
            duty = self.rotas.on_duty(self.directory, team.id, now, shifts)
            if team.dispatch is DispatchMode.ROUND_ROBIN:
                ids = list(duty.assignable)
                technicians = [self.directory.members[i] for i in ids]
                await uow.tickets.lock_members(ids)
                open_jobs = await uow.tickets.open_jobs(ids)
                chosen = pick_round_robin(
                    technicians,
                    open_jobs,
                    await uow.tickets.last_assigned(ids),
                    team.max_open_per_technician,
                )
                if chosen is not None:
                    command = Command(Verb.AUTO_ASSIGN, SYSTEM, to=chosen.id)
                    auto = decide(ticket, command, self._context(now, source, open_jobs))
                    ticket = auto.ticket
                    events.append(auto.event)
            saved = await uow.tickets.add(ticket, events)
            addresses = self._planner.addresses(None, saved, duty)
            await uow.outbox.enqueue(saved, addresses, shown=False)
            return Opened(saved, created=True)

    async def act(
        self,
        number: str,
        command: Command,
        source: Source,
        *,
        event_id: str | None = None,
        clicked: ClickedCard | None = None,
    ) -> Outcome:
        """Apply one action. A platform's redelivered `event_id` takes effect once; the
        redelivery gets the ticket as it is now. A click names the `clicked` card, to which
        its answer brings the fresh card: the outbox holds that chat's update back. The
        resident acts only through `act_as_resident`, which finds the ticket by its private
        link."""
        if command.actor.kind is ActorKind.RESIDENT:
            raise Forbidden("业主只能通过自己的报修链接操作")
        if command.at is not None and command.at.tzinfo is not None:
            command = replace(command, at=command.at.astimezone(self.tz))  # as the site reads it

        def find(repo: TicketRepository) -> Awaitable[Ticket | None]:
            return repo.get(number, for_update=True)

        outcome = await _retrying(
            lambda: self._act_once(find, number, command, source, event_id, clicked)
        )
        self._on_commit()
        if command.verb is Verb.VISIT and outcome.ticket.visit_outcome == VisitOutcome.RECURRED:
            return replace(outcome, follow_up=await self._follow_up(outcome, command, source))
        return outcome

    async def _follow_up(self, outcome: Outcome, command: Command, source: Source) -> Ticket:
        """The new ticket for a problem the return visit found back, for the same resident
        and place, linked to the visited one. Opened after the outcome commits, under a key
        of the visit's attempt: a retried or redelivered call finds the one it opened."""
        visited = outcome.ticket
        said = outcome.event.details if outcome.event else None
        note = f"：{said.note}" if isinstance(said, Visited) and said.note else ""
        draft = TicketDraft(
            reporter=visited.reporter,
            location=visited.location,
            category=visited.category,
            description=f"回访时业主反映问题复发（原工单{visited.number}）{note}",
            channel=Channel.PHONE,
            parent_number=visited.number,
        )
        key = follow_up_key(visited)
        return (await self.open(draft, command.actor, source, submission_key=key)).ticket

    async def act_as_resident(self, token: str, command: Command, source: Source) -> Outcome:
        """The resident's own action (confirming the repair), reached through the unguessable
        status-page token, never through a ticket number anyone in a group chat can read."""
        if command.actor.kind is not ActorKind.RESIDENT or not token:
            raise NotFound("没有找到这张报修单，请检查链接是否完整")

        def find(repo: TicketRepository) -> Awaitable[Ticket | None]:
            return repo.by_token(token, for_update=True)

        outcome = await _retrying(lambda: self._act_once(find, None, command, source, None))
        self._on_commit()
        return outcome

    async def _act_once(
        self,
        find: Callable[[TicketRepository], Awaitable[Ticket | None]],
        number: str | None,
        command: Command,
        source: Source,
        event_id: str | None,
        clicked: ClickedCard | None = None,
    ) -> Outcome:
        async with self._uow() as uow:
            now = self.clock.now()
            first = event_id is None or await uow.tickets.first_delivery(
                source.value, event_id, now
            )
            ticket = await find(uow.tickets)
            if ticket is None:
                if number is None:
                    raise NotFound("没有找到这张报修单，请检查链接是否完整")
                raise NotFound(f"没有这张工单：{number}")
            if not first:
                return Outcome(ticket, None)
            counted = _counted_members(command)
            if counted:
                await uow.tickets.lock_members(counted)
            open_jobs = await uow.tickets.open_jobs(counted) if counted else {}
            survivor = await _survivor(uow.tickets, ticket, command)
            context = replace(self._context(now, source, open_jobs), survivor=survivor)
            transition = decide(ticket, command, context)
            if transition.ticket == ticket:
                await uow.tickets.append_event(ticket, transition.event)
                return Outcome(ticket, transition.event)
            after = await uow.tickets.update(ticket, transition.ticket, transition.event)
            if survivor is not None:  # it records what was folded into it
                merged = merged_in(survivor, transition.event, ticket.number)
                await uow.tickets.append_event(survivor, merged)
            await uow.outbox.enqueue(after, self._planner.addresses(ticket, after), clicked=clicked)
            await self._announce(uow, ticket, after, transition.event, now)
            return Outcome(after, transition.event)

    async def due_escalations(self, limit: int) -> list[str]:
        """Tickets with an escalation step due now, the longest waiting first."""
        async with self._uow(readonly=True) as uow:
            return await uow.tickets.due_escalations(self.clock.now(), limit)

    async def escalate(self, number: str) -> Outcome | None:
        """Send the ticket's due escalation step (or put an unstarted claim back in the pool,
        where the policy says so), with its message, in one transaction; None when nothing
        is due any more: another watcher or an earlier run did it, or the job moved on."""
        try:
            outcome = await _retrying(lambda: self._escalate_once(number))
        except IllegalTransition:
            return None
        self._on_commit()
        return outcome

    async def _escalate_once(self, number: str) -> Outcome:
        if self._policy is None:
            raise NothingDue("没有配置时限")
        async with self._uow() as uow:
            now = self.clock.now()
            ticket = await uow.tickets.get(number, for_update=True)
            if ticket is None:
                raise NotFound(f"没有这张工单：{number}")
            team = self.directory.teams[ticket.team_id]
            addresses: list[CardAddress] = []
            if releases(self._policy, ticket, team, now):
                command = Command(Verb.RELEASE, SYSTEM)
            else:
                addresses, words = await self._reached(uow, ticket, now)
                command = Command(Verb.ESCALATE, SYSTEM, details=Escalated(to_name=words))
            transition = decide(ticket, command, self._context(now, Source.JOB, {}))
            after = await uow.tickets.update(ticket, transition.ticket, transition.event)
            await uow.outbox.enqueue(after, self._planner.addresses(ticket, after))
            await self._announce(uow, ticket, after, transition.event, now, addresses)
            return Outcome(after, transition.event)

    async def due_auto_closes(self, limit: int) -> list[str]:
        """Completed tickets whose resident let the time to confirm pass, oldest first."""
        async with self._uow(readonly=True) as uow:
            return await uow.tickets.due_auto_closes(self.clock.now(), limit)

    async def auto_close(self, number: str) -> Outcome | None:
        """Close a completed ticket nobody confirmed in time, as baoxiu; None when it is not
        due any more: another watcher closed it, or the resident or the desk acted first.
        The core re-checks under the row lock, so however many replicas ask, it closes once."""
        if self._policy is None:
            return None
        try:
            outcome = await self.act(number, Command(Verb.CLOSE, SYSTEM), Source.JOB)
        except (NothingDue, IllegalTransition):
            return None
        return outcome

    async def due_visits(self, limit: int) -> list[str]:
        """Closed tickets whose return visit is due now, the longest waiting first."""
        async with self._uow(readonly=True) as uow:
            return await uow.tickets.due_visits(self.clock.now(), limit)

    async def send_visit(self, number: str) -> Outcome | None:
        """Put the ticket's due return visit on the agents' chat and clear its due time, in
        one transaction; None when nothing is due any more (another watcher sent it)."""
        try:
            outcome = await _retrying(lambda: self._send_visit_once(number))
        except IllegalTransition:
            return None
        self._on_commit()
        return outcome

    async def _send_visit_once(self, number: str) -> Outcome:
        async with self._uow() as uow:
            now = self.clock.now()
            ticket = await uow.tickets.get(number, for_update=True)
            if ticket is None:
                raise NotFound(f"没有这张工单：{number}")
            command = Command(Verb.SEND_VISIT, SYSTEM)
            transition = decide(ticket, command, self._context(now, Source.JOB, {}))
            after = await uow.tickets.update(ticket, transition.ticket, transition.event)
            await self._announce(uow, ticket, after, transition.event, now)
            return Outcome(after, transition.event)

    async def _announce(
        self,
        uow: UnitOfWork,
        before: Ticket,
        after: Ticket,
        event: Event,
        now: datetime,
        reached: Sequence[CardAddress] = (),
    ) -> None:
        """Post what a change tells people beyond the ticket's card, in its transaction: an
        escalation step to the chats its rung `reached` (resolved with the rota before the
        step was decided), a hurry-up to whoever must act on it."""
        announced = self._announcement(before, after, event, now, reached)
        if announced is not None:
            message, addresses = announced
            await uow.outbox.post(message, addresses, now, after)

    def _announcement(
        self,
        before: Ticket,
        after: Ticket,
        event: Event,
        now: datetime,
        reached: Sequence[CardAddress],
    ) -> tuple[Sent, Sequence[CardAddress]] | None:
        details = event.details
        if isinstance(details, Escalated):
            who = self.directory.name_of(before.assignee_id) or "接单人"
            step, due = Step(details.deadline), datetime.fromisoformat(details.due)
            return Escalation(overdue_text(step, due, now, before, who), details.step), reached
        if isinstance(details, VisitDue):
            return Visit(details.attempt), self._planner.reach(Reach.AGENTS, after)
        if event.kind is EventKind.HURRIED:
            times = f"{event.actor_name}催单（第 {after.hurry_count} 次）"
            if after.assignee_id is None:  # nobody holds it: the dispatchers must find someone
                text = f"{times}，还没有师傅接单，请尽快安排"
                return Reminder(text), self._planner.reach(Reach.SUPERVISORS)
            return Reminder(f"{times}，请尽快处理"), self._own_or_team(after)
        complaint = dissatisfaction(before, after, event)
        if complaint is not None:
            return Escalation(complaint, 0), self._supervisors_of(after)
        return None

    def _supervisors_of(self, ticket: Ticket) -> list[CardAddress]:
        """The team's own supervisors, in their chats with the bot; the supervisors' group
        when none of them has one, so the complaint is not lost."""
        ids = [m.id for m in self.directory.members.values() if m.is_supervisor_of(ticket.team_id)]
        own = [a for i in ids for a in self._planner.reach(i, ticket)]
        return own or self._planner.reach(Reach.SUPERVISORS)

    async def _reached(
        self, uow: UnitOfWork, ticket: Ticket, now: datetime
    ) -> tuple[list[CardAddress], str]:
        """The chats the ticket's next step goes to, and whom that is in words. The rota
        says who `on_duty` is; and a job nobody holds, whose `assignee` step nudges the
        team, nudges the on-call technician directly out of hours, when the group sleeps."""
        if ticket.escalation_step >= len(ticket.escalation_chain):
            return [], ""  # nothing is due: `decide` says so
        rung = ticket.escalation_chain[ticket.escalation_step]
        target = reach(rung, ticket)
        if rung.to == "on_duty" or target is Reach.TEAM:
            shifts = await uow.rota.shifts(ticket.team_id, *self.rotas.days(now))
            duty = self.rotas.on_duty(self.directory, ticket.team_id, now, shifts)
            ids: tuple[str, ...] = ()
            if rung.to == "on_duty":
                ids = self.rotas.supervisors(self.directory, ticket.team_id, now, shifts)
            elif duty.out_of_hours:
                ids = duty.on_call_technicians
            if ids:
                names = "、".join(self.directory.name_of(i) or i for i in ids)
                role = "值班" if not duty.out_of_hours else "备班"
                return [a for i in ids for a in self._planner.reach(i, ticket)], f"{role}{names}"
        words = audience_words(rung, ticket, self.directory)
        if target is Reach.ASSIGNEE:
            return self._own_or_team(ticket), words
        return self._planner.reach(target, ticket), words

    def _own_or_team(self, ticket: Ticket) -> list[CardAddress]:
        """The assignee's own chat, or the team's group when they have none with the bot:
        a nudge meant for them is not lost."""
        return self._planner.reach(Reach.ASSIGNEE, ticket) or self._planner.reach(
            Reach.TEAM, ticket
        )

    async def send(
        self,
        message: Sent,
        to: Reach | str,
        number: str | None = None,
        *,
        once: str | None = None,
        team: str | None = None,
    ) -> int:
        """Queue a message baoxiu sends on its own (a reminder about ticket `number`, a note,
        a report) for the chats `to` names, in the terms of `tickets.recipients`; returns
        how many chats it goes to. Jobs call this; the delivery worker sends it. Under a key
        (`once`: the weekly summary of 2026-W48) each chat gets it once, however many
        replicas or runs send it. `team` names the team `Reach.TEAM` means when no ticket
        does (a team's daily digest)."""
        async with self._uow() as uow:
            ticket = await uow.tickets.get(number) if number else None
            if number and ticket is None:
                raise NotFound(f"没有这张工单：{number}")
            if isinstance(message, Reminder) and ticket is None:
                raise InvalidInput("提醒要说明是哪张工单", field="number")
            if not isinstance(to, Reach) and to not in self.directory.members:
                raise InvalidInput(f"没有这位成员：{to}", field="to")
            if team is not None and team not in self.directory.teams:
                raise InvalidInput(f"没有这个班组：{team}", field="team")
            addresses = self._planner.reach(to, ticket, team)
            queued = await uow.outbox.post(message, addresses, self.clock.now(), ticket, once)
        self._on_commit()
        return len(queued)

    async def unsent(self, once: str, to: Reach | str, team: str | None = None) -> int:
        """How many of the chats `to` names have had nothing under the key `once` yet: a
        job asks before it makes what it would send."""
        async with self._uow(readonly=True) as uow:
            return len(await uow.outbox.unsent(once, self._planner.reach(to, None, team)))

    async def open_jobs_of(self, team: str) -> list[Ticket]:
        """The team's open tickets, for its daily digest: a team's open work is tens of
        jobs, read in pages like any list."""
        query = TicketQuery(statuses=UNFINISHED, team_id=team, limit=200)
        found: list[Ticket] = []
        async with self._uow(readonly=True) as uow:
            while True:
                page = await uow.tickets.search(query)
                found += page.items
                if page.next_after_id is None:
                    return found
                query = replace(query, after_id=page.next_after_id)

    def _context(self, now: datetime, source: Source, open_jobs: dict[str, int]) -> Context:
        return Context(
            directory=self.directory,
            now=now,
            source=source,
            open_jobs=open_jobs,
            policy=self._policy,
            fees=self.fees,
            visits=self._visits,
        )

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

    async def followed(self, ticket: Ticket) -> TicketHistory | None:
        """The ticket a merged report's resident now follows, with its timeline: the one it
        was merged into, or where that one was merged in turn; None for a report that was
        not merged."""
        found = None
        for _ in range(MAX_MERGES):
            if ticket.merged_into is None:
                break
            found = await self.history(ticket.merged_into)
            ticket = found.ticket
        return found

    async def hotspots(self, now: datetime, window_days: int, min_count: int) -> list[Hotspot]:
        """Places and buildings with `min_count` or more faults of one category opened in the
        `window_days` before `now`, most first (tickets/hotspots.py); the weekly summary and
        `GET /api/v1/stats/hotspots` list them."""
        if window_days < 1 or min_count < 1:
            raise InvalidInput("统计天数和次数须至少为 1", field="days")
        since = now - timedelta(days=window_days)
        async with self._uow(readonly=True) as uow:
            return ranked(await uow.tickets.hotspots(since, now, min_count))

    async def search(self, query: TicketQuery) -> Page:
        async with self._uow(readonly=True) as uow:
            return await uow.tickets.search(query)

    async def figures(self, period: Period, group_by: GroupBy | None = None) -> Breakdown:
        """The period's figures (tickets/stats.py): the total and, with `group_by`, one per
        group, named as the directory names it."""
        async with self._uow(readonly=True) as uow:
            found = await uow.stats.figures(period, group_by)
        named = [replace(f, name=group_name(group_by, f.key, self.directory)) for f in found.groups]
        return replace(found, groups=named)

    async def daily(self, period: Period) -> list[DayCount]:
        """Received and closed per local day of the period."""
        async with self._uow(readonly=True) as uow:
            return await uow.stats.daily(period, self.tz)

    async def overdue(self, limit: int) -> list[Overdue]:
        """Open jobs past the due time they work towards now, the latest first."""
        async with self._uow(readonly=True) as uow:
            found = await uow.stats.overdue(self.clock.now(), limit)
        return [replace(o, assignee_name=self.directory.name_of(o.assignee_id)) for o in found]

    async def count(self, query: TicketQuery) -> int:
        async with self._uow(readonly=True) as uow:
            return await uow.tickets.count(query)

    async def exported(self, query: TicketQuery) -> ExportPage:
        async with self._uow(readonly=True) as uow:
            return await uow.tickets.exported(query)


async def _retrying(run: Callable[[], Awaitable[T]]) -> T:
    for _ in range(MAX_ATTEMPTS - 1):
        try:
            return await run()
        except ConcurrentUpdate:
            continue
    return await run()


async def _survivor(repo: TicketRepository, ticket: Ticket, command: Command) -> Ticket | None:
    """The ticket a merge folds `ticket` into: the one named, or the one it was marked as
    possibly repeating; None for any other verb (and for a merge naming none, which the
    core refuses by name)."""
    into = command.into or ticket.possible_duplicate_of
    if command.verb is not Verb.MERGE or into is None:
        return None
    survivor = await repo.get(into)
    if survivor is None:
        raise InvalidInput(f"没有这张工单：{into}", field="into")
    return survivor


def _counted_members(command: Command) -> list[str]:
    """Members whose open jobs the cap rules of this verb look at."""
    if command.verb is Verb.CLAIM and command.actor.member_id:
        return [command.actor.member_id]
    if command.verb in (Verb.DISPATCH, Verb.TRANSFER) and command.to:
        return [command.to]
    return []
