"""A realistic week for the figures and the weekly summary: a few hundred reports across the
demo site's teams, categories and technicians, played through the real `TicketService` on the
fake clock, with the SLA watcher sweeping every hour as `jobs/sla_watch.py` does.

ISO week 2026-W48 (Monday 11-23 to Sunday 11-29, Beijing), with reports from the Thursday
before (so some are closed, cancelled or still open across the week's start), played up to
Monday 11-30 09:00. Seeded random, so every run and every database gets the same week: jobs
claimed, dispatched or assigned by round-robin, started, completed (some with fees), sent back
for rework, confirmed on the resident's behalf, rated (some low), paid, closed; some cancelled,
some left new, accepted, in progress or completed, some of those past their due times.
"""

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from baoxiu.config import Settings
from tests.clock import FakeClock
from tests.reports import draft
from tickets.actions import Command, Verb
from tickets.errors import TicketError
from tickets.fees import FeeRequest
from tickets.model import Actor, Reporter, Ticket
from tickets.payment import PayMethod
from tickets.rating import Agreement, Rating
from tickets.service import TicketService
from tickets.states import Source, Status
from tickets.stats import Period

BEIJING = ZoneInfo("Asia/Shanghai")
WEEK = "2026-W48"
BEGIN = datetime(2026, 11, 19, 0, 0, tzinfo=BEIJING)
"""The first report may come in from here, four days before the week."""
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=BEIJING)
"""When the week has been played: Monday morning, when the summary goes out."""
TICKETS = 240
AGENT = Actor.member("lin")
SUPERVISOR = Actor.member("chen")

REPORTS = {
    "水电": ("厨房水龙头滴水", "卫生间水管爆裂", "客厅插座没电"),
    "燃气": ("厨房燃气泄漏", "燃气灶打不着火"),
    "门窗": ("入户门锁坏了", "卧室窗户关不严"),
    "土建": ("卫生间墙面开裂", "天花板掉灰"),
    "公共设施": ("楼道灯不亮", "单元门禁坏了"),
    "电梯": ("电梯困人", "电梯运行有异响"),
}
FEES = {"水电": "SD-01", "门窗": "MC-01"}
"""Fixed-price items charged on some jobs of these categories."""
CLAIMERS = {"shuidian": ("li", "wang")}
DISPATCHED = {"tujian": ("zhang", "zhao")}


def week_settings(settings: Settings) -> Settings:
    """The demo site with caps high enough that a busy week is not turned away."""
    teams = [t.model_copy(update={"max_open_per_technician": 100}) for t in settings.teams]
    return settings.model_copy(update={"teams": teams})


@dataclass(frozen=True)
class Week:
    period: Period
    now: datetime
    numbers: list[str]


Step = Callable[[Ticket], Command | None]
"""The next thing done to a ticket as it is then; None skips it."""


def _plan(rng: random.Random) -> list[tuple[timedelta, Step]]:
    """A ticket's life after its report: each step's delay and what it does."""

    def minutes(low: int, high: int) -> timedelta:
        return timedelta(minutes=rng.randint(low, high))

    def accept(t: Ticket) -> Command | None:
        if t.status is not Status.NEW:  # assigned by round-robin already
            return None
        if t.team_id in CLAIMERS:
            return Command(Verb.CLAIM, Actor.member(rng.choice(CLAIMERS[t.team_id])))
        pool = DISPATCHED.get(t.team_id, ("liu", "sun"))
        return Command(Verb.DISPATCH, SUPERVISOR, to=rng.choice(pool))

    def by_assignee(verb: Verb, **extra: object) -> Step:
        def step(t: Ticket) -> Command:
            return Command(verb, Actor.member(t.assignee_id or "chen"), **extra)  # type: ignore[arg-type]

        return step

    charged = rng.random() < 0.5

    def complete(t: Ticket) -> Command:
        code = FEES.get(t.category) if charged else None
        fees = (FeeRequest(code, Decimal(rng.randint(1, 2))),) if code else ()
        return Command(
            Verb.COMPLETE,
            Actor.member(t.assignee_id or "chen"),
            findings="部件老化",
            note="已更换",
            fees=fees,
        )

    def pay(t: Ticket) -> Command | None:
        if t.fees_total_fen <= 0:
            return None
        return Command(Verb.PAY, AGENT, method=rng.choice(list(PayMethod)))

    def rate(t: Ticket) -> Command:
        stars = [rng.randint(3, 5) for _ in range(3)]
        if rng.random() < 0.2:  # a low rating: one part or more at 2 stars or fewer
            stars[rng.randrange(3)] = rng.randint(1, 2)
        rating = Rating(stars[0], stars[1], stars[2])
        return Command(Verb.RATE, AGENT, rating=rating, agreed=Agreement.PHONE)

    fate = rng.choices(
        ["new", "cancel", "accepted", "started", "completed", "done"],
        weights=[6, 6, 6, 6, 10, 66],
    )[0]
    if fate == "new":
        return []
    if fate == "cancel":
        before = rng.random() < 0.5
        steps: list[tuple[timedelta, Step]] = [] if before else [(minutes(5, 600), accept)]
        cancel = Command(Verb.CANCEL, AGENT, reason="业主自行修好了")
        return [*steps, (minutes(30, 1200), lambda t: cancel)]
    steps = [(minutes(3, 1800), accept)]
    if fate == "accepted":
        return steps
    steps.append((minutes(10, 1800), by_assignee(Verb.START)))
    if fate == "started":
        return steps
    steps.append((minutes(30, 900), complete))
    if fate == "completed":
        return steps
    if rng.random() < 0.12:
        reopen = Command(Verb.REOPEN, AGENT, reason="业主反映还是漏")
        steps += [
            (minutes(60, 600), lambda t: reopen),
            (minutes(30, 300), by_assignee(Verb.START)),
            (minutes(30, 300), complete),
        ]
    confirm = Command(Verb.CONFIRM, AGENT, on_behalf=True, agreed=Agreement.PHONE)
    steps.append((minutes(20, 1500), lambda t: confirm))
    if rng.random() < 0.75:
        steps.append((minutes(5, 600), rate))
    steps.append((minutes(5, 300), pay))
    if rng.random() < 0.85:
        close = Command(Verb.CLOSE, AGENT)
        steps.append((minutes(5, 600), lambda t: close))
    return steps


async def seed_week(service: TicketService, clock: FakeClock, seed: int = 48) -> Week:
    """Plays the week on `service` (whose clock is `clock`), in time order."""
    rng = random.Random(seed)
    span = int((NOW - timedelta(hours=14) - BEGIN).total_seconds())
    queue: list[tuple[datetime, int, int, int]] = []
    plans: list[list[tuple[timedelta, Step]]] = []
    for i in range(TICKETS):
        at = BEGIN + timedelta(seconds=rng.randrange(span))
        plans.append(_plan(rng))
        heapq.heappush(queue, (at, i, i, -1))
    numbers: dict[int, str] = {}
    clock.at = BEGIN
    sweep = BEGIN
    order = TICKETS
    while queue:
        at, _, i, step = heapq.heappop(queue)
        while sweep + timedelta(hours=1) <= at:
            sweep += timedelta(hours=1)
            await _escalate(service, clock, sweep)
        clock.at = at
        done = await _run(service, rng, i, step, numbers, plans)
        if done and step + 1 < len(plans[i]):
            order += 1
            heapq.heappush(queue, (at + plans[i][step + 1][0], order, i, step + 1))
    while sweep + timedelta(hours=1) <= NOW:
        sweep += timedelta(hours=1)
        await _escalate(service, clock, sweep)
    clock.at = NOW
    return Week(Period.week(WEEK, BEIJING), NOW, [numbers[i] for i in sorted(numbers)])


async def _run(
    service: TicketService,
    rng: random.Random,
    i: int,
    step: int,
    numbers: dict[int, str],
    plans: list[list[tuple[timedelta, Step]]],
) -> bool:
    """One step of ticket `i`; False when the core refused it, which ends the ticket's plan
    (a claim raced by the watcher, a job already finished)."""
    if step < 0:
        category = rng.choice(list(REPORTS))
        report = draft(
            category,
            rng.choice(REPORTS[category]),
            location=f"{rng.randint(1, 6)}栋{rng.randint(1, 3)}单元{rng.randint(1, 6)}0{i % 2 + 1}",
            reporter=Reporter(name="业主", phone=f"1380013{i:04d}"),
        )
        numbers[i] = (await service.open(report, AGENT, Source.API)).ticket.number
        return True
    ticket = (await service.history(numbers[i])).ticket
    command = plans[i][step][1](ticket)
    if command is None:
        return True
    try:
        await service.act(numbers[i], command, Source.API)
    except TicketError:
        return False
    return True


async def _escalate(service: TicketService, clock: FakeClock, at: datetime) -> None:
    """One run of the SLA watcher at `at`."""
    clock.at = at
    for number in await service.due_escalations(100):
        await service.escalate(number)
