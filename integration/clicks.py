"""One router for card clicks from every platform.

A platform edge verifies and parses its payload into a `Click`; the router turns it into the
core service call and answers with a toast for the clicker and the fresh card for that chat.
A click on a stale card (its version is behind the ticket's) still acts when the action is
valid; otherwise the clicker learns what changed and gets the current card.
"""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from cards.build import CardContext, latest, ticket_card
from cards.model import ActionValue, Card
from tickets.actions import Command, Verb
from tickets.audience import Audience
from tickets.errors import NotFound, TicketError
from tickets.model import Actor, Event, Ticket
from tickets.people import Directory
from tickets.service import TicketService
from tickets.states import Source
from tickets.words import describe

Level = Literal["success", "info", "warning", "error"]

SLOW_TOAST = "正在处理，卡片稍后更新"
"""What the clicker is told when the answer is not ready in the time the platform waits."""


@dataclass(frozen=True)
class Click:
    source: Source
    member_id: str | None
    """The clicker as a configured member; None when their platform id is unknown to us."""
    value: ActionValue
    audience: Audience
    viewer_id: str | None = None
    """For a DIRECT card: the member whose private chat it is."""
    form: Mapping[str, str] = field(default_factory=dict)
    event_id: str | None = None


@dataclass(frozen=True)
class ClickAnswer:
    toast: str
    level: Level
    card: Card | None
    """None only when the ticket no longer exists."""


def _done(text: str) -> Callable[[Ticket, Directory], str]:
    return lambda ticket, directory: text


def _reporter(ticket: Ticket, directory: Directory) -> str:
    r = ticket.reporter
    return f"报修人 {r.name}，电话 {r.phone}（仅你可见，已记入工单记录）"


TOASTS: Mapping[Verb, Callable[[Ticket, Directory], str]] = {
    Verb.CLAIM: _done("接单成功，请尽快联系业主"),
    Verb.DISPATCH: lambda t, d: f"已派给{d.name_of(t.assignee_id)}",
    Verb.TRANSFER: lambda t, d: f"已转给{d.name_of(t.assignee_id) or d.teams[t.team_id].name}",
    Verb.HAND_BACK: _done("已退单，工单回到待派单"),
    Verb.START: _done("已开始维修"),
    Verb.PAUSE: _done("已暂停"),
    Verb.RESUME: _done("已继续维修"),
    Verb.COMPLETE: _done("已完工，等待业主验收"),
    Verb.CONFIRM: _done("已确认完成"),
    Verb.REOPEN: _done("已返工，工单退回接单人"),
    Verb.CLOSE: _done("已结单"),
    Verb.CANCEL: _done("已取消"),
    Verb.COMMENT: _done("备注已记录"),
    Verb.REVEAL: _reporter,
}


_finishing: set[asyncio.Task["ClickAnswer"]] = set()
"""Clicks still running after their platform stopped waiting."""


class ClickRouter:
    def __init__(self, service: TicketService, cards: CardContext) -> None:
        self._service = service
        self._cards = cards

    async def click(self, click: Click) -> ClickAnswer:
        number, verb = click.value.number, click.value.verb
        if click.member_id is None:
            return await self._refused(click, "你还不是本物业 baoxiu 的成员，请联系管理员添加")
        command = Command(
            verb=verb,
            actor=Actor.member(click.member_id),
            to=click.form.get("to") or None,
            team=click.form.get("team") or None,
            reason=click.form.get("reason") or None,
            note=click.form.get("note") or None,
        )
        try:
            outcome = await self._service.act(
                number, command, click.source, event_id=click.event_id
            )
        except TicketError as error:
            return await self._refused(click, error.message)
        ticket = outcome.ticket
        toast = TOASTS[verb](ticket, self._service.directory)
        changed_by_this_click = 0 if verb in (Verb.COMMENT, Verb.REVEAL) else 1
        if click.value.version < ticket.version - changed_by_this_click:
            toast = f"卡片已刷新。{toast}"
        shown = outcome.event
        if shown is None or not shown.kind.public:  # a note or a reveal: the card keeps its line
            shown = latest((await self._service.history(number)).events)
        return ClickAnswer(toast, "success", self._card(ticket, click, shown))

    async def click_within(self, click: Click, seconds: float) -> ClickAnswer | None:
        """The click's answer if it is ready within `seconds` (a platform waits only so
        long); a slower click still completes, its card reaching the chat through the
        outbox, and None is returned."""
        task = asyncio.ensure_future(self.click(click))
        _finishing.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(_finishing.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(task), seconds)
        except TimeoutError:
            return None

    async def _refused(self, click: Click, message: str) -> ClickAnswer:
        try:
            history = await self._service.history(click.value.number)
        except NotFound as error:
            return ClickAnswer(error.message, "error", None)
        ticket = history.ticket
        if ticket.version != click.value.version:
            changes = [e for e in history.events if e.from_status is not e.to_status]
            message = f"{message}（卡片已过期：{describe(changes[-1]).title}）"
        return ClickAnswer(message, "error", self._card(ticket, click, latest(history.events)))

    def _card(self, ticket: Ticket, click: Click, event: Event | None) -> Card:
        return ticket_card(ticket, click.audience, self._cards, click.viewer_id, event)
