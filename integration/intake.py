"""Reports typed to the bot in a chat, on any platform: `@报修助手 3栋2单元501 卫生间漏水`.

Each platform hands over the words after the mention; they are read the same way everywhere.
The first word may name a category (`@报修助手 电梯 5栋 2号梯困人`); otherwise the group's own
team takes the report, in its first category. The rest is a location and a description.
The report is checked by the REST API's schema and goes through the same core call, keyed by
the platform's message id so that a redelivered message registers one ticket, and the answer
(the number, or what to fix or type instead) reads the same on every platform.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from pydantic import ValidationError

from integration.hotline import call_us
from integration.web.ratelimit import ReportLimiter
from integration.web.schemas import ReportIn, in_words
from tickets.clock import Clock
from tickets.errors import TicketError
from tickets.model import Actor, Reporter, Ticket
from tickets.people import Directory
from tickets.service import TicketService
from tickets.states import Channel, Source

USAGE = "请按「@报修助手 位置 问题」发送，例如：@报修助手 3栋2单元501 卫生间漏水"
NOT_A_MEMBER = "你还不是本物业 baoxiu 的成员，请联系管理员添加"


@dataclass(frozen=True)
class Sender:
    """The configured member behind a platform's user id; their phone is the report's."""

    member_id: str
    name: str
    phone: str


@dataclass(frozen=True)
class Report:
    category: str
    location: str
    description: str


@dataclass(frozen=True)
class Outcome:
    answer: str
    """What the bot says back."""
    ticket: Ticket | None
    """The ticket, which an earlier delivery of the same message may have made; None when
    the core refused the report."""
    created: bool = False
    """This delivery made the ticket: the photos it stored are the ticket's."""


def known_categories(directory: Directory) -> frozenset[str]:
    """Every category a report may name."""
    return frozenset(c for team in directory.teams.values() for c in team.categories)


def read(text: str, default: str | None, known: frozenset[str]) -> Report | None:
    """The report in the words after the mention; None when they do not make one."""
    words = text.split(maxsplit=1)
    category = default
    if words and words[0] in known:
        category, text = words[0], words[1] if len(words) > 1 else ""
    rest = text.split(maxsplit=1)
    if category is None or len(rest) < 2:
        return None
    return Report(category, rest[0], rest[1].strip())


async def register(
    service: TicketService,
    sender: Sender,
    report: Report,
    source: Source,
    key: str,
    photos: Sequence[str] = (),
) -> Outcome:
    """Open the ticket; `key` is the platform's message id with the platform's prefix.

    The report goes through the API's schema, as the form's and the terminal's do: a chat
    message holds no field limits of its own, and a location of 12,000 characters once made
    a card no platform would take. The reporter is the configured member, checked with the
    config."""
    try:
        body = ReportIn.model_validate(
            {
                "location": report.location,
                "category": report.category,
                "description": report.description,
                "channel": Channel.CHAT,
            }
        )
    except ValidationError as error:
        problems = "；".join(in_words(item) for item in error.errors())
        return Outcome(f"没能登记：{problems}。{USAGE}", None)
    reporter = Reporter(name=sender.name, phone=sender.phone)
    draft = replace(body.draft_by(reporter), photos=tuple(photos))
    try:
        opened = await service.open(
            draft, Actor.member(sender.member_id), source, submission_key=key
        )
    except TicketError as error:
        return Outcome(f"没能登记：{error.message}。{USAGE}", None)
    ticket = opened.ticket
    team = service.directory.teams[ticket.team_id].name
    done = f"已登记 {ticket.number}（{report.category} · {report.location}），卡片已发到{team}"
    return Outcome(done, ticket, opened.created)


SENDER_LIMIT = 10
GROUP_LIMIT = 30
WINDOW_S = 600.0


class Pace:
    """How fast reports may come from one person and into one group: a person reports a few
    faults an hour, a group a few dozen. Counted by message, so a redelivery costs nothing
    more; checked before a photo is fetched."""

    def __init__(
        self,
        clock: Clock,
        hotline: str | None = None,
        sender_limit: int = SENDER_LIMIT,
        group_limit: int = GROUP_LIMIT,
    ) -> None:
        """`hotline` is the number the refusal gives for what cannot wait."""
        self._senders = ReportLimiter(clock, sender_limit, WINDOW_S)
        self._groups = ReportLimiter(clock, group_limit, WINDOW_S)
        self._hotline = hotline

    def refusal(self, sender: Sender, group: str, key: str) -> str | None:
        """Why this report must wait, or None when it may go ahead (and is counted)."""
        wait = max(self._senders.wait(sender.member_id, key), self._groups.wait(group, key))
        if not wait:
            self._senders.take(sender.member_id, key)
            self._groups.take(group, key)
            return None
        minutes = max(1, round(wait / 60))
        return f"报修太频繁了，请 {minutes} 分钟后再试。紧急情况{call_us(self._hotline)}。"
