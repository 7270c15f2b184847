"""One router for card clicks from every platform.

A platform edge verifies and parses its payload into a `Click`; the router turns it into the
core service call and answers with a toast for the clicker and the fresh card for that chat.
A click on a stale card (its version is behind the ticket's) still acts when the action is
valid; otherwise the clicker learns what changed and gets the current card.

One update per click: the answer is what brings the fresh card to the clicked card, so the
change holds that chat's outbox row back for as long as the platform waits for the answer
(`ClickedCard`), and the edge, once it has sent the answer in time, records what it showed
(`ClickRouter.answer_sent`). The worker then finds the chat up to date and makes no call.
An answer that never went (a slow click, a crash) records nothing: when the hold is over,
the worker updates the card. Holding back a row, rather than writing none for that chat, is
what keeps that case safe.

While a click is being answered, its card is `answering`: a platform that forbids updates
during a callback (DingTalk) refuses the outbox's edits of it until the answer is sent or
due, whichever change queued them. Only this process's clicks are known here.
"""

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from cards.build import CardContext, latest, ticket_card
from cards.messages import escalation_answer
from cards.model import ActionValue, Card
from integration.web.controls import refuse
from integration.web.schemas import LABELS
from storage.outbox import DeliveryStore
from tickets.actions import Command, Verb
from tickets.audience import Audience
from tickets.clock import Clock
from tickets.errors import AlreadyTaken, InvalidInput, NotFound, TicketError
from tickets.events import EventKind
from tickets.fees import fen, yuan
from tickets.model import Actor, Event, Ticket
from tickets.payment import PayMethod, payment_words
from tickets.people import Directory
from tickets.ports import ClickedCard
from tickets.rating import Agreement
from tickets.service import TicketService
from tickets.states import Decision, PauseKind, Review, Source
from tickets.visits import VisitOutcome
from tickets.when import read_when
from tickets.words import describe

log = logging.getLogger(__name__)

Level = Literal["success", "info", "warning", "error"]

SLOW_TOAST = "正在处理，卡片稍后更新"
"""What the clicker is told when the answer is not ready in the time the platform waits."""
SENDING_S = 0.5
"""Of the time a platform waits for a click's answer, what is kept to render and send it."""


@dataclass(frozen=True)
class Click:
    source: Source
    member_id: str | None
    """The clicker as a configured member; None when their platform id is unknown to us."""
    value: ActionValue
    audience: Audience | None
    """Whom the card there shows; None for a chat the config does not name, which the card we
    posted there tells (`ClickRouter.click`)."""
    viewer_id: str | None = None
    """For a DIRECT card: the member whose private chat it is."""
    form: Mapping[str, str] = field(default_factory=dict)
    event_id: str | None = None
    card_id: str | None = None
    """The clicked card's platform message id, as the outbox keeps it (Feishu's
    open_message_id, DingTalk's outTrackId, the sandbox's message id)."""


@dataclass(frozen=True)
class Receipt:
    """What an answer brings back to the clicked card: the card at `version`. It counts
    only if sent before `due` (the event loop's clock), when the platform stops waiting."""

    number: str
    platform: str
    card_id: str
    version: int
    due: float


@dataclass(frozen=True)
class ClickAnswer:
    toast: str
    level: Level
    card: Card | None
    """None only when the ticket no longer exists."""
    receipt: Receipt | None = None
    """None when the answer brings no card to a card we know."""


def _done(text: str) -> Callable[[Ticket, Directory], str]:
    return lambda ticket, directory: text


def _reporter(ticket: Ticket, directory: Directory) -> str:
    r = ticket.reporter
    return f"报修人 {r.name}，电话 {r.phone}（仅你可见，本次查看已记入工单记录）"


def _technician(ticket: Ticket, directory: Directory) -> str:
    member = directory.members[ticket.assignee_id or ""]
    return f"接单人 {member.name}，电话 {member.phone}（仅你可见，本次查看已记入工单记录）"


def _paused(ticket: Ticket, directory: Directory) -> str:
    """Says whether the deadline to complete waits as well, as the core decided it."""
    return "已暂停，暂停期间不计入完工时限" if ticket.clock_stopped_at else "已暂停"


def _visited(ticket: Ticket, directory: Directory) -> str:
    match ticket.visit_outcome:
        case None:  # the resident is called again
            return f"已记录联系不上，明天再回访（已回访 {ticket.visit_attempt} 次）"
        case VisitOutcome.RECURRED:
            return "已记录问题复发，已为业主新建报修单"
    return f"回访已记录：{VisitOutcome(ticket.visit_outcome).label}"


TOASTS: Mapping[Verb, Callable[[Ticket, Directory], str]] = {
    Verb.CLAIM: _done("接单成功，请尽快联系业主"),
    Verb.DISPATCH: lambda t, d: f"已派给{d.name_of(t.assignee_id)}",
    Verb.TRANSFER: lambda t, d: f"已转给{d.name_of(t.assignee_id) or d.teams[t.team_id].name}",
    Verb.HAND_BACK: _done("已退单，工单将重新安排"),
    Verb.START: _done("已开始维修"),
    Verb.PAUSE: _paused,
    Verb.RESUME: _done("已继续维修"),
    Verb.COMPLETE: _done("已完工，等待业主验收"),
    Verb.CONFIRM: _done("已确认完成"),
    Verb.REOPEN: _done("已安排返工，工单退回原接单人"),
    Verb.CLOSE: _done("已结单"),
    Verb.CANCEL: _done("已取消"),
    Verb.COMMENT: _done("备注已记录"),
    Verb.REVEAL: _reporter,
    Verb.EXTEND: _done("已延期，截止时间已更新"),
    Verb.TAKE_OVER: _done("已由你接手跟进，这单不再升级提醒"),
    Verb.CALL_TECHNICIAN: _technician,
    Verb.HURRY: lambda t, d: f"已催单，已提醒{d.name_of(t.assignee_id) or '班组长'}尽快处理",
    Verb.RESCHEDULE: _done("已改约，卡片上的预约上门时间已更新"),
    Verb.FLAG: _done("已标记，等待班组长审核是否属于服务范围"),
    Verb.REVIEW: lambda t, d: (
        "已取消，业主会在报修页面看到原因" if t.review is Review.DECLINED else "已确认属于服务范围"
    ),
    Verb.QUOTE: lambda t, d: (
        f"已报价，等待业主同意 {yuan(t.quote_pending_fen)} 元"
        if t.quote_pending_fen is not None
        else f"已报价 {yuan(t.quoted_fen or 0)} 元"
    ),
    Verb.CONSENT: lambda t, d: f"已记录业主同意 {yuan(t.quoted_fen or 0)} 元",
    Verb.PAY: lambda t, d: f"{payment_words(t)}，已记入工单",
    Verb.VISIT: _visited,
    Verb.MERGE: lambda t, d: f"已合并到 {t.merged_into}，业主可在原报修链接查看进度",
}


C = TypeVar("C", bound=StrEnum)


def _choice(kind: type[C], value: str | None) -> C | None:
    """A picked option as the core's value; anything else counts as not picked."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() else None


def _when(value: str | None, tz: ZoneInfo, now: datetime) -> datetime | None:
    """A typed time (改约上门时间) in the site's zone; an empty box is no time."""
    return read_when(value, tz, now) if value and value.strip() else None


_finishing: set[asyncio.Task["ClickAnswer"]] = set()
"""Clicks still running after their platform stopped waiting."""


class ClickRouter:
    def __init__(
        self,
        service: TicketService,
        cards: CardContext,
        deliveries: DeliveryStore,
        clock: Clock,
    ) -> None:
        self._service = service
        self._cards = cards
        self._deliveries = deliveries
        self._clock = clock
        self._answering: dict[tuple[str, str], list[float]] = {}
        """Cards whose clicks are being answered, each with when the platform stops waiting
        (the event loop's clock); `answer_sent` takes a click off."""

    def answering(self, platform: str, card_id: str) -> float:
        """Seconds until no click on the card `card_id` is waiting for its answer (0 when
        none is)."""
        now = asyncio.get_running_loop().time()
        dues = self._answering.get((platform, card_id), ())
        return max((due - now for due in dues if due > now), default=0.0)

    def _answering_until(self, key: tuple[str, str], due: float) -> None:
        """Note a click on the card `key` waiting for its answer until `due`, and forget the
        clicks whose platform stopped waiting (an answer never sent is never taken off)."""
        now = asyncio.get_running_loop().time()
        for card, dues in list(self._answering.items()):
            dues[:] = [d for d in dues if d > now]
            if not dues:
                del self._answering[card]
        self._answering.setdefault(key, []).append(due)

    async def click(self, click: Click, deadline: float) -> ClickAnswer:
        """Act on the click; the platform waits `deadline` seconds for the answer, and the
        clicked card's outbox row is held back as long."""
        due = asyncio.get_running_loop().time() + deadline
        if click.card_id is not None:
            self._answering_until((click.source.value, click.card_id), due)
        number, verb = click.value.number, click.value.verb
        member = click.member_id
        if member is None:
            return ClickAnswer("你还不是本物业 baoxiu 的成员，请联系管理员添加", "error", None)
        placed = await self._placed(click)
        if placed is None:
            return ClickAnswer("这张卡片不在本物业 baoxiu 的群里，请在工单群中操作", "error", None)
        if placed.audience is Audience.DIRECT and placed.viewer_id != member:
            return ClickAnswer("这是别人的私聊卡片，请在你自己的卡片上操作", "error", None)
        click = placed
        for name, value in click.form.items():  # what was typed on any platform's card
            try:
                refuse(value, LABELS.get(name, name))
            except ValueError as error:
                return await self._refused(click, str(error), due)
        try:
            at = _when(click.form.get("at"), self._cards.tz, self._clock.now())
            typed = click.form.get("amount")
            amount = fen(typed, what="报价金额") if typed else None
        except InvalidInput as error:
            return await self._refused(click, error.message, due)
        command = Command(
            verb=verb,
            actor=Actor.member(member),
            to=click.form.get("to") or None,
            team=click.form.get("team") or None,
            reason=click.form.get("reason") or None,
            note=click.form.get("note") or None,
            findings=click.form.get("findings") or None,
            pause_kind=_choice(PauseKind, click.form.get("pause_kind")),
            agreed=_choice(Agreement, click.form.get("agreed")),
            on_behalf=verb is Verb.CONFIRM,  # a member's confirmation is always for the resident
            outcome=_choice(VisitOutcome, click.form.get("outcome")),
            minutes=_number(click.form.get("minutes")),
            at=at,
            decision=_choice(Decision, click.form.get("decision")),
            amount_fen=amount,
            method=_choice(PayMethod, click.form.get("method")),
        )
        clicked = None
        if click.card_id is not None:
            hold = timedelta(seconds=deadline)
            clicked = ClickedCard(click.source.value, click.card_id, hold)
        try:
            outcome = await self._service.act(
                number, command, click.source, event_id=click.event_id, clicked=clicked
            )
        except AlreadyTaken as error:  # 手慢了，这单已被李师傅接走: says all the card missed
            return await self._refused(click, error.message, due, stale=False)
        except TicketError as error:
            return await self._refused(click, error.message, due)
        ticket = outcome.ticket
        toast = TOASTS[verb](ticket, self._service.directory)
        changed_by_this_click = 0 if verb.kind in (EventKind.COMMENT, EventKind.REVEAL) else 1
        if click.value.version < ticket.version - changed_by_this_click:
            toast = f"卡片已刷新。{toast}"
        shown = outcome.event
        if shown is None or not shown.kind.public:  # a note or a reveal: the card keeps its line
            shown = latest((await self._service.history(number)).events)
        return self._answer(toast, "success", ticket, click, due, shown)

    async def click_within(self, click: Click, deadline: float) -> ClickAnswer | None:
        """The click's answer if it is ready in time for a platform that waits `deadline`
        seconds (`SENDING_S` of them kept for sending it); a slower click still completes,
        its card reaching the chat through the outbox, and None is returned."""
        task = asyncio.ensure_future(self.click(click, deadline))
        _finishing.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(_finishing.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(task), max(0.0, deadline - SENDING_S))
        except TimeoutError:
            return None

    async def answer_sent(self, answer: ClickAnswer | None) -> None:
        """Record, once the edge has sent `answer` back to the platform, the card it brought
        to the clicked card, so that the outbox does not send it there again. Too late to
        be shown, it records nothing; a failure to record costs one more update, never a
        stale card, so it is logged and not raised."""
        receipt = answer.receipt if answer is not None else None
        if receipt is None:
            return
        try:
            if asyncio.get_running_loop().time() <= receipt.due:
                await self._deliveries.answered(
                    receipt.number,
                    receipt.platform,
                    receipt.card_id,
                    receipt.version,
                    self._clock.now(),
                )
        except Exception:
            log.exception("could not record the answer to a click on %s", receipt.number)
        finally:  # only now: the worker is to find the answer recorded
            waiting = self._answering.get((receipt.platform, receipt.card_id), [])
            if receipt.due in waiting:
                waiting.remove(receipt.due)

    async def _placed(self, click: Click) -> Click | None:
        """The click with the chat it came from known, or None when nothing says what the
        chat is. A click names its chat, but only the card we posted there says whom that
        chat's card shows: a chat the config does not name is placed by our own record of the
        clicked card, never by the click's word, so that no unknown chat gets a private card."""
        if click.audience is not None:
            return click
        if click.card_id is None:
            return None
        address = await self._deliveries.posted_to(click.source.value, click.card_id)
        if address is None:
            return None
        return replace(click, audience=address.audience, viewer_id=address.member_id)

    async def _refused(
        self, click: Click, message: str, due: float, *, stale: bool = True
    ) -> ClickAnswer:
        """The refusal and the card as it is now; `stale` says what changed since the card
        the member tapped, unless the refusal says it already."""
        try:
            history = await self._service.history(click.value.number)
        except NotFound as error:
            return ClickAnswer(error.message, "error", None)
        ticket = history.ticket
        if stale and ticket.version != click.value.version:
            changes = [e for e in history.events if e.from_status is not e.to_status]
            message = f"{message}（卡片已刷新：{describe(changes[-1]).title}）"
        return self._answer(message, "error", ticket, click, due, latest(history.events))

    def _answer(
        self,
        toast: str,
        level: Level,
        ticket: Ticket,
        click: Click,
        due: float,
        shown: Event | None,
    ) -> ClickAnswer:
        assert click.audience is not None  # placed before anything is answered with a card
        if click.value.escalation:
            card = escalation_answer(ticket, self._cards, click.audience, shown)
        else:
            card = ticket_card(ticket, click.audience, self._cards, click.viewer_id, shown)
        receipt = None
        if click.card_id is not None:
            receipt = Receipt(ticket.number, click.source.value, click.card_id, ticket.version, due)
        return ClickAnswer(toast, level, card, receipt)
